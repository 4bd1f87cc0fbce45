use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn deployment(pod_spec: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "app"},
        "spec": {"template": {"spec": pod_spec}}
    })
}

fn pod_spec(v: &Value) -> &Value {
    &v["spec"]["template"]["spec"]
}

/// Cases recorded from `kubectl kustomize` (kustomize v5.5.0) by
/// `testdata/gen_smp_oracle.py`.
#[test]
fn oracle_cases_match_kubectl_kustomize() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("../testdata/smp_oracle.json")).unwrap();
    assert!(cases.len() > 50);
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let mut resource = case["resource"].clone();
        let got = apply(&mut resource, &case["patch"], Options::default());
        let ok = if case["error"] == json!(true) {
            got.is_err()
        } else {
            let output = case["output"].as_array().unwrap();
            match got {
                Ok(Outcome::Deleted) => output.is_empty(),
                Ok(Outcome::Patched) => output.len() == 1 && output[0] == resource,
                Err(_) => false,
            }
        };
        if !ok {
            failures.push(format!(
                "{name}: got {resource:#}\nexpected {:#}",
                case["output"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn merge_list_puts_patch_elements_first() {
    let dest = deployment(json!({"containers": [
        {"name": "a", "image": "a"}, {"name": "b", "image": "b"}]}));
    let patch = deployment(json!({"containers": [
        {"name": "b", "image": "b2"}, {"name": "new", "image": "n"}]}));
    let got = merge(&dest, &patch).unwrap().unwrap();
    assert_eq!(
        pod_spec(&got)["containers"],
        json!([{"name": "b", "image": "b2"}, {"name": "new", "image": "n"}, {"name": "a", "image": "a"}])
    );
}

#[test]
fn plain_lists_are_replaced_not_merged() {
    let dest = deployment(
        json!({"tolerations": [{"key": "a"}], "containers": [{"name": "c", "args": ["x"]}]}),
    );
    let patch = deployment(
        json!({"tolerations": [{"key": "b"}], "containers": [{"name": "c", "args": ["y"]}]}),
    );
    let got = merge(&dest, &patch).unwrap().unwrap();
    assert_eq!(pod_spec(&got)["tolerations"], json!([{"key": "b"}]));
    assert_eq!(
        pod_spec(&got)["containers"],
        json!([{"name": "c", "args": ["y"]}])
    );
}

#[test]
fn lists_of_types_without_schema_are_replaced() {
    let cr = |items: Value| {
        json!({"apiVersion": "example.com/v1", "kind": "Thing",
        "metadata": {"name": "t"}, "spec": {"containers": items}})
    };
    let got = merge(
        &cr(json!([{"name": "a"}, {"name": "b"}])),
        &cr(json!([{"name": "b", "x": 1}])),
    )
    .unwrap()
    .unwrap();
    assert_eq!(got["spec"]["containers"], json!([{"name": "b", "x": 1}]));
}

#[test]
fn null_removes_fields_and_is_a_no_op_for_absent_ones() {
    let dest = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "data": {"a": "1", "b": "2"}});
    let patch = json!({"data": {"a": null, "zz": null}});
    let got = merge(&dest, &patch).unwrap().unwrap();
    assert_eq!(got["data"], json!({"b": "2"}));
}

#[test]
fn nulls_of_the_resource_the_patch_does_not_touch_are_kept() {
    let dest = deployment(json!({
        "hostname": null,
        "containers": [{"name": "app", "image": "a", "args": null,
            "env": [{"name": "A", "value": null}]}],
        "affinity": {"nodeAffinity": null}
    }));
    let patch = deployment(json!({"containers": [{"name": "app", "image": "b"}]}));
    for mode in [
        Mode::default(),
        Mode {
            no_shortcut: true,
            eager: false,
        },
        Mode {
            no_shortcut: true,
            eager: true,
        },
    ] {
        let (got, _) = merge_tree_with(dest.clone(), &patch, mode).unwrap();
        let got = got.unwrap();
        assert_eq!(
            *pod_spec(&got),
            json!({
                "hostname": null,
                "containers": [{"name": "app", "image": "b", "args": null,
                    "env": [{"name": "A", "value": null}]}],
                "affinity": {"nodeAffinity": null}
            }),
            "{mode:?}"
        );
    }
    // A null in the patch still deletes, also a kept one.
    let patch = deployment(json!({"hostname": null, "affinity": {"nodeAffinity": null}}));
    let got = merge(&dest, &patch).unwrap().unwrap();
    assert_eq!(pod_spec(&got).get("hostname"), None);
    assert_eq!(pod_spec(&got)["affinity"], json!({}));
}

#[test]
fn a_null_merge_key_reads_as_text_null_and_matches_nothing() {
    // kyaml lists the element under an empty key, finds no element whose
    // key text is empty, and its delete then removes every keyed element.
    let dest = deployment(json!({"containers": [
        {"name": null, "image": "k"}, {"name": "app", "image": "a"}]}));
    let patch = deployment(json!({"containers": [{"name": "app", "image": "b"}]}));
    let got = merge(&dest, &patch).unwrap().unwrap();
    assert_eq!(
        pod_spec(&got)["containers"],
        json!([{"name": "app", "image": "b"}])
    );
    let untouched = json!({"spec": {"replicas": 2}});
    let got = merge(&dest, &untouched).unwrap().unwrap();
    assert_eq!(pod_spec(&got)["containers"], json!([]));
}

#[test]
fn finalizers_merge_as_a_union_patch_first() {
    let cm = |f: Value| {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "finalizers": f}})
    };
    let got = merge(&cm(json!(["a", "b"])), &cm(json!(["c", "a"])))
        .unwrap()
        .unwrap();
    assert_eq!(got["metadata"]["finalizers"], json!(["c", "a", "b"]));
}

#[test]
fn patch_delete_directive_removes_element_map_and_resource() {
    let dest = deployment(json!({"securityContext": {"runAsUser": 1},
        "containers": [{"name": "a"}, {"name": "b"}]}));
    let patch = deployment(json!({"securityContext": {"$patch": "delete"},
        "containers": [{"name": "a", "$patch": "delete"}]}));
    let got = merge(&dest, &patch).unwrap().unwrap();
    assert_eq!(pod_spec(&got), &json!({"containers": [{"name": "b"}]}));

    let whole = json!({"$patch": "delete", "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "app"}});
    assert_eq!(merge(&dest, &whole).unwrap(), None);
    let mut resource = dest.clone();
    assert_eq!(
        apply(&mut resource, &whole, Options::default()).unwrap(),
        Outcome::Deleted
    );
    assert_eq!(resource, dest);
}

#[test]
fn patch_replace_directive_replaces_a_map() {
    let dest = deployment(json!({"containers": [{"name": "a",
        "resources": {"limits": {"cpu": 1}, "requests": {"cpu": 1}}}]}));
    let patch = deployment(json!({"containers": [{"name": "a",
        "resources": {"$patch": "replace", "limits": {"memory": "1Gi"}}}]}));
    let got = merge(&dest, &patch).unwrap().unwrap();
    assert_eq!(
        pod_spec(&got)["containers"][0]["resources"],
        json!({"limits": {"memory": "1Gi"}})
    );
}

#[test]
fn list_replace_marker_replaces_the_whole_list() {
    let dest = deployment(json!({"containers": [{"name": "a"}, {"name": "b"}]}));
    let patch = deployment(json!({"containers": [{"$patch": "replace"}, {"name": "z"}]}));
    let got = merge(&dest, &patch).unwrap().unwrap();
    assert_eq!(pod_spec(&got)["containers"], json!([{"name": "z"}]));
}

#[test]
fn apimachinery_only_directives_pass_through_as_keys() {
    let dest = deployment(json!({"containers": [{"name": "a"}]}));
    let patch = deployment(json!({"$setElementOrder/containers": [{"name": "a"}],
        "$retainKeys": ["containers"]}));
    let got = merge(&dest, &patch).unwrap().unwrap();
    assert_eq!(
        pod_spec(&got)["$setElementOrder/containers"],
        json!([{"name": "a"}])
    );
    assert_eq!(pod_spec(&got)["$retainKeys"], json!(["containers"]));
}

#[test]
fn errors_name_the_field_and_the_problem() {
    let dest = deployment(json!({"securityContext": {"runAsUser": 1}}));
    let err = merge(&dest, &deployment(json!({"securityContext": 5}))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot merge `spec.template.spec.securityContext`: the resource has a map there but the patch has a scalar"
    );
    let err = merge(
        &dest,
        &deployment(json!({"securityContext": {"$patch": "bogus"}})),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown patch strategy `$patch: bogus` at `spec.template.spec.securityContext` (expected delete, replace or merge)"
    );
}

#[test]
fn apply_keeps_identity_unless_options_allow_changes() {
    let dest = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "a", "namespace": "ns"}, "data": {"k": "v"}});
    let patch = json!({"apiVersion": "v9", "kind": "Other",
        "metadata": {"name": "b", "namespace": "other"}, "data": {"k": "w"}});
    let mut r = dest.clone();
    assert_eq!(
        apply(&mut r, &patch, Options::default()).unwrap(),
        Outcome::Patched
    );
    assert_eq!(
        r,
        json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "a", "namespace": "ns"}, "data": {"k": "w"}})
    );

    let mut r = dest.clone();
    let opts = Options {
        allow_name_change: true,
        allow_kind_change: true,
    };
    assert_eq!(apply(&mut r, &patch, opts).unwrap(), Outcome::Patched);
    assert_eq!(r["kind"], "Other");
    assert_eq!(r["metadata"]["name"], "b");
    assert_eq!(r["metadata"]["namespace"], "ns");
    assert_eq!(r["apiVersion"], "v1");
}

#[test]
fn apply_error_leaves_resource_unchanged() {
    let dest = deployment(json!({"containers": [{"name": "a"}]}));
    let mut r = dest.clone();
    assert!(
        apply(
            &mut r,
            &deployment(json!({"containers": {"name": "a"}})),
            Options::default()
        )
        .is_err()
    );
    assert_eq!(r, dest);
}

#[test]
fn absurdly_deep_patch_is_an_error_not_a_stack_overflow() {
    let mut deep = json!("leaf");
    for _ in 0..1000 {
        deep = json!({ "x": deep });
    }
    let dest = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    let patch =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": deep});
    assert!(matches!(merge(&dest, &patch), Err(Error::TooDeep { .. })));
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        "[a-z0-9 ]{0,8}".prop_map(Value::from),
    ]
}

/// Arbitrary data without nulls or `$` keys (a merge drops null fields).
fn data() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn containers() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(
        "[a-z]{1,6}",
        (data(), prop::collection::btree_set("[A-Z]{1,3}", 0..3)),
        0..4,
    )
    .prop_map(|m| {
        Value::Array(
            m.into_iter()
                .map(|(name, (extra, env))| {
                    let env: Vec<Value> = env
                        .into_iter()
                        .map(|e| json!({"name": e, "value": "v"}))
                        .collect();
                    json!({"name": name, "extra": extra, "env": env})
                })
                .collect(),
        )
    })
}

proptest! {
    #[test]
    fn merging_a_patch_with_only_the_header_is_identity(
        kind in prop_oneof![Just(("apps/v1", "Deployment")), Just(("example.com/v1", "Thing"))],
        spec in data(),
        cs in containers(),
    ) {
        let (api_version, kind) = kind;
        let resource = json!({"apiVersion": api_version, "kind": kind,
            "metadata": {"name": "n", "labels": {"a": "b"}},
            "spec": {"other": spec, "template": {"spec": {"containers": cs}}}});
        let patch = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "n"}});
        prop_assert_eq!(merge(&resource, &patch).unwrap(), Some(resource.clone()));
        let mut r = resource.clone();
        prop_assert_eq!(apply(&mut r, &patch, Options::default()).unwrap(), Outcome::Patched);
        prop_assert_eq!(r, resource);
    }
}

/// Arbitrary trees with nulls, directives and merge-key-like fields.
fn hostile() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        prop_oneof![
            Just("delete"),
            Just("replace"),
            Just("merge"),
            Just("x"),
            Just("")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 48, 5, |inner| {
        let key = prop_oneof![
            Just("name".to_string()),
            Just("$patch".to_string()),
            Just("containerPort".to_string()),
            Just("protocol".to_string()),
            Just("containers".to_string()),
            Just("ports".to_string()),
            Just("finalizers".to_string()),
            "[a-c]{1}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(key, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the input, the merge returns a result or an error; it never
    /// panics.
    #[test]
    fn merge_never_panics(spec in hostile(), pspec in hostile(), meta in hostile()) {
        let doc = |spec: &Value| json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta.clone(),
            "spec": {"template": {"spec": spec.clone()}}});
        let _ = merge(&doc(&spec), &doc(&pspec));
        let mut r = doc(&spec);
        let _ = apply(&mut r, &doc(&pspec), Options::default());
        let _ = merge(&spec, &pspec);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Skipping subtrees the patch does not touch gives exactly what the
    /// full kyaml walk gives, and leaving the resource's subtrees
    /// unexpanded until the walk looks into them gives exactly what
    /// converting the whole resource first gives.
    #[test]
    fn shortcut_for_untouched_subtrees_matches_the_full_walk(spec in hostile(), pspec in hostile(), meta in hostile()) {
        let doc = |spec: &Value| json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta.clone(),
            "spec": {"template": {"spec": spec.clone()}, "other": spec.clone()}});
        let run = |no_shortcut, eager| {
            merge_tree_with(doc(&spec), &doc(&pspec), Mode { no_shortcut, eager })
                .map_err(|e| e.to_string())
        };
        let fast = run(false, false);
        prop_assert_eq!(&fast, &run(true, false));
        prop_assert_eq!(&fast, &run(false, true));
        prop_assert_eq!(&fast, &run(true, true));
    }
}

/// A Deployment with `n` containers, each with env, ports, volume mounts
/// and resources, plus volumes and pod-level fields the patches below do
/// not touch.
fn large_deployment(n: usize) -> Value {
    let containers: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "name": format!("c{i}"),
                "image": format!("registry.example.com/c{i}:1.{i}"),
                "args": ["--port", "8080", format!("--id={i}")],
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": format!("{i}")}],
                "ports": [{"containerPort": 8080, "protocol": "TCP"}, {"containerPort": 9090}],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m"}}
            })
        })
        .collect();
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "big", "namespace": "ns", "labels": {"app": "big"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "big"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {
                "metadata": {"labels": {"app": "big"}, "annotations": {"a": "1", "b": "2"}},
                "spec": {
                    "containers": containers,
                    "volumes": [{"name": "data", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "cfg"}}],
                    "finalizers": ["x"]
                }
            }
        },
        "status": {"replicas": 2}
    })
}

/// `apply` with the resource left unexpanded (the default) and converted
/// whole before the walk agree, result and outcome.
fn apply_both_ways(resource: &Value, patch: &Value) -> (Result<Outcome, String>, Value) {
    let mut lazy = resource.clone();
    let got = apply(&mut lazy, patch, Options::default()).map_err(|e| e.to_string());
    let mut eager = resource.clone();
    let want = apply_with(
        &mut eager,
        patch,
        Options::default(),
        Mode {
            no_shortcut: true,
            eager: true,
        },
    )
    .map_err(|e| e.to_string());
    assert_eq!(got, want);
    assert_eq!(lazy, eager);
    (got, lazy)
}

fn big_patch(spec: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "big"},
        "spec": spec})
}

#[test]
fn patch_deep_in_a_list_of_a_large_resource_changes_only_what_it_reaches() {
    let dest = large_deployment(40);
    let patch = big_patch(json!({"template": {"spec": {"containers": [
        {"name": "c37", "resources": {"limits": {"memory": "4Gi", "nvidia.com/gpu": 1}},
         "env": [{"name": "B", "value": "patched"}, {"name": "C", "value": "new"}]}]}}}));
    let (got, r) = apply_both_ways(&dest, &patch);
    assert_eq!(got, Ok(Outcome::Patched));
    let containers = r["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    // The patched element goes first, the others keep their order.
    assert_eq!(containers[0]["name"], "c37");
    let rest: Vec<&str> = containers[1..]
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let want: Vec<String> = (0..40)
        .filter(|&i| i != 37)
        .map(|i| format!("c{i}"))
        .collect();
    assert_eq!(rest, want);
    // Existing keys keep their place, new ones go last.
    assert_eq!(
        containers[0]["resources"],
        json!({"limits": {"cpu": "1", "memory": "4Gi", "nvidia.com/gpu": 1}, "requests": {"cpu": "100m"}})
    );
    let limits: Vec<&String> = containers[0]["resources"]["limits"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(limits, ["cpu", "memory", "nvidia.com/gpu"]);
    assert_eq!(
        containers[0]["env"],
        json!([{"name": "B", "value": "patched"}, {"name": "C", "value": "new"}, {"name": "A", "value": "1"}])
    );
    // Everything else is the resource's own.
    let mut expected_other = dest.clone();
    expected_other["spec"]["template"]["spec"]["containers"] = json!(null);
    let mut other = r.clone();
    other["spec"]["template"]["spec"]["containers"] = json!(null);
    assert_eq!(other, expected_other);
    assert_eq!(
        containers[1..],
        dest["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["name"] != "c37")
            .cloned()
            .collect::<Vec<_>>()[..]
    );
}

#[test]
fn untouched_subtrees_are_moved_into_the_result_not_copied() {
    let mut r = large_deployment(3);
    let image_ptr = |r: &Value, i: usize| {
        r["spec"]["template"]["spec"]["containers"][i]["image"]
            .as_str()
            .unwrap()
            .as_ptr()
    };
    let before = [image_ptr(&r, 0), image_ptr(&r, 2)];
    let status_ptr = r["status"].as_object().unwrap() as *const _;
    let patch = big_patch(json!({"template": {"spec": {"containers": [
        {"name": "c2", "resources": {"limits": {"memory": "4Gi"}}}]}}}));
    assert_eq!(
        apply(&mut r, &patch, Options::default()).unwrap(),
        Outcome::Patched
    );
    assert_eq!(r["spec"]["template"]["spec"]["containers"][0]["name"], "c2");
    // The untouched container and a field of the touched one: same
    // allocations as before the patch.
    assert_eq!(image_ptr(&r, 0), before[1]);
    assert_eq!(image_ptr(&r, 1), before[0]);
    assert_eq!(r["status"], json!({"replicas": 2}));
    let _ = status_ptr;
}

#[test]
fn delete_directives_deep_inside_a_large_resource() {
    let dest = large_deployment(10);
    let patch = big_patch(json!({"template": {
    "metadata": {"annotations": {"$patch": "delete"}},
    "spec": {
        "volumes": [{"name": "cfg", "$patch": "delete"}],
        "containers": [{"name": "c4", "$patch": "delete"},
            {"name": "c7", "env": [{"name": "A", "$patch": "delete"}],
             "ports": [{"containerPort": 9090, "$patch": "delete"}]}]
    }}}));
    let (got, r) = apply_both_ways(&dest, &patch);
    assert_eq!(got, Ok(Outcome::Patched));
    let pod = &r["spec"]["template"];
    assert_eq!(pod["metadata"], json!({"labels": {"app": "big"}}));
    assert_eq!(
        pod["spec"]["volumes"],
        json!([{"name": "data", "emptyDir": {}}])
    );
    let containers = pod["spec"]["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 9);
    assert!(containers.iter().all(|c| c["name"] != "c4"));
    assert_eq!(containers[0]["name"], "c7");
    assert_eq!(containers[0]["env"], json!([{"name": "B", "value": "7"}]));
    // kyaml's two-key matching: a patch element without `protocol` does
    // not match, so the port stays (as with `kubectl kustomize`).
    assert_eq!(
        containers[0]["ports"],
        json!([{"containerPort": 8080, "protocol": "TCP"}, {"containerPort": 9090}])
    );
}

#[test]
fn null_deletes_deep_fields() {
    let dest = large_deployment(5);
    let patch = big_patch(
        json!({"replicas": null, "template": {"spec": {"containers": [
        {"name": "c3", "resources": {"limits": {"cpu": null}}, "args": null}]}}}),
    );
    let (got, r) = apply_both_ways(&dest, &patch);
    assert_eq!(got, Ok(Outcome::Patched));
    assert!(r["spec"].get("replicas").is_none());
    let c3 = &r["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c3["name"], "c3");
    assert!(c3.get("args").is_none());
    assert_eq!(
        c3["resources"],
        json!({"limits": {"memory": "1Gi"}, "requests": {"cpu": "100m"}})
    );
}

#[test]
fn errors_after_partial_changes_leave_the_resource_as_it_was() {
    let dest = large_deployment(6);
    // Fields are walked in name order: `replicas`, the containers (merged
    // into the resource's own nodes) and `annotations` change before
    // `volumes` fails.
    let cases = [
        json!({"replicas": 9, "template": {
            "metadata": {"annotations": {"a": "changed", "$patch": "merge"}},
            "spec": {"containers": [{"name": "c1", "image": "x", "env": [{"name": "A", "value": "2"}]}],
                     "finalizers": ["y"],
                     "volumes": {"name": "data"}}}}),
        json!({"selector": {"matchLabels": {"app": "other"}},
               "template": {"spec": {"containers": [{"name": "c0", "image": "x",
                   "resources": {"limits": {"cpu": "2"}, "$patch": "bogus"}}]}}}),
        json!({"template": {"spec": {"containers": [{"name": "c5", "args": {"a": 1}}]}}}),
    ];
    for spec in cases {
        let (got, r) = apply_both_ways(&dest, &big_patch(spec.clone()));
        assert!(got.is_err(), "{spec}");
        assert_eq!(r, dest, "{spec}");
    }
}

#[test]
fn deleting_or_replacing_the_whole_resource_leaves_it_as_it_was() {
    let dest = large_deployment(3);
    let delete = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "big"}, "$patch": "delete", "spec": {"replicas": 5}});
    let (got, r) = apply_both_ways(&dest, &delete);
    assert_eq!(got, Ok(Outcome::Deleted));
    assert_eq!(r, dest);
    let replace = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "big"}, "$patch": "replace", "spec": {"replicas": 5}});
    let (got, r) = apply_both_ways(&dest, &replace);
    assert_eq!(got, Ok(Outcome::Patched));
    assert_eq!(r, dest);
}

#[test]
fn a_node_held_twice_is_exported_twice() {
    let mut tree = Tree::default();
    let shared = tree.add(Node::owned(json!({"k": [1, 2]})));
    let scalar = tree.add(Node::owned(json!("s")));
    let root = tree.add(Node::Map(vec![
        (Rc::from("a"), shared),
        (Rc::from("b"), scalar),
        (Rc::from("c"), shared),
        (Rc::from("d"), scalar),
    ]));
    assert_eq!(
        tree.into_value(root),
        json!({"a": {"k": [1, 2]}, "b": "s", "c": {"k": [1, 2]}, "d": "s"})
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `apply` on a resource left unexpanded gives what it gives on the
    /// resource converted whole, and on an error or a deletion the
    /// resource is exactly as it was.
    #[test]
    fn apply_lazy_matches_eager_and_rolls_back(spec in hostile(), pspec in hostile(), meta in hostile()) {
        let doc = |spec: &Value| json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta.clone(),
            "spec": {"template": {"spec": spec.clone()}, "other": spec.clone()}});
        let original = doc(&spec);
        let (got, r) = apply_both_ways(&original, &doc(&pspec));
        if !matches!(got, Ok(Outcome::Patched)) {
            prop_assert_eq!(r, original);
        }
    }
}
