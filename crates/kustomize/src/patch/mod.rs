//! Patches: strategic merge, JSON 6902 and patch targets, with kustomize
//! v5.5.0's semantics (its kyaml merge, not apimachinery's).
//!
//! Everything here is pure: functions take parsed trees
//! ([`serde_json::Value`]) or patch text the caller has read, and never
//! touch the file system.
//!
//! # How the build applies patches
//!
//! For each `patches:` entry (`path:` *or* `patch:`, optional `target:`,
//! optional `options:`):
//!
//! 1. Read the text (`path:` through the loader, or the inline `patch:`)
//!    and call [`parse_patch`]. It returns [`Patch::Strategic`] (one or more
//!    documents, each with `kind` and `metadata.name`) or
//!    [`Patch::Json6902`] (an op list, YAML or JSON).
//! 2. With a `target:`: build a [`Selector`] once
//!    (`Selector::new(&SelectorSpec::from_value(target)?)`), then for every
//!    resource of the current resource list, in order, fill a [`Candidate`]
//!    (GVK, original and current name, original and current *effective*
//!    namespace — `default` when unset, kustomize's `_non_namespaceable_` for
//!    cluster-scoped kinds — and the object) and keep those that
//!    [`Selector::matches`]. No match is not an error.
//!    - Strategic: for each patch document in order, take
//!      [`copied_strategic`]`(doc)` (kustomize merges a copy with
//!      string-map labels and annotations), then for each selected resource
//!      [`smp::apply`]`(resource, doc, options)`; drop the resource when it
//!      returns [`smp::Outcome::Deleted`].
//!    - JSON 6902: [`Json6902::apply`] to each selected resource (atomic per
//!      resource). kustomize keeps its internal build annotations across a
//!      JSON patch: re-add them if the patch removed them.
//! 3. Without a `target:`:
//!    - Strategic: for each document, [`target_id`] gives the id to look up
//!      among the resources (by *any* of a resource's ids: current,
//!      original, or previous names; namespaces compared as effective
//!      namespaces). Exactly one resource must match, else it is an error
//!      (kustomize: "no resource matches strategic merge patch"). Then
//!      [`smp::apply`] as above.
//!    - JSON 6902 without a target is an error ("must specify a target").
//!
//! `options: {allowNameChange: true, allowKindChange: true}` map to
//! [`smp::Options`]; when a name or kind changes the caller records the
//! previous id (name references follow it).
//!
//! Legacy fields: `patchesStrategicMerge:` entries are file paths or inline
//! YAML (kustomize first tries the string as YAML content); read them with
//! [`parse_strategic`] and apply [`copied_strategic`] of each document like
//! a `patches:` entry without a target. `patchesJson6902:` entries carry a `target` with
//! `group`/`version`/`kind`/`name`/`namespace` and a `path` or `patch`: use
//! [`Json6902::parse`] and select with a [`Selector`] built from those
//! fields.
//!
//! ```
//! use serde_json::json;
//! use weir_kustomize::patch::{self, Patch, smp};
//!
//! let mut resource = json!({"apiVersion": "apps/v1", "kind": "Deployment",
//!     "metadata": {"name": "web"}, "spec": {"replicas": 1}});
//! let doc = json!({"apiVersion": "apps/v1", "kind": "Deployment",
//!     "metadata": {"name": "web"}, "spec": {"replicas": 3}});
//! let Patch::Strategic(docs) = Patch::from_documents(vec![doc])? else { unreachable!() };
//! let id = patch::target_id(&docs[0]);
//! assert_eq!((id.kind.as_str(), id.name.as_str()), ("Deployment", "web"));
//! let outcome = smp::apply(&mut resource, &docs[0], smp::Options::default())?;
//! assert_eq!(outcome, smp::Outcome::Patched);
//! assert_eq!(resource["spec"]["replicas"], 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(test)]
mod corpus_tests;
pub mod json6902;
mod schema;
#[rustfmt::skip]
mod schema_data;
pub mod selector;
pub mod smp;

use serde_json::Value;

pub use json6902::Json6902;
pub use selector::{Candidate, LabelSelector, Selector, SelectorSpec};

/// Why patch text could not be read as a patch.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The patch is empty (only whitespace or comments).
    #[error("patch is empty")]
    Empty,
    /// The patch text is not valid YAML.
    #[error("patch is not valid YAML")]
    Yaml {
        /// The parser's error.
        #[source]
        source: weir_yaml::Error,
    },
    /// The patch looked like a JSON 6902 op list but is not a valid one.
    #[error("invalid JSON 6902 patch")]
    Json6902 {
        /// Why.
        #[source]
        source: json6902::Error,
    },
    /// Neither a strategic-merge patch (maps with `kind` and
    /// `metadata.name`) nor a JSON 6902 op list.
    #[error(
        "unable to parse the patch as a strategic merge patch or a JSON 6902 patch: document {document} {problem}"
    )]
    NotAPatch {
        /// Position of the offending document (from 1).
        document: usize,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// A parsed `patches:` entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Patch {
    /// Strategic-merge patch documents, in file order.
    Strategic(Vec<Value>),
    /// A JSON 6902 op list.
    Json6902(Json6902),
}

impl Patch {
    /// Classifies already parsed documents (see [`parse_patch`]).
    pub fn from_documents(docs: Vec<Value>) -> Result<Patch, Error> {
        if docs.is_empty() {
            return Err(Error::Empty);
        }
        if let [Value::Array(_)] = docs.as_slice() {
            return Json6902::from_value(&docs[0])
                .map(Patch::Json6902)
                .map_err(|source| Error::Json6902 { source });
        }
        check_strategic(&docs)?;
        Ok(Patch::Strategic(docs))
    }
}

/// Reads a `patches:` entry's inline `patch:` text: JSON 6902 when it is a
/// JSON or YAML op list, strategic merge when every document is a map with
/// `kind` and `metadata.name` (`apiVersion` may be left out). Leading and
/// trailing whitespace is ignored, as kustomize trims inline patches.
pub fn parse_patch(text: &str) -> Result<Patch, Error> {
    parse_patch_file(text.trim())
}

/// Reads a `patches:` entry's `path:` file as [`parse_patch`] does, but
/// untrimmed, as kustomize reads patch files (a block scalar that ends the
/// file keeps its final line break).
pub fn parse_patch_file(text: &str) -> Result<Patch, Error> {
    if text.trim().is_empty() {
        return Err(Error::Empty);
    }
    if text.starts_with('[') {
        return Json6902::parse(text)
            .map(Patch::Json6902)
            .map_err(|source| Error::Json6902 { source });
    }
    let docs = weir_yaml::parse_documents_with(text, &crate::load::yaml_options())
        .map_err(|source| Error::Yaml { source })?;
    if let [Value::Array(_)] = docs.as_slice() {
        // An op list: kustomize reads it with go-yaml v2 (see
        // `Json6902::parse`), not as a resource.
        return Json6902::parse(text)
            .map(Patch::Json6902)
            .map_err(|source| Error::Json6902 { source });
    }
    Patch::from_documents(docs)
}

/// Reads strategic-merge patch text only (legacy `patchesStrategicMerge`).
pub fn parse_strategic(text: &str) -> Result<Vec<Value>, Error> {
    let docs = weir_yaml::parse_documents_with(text, &crate::load::yaml_options())
        .map_err(|source| Error::Yaml { source })?;
    if docs.is_empty() {
        return Err(Error::Empty);
    }
    check_strategic(&docs)?;
    Ok(docs)
}

fn check_strategic(docs: &[Value]) -> Result<(), Error> {
    let non_empty = |v: Option<&Value>| v.and_then(Value::as_str).is_some_and(|s| !s.is_empty());
    for (i, doc) in docs.iter().enumerate() {
        let problem = if !doc.is_object() {
            "is not a map"
        } else if !non_empty(doc.get("kind")) {
            "has no kind"
        } else if !non_empty(doc.pointer("/metadata/name")) {
            "has no metadata.name"
        } else {
            continue;
        };
        return Err(Error::NotAPatch {
            document: i + 1,
            problem,
        });
    }
    Ok(())
}

/// The patch document kustomize actually merges when it applies a
/// strategic-merge patch to a *copy* per resource: `patches:` entries with a
/// `target:` and legacy `patchesStrategicMerge:` (not `patches:` without a
/// target, which merge the document as it is).
///
/// kustomize's copy re-writes the patch's `metadata.labels` and
/// `metadata.annotations` as string maps: every value becomes its text (a
/// null becomes `"null"`, a map or list `""`), and an empty or null map
/// disappears, so `labels: null` in such a patch deletes nothing. Borrows
/// `doc` when it has neither field (the common case).
///
/// ```
/// use serde_json::json;
/// use weir_kustomize::patch::copied_strategic;
///
/// let doc = json!({"kind": "Deployment", "metadata": {"name": "web",
///     "labels": {"tier": 1, "old": null}, "annotations": null}});
/// assert_eq!(
///     *copied_strategic(&doc),
///     json!({"kind": "Deployment", "metadata": {"name": "web",
///         "labels": {"tier": "1", "old": "null"}}})
/// );
/// ```
pub fn copied_strategic(doc: &Value) -> std::borrow::Cow<'_, Value> {
    use std::borrow::Cow;
    const FIELDS: [&str; 2] = ["labels", "annotations"];
    let Some(meta) = doc.get("metadata").and_then(Value::as_object) else {
        return Cow::Borrowed(doc);
    };
    let needs_change = FIELDS.iter().any(|f| match meta.get(*f) {
        None => false,
        Some(Value::Object(m)) => m.is_empty() || m.values().any(|v| !v.is_string()),
        Some(_) => true,
    });
    if !needs_change {
        return Cow::Borrowed(doc);
    }
    let mut doc = doc.clone();
    if let Some(Value::Object(meta)) = doc.get_mut("metadata") {
        for field in FIELDS {
            let keep = match meta.get_mut(field) {
                Some(Value::Object(m)) if !m.is_empty() => {
                    for v in m.values_mut() {
                        let text = match v {
                            Value::String(_) => continue,
                            Value::Null => "null".to_string(),
                            Value::Bool(b) => b.to_string(),
                            Value::Number(n) => n.to_string(),
                            Value::Array(_) | Value::Object(_) => String::new(),
                        };
                        *v = Value::String(text);
                    }
                    true
                }
                _ => false,
            };
            if !keep {
                meta.remove(field);
            }
        }
    }
    Cow::Owned(doc)
}

/// Puts back the null annotation values of strategic-merge documents that
/// kustomize merges as written (`patches:` entries without a `target:`).
///
/// weir_yaml reads every `metadata.annotations` value as its text, which is
/// kustomize's view of a resource and of the copy that targeted patches
/// merge (see [`copied_strategic`]); but a document merged as written keeps
/// a plain null, and that null deletes the annotation. `text` is the patch
/// text `docs` were read from; it is read again (typed) only when a
/// document has an annotation whose text a null could have (`null`, `~`,
/// empty).
///
/// ```
/// use serde_json::json;
/// use weir_kustomize::patch::{self, Patch};
///
/// let text = "kind: Deployment\nmetadata:\n  name: web\n  annotations:\n    a: null\n    b: \"null\"\n";
/// let Patch::Strategic(mut docs) = patch::parse_patch(text)? else { unreachable!() };
/// assert_eq!(docs[0]["metadata"]["annotations"], json!({"a": "null", "b": "null"}));
/// patch::restore_annotation_nulls(text, &mut docs);
/// assert_eq!(docs[0]["metadata"]["annotations"], json!({"a": null, "b": "null"}));
/// # Ok::<(), patch::Error>(())
/// ```
pub fn restore_annotation_nulls(text: &str, docs: &mut [Value]) {
    let null_like = |v: &Value| matches!(v.as_str(), Some("" | "~" | "null" | "Null" | "NULL"));
    let has_candidate = |doc: &Value| {
        doc.pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .is_some_and(|m| m.values().any(null_like))
    };
    if !docs.iter().any(has_candidate) {
        return;
    }
    // The go-yaml v2 view does not turn annotation values into text.
    let typed_opts = crate::load::yaml_options().with_decoder(weir_yaml::Decoder::Kustomization);
    let Ok(typed) = weir_yaml::parse_documents_with(text, &typed_opts) else {
        return;
    };
    if typed.len() != docs.len() {
        return;
    }
    for (doc, typed) in docs.iter_mut().zip(&typed) {
        let Some(typed) = typed
            .pointer("/metadata/annotations")
            .and_then(Value::as_object)
        else {
            continue;
        };
        if let Some(Value::Object(annotations)) = doc.pointer_mut("/metadata/annotations") {
            for (k, v) in annotations.iter_mut() {
                if null_like(v) && typed.get(k).is_some_and(Value::is_null) {
                    *v = Value::Null;
                }
            }
        }
    }
}

/// The id a strategic-merge patch document names: the resource it applies
/// to when the entry has no `target:`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PatchId {
    /// API group (`""` for core, and when `apiVersion` is absent).
    pub group: String,
    /// API version (`""` when `apiVersion` is absent).
    pub version: String,
    /// Kind.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (`""` when unset; compare effective namespaces).
    pub namespace: String,
}

/// The id of the resource a strategic-merge patch document applies to.
pub fn target_id(doc: &Value) -> PatchId {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let api_version = text(doc.get("apiVersion"));
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version),
    };
    PatchId {
        group,
        version,
        kind: text(doc.get("kind")),
        name: text(doc.pointer("/metadata/name")),
        namespace: text(doc.pointer("/metadata/namespace")),
    }
}

/// For a field path into an object of `api_version`/`kind`: the merge keys
/// of each list the path steps into (one entry per index step, outermost
/// first), or `None` when one of those lists is not merged element by
/// element on merge keys, so that kyaml's strategic merge never walks into
/// its elements (lists of types kustomize has no schema for, lists without
/// a patch strategy).
pub(crate) fn merge_keys_along(
    api_version: &str,
    kind: &str,
    path: &[crate::alias::Seg],
) -> Option<Vec<&'static [&'static str]>> {
    let mut schema = schema::Schema::for_type(api_version, kind);
    let mut keys = Vec::new();
    for seg in path {
        schema = match seg {
            crate::alias::Seg::Key(k) => schema.and_then(|s| s.field(k)),
            crate::alias::Seg::Index(_) => {
                let list = schema.filter(|s| s.is_merge_list())?;
                if list.merge_keys().is_empty() {
                    return None;
                }
                keys.push(list.merge_keys());
                list.elements()
            }
        };
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn op_list_documents_are_json6902() {
        let p = Patch::from_documents(vec![json!([{"op": "remove", "path": "/a"}])]).unwrap();
        assert!(matches!(p, Patch::Json6902(ops) if ops.len() == 1));
    }

    #[test]
    fn json_text_op_list_is_json6902() {
        let p = parse_patch("\n  [{\"op\": \"add\", \"path\": \"/a\", \"value\": 1}]  \n").unwrap();
        assert!(matches!(p, Patch::Json6902(_)));
    }

    #[test]
    fn maps_with_kind_and_name_are_strategic_and_need_both() {
        let ok = json!({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {}});
        assert!(
            matches!(Patch::from_documents(vec![ok.clone(), ok]), Ok(Patch::Strategic(d)) if d.len() == 2)
        );
        let cases = [
            (json!({"metadata": {"name": "a"}}), "document 1 has no kind"),
            (
                json!({"kind": "ConfigMap", "data": {}}),
                "document 1 has no metadata.name",
            ),
            (json!("text"), "document 1 is not a map"),
        ];
        for (doc, want) in cases {
            let err = Patch::from_documents(vec![doc]).unwrap_err().to_string();
            assert!(err.ends_with(want), "{err}");
        }
        assert!(matches!(Patch::from_documents(vec![]), Err(Error::Empty)));
        assert!(matches!(parse_patch("  \n "), Err(Error::Empty)));
    }

    #[test]
    fn target_id_splits_api_version() {
        let id = target_id(&json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "prod"}}));
        assert_eq!(
            id,
            PatchId {
                group: "apps".into(),
                version: "v1".into(),
                kind: "Deployment".into(),
                name: "web".into(),
                namespace: "prod".into()
            }
        );
        let core =
            target_id(&json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}));
        assert_eq!((core.group.as_str(), core.version.as_str()), ("", "v1"));
    }
}

#[cfg(test)]
mod error_snapshots {
    use serde_json::json;

    use super::*;

    /// Every error message of the patch module, as a user reads it.
    #[test]
    fn patch_error_messages() {
        let deployment = |spec: serde_json::Value| json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec});
        let mut deep = json!("x");
        for _ in 0..300 {
            deep = json!({ "a": deep });
        }
        let messages: Vec<String> = vec![
            parse_patch("  ").unwrap_err().to_string(),
            Patch::from_documents(vec![json!({"metadata": {"name": "a"}})])
                .unwrap_err()
                .to_string(),
            Patch::from_documents(vec![json!({"kind": "ConfigMap"})])
                .unwrap_err()
                .to_string(),
            Patch::from_documents(vec![
                json!({"kind": "ConfigMap", "metadata": {"name": "a"}}),
                json!("x"),
            ])
            .unwrap_err()
            .to_string(),
            parse_patch("[{\"op\": \"add\", \"path\": \"/a\"")
                .unwrap_err()
                .to_string(),
            Json6902::from_value(&json!({"op": "add"}))
                .unwrap_err()
                .to_string(),
            Json6902::from_value(&json!([{"op": "frobnicate", "path": "/a"}]))
                .unwrap_err()
                .to_string(),
            Json6902::from_value(&json!([{"op": "test", "path": "/spec/replicas", "value": 3}]))
                .unwrap()
                .apply(&mut deployment(json!({"replicas": 1})))
                .unwrap_err()
                .to_string(),
            Json6902::from_value(&json!([{"op": "remove", "path": "/spec/nope"}]))
                .unwrap()
                .apply(&mut deployment(json!({})))
                .unwrap_err()
                .to_string(),
            smp::merge(
                &deployment(json!({"template": {}})),
                &deployment(json!({"template": 5})),
            )
            .unwrap_err()
            .to_string(),
            smp::merge(
                &deployment(json!({"template": {}})),
                &deployment(json!({"template": {"$patch": "drop"}})),
            )
            .unwrap_err()
            .to_string(),
            smp::merge(&deployment(json!({})), &deployment(deep))
                .unwrap_err()
                .to_string(),
            Selector::new(&SelectorSpec {
                kind: "Deploy(".into(),
                ..Default::default()
            })
            .unwrap_err()
            .to_string(),
            Selector::new(&SelectorSpec {
                label_selector: "a in (b".into(),
                ..Default::default()
            })
            .unwrap_err()
            .to_string(),
            Selector::new(&SelectorSpec {
                annotation_selector: "a=b c".into(),
                ..Default::default()
            })
            .unwrap_err()
            .to_string(),
            SelectorSpec::from_value(&json!({"nme": "x"}))
                .unwrap_err()
                .to_string(),
        ];
        insta::assert_snapshot!(messages.join("\n"));
    }
}
