//! Replays the conformance corpus cases whose root kustomization only has
//! plain resource files and generators, driving this module the way the
//! build does (see the module docs), and compares the ConfigMaps and
//! Secrets with `expected.yaml` (other objects need name references fixed
//! up, which is the build's job).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{
    Error, GeneratorArgs, GeneratorKind, GeneratorOptions, ReadError, append_hash_suffix,
    check_new, generate, merge_into,
};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/kustomize")
}

fn parse(path: &Path) -> Option<Vec<Value>> {
    weir_yaml::parse_documents(&fs::read_to_string(path).ok()?).ok()
}

fn kustomization(dir: &Path) -> Option<Value> {
    ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
        .and_then(|p| parse(&p))
        .and_then(|d| d.into_iter().next())
}

const FIELDS: [&str; 6] = [
    "apiVersion",
    "kind",
    "resources",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
];

fn run(dir: &Path, k: &Value) -> Result<Vec<Value>, Error> {
    let mut objects: Vec<(Value, bool)> = Vec::new();
    for r in k
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for doc in parse(&dir.join(r.as_str().unwrap_or_default())).unwrap_or_default() {
            objects.push((doc, false));
        }
    }
    let global = k
        .get("generatorOptions")
        .map(GeneratorOptions::from_value)
        .transpose()?;
    let mut read = |p: &str| fs::read(dir.join(p)).map_err(ReadError::from);
    for (field, kind) in [
        ("configMapGenerator", GeneratorKind::ConfigMap),
        ("secretGenerator", GeneratorKind::Secret),
    ] {
        for entry in k.get(field).and_then(Value::as_array).into_iter().flatten() {
            let args = GeneratorArgs::from_value(kind, entry)?;
            let generated = generate(&args, global.as_ref(), &mut read)?;
            let same_id = |o: &Value| {
                let ns = o
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("default");
                let want_ns = if args.namespace.is_empty() {
                    "default"
                } else {
                    &args.namespace
                };
                o["kind"] == kind.kind()
                    && o["metadata"]["name"] == args.name.as_str()
                    && ns == want_ns
            };
            match objects.iter().position(|(o, _)| same_id(o)) {
                None => {
                    check_new(&generated)?;
                    let h = generated.needs_hash;
                    objects.push((generated.object, h));
                }
                Some(i) => {
                    let merged = merge_into(&objects[i].0, objects[i].1, generated)?;
                    objects[i] = (merged.object, merged.needs_hash);
                }
            }
        }
    }
    Ok(objects
        .into_iter()
        .map(|(mut o, h)| {
            if h {
                append_hash_suffix(&mut o);
            }
            o
        })
        .collect())
}

fn config_objects(docs: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = docs
        .iter()
        .filter(|d| d["kind"] == "ConfigMap" || d["kind"] == "Secret")
        .map(|d| serde_json::to_string_pretty(d).unwrap_or_default())
        .collect();
    out.sort();
    out
}

#[test]
fn corpus_generator_cases_match_expected_configmaps_and_secrets() {
    let mut cases: Vec<PathBuf> = fs::read_dir(corpus())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    let mut ran = Vec::new();
    let mut failures = Vec::new();
    for case in cases.iter().filter(|c| c.is_dir()) {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let root = match fs::read_to_string(case.join("root")) {
            Ok(r) => case.join("input").join(r.trim()),
            Err(_) => case.join("input"),
        };
        let Some(Value::Object(k)) = kustomization(&root) else {
            continue;
        };
        let generates = k.contains_key("configMapGenerator") || k.contains_key("secretGenerator");
        let plain = k.keys().all(|f| FIELDS.contains(&f.as_str()))
            && k.get("resources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .all(|r| r.as_str().is_some_and(|r| root.join(r).is_file()));
        if !generates || !plain {
            continue;
        }
        ran.push(name.clone());
        let got = run(&root, &Value::Object(k));
        let expected = case.join("expected.yaml");
        match (got, expected.is_file()) {
            (Ok(docs), true) => {
                let want = parse(&expected).unwrap_or_default();
                if config_objects(&docs) != config_objects(&want) {
                    failures.push(format!(
                        "{name}: got\n{}\nexpected\n{}",
                        config_objects(&docs).join("\n"),
                        config_objects(&want).join("\n")
                    ));
                }
            }
            (Ok(_), false) => failures.push(format!("{name}: expected an error")),
            (Err(e), true) => failures.push(format!("{name}: unexpected error {e}")),
            (Err(_), false) => {}
        }
    }
    assert!(ran.len() >= 8, "only {} cases ran: {ran:?}", ran.len());
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        ran.len(),
        failures.join("\n\n")
    );
}
