#!/usr/bin/env python3
"""Regenerates smp_oracle.json: strategic-merge cases with the output of the oracle.

Each case is a resource and a patch; the patch is applied with `kubectl kustomize`
(kustomize v5.5.0) through `patches: [{path: patch.yaml}]` (or with a `target:`
when the case says so), and the printed objects are stored as JSON next to the
inputs. `smp::tests::oracle_cases_match_kubectl_kustomize` replays them.

Run from this folder:  python3 gen_smp_oracle.py > smp_oracle.json
"""
import json
import os
import subprocess
import sys
import tempfile

import yaml

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
"""


def deploy(body, indent=6):
    pad = " " * indent
    return DEPLOY + "".join(pad + line + "\n" for line in body.strip("\n").split("\n"))


CASES = []


def case(name, resource, patch, target=None):
    CASES.append({"name": name, "resource": resource, "patch": patch, "target": target})


# --- maps and scalars -------------------------------------------------------
case("map_merge_adds_and_overrides_keys",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels: {a: '1', b: '2'}\ndata: {x: '1', y: '2'}\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels: {b: '3', c: '4'}\ndata: {y: '9', z: '3'}\n")
case("null_deletes_existing_key_and_ignores_absent_key",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels: {a: '1', b: '2'}\ndata: {x: '1'}\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels: {a: null, zz: null}\ndata:\n  x: null\n  nope: null\n")
case("null_deletes_a_whole_map_and_a_whole_list",
     deploy("securityContext: {runAsUser: 1}\ntolerations: [{key: a}]\ncontainers: [{name: a, image: a}]"),
     deploy("securityContext: null\ntolerations: null\ncontainers: null"))
case("empty_map_in_patch_keeps_or_adds_map",
     deploy("securityContext: {runAsUser: 1}\ncontainers: [{name: a, image: a}]"),
     deploy("securityContext: {}\nnodeSelector: {}\ncontainers: [{name: a, resources: {}}]"))

# --- lists without merge strategy are replaced -------------------------------
case("lists_without_strategy_are_replaced",
     deploy("tolerations: [{key: a}, {key: b}]\ncontainers:\n- name: a\n  args: [x, y]\n  envFrom: [{secretRef: {name: s}}]"),
     deploy("tolerations: [{key: c}]\ncontainers:\n- name: a\n  args: [z]\n  envFrom: [{configMapRef: {name: c}}]"))
case("empty_list_replaces_plain_list_and_keeps_merge_list",
     deploy("tolerations: [{key: a}]\ncontainers:\n- name: a\n  args: [x]"),
     deploy("tolerations: []\ncontainers:\n- name: a\n  args: []\nvolumes: []"))
case("custom_resource_lists_are_replaced",
     "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: app\nspec:\n  containers: [{name: a, image: a}, {name: b, image: b}]\n",
     "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: app\nspec:\n  containers: [{name: b, image: b2}]\n")
case("removed_api_version_has_no_schema_and_replaces_lists",
     "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: a}]\n",
     "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers: [{name: b, image: b}]\n")
case("directives_in_replaced_lists_stay_literal",
     "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: app\nspec:\n  items: [{name: a}]\n",
     "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: app\nspec:\n  items: [{name: a, $patch: delete}]\n")

# --- merge lists ------------------------------------------------------------
case("containers_merge_by_name_patch_elements_first",
     deploy("containers:\n- {name: a, image: a}\n- {name: b, image: b}\n- {name: c, image: c}\n- {name: d, image: d}"),
     deploy("containers:\n- {name: b, image: b2}\n- {name: z, image: z}\n- {name: c, image: c2}"))
case("init_and_ephemeral_containers_merge_by_name",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  initContainers: [{name: i, image: i}]\n  ephemeralContainers: [{name: e, image: e}]\n  containers: [{name: a, image: a}]\n",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  initContainers: [{name: i, image: i2}, {name: j, image: j}]\n  ephemeralContainers: [{name: e, image: e2}]\n")
case("env_merges_by_name",
     deploy("containers:\n- name: a\n  env: [{name: A, value: a}, {name: B, value: b}]"),
     deploy("containers:\n- name: a\n  env: [{name: B, value: bee}, {name: C, value: c}]"))
case("env_value_from_replaces_value_only_by_merge",
     deploy("containers:\n- name: a\n  env: [{name: A, value: a}]"),
     deploy("containers:\n- name: a\n  env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]"))
case("volume_mounts_merge_by_mount_path",
     deploy("containers:\n- name: a\n  volumeMounts: [{name: x, mountPath: /x}, {name: y, mountPath: /y}]"),
     deploy("containers:\n- name: a\n  volumeMounts: [{name: y2, mountPath: /y}, {name: z, mountPath: /z}]"))
case("volumes_merge_by_name",
     deploy("volumes: [{name: a, emptyDir: {}}, {name: b, configMap: {name: cm}}]\ncontainers: [{name: c}]"),
     deploy("volumes: [{name: b, configMap: {name: cm2}}, {name: n, secret: {secretName: s}}]"))
case("volume_source_change_keeps_old_source_too",
     deploy("volumes: [{name: a, emptyDir: {}}]\ncontainers: [{name: c}]"),
     deploy("volumes: [{name: a, persistentVolumeClaim: {claimName: pvc}}]"))
case("image_pull_secrets_and_host_aliases_merge",
     deploy("imagePullSecrets: [{name: a}]\nhostAliases: [{ip: 1.1.1.1, hostnames: [a]}]\ncontainers: [{name: c}]"),
     deploy("imagePullSecrets: [{name: b}]\nhostAliases: [{ip: 1.1.1.1, hostnames: [b]}, {ip: 2.2.2.2, hostnames: [c]}]"))
case("merge_list_added_when_resource_has_none",
     deploy("containers: [{name: c}]"),
     deploy("volumes: [{name: v, emptyDir: {}}]\ninitContainers: [{name: i, image: i}]"))
case("cronjob_containers_merge",
     "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: app\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: a, image: a, env: [{name: X, value: x}]}]\n",
     "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: app\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: a, env: [{name: Y, value: y}]}]\n")
case("finalizers_union_patch_first",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  finalizers: [a, b]\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  finalizers: [c, a]\n")
case("owner_references_merge_by_uid",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  ownerReferences: [{uid: u1, name: a, kind: K, apiVersion: v1}]\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  ownerReferences: [{uid: u1, name: b}, {uid: u2, name: c, kind: K, apiVersion: v1}]\n")
case("webhooks_merge_by_name",
     "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: app\nwebhooks:\n- name: a\n  sideEffects: None\n  clientConfig: {service: {name: s, namespace: n}}\n",
     "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: app\nwebhooks:\n- name: a\n  clientConfig: {service: {namespace: other}}\n")
case("merge_key_given_as_quoted_string_matches_number",
     deploy("containers:\n- name: a\n  ports: [{containerPort: 80}]"),
     deploy("containers:\n- name: a\n  ports: [{containerPort: '80', name: web}]"))
case("patch_element_without_merge_key",
     deploy("containers: [{name: a, image: a}]"),
     deploy("containers: [{image: x}]"))
case("resource_list_with_empty_element_drops_it",
     deploy("containers: [{name: a, image: a}, {}]"),
     deploy("containers: [{name: a, image: b}]"))
case("duplicate_merge_keys_in_resource",
     deploy("containers: [{name: a, image: one}, {name: a, image: two}, {name: b, image: b}]"),
     deploy("containers: [{name: a, image: three}]"))
case("untouched_merge_list_is_kept",
     deploy("containers: [{name: a, image: a}, {name: b, image: b}]"),
     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 3\n")

# --- two-key merge lists ------------------------------------------------------
for i, (d, p) in enumerate([
    ("[{containerPort: 80, protocol: TCP}, {containerPort: 81}]", "[{containerPort: 80, name: web}]"),
    ("[{containerPort: 80, protocol: TCP}, {containerPort: 81}]", "[{containerPort: 80, protocol: TCP, name: web}]"),
    ("[{containerPort: 80}, {containerPort: 81}]", "[{containerPort: 80, name: web}]"),
    ("[{containerPort: 80}, {containerPort: 81}]", "[{containerPort: 81, name: web}, {containerPort: 82}]"),
    ("[{containerPort: 80, protocol: TCP}, {containerPort: 81, protocol: TCP}]", "[{containerPort: 81, protocol: TCP, name: web}, {containerPort: 82, protocol: TCP}]"),
    ("[{containerPort: 80, protocol: TCP}, {containerPort: 80, protocol: UDP}]", "[{containerPort: 80, protocol: UDP, name: u}]"),
    ("[{containerPort: 80, protocol: TCP}, {containerPort: 80, protocol: UDP}]", "[{containerPort: 80, name: u}]"),
    ("[{containerPort: 8080, protocol: TCP}, {containerPort: 9090, protocol: TCP}]", "[{containerPort: 9090, name: metrics}, {containerPort: 7070}]"),
    ("[{containerPort: 80, name: a}]", "[{containerPort: 80, protocol: UDP}]"),
    ("[{containerPort: 80, protocol: TCP}]", "[{containerPort: 80, protocol: TCP, $patch: delete}]"),
    ("[{containerPort: 80}, {containerPort: 81}]", "[{containerPort: 81, $patch: delete}]"),
    ("[{name: x}, {containerPort: 81}]", "[{containerPort: 81, name: y}]"),
]):
    case(f"container_ports_two_keys_{i}",
         deploy(f"containers:\n- name: c\n  ports: {d}"),
         deploy(f"containers:\n- name: c\n  ports: {p}"))
case("service_ports_merge_by_port_and_protocol",
     "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  ports:\n  - {port: 80, targetPort: 8080}\n  - {port: 443, protocol: TCP, targetPort: 8443}\n",
     "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  ports:\n  - {port: 80, name: http}\n  - {port: 443, name: https}\n  - {port: 9000, protocol: UDP}\n")
case("topology_spread_constraints_two_keys",
     deploy("containers: [{name: c}]\ntopologySpreadConstraints:\n- {topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}"),
     deploy("topologySpreadConstraints:\n- {topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 2}\n- {topologyKey: host, whenUnsatisfiable: ScheduleAnyway, maxSkew: 1}"))

# --- $patch directives --------------------------------------------------------
case("patch_delete_removes_list_element",
     deploy("containers: [{name: a, image: a}, {name: b, image: b}]\nvolumes: [{name: v}, {name: w}]"),
     deploy("containers: [{name: b, $patch: delete}]\nvolumes: [{name: w, $patch: delete}, {name: nope, $patch: delete}]"))
case("patch_delete_env_element",
     deploy("containers:\n- name: a\n  env: [{name: A, value: a}, {name: B, value: b}]"),
     deploy("containers:\n- name: a\n  env: [{name: A, $patch: delete}]"))
case("patch_delete_removes_map",
     deploy("securityContext: {runAsUser: 1}\ncontainers: [{name: a, resources: {limits: {cpu: 1}}}]"),
     deploy("securityContext: {$patch: delete}\ncontainers: [{name: a, resources: {$patch: delete}}]"))
case("patch_delete_on_absent_map_adds_nothing",
     deploy("containers: [{name: a}]"),
     deploy("securityContext: {$patch: delete, runAsUser: 2}"))
case("patch_replace_replaces_map",
     deploy("containers: [{name: a, resources: {limits: {cpu: 1}, requests: {cpu: 1}}}]"),
     deploy("containers: [{name: a, resources: {$patch: replace, limits: {memory: 1Gi}}}]"))
case("patch_replace_on_list_element_keeps_resource_element",
     deploy("containers: [{name: a, image: old, args: [x]}, {name: b, image: b}]"),
     deploy("containers: [{name: a, image: new, $patch: replace}]"))
case("patch_replace_list_marker_element_replaces_list",
     deploy("containers: [{name: a, image: a}, {name: b, image: b}]"),
     deploy("containers: [{$patch: replace}, {name: z, image: z}]"))
case("patch_delete_list_marker_element_empties_list",
     deploy("containers: [{name: a, image: a}]\nvolumes: [{name: v}]"),
     deploy("volumes: [{$patch: delete}]"))
case("patch_merge_is_the_default",
     deploy("securityContext: {runAsUser: 1}\ncontainers: [{name: a}]"),
     deploy("securityContext: {$patch: merge, fsGroup: 2}"))
case("patch_replace_on_absent_map_adds_it",
     deploy("containers: [{name: a}]"),
     deploy("securityContext: {$patch: replace, fsGroup: 2}"))
case("patch_delete_whole_resource",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata: {a: b}\n",
     "$patch: delete\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n")
case("other_apimachinery_directives_are_plain_keys",
     deploy("containers: [{name: a, image: a}, {name: b, image: b}]"),
     deploy("$setElementOrder/containers: [{name: b}, {name: a}]\n$retainKeys: [containers]\ncontainers: [{name: a, image: a2}]"))
case("delete_from_primitive_list_is_a_plain_key",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  finalizers: [a, b]\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  $deleteFromPrimitiveList/finalizers: [a]\n")
case("unknown_directive_on_absent_map_stays_literal",
     deploy("containers: [{name: a}]"),
     deploy("securityContext: {$patch: bogus, fsGroup: 2}"))

case("list_directive_replace_when_resource_lacks_list",
     deploy("containers: [{name: a}]"),
     deploy("volumes: [{$patch: replace}, {name: z, emptyDir: {}}]"))
case("list_directive_merge_is_removed",
     deploy("containers: [{name: a, image: a}]"),
     deploy("containers: [{$patch: merge}, {name: z, image: z}]"))
case("list_directive_unknown_is_an_error",
     deploy("containers: [{name: a, image: a}]"),
     deploy("containers: [{$patch: bogus}]"))
case("list_directive_in_plain_list_stays_literal",
     deploy("containers: [{name: a}]\ntolerations: [{key: a}]"),
     deploy("tolerations: [{$patch: replace}, {key: z}]"))
case("list_directive_with_other_keys_is_element_directive",
     deploy("containers: [{name: a, image: a}, {name: b, image: b}]"),
     deploy("containers: [{$patch: delete, name: a}, {$patch: replace}]"))

case("null_inside_merged_element_removes_field",
     deploy("containers: [{name: a, image: a, command: [x]}]"),
     deploy("containers: [{name: a, image: null, command: null}]"))
case("nested_merge_list_inside_merge_list_with_replace_marker",
     deploy("containers:\n- name: a\n  env: [{name: A, value: a}, {name: B, value: b}]"),
     deploy("containers:\n- name: a\n  env: [{$patch: replace}, {name: C, value: c}]"))
case("duplicate_elements_in_patch",
     deploy("containers: [{name: a, image: a}]"),
     deploy("containers: [{name: a, image: one}, {name: a, args: [two]}]"))
case("top_level_replace_keeps_identity",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels: {a: b}\ndata: {x: '1'}\n",
     "$patch: replace\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata: {y: '2'}\n")
case("null_labels_removes_labels",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels: {a: b}\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels: null\n")
case("deleting_the_only_element_leaves_an_empty_list",
     deploy("containers: [{name: a}]\ninitContainers: [{name: i}]"),
     deploy("initContainers: [{name: i, $patch: delete}]"))
case("volume_source_replace_inside_element",
     deploy("volumes: [{name: a, emptyDir: {medium: Memory}}]\ncontainers: [{name: c}]"),
     deploy("volumes: [{name: a, emptyDir: {$patch: replace, sizeLimit: 1Gi}}]"))
case("statefulset_claim_templates_are_replaced",
     "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: app\nspec:\n  volumeClaimTemplates:\n  - metadata: {name: a}\n    spec: {accessModes: [ReadWriteOnce]}\n  template:\n    spec:\n      containers: [{name: c, image: c}]\n",
     "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: app\nspec:\n  volumeClaimTemplates:\n  - metadata: {name: b}\n  template:\n    spec:\n      containers: [{name: c, image: d}]\n")
case("embedded_object_with_own_type_gets_its_schema",
     "apiVersion: example.com/v1\nkind: Wrapper\nmetadata:\n  name: app\nspec:\n  inner:\n    apiVersion: apps/v1\n    kind: Deployment\n    spec:\n      template:\n        spec:\n          containers: [{name: a, image: a}]\n",
     "apiVersion: example.com/v1\nkind: Wrapper\nmetadata:\n  name: app\nspec:\n  inner:\n    apiVersion: apps/v1\n    kind: Deployment\n    spec:\n      template:\n        spec:\n          containers: [{name: b, image: b}]\n")
case("pod_template_kind_merges_containers",
     "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: app\ntemplate:\n  spec:\n    containers: [{name: a, image: a}]\n",
     "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: app\ntemplate:\n  spec:\n    containers: [{name: b, image: b}]\n")

# --- errors -------------------------------------------------------------------
case("unknown_directive_is_an_error",
     deploy("securityContext: {runAsUser: 1}\ncontainers: [{name: a}]"),
     deploy("securityContext: {$patch: bogus}"))
case("map_patched_with_scalar_is_an_error",
     deploy("securityContext: {runAsUser: 1}\ncontainers: [{name: a}]"),
     deploy("securityContext: 5"))
case("list_patched_with_map_is_an_error",
     deploy("containers: [{name: a}]"),
     deploy("containers: {name: a}"))

# --- with a target (patch header taken from the resource) -----------------------
case("target_patch_keeps_resource_name_and_namespace",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: ns\ndata: {a: b}\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n  namespace: elsewhere\n  labels: {x: y}\ndata: {c: d}\n",
     target={"kind": "ConfigMap"})
case("target_patch_on_resource_without_namespace",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata: {a: b}\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n  namespace: elsewhere\n",
     target={"name": "app"})
case("target_patch_delete",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata: {a: b}\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n$patch: delete\n",
     target={"name": "app"})


def run(c):
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "resource.yaml"), "w").write(c["resource"])
        open(os.path.join(d, "patch.yaml"), "w").write(c["patch"])
        k = {"resources": ["resource.yaml"], "patches": [{"path": "patch.yaml"}]}
        if c["target"]:
            k["patches"][0]["target"] = c["target"]
        open(os.path.join(d, "kustomization.yaml"), "w").write(yaml.safe_dump(k))
        p = subprocess.run(["kubectl", "kustomize", d], capture_output=True, text=True)
        if p.returncode != 0:
            return {"error": True}
        return {"error": False, "output": [x for x in yaml.safe_load_all(p.stdout) if x is not None]}


out = []
for c in CASES:
    r = run(c)
    out.append({
        "name": c["name"],
        "resource": yaml.safe_load(c["resource"]),
        "patch": yaml.safe_load(c["patch"]),
        "target": c["target"] is not None,
        **r,
    })
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
