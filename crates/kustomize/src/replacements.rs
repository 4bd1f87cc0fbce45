//! `replacements:`: copy a field of one object into fields of others.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::alias::Seg;
use crate::patch::{LabelSelector, SelectorSpec};
use crate::resource::{Gvk, ResId, Resource, scalar_string};

/// Errors of `replacements`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An entry is malformed.
    #[error("invalid replacement")]
    Invalid {
        /// What is wrong.
        #[source]
        source: serde_json::Error,
    },
    /// An entry lacks a source or targets.
    #[error("replacements must specify a source and at least one target")]
    Incomplete,
    /// The source selector matches more than one object.
    #[error("multiple matches for source selector {selector}")]
    MultipleSources {
        /// The selector.
        selector: String,
    },
    /// The source selector matches nothing.
    #[error("nothing selected by {selector}")]
    NoSource {
        /// The selector.
        selector: String,
    },
    /// The source field is missing.
    #[error("fieldPath `{path}` is missing for replacement source {selector}")]
    NoSourceField {
        /// The field path.
        path: String,
        /// The selector.
        selector: String,
    },
    /// `options.index` is out of range for the source value.
    #[error("options.index {index} is out of bounds for value {value}")]
    IndexOutOfBounds {
        /// The index.
        index: i64,
        /// The value.
        value: String,
    },
    /// `options.delimiter` used on a non-scalar.
    #[error("delimiter option can only be used with scalar nodes")]
    DelimiterOnNonScalar,
    /// A target field is missing (and `create` is off).
    #[error("unable to find field \"{path}\" in replacement target {id}")]
    NoTargetField {
        /// The field path.
        path: String,
        /// The target.
        id: String,
    },
    /// A replacement wrote text into a number or boolean field that does
    /// not read back as that type: kustomize keeps the field's type and
    /// then cannot decode the resource.
    #[error(
        "cannot decode {found} `{value}` as a {expected} (replacement target {id}, field {path})"
    )]
    TargetType {
        /// The type the new text resolves to (`!!str`…).
        found: &'static str,
        /// The new text.
        value: String,
        /// The field's type (`!!int`, `!!float`, `!!bool`).
        expected: &'static str,
        /// The target.
        id: String,
        /// The field path.
        path: String,
    },
    /// A target selector is invalid.
    #[error("invalid target selector")]
    Selector {
        /// The cause.
        #[source]
        source: crate::patch::selector::Error,
    },
}

/// Field options of a source or target.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FieldOptions {
    /// Split the value on this delimiter.
    #[serde(default)]
    pub delimiter: String,
    /// Which part (after splitting) to use or replace.
    #[serde(default)]
    pub index: i64,
    /// Encoding (unsupported values are ignored).
    #[serde(default)]
    pub encoding: String,
    /// Create missing target fields.
    #[serde(default)]
    pub create: bool,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Source {
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
    #[serde(default)]
    field_path: String,
    #[serde(default)]
    options: Option<FieldOptions>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Target {
    #[serde(default)]
    select: Option<Value>,
    #[serde(default)]
    reject: Vec<Value>,
    #[serde(default)]
    field_paths: Vec<String>,
    #[serde(default)]
    options: Option<FieldOptions>,
}

/// One replacement.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Replacement {
    #[serde(default)]
    source: Option<Source>,
    #[serde(default)]
    targets: Vec<Target>,
}

/// Parses one replacement document (a map, or a list of maps).
pub fn parse(v: &Value) -> Result<Vec<Replacement>, Error> {
    let items: Vec<Value> = match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    items
        .into_iter()
        .map(|i| serde_json::from_value(i).map_err(|source| Error::Invalid { source }))
        .collect()
}

/// Splits a dotted path, keeping dots inside `[...]`.
fn split(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    // `containers[name=a]` is the same as `containers.[name=a]`; a bracketed
    // segment without `=` is a map key holding dots (`labels.[a.b/c]`).
    let mut segs = Vec::new();
    for s in out {
        match s.find('[') {
            Some(i) if i > 0 => {
                segs.push(s[..i].to_string());
                segs.push(s[i..].to_string());
            }
            _ => segs.push(s),
        }
    }
    for s in &mut segs {
        if let Some(key) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']'))
            && !key.contains('=')
        {
            *s = key.to_string();
        }
    }
    segs
}

fn lookup<'a>(v: &'a Value, segs: &[String]) -> Option<&'a Value> {
    let mut cur = v;
    for s in segs {
        cur = if let Some(sel) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
            let items = cur.as_array()?;
            match sel.split_once('=') {
                Some((k, val)) => items
                    .iter()
                    .find(|i| i.get(k).map(scalar_string).as_deref() == Some(val))?,
                None => items.get(sel.parse::<usize>().ok()?)?,
            }
        } else {
            match cur {
                Value::Object(m) => m.get(s.as_str())?,
                Value::Array(items) => items.get(s.parse::<usize>().ok()?)?,
                _ => return None,
            }
        };
    }
    Some(cur)
}

/// The callback of [`visit`]: the node, its path from the object root, and
/// whether the walk just created it (else it was in the object).
type Visitor<'a> = dyn FnMut(&mut Value, &[Seg], bool) + 'a;

/// Visits every node `segs` reaches, creating missing parts when asked.
/// `at` is the path of `v` (extended and restored on the way down).
fn visit(v: &mut Value, segs: &[String], create: bool, at: &mut Vec<Seg>, f: &mut Visitor<'_>) {
    walk(v, segs, create, at, false, f);
}

/// [`visit`], told whether `v` was just created.
fn walk(
    v: &mut Value,
    segs: &[String],
    create: bool,
    at: &mut Vec<Seg>,
    fresh: bool,
    f: &mut Visitor<'_>,
) {
    let Some((s, rest)) = segs.split_first() else {
        f(v, at, fresh);
        return;
    };
    let down = |child: &mut Value, seg: Seg, at: &mut Vec<Seg>, f: &mut Visitor<'_>| {
        at.push(seg);
        walk(child, rest, create, at, false, f);
        at.pop();
    };
    if s == "*" {
        match v {
            Value::Array(items) => {
                for (n, i) in items.iter_mut().enumerate() {
                    down(i, Seg::Index(n), at, f);
                }
            }
            Value::Object(m) => {
                for (k, i) in m.iter_mut() {
                    down(i, Seg::Key(k.clone()), at, f);
                }
            }
            _ => {}
        }
        return;
    }
    if let Some(sel) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        if v.is_null() && create {
            *v = Value::Array(Vec::new());
        }
        let Value::Array(items) = v else { return };
        match sel.split_once('=') {
            Some((k, val)) => {
                let mut hit = false;
                for (n, i) in items.iter_mut().enumerate() {
                    if i.get(k).map(scalar_string).as_deref() == Some(val) {
                        hit = true;
                        down(i, Seg::Index(n), at, f);
                    }
                }
                if !hit && create {
                    let mut m = Map::new();
                    m.insert(k.to_string(), Value::String(val.to_string()));
                    items.push(Value::Object(m));
                    let n = items.len() - 1;
                    if let Some(last) = items.last_mut() {
                        down(last, Seg::Index(n), at, f);
                    }
                }
            }
            None => {
                if let Some(n) = sel.parse::<usize>().ok()
                    && let Some(i) = items.get_mut(n)
                {
                    down(i, Seg::Index(n), at, f);
                }
            }
        }
        return;
    }
    match v {
        Value::Array(items) => {
            if let Some(n) = s.parse::<usize>().ok()
                && let Some(i) = items.get_mut(n)
            {
                down(i, Seg::Index(n), at, f);
            }
        }
        Value::Object(m) => {
            let fresh = !m.contains_key(s.as_str());
            if fresh {
                if !create {
                    return;
                }
                let fresh = match rest.first() {
                    None => Value::Null,
                    Some(n) if n.starts_with('[') || n.parse::<usize>().is_ok() => {
                        Value::Array(Vec::new())
                    }
                    Some(_) => Value::Object(Map::new()),
                };
                m.insert(s.clone(), fresh);
            }
            if let Some(child) = m.get_mut(s.as_str()) {
                if child.is_null() && create && !rest.is_empty() {
                    *child = Value::Object(Map::new());
                }
                at.push(Seg::Key(s.clone()));
                walk(child, rest, create, at, fresh, f);
                at.pop();
            }
        }
        Value::Null if create => {
            *v = Value::Object(Map::new());
            walk(v, segs, create, at, false, f);
        }
        _ => {}
    }
}

/// A scalar's text resolved as YAML would resolve a plain scalar.
fn resolve_plain(t: &str) -> Value {
    match t {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => return Value::String(t.to_string()),
        _ => {}
    }
    if let Ok(i) = t.parse::<i64>() {
        return Value::from(i);
    }
    Value::String(t.to_string())
}

/// The type mismatch error (the caller fills in the target and path).
fn mismatch(resolved: &Value, value: String, expected: &'static str) -> Error {
    let found = match resolved {
        Value::Bool(_) => "!!bool",
        Value::Number(_) => "!!int",
        Value::String(s) if matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL") => "!!null",
        _ if value.parse::<f64>().is_ok() => "!!float",
        _ => "!!str",
    };
    Error::TargetType {
        found,
        value,
        expected,
        id: String::new(),
        path: String::new(),
    }
}

/// Writes one target node. A scalar field the replacement creates is an
/// untagged node in kustomize: it prints as its text resolves (`8080` a
/// number, `web` a string) and a later replacement writes any text into
/// it. Such fields are remembered per resource in `untagged`.
fn write_target(
    node: &mut Value,
    at: &[Seg],
    value: &Value,
    opts: Option<&FieldOptions>,
    untagged: &mut Vec<crate::alias::Path>,
) -> Result<(), Error> {
    let known = untagged.iter().any(|p| p.as_slice() == at);
    let created = node.is_null();
    if known && !node.is_object() && !node.is_array() {
        *node = Value::String(scalar_string(node));
        set_field(node, value, opts)?;
        if let Value::String(t) = node {
            *node = resolve_untagged(t);
        }
        return Ok(());
    }
    set_field(node, value, opts)?;
    if created && !known && !node.is_object() && !node.is_array() {
        untagged.push(at.to_vec());
    }
    Ok(())
}

/// An untagged scalar's text as kustomize prints it: numbers and booleans
/// resolve, everything else stays a string.
fn resolve_untagged(t: &str) -> Value {
    match resolve_plain(t) {
        v @ (Value::Number(_) | Value::Bool(_)) => v,
        _ => t
            .parse::<f64>()
            .ok()
            .filter(|_| t.bytes().any(|b| b.is_ascii_digit()))
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(t.to_string()), Value::Number),
    }
}

fn set_field(target: &mut Value, value: &Value, opts: Option<&FieldOptions>) -> Result<(), Error> {
    let mut value = value.clone();
    if let Some(o) = opts.filter(|o| !o.delimiter.is_empty()) {
        if target.is_object() || target.is_array() {
            return Err(Error::DelimiterOnNonScalar);
        }
        let cur = scalar_string(target);
        let mut parts: Vec<String> = cur
            .split(o.delimiter.as_str())
            .map(str::to_string)
            .collect();
        let v = scalar_string(&value);
        if o.index < 0 {
            parts.insert(0, v);
        } else if o.index as usize >= parts.len() {
            parts.push(v);
        } else {
            parts[o.index as usize] = v;
        }
        value = Value::String(parts.join(&o.delimiter));
    }
    match target {
        Value::Object(_) | Value::Array(_) => *target = value,
        _ if value.is_object() || value.is_array() => *target = value,
        Value::String(_) => *target = Value::String(scalar_string(&value)),
        // kustomize keeps a typed target's tag and then cannot decode text
        // of another type (`cannot decode !!str `web` as a !!int`). Fields
        // a replacement created are untagged instead (see `write_target`).
        Value::Number(n) => {
            let expected = if n.is_f64() { "!!float" } else { "!!int" };
            let t = scalar_string(&value);
            *target = match resolve_plain(&t) {
                n @ Value::Number(_) => n,
                other => match t.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                    Some(n) if !other.is_boolean() => Value::Number(n),
                    _ => return Err(mismatch(&other, t, expected)),
                },
            };
        }
        Value::Bool(_) => {
            let t = scalar_string(&value);
            *target = match resolve_plain(&t) {
                b @ Value::Bool(_) => b,
                other => return Err(mismatch(&other, t, "!!bool")),
            };
        }
        Value::Null => {
            *target = match &value {
                Value::String(s) => resolve_plain(s),
                other => other.clone(),
            };
        }
    }
    Ok(())
}

/// A target (or reject) selector: exact group/version/kind/name/namespace
/// (kustomize v5.5.0 does not treat these as regexes here) plus label and
/// annotation selectors.
struct Sel {
    id: ResId,
    labels: LabelSelector,
    annotations: LabelSelector,
    has_id: bool,
    /// Whether a label or annotation selector is given.
    has_meta: bool,
}

impl Sel {
    fn new(v: &Value) -> Result<Sel, Error> {
        let spec = SelectorSpec::from_value(v).map_err(|source| Error::Selector { source })?;
        let parse = |field: &'static str, s: &str| {
            LabelSelector::parse(s).map_err(|reason| Error::Selector {
                source: crate::patch::selector::Error::InvalidSelector {
                    field,
                    selector: s.to_string(),
                    reason,
                },
            })
        };
        Ok(Sel {
            has_meta: !spec.label_selector.is_empty() || !spec.annotation_selector.is_empty(),
            has_id: !(spec.group.is_empty()
                && spec.version.is_empty()
                && spec.kind.is_empty()
                && spec.name.is_empty()
                && spec.namespace.is_empty()),
            labels: parse("labelSelector", &spec.label_selector)?,
            annotations: parse("annotationSelector", &spec.annotation_selector)?,
            id: ResId {
                gvk: Gvk {
                    group: spec.group,
                    version: spec.version,
                    kind: spec.kind,
                },
                name: spec.name,
                namespace: spec.namespace,
            },
        })
    }

    fn selects_id(&self, id: &ResId) -> bool {
        (self.id.name.is_empty() || self.id.name == id.name)
            && (self.id.namespace.is_empty() || self.id.ns_equals(id))
            && id.gvk.is_selected_by(&self.id.gvk)
    }

    fn selects_meta(&self, obj: &Value) -> bool {
        let md = |k: &str| {
            obj.get("metadata")
                .and_then(|m| m.get(k))
                .and_then(Value::as_object)
        };
        self.labels.matches(md("labels")) && self.annotations.matches(md("annotations"))
    }
}

/// Applies replacements in order.
pub fn apply(resources: &mut [Resource], reps: &[Replacement]) -> Result<(), Error> {
    for rep in reps {
        let Some(src) = &rep.source else {
            return Err(Error::Incomplete);
        };
        if rep.targets.is_empty() {
            return Err(Error::Incomplete);
        }
        let want = Gvk {
            group: src.group.clone(),
            version: src.version.clone(),
            kind: src.kind.clone(),
        };
        let sel_text = format!(
            "{}.{}.{}/{}.{}",
            src.kind, src.version, src.group, src.name, src.namespace
        );
        let want_id = ResId {
            gvk: want.clone(),
            name: src.name.clone(),
            namespace: src.namespace.clone(),
        };
        let mut found: Option<usize> = None;
        for (i, r) in resources.iter().enumerate() {
            let hit = r.all_ids().iter().any(|id| {
                (src.name.is_empty() || src.name == id.name)
                    && (src.namespace.is_empty() || want_id.ns_equals(id))
                    && id.gvk.is_selected_by(&want)
            });
            if hit {
                if found.is_some() {
                    return Err(Error::MultipleSources { selector: sel_text });
                }
                found = Some(i);
            }
        }
        let Some(si) = found else {
            return Err(Error::NoSource { selector: sel_text });
        };
        let path = if src.field_path.is_empty() {
            "metadata.name"
        } else {
            &src.field_path
        };
        let mut value = lookup(resources[si].object(), &split(path))
            .filter(|v| !v.is_null())
            .cloned()
            .ok_or_else(|| Error::NoSourceField {
                path: path.to_string(),
                selector: sel_text.clone(),
            })?;
        if let Some(o) = src.options.as_ref().filter(|o| !o.delimiter.is_empty()) {
            if value.is_object() || value.is_array() {
                return Err(Error::DelimiterOnNonScalar);
            }
            let t = scalar_string(&value);
            let parts: Vec<&str> = t.split(o.delimiter.as_str()).collect();
            if o.index < 0 || o.index as usize >= parts.len() {
                return Err(Error::IndexOutOfBounds {
                    index: o.index,
                    value: t,
                });
            }
            // kustomize copies the source node and replaces its text: a
            // number stays typed as a number.
            let part = parts[o.index as usize];
            value = match (&value, resolve_plain(part)) {
                (Value::Number(_), n @ Value::Number(_)) => n,
                _ => Value::String(part.to_string()),
            };
        }
        for t in &rep.targets {
            let Some(sel) = &t.select else { continue };
            let sel = Sel::new(sel)?;
            let rejects = t
                .reject
                .iter()
                .map(Sel::new)
                .collect::<Result<Vec<_>, _>>()?;
            let paths: Vec<String> = if t.field_paths.is_empty() {
                vec!["metadata.name".to_string()]
            } else {
                t.field_paths.clone()
            };
            let create = t.options.as_ref().is_some_and(|o| o.create);
            for r in resources.iter_mut() {
                if !sel.selects_meta(r.object()) {
                    continue;
                }
                let ids = r.all_ids();
                // kustomize rejects on the id part and, separately, on the
                // label/annotation part of each reject selector.
                let rejected = rejects.iter().any(|rj| {
                    (rj.has_id && ids.iter().any(|id| rj.selects_id(id)))
                        || (rj.has_meta && rj.selects_meta(r.object()))
                });
                if rejected || !ids.iter().any(|id| sel.selects_id(id)) {
                    continue;
                }
                let before = (!r.aliases.is_empty()).then(|| r.aliases.snapshot(r.object()));
                let mut untagged = std::mem::take(&mut r.untagged);
                for p in &paths {
                    let mut hits = 0;
                    let mut err = None;
                    visit(
                        r.object_mut(),
                        &split(p),
                        create,
                        &mut Vec::new(),
                        &mut |node, at, fresh| {
                            hits += 1;
                            // A null field that was there keeps its !!null
                            // tag in kustomize, which then cannot decode the
                            // new text.
                            let was_null = node.is_null() && !fresh;
                            let result =
                                write_target(node, at, &value, t.options.as_ref(), &mut untagged);
                            match result {
                                Err(e) => err = Some(e),
                                Ok(()) if was_null && !node.is_null() => {
                                    let t = scalar_string(node);
                                    err = Some(mismatch(&resolve_plain(&t), t, "!!null"));
                                }
                                Ok(()) => {}
                            }
                        },
                    );
                    if let Some(mut e) = err {
                        if let Error::TargetType { id, path, .. } = &mut e {
                            *id = r.cur_id().to_string();
                            path.clone_from(p);
                        }
                        return Err(e);
                    }
                    if hits == 0 {
                        return Err(Error::NoTargetField {
                            path: p.clone(),
                            id: r.cur_id().to_string(),
                        });
                    }
                }
                r.untagged = untagged;
                if let Some(before) = before {
                    // kustomize writes target scalars into the existing node.
                    let mut aliases = std::mem::take(&mut r.aliases);
                    aliases.reconcile(r.object_mut(), &before, &|_| true);
                    r.aliases = aliases;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_split_on_dots_outside_brackets() {
        assert_eq!(split("a.[name=x.y].b"), vec!["a", "[name=x.y]", "b"]);
        assert_eq!(split("a.c[name=x].b"), vec!["a", "c", "[name=x]", "b"]);
        assert_eq!(
            split("metadata.labels.[app.kubernetes.io/name]"),
            vec!["metadata", "labels", "app.kubernetes.io/name"]
        );
    }

    #[test]
    fn delimiter_prefix_suffix_replace() {
        let o = FieldOptions {
            delimiter: ".".into(),
            index: 99,
            ..Default::default()
        };
        let mut t = json!("svc.ns");
        set_field(&mut t, &json!("local"), Some(&o)).unwrap();
        assert_eq!(t, json!("svc.ns.local"));
        let o = FieldOptions {
            delimiter: ".".into(),
            index: -1,
            ..Default::default()
        };
        set_field(&mut t, &json!("x"), Some(&o)).unwrap();
        assert_eq!(t, json!("x.svc.ns.local"));
    }

    #[test]
    fn created_fields_are_untagged_typed_fields_are_not() {
        let mut untagged = Vec::new();
        let at = vec![Seg::Key("port".into())];
        let mut node = Value::Null;
        write_target(&mut node, &at, &json!(8080), None, &mut untagged).unwrap();
        assert_eq!(node, json!(8080));
        assert_eq!(untagged, vec![at.clone()]);
        // A created field takes any text later, and prints as it resolves.
        write_target(&mut node, &at, &json!("web"), None, &mut untagged).unwrap();
        assert_eq!(node, json!("web"));
        write_target(&mut node, &at, &json!(81), None, &mut untagged).unwrap();
        assert_eq!(node, json!(81));
        // A parsed int field keeps its type: text is an error.
        let mut typed = json!(2);
        let other = vec![Seg::Key("replicas".into())];
        let err = write_target(&mut typed, &other, &json!("web"), None, &mut untagged);
        assert!(matches!(
            err,
            Err(Error::TargetType {
                found: "!!str",
                expected: "!!int",
                ..
            })
        ));
    }

    #[test]
    fn scalar_targets_keep_their_type() {
        let mut t = json!(1);
        set_field(&mut t, &json!("5"), None).unwrap();
        assert_eq!(t, json!(5));
        let mut t = json!("a");
        set_field(&mut t, &json!(8080), None).unwrap();
        assert_eq!(t, json!("8080"));
    }
}
