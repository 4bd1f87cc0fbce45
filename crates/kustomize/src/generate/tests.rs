use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Value, json};

use super::*;

fn args(kind: GeneratorKind, v: Value) -> GeneratorArgs {
    GeneratorArgs::from_value(kind, &v).unwrap()
}

fn no_files(path: &str) -> Result<Vec<u8>, ReadError> {
    Err(format!("no file {path}").into())
}

struct Layer {
    objects: Vec<(Value, bool)>,
}

/// Runs the generators of one kustomization over `layer` the way the build
/// does (see the module docs).
fn run_layer(k: &Value, files: &BTreeMap<String, Vec<u8>>, layer: &mut Layer) -> Result<(), Error> {
    let global = match k.get("generatorOptions") {
        Some(v) => Some(GeneratorOptions::from_value(v)?),
        None => None,
    };
    let mut read = |p: &str| {
        files
            .get(p)
            .cloned()
            .ok_or_else(|| ReadError::from(format!("missing {p}")))
    };
    for (field, kind) in [
        ("configMapGenerator", GeneratorKind::ConfigMap),
        ("secretGenerator", GeneratorKind::Secret),
    ] {
        for entry in k
            .get(field)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
        {
            let a = GeneratorArgs::from_value(kind, &entry)?;
            let g = generate(&a, global.as_ref(), &mut read)?;
            let pos = layer.objects.iter().position(|(o, _)| {
                o["kind"] == g.object["kind"]
                    && o["metadata"]["name"].as_str().is_some_and(|n| n == a.name)
            });
            match pos {
                None => {
                    check_new(&g)?;
                    let needs_hash = g.needs_hash;
                    layer.objects.push((g.object, needs_hash));
                }
                Some(i) => {
                    let (old, old_hash) = &layer.objects[i];
                    let merged = merge_into(old, *old_hash, g)?;
                    layer.objects[i] = (merged.object, merged.needs_hash);
                }
            }
        }
    }
    Ok(())
}

fn canonical(docs: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = docs
        .iter()
        .map(|d| serde_json::to_string_pretty(d).unwrap())
        .collect();
    v.sort();
    v
}

/// Cases recorded from `kubectl kustomize` (kustomize v5.5.0) by
/// `testdata/gen_generator_oracle.py`.
#[test]
fn oracle_cases_match_kubectl_kustomize() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("testdata/generator_oracle.json")).unwrap();
    assert!(cases.len() >= 20);
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let files: BTreeMap<String, Vec<u8>> = case["files_base64"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(v.as_str().unwrap())
                    .unwrap();
                (k.clone(), bytes)
            })
            .collect();
        let mut layer = Layer {
            objects: Vec::new(),
        };
        let mut result = run_layer(&case["base"], &files, &mut layer);
        if result.is_ok() && !case["overlay"].is_null() {
            result = run_layer(&case["overlay"], &BTreeMap::new(), &mut layer);
        }
        let outcome = result.map(|()| {
            layer
                .objects
                .into_iter()
                .map(|(mut o, needs_hash)| {
                    if needs_hash {
                        append_hash_suffix(&mut o);
                    }
                    o
                })
                .collect::<Vec<_>>()
        });
        match (outcome, case["error"] == json!(true)) {
            (Ok(docs), false) => {
                let want = case["output"].as_array().unwrap();
                if canonical(&docs) != canonical(want) {
                    failures.push(format!(
                        "{name}:\n got {}\nwant {}",
                        canonical(&docs).join("\n"),
                        canonical(want).join("\n")
                    ));
                }
            }
            (Err(_), true) => {}
            (Ok(docs), true) => failures.push(format!("{name}: expected an error, got {docs:?}")),
            (Err(e), false) => failures.push(format!("{name}: unexpected error {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn configmap_literals_files_and_envs_in_that_key_order() {
    let a = args(
        GeneratorKind::ConfigMap,
        json!({"name": "c", "namespace": "ns", "literals": ["L=lit"], "files": ["dir/f.txt"], "envs": ["e.env"]}),
    );
    let mut read = |p: &str| -> Result<Vec<u8>, ReadError> {
        match p {
            "dir/f.txt" => Ok(b"file\n".to_vec()),
            "e.env" => Ok(b"E=env\n".to_vec()),
            _ => Err("nope".into()),
        }
    };
    let g = generate(&a, None, &mut read).unwrap();
    assert_eq!(
        g.object,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns"},
            "data": {"E": "env", "L": "lit", "f.txt": "file\n"}})
    );
    assert!(g.needs_hash);
    assert_eq!(g.behavior, Behavior::Create);
}

#[test]
fn binary_file_goes_to_binary_data_in_configmaps_and_everything_is_base64_in_secrets() {
    let mut read = |_: &str| -> Result<Vec<u8>, ReadError> { Ok(vec![0, 1, 0xff]) };
    let cm = generate(
        &args(
            GeneratorKind::ConfigMap,
            json!({"name": "c", "files": ["b.bin"]}),
        ),
        None,
        &mut read,
    )
    .unwrap();
    assert_eq!(cm.object["binaryData"], json!({"b.bin": "AAH/"}));
    assert!(cm.object.get("data").is_none());
    let s = generate(
        &args(
            GeneratorKind::Secret,
            json!({"name": "s", "files": ["b.bin"], "literals": ["a=b"], "type": "x/y"}),
        ),
        None,
        &mut read,
    )
    .unwrap();
    assert_eq!(s.object["data"], json!({"a": "Yg==", "b.bin": "AAH/"}));
    assert_eq!(s.object["type"], "x/y");
}

#[test]
fn long_base64_is_cut_into_lines_of_seventy() {
    assert_eq!(encode_base64(b"abc"), "YWJj");
    let long = encode_base64(&[b'x'; 60]);
    let lines: Vec<&str> = long.split_terminator('\n').collect();
    assert_eq!(
        lines.iter().map(|l| l.len()).collect::<Vec<_>>(),
        vec![70, 10]
    );
    assert!(long.ends_with('\n'));
    // 68 characters stay on one line; 72 are cut after 70.
    assert!(!encode_base64(&[b'x'; 51]).contains('\n'));
    assert_eq!(encode_base64(&[b'x'; 52]).len(), 74);
}

#[test]
fn local_options_win_over_generator_options_and_flags_combine() {
    let global = GeneratorOptions::from_value(&json!({"labels": {"a": "global", "g": "1"},
        "disableNameSuffixHash": true}))
    .unwrap();
    let a = args(
        GeneratorKind::ConfigMap,
        json!({"name": "c", "options": {"labels": {"a": "local"}, "immutable": true}}),
    );
    let g = generate(&a, Some(&global), &mut no_files).unwrap();
    assert_eq!(
        g.object["metadata"]["labels"],
        json!({"a": "local", "g": "1"})
    );
    assert_eq!(g.object["immutable"], true);
    assert!(!g.needs_hash);
}

#[test]
fn generator_errors_name_the_problem() {
    let err = |v: Value| {
        GeneratorArgs::from_value(GeneratorKind::ConfigMap, &v)
            .and_then(|a| generate(&a, None, &mut no_files))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(json!({"name": "a", "literals": ["x=1", "x=2"]})),
        "configmap a illegally repeats the key `x`"
    );
    assert_eq!(
        err(json!({"name": "a", "literals": ["nokey"]})),
        "invalid literal source nokey, expected key=value"
    );
    assert_eq!(
        err(json!({"literals": ["a=b"]})),
        "a configmap generator must have a name"
    );
    assert_eq!(
        err(json!({"name": "a", "files": ["f.txt"]})),
        "reading f.txt"
    );
    assert_eq!(
        err(json!({"name": "a", "literal": ["a=b"]})),
        "configMapGenerator \"a\": field `literal` is not a known field"
    );
    assert_eq!(
        err(json!({"name": "a", "options": {"labels": {"x": true}}})),
        "configMapGenerator \"a\": field `labels` must map strings to strings"
    );
}

#[test]
fn merge_and_replace_keep_the_existing_identity() {
    let existing = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "p-c", "namespace": "ns", "labels": {"old": "1", "both": "old"}},
        "data": {"a": "1", "b": "2"}});
    let new = |behavior: &str| {
        generate(
            &args(
                GeneratorKind::ConfigMap,
                json!({"name": "c", "behavior": behavior, "literals": ["b=3"],
                "options": {"labels": {"both": "new"}}}),
            ),
            None,
            &mut no_files,
        )
        .unwrap()
    };
    let merged = merge_into(&existing, true, new("merge")).unwrap();
    assert_eq!(
        merged.object,
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "p-c", "namespace": "ns", "labels": {"old": "1", "both": "new"}},
            "data": {"a": "1", "b": "3"}})
    );
    assert!(merged.needs_hash);
    let replaced = merge_into(&existing, false, new("replace")).unwrap();
    assert_eq!(replaced.object["data"], json!({"b": "3"}));
    assert_eq!(replaced.object["metadata"]["name"], "p-c");
    assert!(
        !replaced.needs_hash,
        "a hash is added only when both objects asked for one"
    );
    assert!(matches!(
        merge_into(&existing, true, new("create")),
        Err(Error::AlreadyExists { .. })
    ));
    assert!(matches!(
        check_new(&new("merge")),
        Err(Error::NothingToMerge { .. })
    ));
    assert!(check_new(&new("create")).is_ok());
}

/// Every error message of the generators, as a user reads it.
#[test]
fn generator_error_messages() {
    let cm = |v: Value| {
        GeneratorArgs::from_value(GeneratorKind::ConfigMap, &v)
            .and_then(|a| generate(&a, None, &mut no_files))
            .unwrap_err()
            .to_string()
    };
    let mut bad_utf8 = |_: &str| -> Result<Vec<u8>, ReadError> { Ok(b"A=1\nB=\xff\n".to_vec()) };
    let existing = json!({"kind": "ConfigMap", "metadata": {"name": "c"}});
    let created = generate(
        &args(GeneratorKind::ConfigMap, json!({"name": "c"})),
        None,
        &mut no_files,
    )
    .unwrap();
    let merging = generate(
        &args(
            GeneratorKind::Secret,
            json!({"name": "s", "behavior": "merge"}),
        ),
        None,
        &mut no_files,
    )
    .unwrap();
    let messages = [
        cm(json!({"literals": ["a=b"]})),
        cm(json!({"name": "a", "literals": ["a=1", "a=2"]})),
        cm(json!({"name": "a", "literals": ["=x"]})),
        cm(json!({"name": "a", "files": ["=f.txt"]})),
        cm(json!({"name": "a", "files": ["k=f=x"]})),
        cm(json!({"name": "a", "files": ["k="]})),
        cm(json!({"name": "a", "files": ["missing.txt"]})),
        cm(json!({"name": "a", "envs": "one.env"})),
        cm(json!({"name": "a", "type": "Opaque"})),
        cm(json!({"name": "a", "options": {"immutable": "yes"}})),
        cm(json!(["not", "a", "map"])),
        generate(
            &args(
                GeneratorKind::ConfigMap,
                json!({"name": "a", "envs": ["x.env"]}),
            ),
            None,
            &mut bad_utf8,
        )
        .unwrap_err()
        .to_string(),
        GeneratorOptions::from_value(&json!({"label": {}}))
            .unwrap_err()
            .to_string(),
        merge_into(&existing, true, created)
            .unwrap_err()
            .to_string(),
        check_new(&merging).unwrap_err().to_string(),
    ];
    insta::assert_snapshot!(messages.join("\n"));
}

proptest::proptest! {
    /// Any key without `=` and any value not wrapped in matching quotes
    /// comes out of `literals` unchanged.
    #[test]
    fn literal_values_round_trip(key in "[A-Za-z0-9_.-]{1,12}", value in "[ -~]{0,20}") {
        let b = value.as_bytes();
        let quoted = b.len() >= 2 && b[0] == b[b.len() - 1] && matches!(b[0], b'"' | b'\'');
        proptest::prop_assume!(!quoted);
        // Keys that read back as numbers or bools are refused (see below).
        proptest::prop_assume!(plain_key_is_string(&key));
        let a = args(GeneratorKind::ConfigMap, json!({"name": "c", "literals": [format!("{key}={value}")]}));
        let g = generate(&a, None, &mut no_files).unwrap();
        proptest::prop_assert_eq!(&g.object["data"][&key], &json!(value));
    }

    /// The hash depends on the content only, never on the name, and
    /// changes with the data.
    #[test]
    fn content_hash_follows_data_not_identity(
        data in proptest::collection::btree_map("[a-z]{1,5}", "[ -~]{0,10}", 0..5),
        name in "[a-z]{1,8}",
    ) {
        let obj = |name: &str, data: &BTreeMap<String, String>| {
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data})
        };
        let h = content_hash(&obj(&name, &data));
        proptest::prop_assert_eq!(h.len(), 10);
        proptest::prop_assert_eq!(&h, &content_hash(&obj("other", &data)));
        let mut changed = data.clone();
        changed.insert("zzzzzz".into(), "new".into());
        proptest::prop_assert_ne!(h, content_hash(&obj(&name, &changed)));
    }
}

#[test]
fn keys_that_would_not_read_back_as_strings() {
    for bad in [
        "true",
        "NULL",
        "~",
        "",
        "1",
        "+1",
        "0x1F",
        "0o7",
        "0b1",
        "0777",
        "1_000",
        "1.5",
        "1e5",
        ".5",
        ".inf",
        "2024-01-01",
        "089",
    ] {
        assert!(!plain_key_is_string(bad), "{bad}");
    }
    for good in [
        "y",
        "Yes",
        "ON",
        "1e",
        "1:20",
        "0x",
        "_1",
        "1.2.3",
        "2024-13-01",
        "a",
    ] {
        assert!(plain_key_is_string(good), "{good}");
    }
    let err = generate(
        &args(
            GeneratorKind::ConfigMap,
            json!({"name": "g", "literals": ["1=a"]}),
        ),
        None,
        &mut no_files,
    );
    assert!(matches!(err, Err(Error::NonStringKey { .. })));
}
