//! The built-in transformers driven by kustomization fields: namespace,
//! name prefix/suffix, labels, annotations, replicas and images.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::{Map, Value};

use crate::alias::{Seg, visit_paths};
use crate::fieldspec::{CreateKind, FieldSpec, visit};
use crate::kustomization::{Image, Replica};
use crate::resource::{Gvk, GvkRef, Resource};

/// Errors of the transformers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// After setting the namespace two resources share an id.
    #[error("namespace transformation produces ID conflict: {id}")]
    NamespaceConflict {
        /// The id now held twice.
        id: String,
    },
    /// A `replicas` entry names no resource of a kind it can scale.
    #[error("resource with name {name} does not match a config with the following GVK {gvks}")]
    ReplicasNoMatch {
        /// The `replicas[].name`.
        name: String,
        /// The kinds that can be scaled.
        gvks: String,
    },
    /// A label or annotation key kustomize would write as a plain YAML
    /// scalar that does not read back as a string (`true`, `null`, `1`):
    /// kubectl cannot encode the resource afterwards.
    #[error(
        "{id}: label or annotation key {key:?} would not stay a string (kustomize cannot encode it)"
    )]
    NonStringKey {
        /// The resource.
        id: String,
        /// The key.
        key: String,
    },
    /// A `labels` entry's own `fields` and the builtin field specs it
    /// brings in (`includeSelectors`/`includeTemplates`, `metadata/labels`)
    /// name the same field with different `create` flags.
    #[error(
        "conflicting fieldspecs: '{path}' (kind '{kind}') is listed with create true and false"
    )]
    ConflictingFieldSpecs {
        /// The field path.
        path: String,
        /// The kind of the spec already present (may be empty).
        kind: String,
    },
    /// A field a transformer writes holds the wrong type.
    #[error("{id}: field '{path}' is not a {expected}")]
    WrongType {
        /// The resource.
        id: String,
        /// The field path.
        path: String,
        /// What was expected.
        expected: &'static str,
    },
}

/// Which `RoleBinding`/`ClusterRoleBinding` subjects get the namespace
/// (`NamespaceTransformer`'s `setRoleBindingSubjects`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubjectMode {
    /// Only subjects named `default` (`defaultOnly`, the default).
    #[default]
    DefaultOnly,
    /// No subject (`none`).
    None,
    /// Every subject of kind `ServiceAccount` (`allServiceAccounts`).
    AllServiceAccounts,
}

/// How the namespace transformer writes (the `NamespaceTransformer` plugin
/// options; the kustomization's `namespace:` field uses the defaults).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NamespaceOptions {
    /// Only fill namespace fields that are missing or empty (`unsetOnly`).
    pub unset_only: bool,
    /// Which binding subjects are set.
    pub subjects: SubjectMode,
}

/// Sets the namespace of every namespaced resource (and the fields the
/// namespace field specs name).
pub fn namespace(resources: &mut [Resource], ns: &str, specs: &[FieldSpec]) -> Result<(), Error> {
    namespace_with(resources, ns, specs, NamespaceOptions::default())
}

/// [`namespace`] with the `NamespaceTransformer` plugin options.
pub fn namespace_with(
    resources: &mut [Resource],
    ns: &str,
    specs: &[FieldSpec],
    opts: NamespaceOptions,
) -> Result<(), Error> {
    if ns.is_empty() {
        return Ok(());
    }
    let mut applies = Vec::with_capacity(specs.len());
    for r in resources.iter_mut() {
        if r.object().as_object().is_none_or(Map::is_empty) {
            continue;
        }
        r.store_previous_id();
        // What the type decides, read once before the object changes.
        let gvk = r.gvk_ref();
        let cluster_scoped = crate::fieldspec::is_cluster_scoped(gvk.group, gvk.version, gvk.kind);
        let is_binding = matches!(gvk.kind, "RoleBinding" | "ClusterRoleBinding");
        let core_v1 = r.api_version() == "v1";
        applies.clear();
        applies.extend(specs.iter().map(|fs| fs.applies_to_ref(&gvk)));
        if !cluster_scoped && (!opts.unset_only || r.namespace().is_empty()) {
            r.set_namespace(ns);
        }
        if is_binding
            && opts.subjects != SubjectMode::None
            && let Some(subjects) = r
                .object_mut()
                .get_mut("subjects")
                .and_then(Value::as_array_mut)
        {
            for s in subjects {
                let Some(m) = s.as_object_mut() else {
                    continue;
                };
                let key = match opts.subjects {
                    SubjectMode::AllServiceAccounts => ("kind", "ServiceAccount"),
                    _ => ("name", "default"),
                };
                if m.get(key.0).and_then(Value::as_str) != Some(key.1) {
                    continue;
                }
                let unset = m
                    .get("namespace")
                    .is_none_or(|v| v.as_str().is_some_and(str::is_empty) || v.is_null());
                if !opts.unset_only || unset {
                    m.insert("namespace".into(), Value::String(ns.to_string()));
                }
            }
        }
        for (fs, _) in specs.iter().zip(&applies).filter(|(_, a)| **a) {
            if fs.path_str == "metadata/namespace" {
                continue;
            }
            if is_binding && fs.path.first().map(String::as_str) == Some("subjects") {
                continue;
            }
            if fs.path_str == "metadata/name" && !core_v1 {
                continue;
            }
            set_scalar(r.object_mut(), fs, ns, opts.unset_only);
        }
    }
    Ok(())
}

fn set_scalar(obj: &mut Value, fs: &FieldSpec, value: &str, unset_only: bool) {
    let _ = visit::<()>(obj, &fs.path, fs.create, CreateKind::Scalar, &mut |v| {
        let unset = v.is_null() || v.as_str().is_some_and(str::is_empty);
        if !v.is_object() && !v.is_array() && (!unset_only || unset) {
            *v = Value::String(value.to_string());
        }
        Ok(())
    });
}

/// Kinds the prefix/suffix transformer never renames.
fn skips_prefix(gvk: &GvkRef<'_>) -> bool {
    gvk.kind == "CustomResourceDefinition"
        || gvk.kind == "Namespace"
        || (gvk.group == "apiregistration.k8s.io" && gvk.kind == "APIService")
}

/// Adds `prefix`/`suffix` to names (the `namePrefix`/`nameSuffix` field
/// specs): the prefix pass first, then the suffix pass, as kustomize runs them.
pub fn prefix_suffix(resources: &mut [Resource], prefix: &str, suffix: &str, specs: &[FieldSpec]) {
    affix(resources, prefix, "", specs);
    affix(resources, "", suffix, specs);
}

/// Adds prefix and suffix in one pass (the legacy `PrefixSuffixTransformer`).
pub fn prefix_suffix_with(
    resources: &mut [Resource],
    prefix: &str,
    suffix: &str,
    specs: &[FieldSpec],
) {
    affix(resources, prefix, suffix, specs);
}

fn affix(resources: &mut [Resource], prefix: &str, suffix: &str, specs: &[FieldSpec]) {
    if prefix.is_empty() && suffix.is_empty() {
        return;
    }
    for r in resources.iter_mut() {
        if skips_prefix(&r.org_gvk_ref()) {
            continue;
        }
        for fs in specs {
            if !r.org_gvk_ref().is_selected_by(&fs.gvk) {
                continue;
            }
            if fs.path_str == "metadata/name" {
                if !prefix.is_empty() {
                    r.prefixes.push(prefix.to_string());
                }
                if !suffix.is_empty() {
                    r.suffixes.push(suffix.to_string());
                }
                if !prefix.is_empty() || !suffix.is_empty() {
                    r.store_previous_id();
                }
            }
            let _ = visit::<()>(
                r.object_mut(),
                &fs.path,
                fs.create,
                CreateKind::Scalar,
                &mut |v| {
                    if let Value::String(s) = v {
                        *s = format!("{prefix}{s}{suffix}");
                    }
                    Ok(())
                },
            );
        }
    }
}

/// Adds key/value pairs to the maps the field specs name (labels or
/// annotations).
pub fn add_pairs(
    resources: &mut [Resource],
    pairs: &BTreeMap<String, String>,
    specs: &[FieldSpec],
) -> Result<(), Error> {
    use crate::alias::{Path, Seg};
    if pairs.is_empty() {
        return Ok(());
    }
    let mut applies = Vec::with_capacity(specs.len());
    for r in resources.iter_mut() {
        let gvk = r.gvk_ref();
        applies.clear();
        applies.extend(specs.iter().map(|fs| fs.applies_to_ref(&gvk)));
        // kustomize sets one key at a time over all field specs, with one
        // value node per key and resource: every field where the key is
        // created holds that node (see `alias`); a key that exists is
        // overwritten in place. One walk per field spec records both, per
        // key.
        let mut created: Vec<Vec<Path>> = vec![Vec::new(); pairs.len()];
        let mut overwritten: Vec<Vec<Path>> = vec![Vec::new(); pairs.len()];
        for (fs, _) in specs.iter().zip(&applies).filter(|(_, a)| **a) {
            let mut bad = false;
            // kustomize's internal annotations make the map exist.
            let create =
                fs.create || (fs.path_str == "metadata/annotations" && r.has_build_annotations());
            let _ = visit_paths::<()>(
                r.object_mut(),
                &fs.path,
                create,
                CreateKind::Map,
                &mut Vec::new(),
                &mut |v, at| {
                    if v.is_null() {
                        *v = Value::Object(Map::new());
                    }
                    let Some(m) = v.as_object_mut() else {
                        bad = true;
                        return Ok(());
                    };
                    for (i, (k, val)) in pairs.iter().enumerate() {
                        let mut p = at.to_vec();
                        p.push(Seg::Key(k.clone()));
                        if !m.contains_key(k) {
                            created[i].push(p);
                        } else if !created[i].contains(&p) {
                            overwritten[i].push(p);
                        }
                        m.insert(k.clone(), Value::String(val.clone()));
                    }
                    Ok(())
                },
            );
            if bad {
                return Err(Error::WrongType {
                    id: r.cur_id().to_string(),
                    path: fs.path_str.clone(),
                    expected: "map",
                });
            }
        }
        for (i, k) in pairs.keys().enumerate() {
            if !created[i].is_empty() && !crate::generate::plain_key_is_string(k) {
                return Err(Error::NonStringKey {
                    id: r.cur_id().to_string(),
                    key: k.clone(),
                });
            }
        }
        if !r.aliases.is_empty() {
            let aliases = std::mem::take(&mut r.aliases);
            for p in overwritten.iter().flatten() {
                aliases.written(r.object_mut(), p);
            }
            r.aliases = aliases;
        }
        for group in created {
            r.aliases.add_group(group);
        }
    }
    Ok(())
}

/// Sets replica counts (`replicas:` entries). Resources are indexed by
/// every name they have had, so each entry costs only its matches.
pub fn replicas(
    resources: &mut [Resource],
    entries: &[Replica],
    specs: &[FieldSpec],
) -> Result<(), Error> {
    if entries.is_empty() {
        return Ok(());
    }
    // Positions of the resources that have (or had) each entry's name, in
    // order, each resource once per name; keys borrow from the entries so
    // that the resources stay free to change.
    let mut by_name: std::collections::HashMap<&str, Vec<usize>> = entries
        .iter()
        .map(|e| (e.name.as_str(), Vec::new()))
        .collect();
    for (i, r) in resources.iter().enumerate() {
        let prev = &r.prev;
        let names = prev.iter().map(|(_, n, _)| n.as_str()).chain([r.name()]);
        for (j, n) in names.enumerate() {
            if prev[..j.min(prev.len())].iter().any(|(_, p, _)| p == n) {
                continue;
            }
            if let Some(hits) = by_name.get_mut(n) {
                hits.push(i);
            }
        }
    }
    for rep in entries {
        let mut found = false;
        let hits = by_name
            .get(rep.name.as_str())
            .map_or(&[][..], Vec::as_slice);
        for fs in specs {
            for &i in hits {
                let r = &resources[i];
                // Any id it has had with this name, of a selected type
                // (earlier ids share the current group and version).
                let gvk = r.gvk_ref();
                let matches = r
                    .prev
                    .iter()
                    .map(|(k, n, _)| (k.as_str(), n.as_str()))
                    .chain([(r.kind(), r.name())])
                    .any(|(kind, name)| {
                        name == rep.name && GvkRef { kind, ..gvk }.is_selected_by(&fs.gvk)
                    });
                if !matches {
                    continue;
                }
                found = true;
                if !fs.applies_to_ref(&gvk) {
                    continue;
                }
                let r = &mut resources[i];
                let count = rep.count;
                let _ = visit::<()>(
                    r.object_mut(),
                    &fs.path,
                    fs.create,
                    CreateKind::Scalar,
                    &mut |v| {
                        *v = Value::from(count);
                        Ok(())
                    },
                );
            }
        }
        if !found {
            let gvks: Vec<String> = specs.iter().map(|s| gvk_string(&s.gvk)).collect();
            return Err(Error::ReplicasNoMatch {
                name: rep.name.clone(),
                gvks: format!("[{}]", gvks.join(" ")),
            });
        }
    }
    Ok(())
}

fn gvk_string(g: &Gvk) -> String {
    let grp = if g.group.is_empty() {
        "[noGrp]"
    } else {
        &g.group
    };
    let ver = if g.version.is_empty() {
        "[noVer]"
    } else {
        &g.version
    };
    format!("{grp}/{ver}, Kind={}", g.kind)
}

/// Splits an image reference into name, tag and digest (kustomize's rules:
/// a `:` before the first `/` is a registry port).
pub fn split_image(image: &str) -> (String, String, String) {
    let slash = match image.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let search = &image[slash..];
    let at = search.find('@');
    let colon = search.find(':');
    match (at, colon) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (Some(a), c) if c.is_none_or(|c| a < c) => {
            let a = a + slash;
            (
                image[..a].to_string(),
                String::new(),
                image[a + 1..].to_string(),
            )
        }
        (Some(a), Some(c)) => {
            let (a, c) = (a + slash, c + slash);
            (
                image[..c].to_string(),
                image[c + 1..a].to_string(),
                image[a + 1..].to_string(),
            )
        }
        (None, Some(c)) => {
            let c = c + slash;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
        (Some(_), None) => (image.to_string(), String::new(), String::new()),
    }
}

/// One compiled `images:` entry.
pub(crate) struct ImageRule {
    img: Image,
    pattern: Option<Regex>,
}

impl ImageRule {
    pub(crate) fn new(img: &Image) -> Self {
        // kustomize builds this regex from the unescaped name: the name, an
        // optional tag, an optional digest.
        let pattern = Regex::new(&format!(
            "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
            img.name
        ))
        .ok();
        ImageRule {
            img: img.clone(),
            pattern,
        }
    }

    fn apply(&self, value: &str) -> Option<String> {
        if !self.pattern.as_ref()?.is_match(value) {
            return None;
        }
        let (mut name, mut tag, mut digest) = split_image(value);
        let i = &self.img;
        if !i.new_name.is_empty() {
            name = i.new_name.clone();
        }
        if !i.new_tag.is_empty() && !i.digest.is_empty() {
            tag = i.new_tag.clone();
            digest = i.digest.clone();
        } else if !i.new_tag.is_empty() {
            tag = i.new_tag.clone();
            digest.clear();
        } else if !i.digest.is_empty() {
            tag.clear();
            digest = i.digest.clone();
        }
        if !i.tag_suffix.is_empty() {
            tag.push_str(&i.tag_suffix);
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        Some(name)
    }

    /// Rewrites the image; whether the rule matched (kustomize then sets a
    /// new, untagged node).
    fn update(&self, v: &mut Value) -> bool {
        if let Value::String(s) = v
            && let Some(new) = self.apply(s)
        {
            *s = new;
            return true;
        }
        false
    }
}

/// Whether a spec is one of the four default image specs, whose nodes the
/// legacy container walk already visits.
fn is_default_image_spec(fs: &FieldSpec) -> bool {
    fs.gvk == Gvk::default()
        && !fs.create
        && matches!(
            fs.path_str.as_str(),
            "spec/containers[]/image"
                | "spec/initContainers[]/image"
                | "spec/template/spec/containers[]/image"
                | "spec/template/spec/initContainers[]/image"
        )
}

/// Applies `images:` entries. kustomize runs, per entry, a walk over every
/// `containers`/`initContainers` list and then the image field specs; each
/// image field sees the same sequence of rule applications here, from one
/// walk of each object.
pub fn images(resources: &mut [Resource], entries: &[Image], specs: &[FieldSpec]) {
    if entries.is_empty() {
        return;
    }
    let rules: Vec<ImageRule> = entries.iter().map(ImageRule::new).collect();
    let defaults_present: Vec<bool> = [
        "spec/containers[]/image",
        "spec/initContainers[]/image",
        "spec/template/spec/containers[]/image",
        "spec/template/spec/initContainers[]/image",
    ]
    .iter()
    .map(|p| {
        specs
            .iter()
            .any(|s| is_default_image_spec(s) && s.path_str == *p)
    })
    .collect();
    let custom: Vec<&FieldSpec> = specs.iter().filter(|s| !is_default_image_spec(s)).collect();
    for r in resources.iter_mut() {
        let is_crd = r.kind() == "CustomResourceDefinition";
        let mut untagged = std::mem::take(&mut r.untagged);
        legacy_walk(
            r.object_mut(),
            &rules,
            &defaults_present,
            !is_crd,
            0,
            &mut Vec::new(),
            &mut untagged,
        );
        r.untagged = untagged;
        if is_crd || custom.is_empty() {
            continue;
        }
        let gvk = r.gvk();
        for rule in &rules {
            for fs in &custom {
                if !fs.applies_to(&gvk) {
                    continue;
                }
                let _ = visit::<()>(
                    r.object_mut(),
                    &fs.path,
                    false,
                    CreateKind::Scalar,
                    &mut |v| {
                        let _ = rule.update(v);
                        Ok(())
                    },
                );
            }
        }
    }
}

/// Walks an object; at every `containers`/`initContainers` list applies each
/// rule (twice when a default image spec also reaches that list, as
/// kustomize's legacy walk and field-spec pass both do).
///
/// Every image a rule rewrote is recorded in `untagged` (kustomize puts a
/// new untagged node there; see `Resource::untagged`).
fn legacy_walk<'a>(
    v: &'a mut Value,
    rules: &[ImageRule],
    defaults: &[bool],
    specs_apply: bool,
    depth: usize,
    path: &mut Vec<Step<'a>>,
    untagged: &mut Vec<crate::alias::Path>,
) {
    if depth > 512 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if (k == "containers" || k == "initContainers")
                    && let Value::Array(items) = child
                {
                    let init = k == "initContainers";
                    let by_spec = specs_apply
                        && match path.as_slice() {
                            [Step::Key("spec")] => defaults[usize::from(init)],
                            [Step::Key("spec"), Step::Key("template"), Step::Key("spec")] => {
                                defaults[2 + usize::from(init)]
                            }
                            _ => false,
                        };
                    for (n, c) in items.iter_mut().enumerate() {
                        if let Some(img) = c.get_mut("image") {
                            let mut hit = false;
                            for rule in rules {
                                hit |= rule.update(img);
                                if by_spec {
                                    hit |= rule.update(img);
                                }
                            }
                            if hit {
                                let at: crate::alias::Path = path
                                    .iter()
                                    .map(|s| match s {
                                        Step::Key(k) => Seg::Key((*k).to_string()),
                                        Step::Index(i) => Seg::Index(*i),
                                    })
                                    .chain([
                                        Seg::Key(k.clone()),
                                        Seg::Index(n),
                                        Seg::Key("image".to_string()),
                                    ])
                                    .collect();
                                if !untagged.contains(&at) {
                                    untagged.push(at);
                                }
                            }
                        }
                    }
                }
                if child.is_object() || child.is_array() {
                    path.push(Step::Key(k));
                    legacy_walk(
                        child,
                        rules,
                        defaults,
                        specs_apply,
                        depth + 1,
                        path,
                        untagged,
                    );
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for (n, c) in items.iter_mut().enumerate() {
                path.push(Step::Index(n));
                legacy_walk(c, rules, defaults, specs_apply, depth + 1, path, untagged);
                path.pop();
            }
        }
        _ => {}
    }
}

/// One step of the path [`legacy_walk`] is at, borrowed from the object (the
/// walk visits every map key; owned copies are made only for a rewritten
/// image).
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fieldspec::TransformerConfig;
    use serde_json::json;

    #[test]
    fn split_image_forms() {
        let s = |x: &str| {
            let (a, b, c) = split_image(x);
            (a, b, c)
        };
        assert_eq!(s("nginx"), ("nginx".into(), "".into(), "".into()));
        assert_eq!(s("nginx:1.2"), ("nginx".into(), "1.2".into(), "".into()));
        assert_eq!(
            s("localhost:5000/app"),
            ("localhost:5000/app".into(), "".into(), "".into())
        );
        assert_eq!(
            s("localhost:5000/app:v1"),
            ("localhost:5000/app".into(), "v1".into(), "".into())
        );
        assert_eq!(
            s("a@sha256:abc"),
            ("a".into(), "".into(), "sha256:abc".into())
        );
        assert_eq!(
            s("a:t@sha256:abc"),
            ("a".into(), "t".into(), "sha256:abc".into())
        );
    }

    #[test]
    fn image_rule_rewrites_tag_and_name() {
        let img = Image {
            name: "nginx".into(),
            new_name: "my/nginx".into(),
            new_tag: "1.25".into(),
            ..Image::default()
        };
        let r = ImageRule::new(&img);
        assert_eq!(r.apply("nginx:1.0").as_deref(), Some("my/nginx:1.25"));
        assert_eq!(r.apply("nginx").as_deref(), Some("my/nginx:1.25"));
        assert_eq!(r.apply("nginx-other:1.0"), None);
        // name:tag@digest matches too; the new tag drops the old digest.
        assert_eq!(
            r.apply("nginx:1.0@sha256:abc").as_deref(),
            Some("my/nginx:1.25")
        );
    }

    #[test]
    fn namespace_skips_cluster_scoped() {
        let cfg = TransformerConfig::builtin();
        let mut rs = vec![
            Resource::new(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}),
            ),
            Resource::new(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "b"}}),
            ),
            Resource::new(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "old"}}),
            ),
        ];
        namespace(&mut rs, "ns", &cfg.namespace).unwrap();
        assert_eq!(rs[0].namespace(), "ns");
        assert_eq!(rs[1].namespace(), "");
        assert_eq!(rs[2].name(), "ns");
    }

    #[test]
    fn namespace_unset_only_keeps_set_namespaces() {
        let mut rs = vec![
            Resource::new(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "keep"}}),
            ),
            Resource::new(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "b"},
                "subjects": [{"kind": "ServiceAccount", "name": "x"}, {"kind": "ServiceAccount", "name": "y", "namespace": "z"}, {"kind": "User", "name": "u"}]}),
            ),
        ];
        let opts = NamespaceOptions {
            unset_only: true,
            subjects: SubjectMode::AllServiceAccounts,
        };
        namespace_with(&mut rs, "ns", &[], opts).unwrap();
        assert_eq!(rs[0].namespace(), "keep");
        assert_eq!(rs[1].namespace(), "ns");
        let subjects = &rs[1].object()["subjects"];
        assert_eq!(subjects[0]["namespace"], "ns");
        assert_eq!(subjects[1]["namespace"], "z");
        assert!(subjects[2].get("namespace").is_none());
    }

    #[test]
    fn labels_reach_selectors() {
        let cfg = TransformerConfig::builtin();
        let mut rs = vec![Resource::new(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {}}}
        }))];
        let pairs = BTreeMap::from([("app".to_string(), "x".to_string())]);
        add_pairs(&mut rs, &pairs, &cfg.common_labels).unwrap();
        let o = rs[0].object();
        assert_eq!(o["metadata"]["labels"]["app"], "x");
        assert_eq!(o["spec"]["selector"]["matchLabels"]["app"], "x");
        assert_eq!(o["spec"]["template"]["metadata"]["labels"]["app"], "x");
    }

    #[test]
    fn replicas_without_match_is_an_error() {
        let cfg = TransformerConfig::builtin();
        let mut rs = vec![Resource::new(
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}),
        )];
        replicas(
            &mut rs,
            &[Replica {
                name: "d".into(),
                count: 3,
            }],
            &cfg.replicas,
        )
        .unwrap();
        assert_eq!(rs[0].object()["spec"]["replicas"], 3);
        assert!(
            replicas(
                &mut rs,
                &[Replica {
                    name: "zz".into(),
                    count: 1
                }],
                &cfg.replicas
            )
            .is_err()
        );
    }
}
