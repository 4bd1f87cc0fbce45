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
    /// full kyaml walk gives.
    #[test]
    fn shortcut_for_untouched_subtrees_matches_the_full_walk(spec in hostile(), pspec in hostile(), meta in hostile()) {
        let doc = |spec: &Value| json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta.clone(),
            "spec": {"template": {"spec": spec.clone()}, "other": spec.clone()}});
        let fast = merge_tree_with(&doc(&spec), &doc(&pspec), false, None).map_err(|e| e.to_string());
        let full = merge_tree_with(&doc(&spec), &doc(&pspec), true, None).map_err(|e| e.to_string());
        prop_assert_eq!(fast, full);
    }
}
