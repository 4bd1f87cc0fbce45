//! Replays the conformance corpus cases that only load plain resources and
//! patch them (`resources` + `patches`/`patchesStrategicMerge`/
//! `patchesJson6902`, nothing else), driving this module the way the build
//! does (see the module docs), and compares with `expected.yaml` as a set of
//! objects (ordering is the build's job).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{
    Candidate, Json6902, Patch, Selector, SelectorSpec, copied_strategic, parse_patch,
    parse_strategic, restore_annotation_nulls, smp, target_id,
};

/// Cases that pass through here only with parts of the build this module
/// does not own.
const NEEDS_THE_BUILD: &[(&str, &str)] = &[(
    "krusty-gvknpatch-NameReferenceAfterGvknChange",
    "name references follow the renamed object (nameref transformer)",
)];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/kustomize")
}

fn read_yaml(path: &Path) -> Vec<Value> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    weir_yaml::parse_documents(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The kustomization of `dir` (`None` when absent or not parseable: such
/// cases are not plain patch cases).
fn kustomization(dir: &Path) -> Option<Value> {
    let path = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())?;
    let text = fs::read_to_string(path).ok()?;
    weir_yaml::parse_documents(&text).ok()?.into_iter().next()
}

fn str_list(k: &Value, field: &str) -> Vec<String> {
    k.get(field)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

const PATCH_FIELDS: [&str; 3] = ["patches", "patchesStrategicMerge", "patchesJson6902"];

/// Only `resources` of plain files or of directories that are themselves
/// plain (`extra` lists the other allowed fields at this level).
fn is_plain(dir: &Path, k: &Value, extra: &[&str]) -> bool {
    let Some(map) = k.as_object() else {
        return false;
    };
    let allowed = |f: &str| ["apiVersion", "kind", "resources"].contains(&f) || extra.contains(&f);
    map.keys().all(|f| allowed(f))
        && str_list(k, "resources").iter().all(|r| {
            let p = dir.join(r);
            p.is_file()
                || (p.is_dir() && kustomization(&p).is_some_and(|kk| is_plain(&p, &kk, &[])))
        })
}

struct Res {
    obj: Value,
    original_name: String,
}

fn load(dir: &Path, k: &Value, out: &mut Vec<Res>) {
    for r in str_list(k, "resources") {
        let p = dir.join(&r);
        if p.is_dir() {
            let kk = kustomization(&p).unwrap_or(Value::Null);
            load(&p, &kk, out);
        } else {
            for obj in read_yaml(&p) {
                let original_name = text(&obj, "/metadata/name");
                out.push(Res { obj, original_name });
            }
        }
    }
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn gvk(obj: &Value) -> (String, String, String) {
    let api_version = text(obj, "/apiVersion");
    let (g, v) = api_version.split_once('/').unwrap_or(("", &api_version));
    (g.to_string(), v.to_string(), text(obj, "/kind"))
}

fn effective_namespace(obj: &Value) -> String {
    let kind = text(obj, "/kind");
    if [
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PersistentVolume",
    ]
    .contains(&kind.as_str())
    {
        return "_non_namespaceable_".to_string();
    }
    match text(obj, "/metadata/namespace") {
        ns if ns.is_empty() => "default".to_string(),
        ns => ns,
    }
}

fn select(resources: &[Res], selector: &Selector) -> Vec<usize> {
    (0..resources.len())
        .filter(|&i| {
            let r = &resources[i];
            let (g, v, k) = gvk(&r.obj);
            let cur_name = text(&r.obj, "/metadata/name");
            let ns = effective_namespace(&r.obj);
            selector.matches(&Candidate {
                group: &g,
                version: &v,
                kind: &k,
                original_name: &r.original_name,
                current_name: &cur_name,
                original_namespace: &ns,
                current_namespace: &ns,
                object: &r.obj,
            })
        })
        .collect()
}

fn apply_smp_docs(
    resources: &mut Vec<Res>,
    targets: Option<Vec<usize>>,
    docs: &[Value],
    opts: smp::Options,
) -> Result<(), String> {
    for doc in docs {
        let selected = match &targets {
            Some(t) => t.clone(),
            None => {
                let id = target_id(doc);
                let ns = match id.namespace.as_str() {
                    "" => "default".to_string(),
                    n => n.to_string(),
                };
                let hits: Vec<usize> = (0..resources.len())
                    .filter(|&i| {
                        let r = &resources[i];
                        let (g, v, k) = gvk(&r.obj);
                        (g, v, k) == (id.group.clone(), id.version.clone(), id.kind.clone())
                            && (r.original_name == id.name
                                || text(&r.obj, "/metadata/name") == id.name)
                            && effective_namespace(&r.obj) == ns
                    })
                    .collect();
                if hits.len() != 1 {
                    return Err(format!("no unique target for patch {id:?}"));
                }
                hits
            }
        };
        let mut deleted = Vec::new();
        for &i in &selected {
            match smp::apply(&mut resources[i].obj, doc, opts).map_err(|e| e.to_string())? {
                smp::Outcome::Patched => {}
                smp::Outcome::Deleted => deleted.push(i),
            }
        }
        for i in deleted.into_iter().rev() {
            resources.remove(i);
        }
    }
    Ok(())
}

fn read_patch_text(dir: &Path, entry: &Value) -> String {
    match (
        entry.get("path").and_then(Value::as_str),
        entry.get("patch").and_then(Value::as_str),
    ) {
        (Some(p), _) => fs::read_to_string(dir.join(p)).unwrap_or_default(),
        (_, Some(t)) => t.to_string(),
        _ => String::new(),
    }
}

fn run_case(dir: &Path, k: &Value) -> Result<Vec<Value>, String> {
    let mut resources = Vec::new();
    load(dir, k, &mut resources);
    let entries = |f: &str| {
        k.get(f)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };

    for entry in entries("patchesStrategicMerge") {
        let s = entry.as_str().unwrap_or_default();
        let docs = match parse_strategic(s) {
            Ok(docs) => docs,
            Err(_) => parse_strategic(&fs::read_to_string(dir.join(s)).map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?,
        };
        let docs: Vec<Value> = docs
            .iter()
            .map(|d| copied_strategic(d).into_owned())
            .collect();
        apply_smp_docs(&mut resources, None, &docs, smp::Options::default())?;
    }
    for entry in entries("patches") {
        let text = read_patch_text(dir, &entry);
        let patch = parse_patch(&text).map_err(|e| e.to_string())?;
        let opts = smp::Options {
            allow_name_change: entry.pointer("/options/allowNameChange")
                == Some(&Value::Bool(true)),
            allow_kind_change: entry.pointer("/options/allowKindChange")
                == Some(&Value::Bool(true)),
        };
        let targets = match entry.get("target") {
            Some(t) => {
                let sel = Selector::new(&SelectorSpec::from_value(t).map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
                Some(select(&resources, &sel))
            }
            None => None,
        };
        match patch {
            Patch::Strategic(docs) if targets.is_some() => {
                let docs: Vec<Value> = docs
                    .iter()
                    .map(|d| copied_strategic(d).into_owned())
                    .collect();
                apply_smp_docs(&mut resources, targets, &docs, opts)?;
            }
            Patch::Strategic(mut docs) => {
                restore_annotation_nulls(&text, &mut docs);
                apply_smp_docs(&mut resources, targets, &docs, opts)?;
            }
            Patch::Json6902(ops) => {
                for i in targets.ok_or("JSON 6902 patch without target")? {
                    ops.apply_to_resource(&mut resources[i].obj, true)
                        .map_err(|e| e.to_string())?;
                }
            }
        }
    }
    for entry in entries("patchesJson6902") {
        let ops = Json6902::parse(&read_patch_text(dir, &entry)).map_err(|e| e.to_string())?;
        let target = entry.get("target").cloned().unwrap_or(Value::Null);
        let sel = Selector::new(&SelectorSpec::from_value(&target).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        for i in select(&resources, &sel) {
            ops.apply(&mut resources[i].obj)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(resources.into_iter().map(|r| r.obj).collect())
}

fn canonical(docs: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = docs
        .iter()
        .map(|d| serde_json::to_string_pretty(d).unwrap_or_default())
        .collect();
    out.sort();
    out
}

#[test]
fn corpus_patch_cases_match_expected_output() {
    let mut ran = Vec::new();
    let mut failures = Vec::new();
    let mut cases: Vec<PathBuf> = fs::read_dir(corpus())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    for case in cases.iter().filter(|c| c.is_dir()) {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let root = match fs::read_to_string(case.join("root")) {
            Ok(r) => case.join("input").join(r.trim()),
            Err(_) => case.join("input"),
        };
        let Some(k) = kustomization(&root) else {
            continue;
        };
        let has_patches = PATCH_FIELDS.iter().any(|f| k.get(*f).is_some());
        if !has_patches || !is_plain(&root, &k, &PATCH_FIELDS) {
            continue;
        }
        if NEEDS_THE_BUILD.iter().any(|(n, _)| *n == name) {
            continue;
        }
        ran.push(name.clone());
        let got = run_case(&root, &k);
        let expected = case.join("expected.yaml");
        match (got, expected.is_file()) {
            (Ok(docs), true) => {
                let want = read_yaml(&expected);
                if canonical(&docs) != canonical(&want) {
                    failures.push(format!(
                        "{name}: got\n{}\nexpected\n{}",
                        canonical(&docs).join("\n"),
                        canonical(&want).join("\n")
                    ));
                }
            }
            (Ok(_), false) => failures.push(format!("{name}: expected an error, got success")),
            (Err(e), true) => failures.push(format!("{name}: unexpected error {e}")),
            (Err(_), false) => {}
        }
    }
    assert!(
        ran.len() >= 25,
        "only {} corpus cases ran: {ran:?}",
        ran.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        ran.len(),
        failures.join("\n\n")
    );
}
