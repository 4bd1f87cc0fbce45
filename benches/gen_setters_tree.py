#!/usr/bin/env python3
# Origin: copied unchanged (apart from this note) from the Weir steering repo,
# shared/bench/gen_setters_tree.py (written for Weir, Apache-2.0). See
# benches/README.md, section "setters".
"""Generate a repository-like tree for benchmarking Flux-style image setters.

The tree looks like a GitOps monorepo:
apps/<team>/<app>/{base,overlays/<env>} with Deployments, Services,
kustomization.yaml files and HelmReleases, plus infrastructure/ with a few
large files (CRD-sized documents, dashboard ConfigMaps) that a setter must
still read and parse but never changes.

Of the --files YAML files, exactly --marked carry image policy markers,
i.e. trailing comments of the form

    image: ghcr.io/acme/app-007:1.4.2 # {"$imagepolicy": "flux-system:app-007"}
    newTag: 1.4.2 # {"$imagepolicy": "flux-system:app-007:tag"}
    newName: ghcr.io/acme/app-007 # {"$imagepolicy": "flux-system:app-007:name"}

Every marked file holds at least one ":tag" marker: marked files are
kustomization.yaml files (an `images:` entry with a ":tag" marker on
newTag, sometimes a ":name" marker on newName) and HelmReleases (":name"
and ":tag" markers on values.image, and in half of them a full-reference
marker on a second image field). Markers point at --policies distinct
policies, so several files share one policy. A few unmarked files contain
look-alike text (a marker inside a block scalar, a malformed marker, a
marker for a policy that does not exist) to keep a setter honest. Some
non-YAML files (README.md, .gitignore, a JSON file) sit in the tree too
and are not counted in --files.

Beside the tree (not inside it) the generator writes <out>.policies.json:
the latest image each policy resolves to, as {"ns:name": "repo:tag"}, and
the number of markers of each kind, so a benchmark can apply the updates
and check the count of changed fields.

Usage
-----
    python3 gen_setters_tree.py --out /tmp/setters            # 2000 files, 200 marked
    python3 gen_setters_tree.py --files 20000 --marked 2000 --out /tmp/big --seed 3

Options: --files (default 2000), --marked (default 200), --policies
(default 60), --seed (default 1), --force to replace an existing --out.
The same options always give byte-identical output. A JSON summary
(file counts, bytes, marker counts) goes to standard output.
"""

import argparse
import json
import os
import random
import shutil
import sys

HEX = "0123456789abcdef"
ENVS = ["dev", "staging", "prod"]
REGISTRIES = ["ghcr.io/acme", "registry.example.com/platform", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def marker(policy, field=None):
    ref = "flux-system:%s" % policy if field is None else "flux-system:%s:%s" % (policy, field)
    return '# {"$imagepolicy": "%s"}' % ref


class Ctx:
    def __init__(self, rng, n_policies):
        self.rng = rng
        self.policies = ["app-%03d" % i for i in range(n_policies)]
        self.repo = {p: "%s/%s" % (REGISTRIES[i % len(REGISTRIES)], p) for i, p in enumerate(self.policies)}
        self.counts = {"full": 0, "tag": 0, "name": 0}

    def old_tag(self):
        r = self.rng
        if r.random() < 0.5:
            return "%d.%d.%d" % (r.randint(0, 3), r.randrange(20), r.randrange(30))
        return "main-%s-%d" % ("".join(r.choice(HEX) for _ in range(7)), r.randint(1, 90000))


def deployment(ctx, name, app, mark):
    r = ctx.rng
    pol = r.choice(ctx.policies) if mark else None
    repo = ctx.repo[pol] if pol else "%s/%s" % (r.choice(REGISTRIES), app)
    tag = ctx.old_tag()
    lines = [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: %s" % name,
        "  labels:",
        "    app.kubernetes.io/name: %s" % app,
        "spec:",
        "  replicas: %d" % r.choice([1, 2, 3]),
        "  selector:",
        "    matchLabels:",
        "      app.kubernetes.io/name: %s" % app,
        "  template:",
        "    metadata:",
        "      labels:",
        "        app.kubernetes.io/name: %s" % app,
        "    spec:",
        "      containers:",
    ]
    if mark and r.random() < 0.5:
        # split name/tag form is not valid for `image:`; use the full form here
        lines.append("      - name: app")
        lines.append("        image: %s:%s %s" % (repo, tag, marker(pol)))
        ctx.counts["full"] += 1
    else:
        lines.append("      - name: app")
        lines.append("        image: %s:%s" % (repo, tag))
    lines += [
        "        ports:",
        "        - containerPort: %d" % r.choice([8080, 3000, 9000]),
        "        env:",
    ]
    for e in range(r.randint(2, 10)):
        lines.append("        - name: VAR_%d" % e)
        lines.append("          value: \"%d\"" % r.randint(0, 10 ** 6))
    lines += [
        "        resources:",
        "          requests: {cpu: 100m, memory: 128Mi}",
        "          limits: {memory: 256Mi}",
    ]
    if r.random() < 0.3:
        lines += ["      - name: sidecar", "        image: docker.io/fluent/fluent-bit:2.2.%d" % r.randrange(5)]
    return "\n".join(lines) + "\n", pol


def service(name, app):
    return ("apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\nspec:\n  selector:\n"
            "    app.kubernetes.io/name: %s\n  ports:\n  - port: 80\n    targetPort: 8080\n") % (name, app)


def kustomization_with_images(ctx, resources, pol):
    """kustomization.yaml with an images: entry carrying :name and :tag markers."""
    r = ctx.rng
    lines = ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "resources:"]
    lines += ["- %s" % x for x in resources]
    lines.append("images:")
    lines.append("- name: %s" % ctx.repo[pol])
    if r.random() < 0.4:
        lines.append("  newName: %s-mirror %s" % (ctx.repo[pol], marker(pol, "name")))
        ctx.counts["name"] += 1
    lines.append("  newTag: %s %s" % (ctx.old_tag(), marker(pol, "tag")))
    ctx.counts["tag"] += 1
    return "\n".join(lines) + "\n"


def helmrelease(ctx, app, pol):
    r = ctx.rng
    lines = [
        "apiVersion: helm.toolkit.fluxcd.io/v2",
        "kind: HelmRelease",
        "metadata:",
        "  name: %s" % app,
        "spec:",
        "  interval: 10m",
        "  chart:",
        "    spec:",
        "      chart: %s" % app,
        "      version: \"%d.x\"" % r.randint(1, 5),
        "      sourceRef:",
        "        kind: HelmRepository",
        "        name: acme-charts",
        "  values:",
        "    replicaCount: %d" % r.randint(1, 4),
        "    image:",
    ]
    if pol:
        lines.append("      repository: %s %s" % (ctx.repo[pol], marker(pol, "name")))
        lines.append("      tag: %s %s" % (ctx.old_tag(), marker(pol, "tag")))
        ctx.counts["name"] += 1
        ctx.counts["tag"] += 1
        if r.random() < 0.5:
            lines.append("    migrations:")
            lines.append("      image: %s:%s %s" % (ctx.repo[pol], ctx.old_tag(), marker(pol)))
            ctx.counts["full"] += 1
    else:
        lines.append("      repository: %s/%s" % (r.choice(REGISTRIES), app))
        lines.append("      tag: %s" % ctx.old_tag())
    lines += ["    resources:", "      limits:", "        memory: 512Mi"]
    return "\n".join(lines) + "\n"


def decoy(ctx, app):
    """Unmarked file whose text resembles markers but must not be updated."""
    r = ctx.rng
    kind = r.randrange(3)
    if kind == 0:
        return ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-notes\ndata:\n  howto.md: |\n"
                "    Add a marker like this to your manifest:\n"
                "    image: repo:1.0.0 %s\n") % (app, marker("app-000"))
    if kind == 1:
        return ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-cfg\ndata:\n"
                "  image: repo:1.0.0 # {\"$imagepolicy\": flux-system:app-001}\n") % app
    return ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s-debug\nspec:\n  containers:\n"
            "  - name: c\n    image: busybox:1.36 %s\n") % (app, '# {"$imagepolicy": "flux-system:no-such-policy"}')


def big_configmap(r, name, kb):
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: %s" % name, "data:", "  dashboard.json: |"]
    size = 0
    i = 0
    while size < kb * 1024:
        s = '    {"id": %d, "type": "timeseries", "title": "panel %d", "expr": "rate(http_requests_total{job=\\"%s\\"}[5m])"},' % (i, i, name)
        lines.append(s)
        size += len(s) + 1
        i += 1
    return "\n".join(lines) + "\n"


def big_crd(r, name, kb):
    lines = ["apiVersion: apiextensions.k8s.io/v1", "kind: CustomResourceDefinition", "metadata:",
             "  name: %s.acme.example.com" % name, "spec:", "  group: acme.example.com", "  names:",
             "    kind: %s" % name.capitalize(), "    plural: %s" % name, "  scope: Namespaced", "  versions:",
             "  - name: v1", "    served: true", "    storage: true", "    schema:", "      openAPIV3Schema:",
             "        type: object", "        properties:"]
    size = 0
    i = 0
    while size < kb * 1024:
        block = ["          field%d:" % i, "            type: object",
                 "            description: Field %d controls an aspect of the %s resource." % (i, name),
                 "            properties:",
                 "              enabled: {type: boolean}",
                 "              replicas: {type: integer, minimum: 0}",
                 "              image: {type: string}"]
        lines += block
        size += sum(len(b) + 1 for b in block)
        i += 1
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Repo-like tree with image policy markers (see module docstring).")
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--marked", type=int, default=200)
    ap.add_argument("--policies", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args(argv)
    if not (0 <= a.marked <= a.files) or a.files < 20 or a.policies < 1:
        ap.error("need --files >= 20, 0 <= --marked <= --files, --policies >= 1")
    if os.path.exists(a.out) and os.listdir(a.out):
        if not a.force:
            ap.error("%s exists and is not empty (use --force)" % a.out)
        shutil.rmtree(a.out)
    rng = random.Random(a.seed)
    ctx = Ctx(rng, a.policies)
    out = a.out

    # Plan the file list first as (path, role, app, team); then pick which
    # files carry markers among the roles that hold a bare tag field
    # (kustomization images: entries and HelmRelease values).
    n_big = max(2, a.files // 100)          # ~1% large files
    n_decoy = max(3, a.files // 200)
    n_rest = a.files - n_big - n_decoy
    plan = []
    app_no = 0
    while len(plan) < n_rest:
        team = "team-%02d" % (app_no % 12)
        app = "svc-%04d" % app_no
        base = os.path.join(out, "apps", team, app)
        app_no += 1
        if rng.random() < 0.2:
            plan.append((os.path.join(base, "helmrelease.yaml"), "hr", app, team))
            continue
        plan.append((os.path.join(base, "base", "deployment.yaml"), "dep", app, team))
        plan.append((os.path.join(base, "base", "service.yaml"), "svc", app, team))
        plan.append((os.path.join(base, "base", "kustomization.yaml"), "kbase", app, team))
        for env in ENVS:
            plan.append((os.path.join(base, "overlays", env, "kustomization.yaml"), "kenv:" + env, app, team))
    plan = plan[:n_rest]
    candidates = [k for k, (_, role, _, _) in enumerate(plan) if role in ("hr", "kbase") or role.startswith("kenv:")]
    if a.marked > len(candidates):
        ap.error("--marked too large for --files")
    marked = set(rng.sample(candidates, a.marked))
    for k, (path, role, app, team) in enumerate(plan):
        m = k in marked
        if role == "hr":
            text = helmrelease(ctx, app, rng.choice(ctx.policies) if m else None)
        elif role == "dep":
            text, _ = deployment(ctx, app, app, False)
        elif role == "svc":
            text = service(app, app)
        elif role == "kbase":
            if m:
                text = kustomization_with_images(ctx, ["deployment.yaml", "service.yaml"], rng.choice(ctx.policies))
            else:
                text = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                        "resources:\n- deployment.yaml\n- service.yaml\n")
        else:
            env = role.split(":", 1)[1]
            if m:
                text = kustomization_with_images(ctx, ["../../base"], rng.choice(ctx.policies))
            else:
                text = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                        "namespace: %s-%s\nresources:\n- ../../base\n" % (team, env))
        write(path, text)
    for d in range(n_decoy):
        write(os.path.join(out, "apps", "misc", "decoy-%03d.yaml" % d), decoy(ctx, "decoy-%03d" % d))
    for b in range(n_big):
        kb = rng.choice([20, 50, 100, 200])
        if b % 2:
            write(os.path.join(out, "infrastructure", "crds", "crd-%03d.yaml" % b), big_crd(rng, "widget%d" % b, kb))
        else:
            write(os.path.join(out, "infrastructure", "dashboards", "dash-%03d.yaml" % b), big_configmap(rng, "dash-%d" % b, kb))
    write(os.path.join(out, "README.md"), "# platform-manifests\n\nSynthetic GitOps tree for setter benchmarks.\n")
    write(os.path.join(out, ".gitignore"), "*.swp\n.DS_Store\n")
    write(os.path.join(out, "apps", "misc", "values.json"),
          json.dumps({"image": {"repository": "ghcr.io/acme/app-000", "tag": "1.0.0"}}) + "\n")

    # Tally what was written.
    yaml_files = marked_files = total_bytes = yaml_bytes = 0
    for root, _, fns in os.walk(out):
        for fn in fns:
            p = os.path.join(root, fn)
            sz = os.path.getsize(p)
            total_bytes += sz
            if fn.endswith((".yaml", ".yml")):
                yaml_files += 1
                yaml_bytes += sz
                with open(p, encoding="utf-8") as f:
                    t = f.read()
                if '"$imagepolicy": "flux-system:app-' in t and ':tag"}' in t and "/decoy-" not in p:
                    marked_files += 1
    latest = {}
    for p in ctx.policies:
        latest["flux-system:%s" % p] = "%s:%d.%d.%d" % (ctx.repo[p], rng.randint(4, 6), rng.randrange(20), rng.randrange(30))
    summary = {
        "yaml_files": yaml_files,
        "marked_files": marked_files,
        "markers": ctx.counts,
        "markers_total": sum(ctx.counts.values()),
        "policies": len(ctx.policies),
        "bytes_total": total_bytes,
        "bytes_yaml": yaml_bytes,
        "seed": a.seed,
    }
    with open(out.rstrip("/") + ".policies.json", "w", encoding="utf-8", newline="\n") as f:
        json.dump({"latest": latest, "summary": summary}, f, indent=1, sort_keys=True)
        f.write("\n")
    json.dump(summary, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
