//! Legacy `vars:`: `$(NAME)` references in selected fields, replaced by a
//! field of a named object after every other step of the build.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::fieldspec::FieldSpec;
use crate::resource::{Gvk, ResId, Resource};

/// Errors of `vars`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `vars` entry is malformed.
    #[error("invalid var")]
    Invalid {
        /// What is wrong.
        #[source]
        source: serde_json::Error,
    },
    /// Two vars share a name.
    #[error("var '{name}' already encountered")]
    Duplicate {
        /// The name.
        name: String,
    },
    /// More than one object matches a var's `objref`.
    #[error("found {count} resId matches for var '{name}' (unable to disambiguate)")]
    Ambiguous {
        /// The var.
        name: String,
        /// How many matched.
        count: usize,
    },
    /// No object matches a var's `objref`.
    #[error("var '{name}' cannot be mapped to a field in the set of known resources")]
    NotFound {
        /// The var.
        name: String,
    },
    /// The var's field is missing in the object.
    #[error("field '{path}' specified in var '{name}' not found in corresponding resource")]
    NoField {
        /// The var.
        name: String,
        /// The `fieldref.fieldpath`.
        path: String,
    },
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct ObjRef {
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
struct FieldRef {
    /// kustomize's field is `fieldPath`; Go's JSON decoder matches it
    /// case-insensitively, so `fieldpath` works too.
    #[serde(default, alias = "fieldPath", alias = "FieldPath")]
    fieldpath: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
struct RawVar {
    name: String,
    objref: ObjRef,
    #[serde(default)]
    fieldref: Option<FieldRef>,
}

/// One var.
#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    /// The name used in `$(NAME)`.
    pub name: String,
    /// The object the value comes from.
    pub target: ResId,
    /// Dotted path of the field (`metadata.name` by default).
    pub field_path: String,
}

/// Parses `vars:` entries.
pub fn parse(values: &[Value]) -> Result<Vec<Var>, Error> {
    values
        .iter()
        .map(|v| {
            let raw: RawVar =
                serde_json::from_value(v.clone()).map_err(|source| Error::Invalid { source })?;
            let o = raw.objref;
            let gvk = if o.api_version.is_empty() {
                Gvk {
                    group: o.group,
                    version: o.version,
                    kind: o.kind,
                }
            } else {
                Gvk::from_api_version(&o.api_version, &o.kind)
            };
            let field_path = raw
                .fieldref
                .map(|f| f.fieldpath)
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "metadata.name".to_string());
            Ok(Var {
                name: raw.name,
                target: ResId {
                    gvk,
                    name: o.name,
                    namespace: o.namespace,
                },
                field_path,
            })
        })
        .collect()
}

/// kustomize's `MergeVars`: binds each var to the one resource its objref
/// names (remembered on the resource) and adds it to the known vars.
pub(crate) fn merge(
    known: &mut Vec<Var>,
    incoming: Vec<Var>,
    resources: &mut [Resource],
) -> Result<(), Error> {
    for v in incoming {
        let t = &v.target;
        let strict = !t.namespace.is_empty() || t.gvk.is_cluster_scoped();
        let matched: Vec<usize> = resources
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.all_ids()
                    .iter()
                    .any(|id| id.gvk == t.gvk && id.name == t.name && (!strict || id.ns_equals(t)))
            })
            .map(|(i, _)| i)
            .collect();
        if matched.len() > 1 {
            return Err(Error::Ambiguous {
                name: v.name,
                count: matched.len(),
            });
        }
        if let Some(&i) = matched.first() {
            resources[i].ref_vars.push(v.name.clone());
        }
        merge_one(known, v)?;
    }
    Ok(())
}

/// Adds one var, refusing duplicates.
pub(crate) fn merge_one(known: &mut Vec<Var>, v: Var) -> Result<(), Error> {
    if known.iter().any(|k| k.name == v.name) {
        return Err(Error::Duplicate { name: v.name });
    }
    known.push(v);
    Ok(())
}

/// Looks up a dotted field path (`spec.ports[0].port`,
/// `spec.containers[name=app].image`).
pub(crate) fn field_value<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = obj;
    for part in path.split('.') {
        let (field, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !field.is_empty() {
            cur = cur.get(field)?;
        }
        let mut rest = rest;
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']')?;
            let sel = &stripped[..end];
            rest = &stripped[end + 1..];
            let items = cur.as_array()?;
            cur = match sel.split_once('=') {
                Some((k, v)) => items.iter().find(|it| {
                    it.get(k).map(crate::resource::scalar_string).as_deref() == Some(v)
                })?,
                None => items.get(sel.parse::<usize>().ok()?)?,
            };
        }
    }
    Some(cur)
}

/// kustomize's `ResolveVars`: replaces `$(NAME)` in the var-reference fields.
pub(crate) fn resolve(
    known: &[Var],
    resources: &mut [Resource],
    specs: &[FieldSpec],
) -> Result<(), Error> {
    if known.is_empty() {
        return Ok(());
    }
    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    for v in known {
        let holder = resources
            .iter()
            .find(|r| r.ref_vars.contains(&v.name))
            .ok_or_else(|| Error::NotFound {
                name: v.name.clone(),
            })?;
        let value = field_value(holder.object(), &v.field_path).ok_or_else(|| Error::NoField {
            name: v.name.clone(),
            path: v.field_path.clone(),
        })?;
        values.insert(v.name.clone(), value.clone());
    }
    for r in resources.iter_mut() {
        let gvk = r.gvk();
        for fs in specs {
            if !fs.applies_to(&gvk) {
                continue;
            }
            let _ = crate::fieldspec::visit::<()>(
                r.object_mut(),
                &fs.path,
                false,
                crate::fieldspec::CreateKind::Scalar,
                &mut |node| {
                    expand_node(node, &values);
                    Ok(())
                },
            );
        }
        if !r.untagged.is_empty() {
            stringify_untagged(r, specs, &gvk);
        }
    }
    Ok(())
}

/// kustomize's var pass treats an untagged scalar (one a replacement
/// created) in a var field as a string and tags it so, even without a
/// `$(VAR)` in it: a created `8080` there prints as `"8080"`.
fn stringify_untagged(r: &mut Resource, specs: &[FieldSpec], gvk: &Gvk) {
    let untagged = std::mem::take(&mut r.untagged);
    let mut kept = Vec::with_capacity(untagged.len());
    for p in untagged {
        let reached = specs
            .iter()
            .any(|fs| fs.applies_to(gvk) && spec_reaches(&fs.path, &p));
        if !reached {
            kept.push(p);
            continue;
        }
        if let Some(node) = crate::alias::get_mut(r.object_mut(), &p)
            && (node.is_number() || node.is_boolean())
        {
            *node = Value::String(node.to_string());
        }
    }
    r.untagged = kept;
}

/// Whether a field spec path (lists traversed implicitly) reaches the
/// concrete `path`, or an item or map value right under what it reaches.
fn spec_reaches(spec: &[String], path: &[crate::alias::Seg]) -> bool {
    use crate::alias::Seg;
    let mut rest = path;
    for s in spec {
        while let [Seg::Index(_), tail @ ..] = rest {
            rest = tail;
        }
        let key = s.strip_suffix("[]").unwrap_or(s);
        match rest {
            [Seg::Key(k), tail @ ..] if k == key => rest = tail,
            _ => return false,
        }
    }
    matches!(rest, [] | [_])
}

fn expand_node(node: &mut Value, values: &BTreeMap<String, Value>) {
    match node {
        Value::String(s) => {
            if let Some(v) = expand(s, values) {
                *node = v;
            }
        }
        Value::Array(items) => {
            for i in items {
                if let Value::String(s) = i
                    && let Some(v) = expand(s, values)
                {
                    *i = v;
                }
            }
        }
        Value::Object(m) => {
            for (_, i) in m.iter_mut() {
                if let Value::String(s) = i
                    && let Some(v) = expand(s, values)
                {
                    *i = v;
                }
            }
        }
        _ => {}
    }
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Expands `$(NAME)` (`$$` escapes `$`); `None` when nothing changed. A
/// string that is exactly one reference takes the value's own type.
fn expand(input: &str, values: &BTreeMap<String, Value>) -> Option<Value> {
    if !input.contains('$') {
        return None;
    }
    let bytes = input.as_bytes();
    let mut out = String::new();
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance;
            match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    advance = 1;
                }
                b'(' => match rest.find(')') {
                    Some(end) => {
                        let name = &rest[1..end];
                        let mapped = values.get(name).and_then(|v| as_text(v).map(|t| (v, t)));
                        match mapped {
                            Some((v, t)) => {
                                if input.len() == name.len() + 3 && cursor == 0 {
                                    return Some(v.clone());
                                }
                                out.push_str(&t);
                            }
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        advance = end + 1;
                    }
                    None => {
                        out.push_str("$(");
                        advance = 1;
                    }
                },
                _ => {
                    let ch = rest.chars().next().unwrap_or('$');
                    out.push('$');
                    out.push(ch);
                    advance = ch.len_utf8();
                }
            }
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    if checkpoint < input.len() {
        out.push_str(&input[checkpoint..]);
    }
    if out == input {
        None
    } else {
        Some(Value::String(out))
    }
}

/// kustomize's default `varReference` field specs.
pub(crate) fn default_var_reference() -> Vec<FieldSpec> {
    let pod = [
        "containers/args",
        "containers/command",
        "containers/env/value",
        "containers/volumeMounts/mountPath",
        "initContainers/args",
        "initContainers/command",
        "initContainers/env/value",
        "initContainers/volumeMounts/mountPath",
    ];
    let mut out = Vec::new();
    let owners: [(&str, &str, &str); 7] = [
        (
            "CronJob",
            "spec/jobTemplate/spec/template/spec",
            "spec/jobTemplate/spec/template/volumes/nfs/server",
        ),
        (
            "DaemonSet",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        (
            "Deployment",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        (
            "Job",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        ("Pod", "spec", "spec/volumes/nfs/server"),
        (
            "ReplicaSet",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        (
            "StatefulSet",
            "spec/template/spec",
            "spec/volumeClaimTemplates/spec/nfs/server",
        ),
    ];
    for (kind, prefix, nfs) in owners {
        for p in pod {
            out.push(FieldSpec::new(
                "",
                "",
                kind,
                &format!("{prefix}/{p}"),
                false,
            ));
        }
        out.push(FieldSpec::new("", "", kind, nfs, false));
    }
    for (kind, path) in [
        ("Ingress", "spec/rules/host"),
        ("Ingress", "spec/tls/hosts"),
        ("Ingress", "spec/tls/secretName"),
        ("Service", "spec/ports/port"),
        ("Service", "spec/ports/targetPort"),
        ("PersistentVolume", "spec/nfs/server"),
        ("", "metadata/labels"),
        ("", "metadata/annotations"),
        ("Deployment", "spec/template/metadata/annotations"),
        ("StatefulSet", "spec/template/metadata/annotations"),
        ("DaemonSet", "spec/template/metadata/annotations"),
        ("ReplicaSet", "spec/template/metadata/annotations"),
        ("Job", "spec/template/metadata/annotations"),
        (
            "CronJob",
            "spec/jobTemplate/spec/template/metadata/annotations",
        ),
    ] {
        out.push(FieldSpec::new("", "", kind, path, false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expansion_rules() {
        let vals = BTreeMap::from([
            ("A".to_string(), json!("x")),
            ("P".to_string(), json!(8080)),
        ]);
        assert_eq!(expand("$(A)", &vals), Some(json!("x")));
        assert_eq!(expand("$(P)", &vals), Some(json!(8080)));
        assert_eq!(
            expand("http://$(A):$(P)/", &vals),
            Some(json!("http://x:8080/"))
        );
        assert_eq!(expand("$$(A)", &vals), Some(json!("$(A)")));
        assert_eq!(expand("$(B)", &vals), None);
        assert_eq!(expand("a$", &vals), None);
    }

    #[test]
    fn spec_paths_reach_concrete_paths_through_lists() {
        use crate::alias::Seg;
        let spec = crate::fieldspec::split_path("spec/template/spec/containers/env/value");
        let k = |s: &str| Seg::Key(s.into());
        let path = vec![
            k("spec"),
            k("template"),
            k("spec"),
            k("containers"),
            Seg::Index(0),
            k("env"),
            Seg::Index(2),
            k("value"),
        ];
        assert!(spec_reaches(&spec, &path));
        assert!(!spec_reaches(&spec, &path[..6]));
        let args = crate::fieldspec::split_path("spec/template/spec/containers/args");
        let mut arg = path[..5].to_vec();
        arg.extend([k("args"), Seg::Index(1)]);
        assert!(spec_reaches(&args, &arg));
    }

    #[test]
    fn field_paths() {
        let o = json!({"spec": {"ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}});
        assert_eq!(field_value(&o, "spec.ports[1].port"), Some(&json!(2)));
        assert_eq!(field_value(&o, "spec.ports[name=a].port"), Some(&json!(1)));
        assert_eq!(field_value(&o, "spec.nope"), None);
    }
}
