//! The resource model: objects with their identity and build history.

use serde_json::{Map, Value};

/// A borrowed group/version/kind: what hot passes over every resource use
/// instead of [`Gvk`], so that asking a resource its type allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct GvkRef<'a> {
    pub(crate) group: &'a str,
    pub(crate) version: &'a str,
    pub(crate) kind: &'a str,
}

impl<'a> GvkRef<'a> {
    /// Splits `apiVersion` like [`Gvk::from_api_version`].
    pub(crate) fn new(api_version: &'a str, kind: &'a str) -> Self {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        GvkRef {
            group,
            version,
            kind,
        }
    }

    /// [`Gvk::is_selected_by`] without the owned copy.
    pub(crate) fn is_selected_by(&self, sel: &Gvk) -> bool {
        (sel.group.is_empty() || sel.group == self.group)
            && (sel.version.is_empty() || sel.version == self.version)
            && (sel.kind.is_empty() || sel.kind == self.kind)
    }

    /// The owned form.
    pub(crate) fn to_gvk(self) -> Gvk {
        Gvk {
            group: self.group.to_string(),
            version: self.version.to_string(),
            kind: self.kind.to_string(),
        }
    }
}

/// Dense numbers for the distinct types met in a pass over resources, looked
/// up by borrowed type without allocating: a pass keeps what it works out
/// per type in a `Vec` indexed by these numbers.
#[derive(Debug, Default)]
pub(crate) struct TypeIndex {
    /// `group NUL version NUL kind` -> number.
    index: std::collections::HashMap<String, usize>,
    buf: String,
}

impl TypeIndex {
    /// The number of `g`, and whether `g` is new (numbers count up from 0,
    /// so a new one is the length of the caller's per-type `Vec`).
    pub(crate) fn get_or_add(&mut self, g: GvkRef<'_>) -> (usize, bool) {
        self.buf.clear();
        for part in [g.group, "\0", g.version, "\0", g.kind] {
            self.buf.push_str(part);
        }
        if let Some(&i) = self.index.get(self.buf.as_str()) {
            return (i, false);
        }
        let i = self.index.len();
        self.index.insert(self.buf.clone(), i);
        (i, true)
    }
}

/// Group, version and kind of an object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    /// API group (`""` for the core group).
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl Gvk {
    /// Splits `apiVersion` (`apps/v1`, `v1`) into group and version.
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        GvkRef::new(api_version, kind).to_gvk()
    }

    /// The borrowed form.
    pub(crate) fn as_ref(&self) -> GvkRef<'_> {
        GvkRef {
            group: &self.group,
            version: &self.version,
            kind: &self.kind,
        }
    }

    /// `group/version`, or just `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether this GVK matches a selector whose empty fields are wildcards.
    pub fn is_selected_by(&self, sel: &Gvk) -> bool {
        self.as_ref().is_selected_by(sel)
    }

    /// Whether kustomize knows this type as cluster-scoped (from the
    /// Kubernetes OpenAPI schema it embeds). Unknown types are namespaced.
    pub fn is_cluster_scoped(&self) -> bool {
        crate::fieldspec::is_cluster_scoped(&self.group, &self.version, &self.kind)
    }

    /// kustomize's legacy string form `group_version_kind` with `~G`/`~V`/`~K`
    /// for empty parts.
    pub(crate) fn legacy_sort_string(&self) -> String {
        let g = if self.group.is_empty() {
            "~G"
        } else {
            &self.group
        };
        let v = if self.version.is_empty() {
            "~V"
        } else {
            &self.version
        };
        let k = if self.kind.is_empty() {
            "~K"
        } else {
            &self.kind
        };
        format!("{g}_{v}_{k}")
    }
}

/// The identity of a resource: GVK, name and namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResId {
    /// Group, version, kind.
    pub gvk: Gvk,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (`""` when unset).
    pub namespace: String,
}

impl ResId {
    /// The namespace used for comparisons: cluster-scoped ids have none,
    /// an empty namespace means `default`.
    pub(crate) fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            "_non_namespaceable_"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// Namespace equality as kustomize defines it (`""` equals `default`).
    pub fn ns_equals(&self, other: &ResId) -> bool {
        self.effective_namespace() == other.effective_namespace()
    }
}

impl std::fmt::Display for ResId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let g = if self.gvk.group.is_empty() {
            "[noGrp]"
        } else {
            &self.gvk.group
        };
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        write!(
            f,
            "{}.{}.{}/{}.{}",
            self.gvk.kind, self.gvk.version, g, self.name, ns
        )
    }
}

/// Where a resource came from, for `buildMetadata: [originAnnotations]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// Path of the file (or kustomization, for generated objects), relative
    /// to the top kustomization.
    pub path: String,
    /// For generated objects: the kustomization file that configured them.
    pub configured_in: Option<String>,
    /// For generated objects: the generator kind (`ConfigMapGenerator`…).
    pub configured_by_kind: Option<String>,
    /// For objects from generator plugin configs: the config's name.
    pub configured_by_name: Option<String>,
}

impl Origin {
    /// The annotation value kustomize writes (a small YAML document).
    pub(crate) fn annotation(&self) -> String {
        match (&self.configured_in, &self.configured_by_kind) {
            (Some(cin), Some(kind)) => {
                let mut s = format!(
                    "configuredIn: {cin}\nconfiguredBy:\n  apiVersion: builtin\n  kind: {kind}\n"
                );
                if let Some(n) = &self.configured_by_name {
                    s.push_str(&format!("  name: {n}\n"));
                }
                s
            }
            _ => format!("path: {}\n", self.path),
        }
    }
}

/// A transformer that ran over a resource, for
/// `buildMetadata: [transformerAnnotations]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransformRecord {
    /// The kustomization (or plugin config) file, relative to the top.
    pub configured_in: String,
    /// The builtin transformer kind (`PrefixTransformer`…).
    pub kind: String,
    /// Plugin config name, for `transformers:` entries.
    pub name: Option<String>,
    /// Plugin config namespace, for `transformers:` entries.
    pub namespace: Option<String>,
}

/// The `alpha.config.kubernetes.io/transformations` annotation value.
pub(crate) fn transformations_annotation(records: &[TransformRecord]) -> String {
    let mut s = String::new();
    for r in records {
        s.push_str(&format!(
            "- configuredIn: {}\n  configuredBy:\n    apiVersion: builtin\n    kind: {}\n",
            r.configured_in, r.kind
        ));
        if let Some(n) = &r.name {
            s.push_str(&format!("    name: {n}\n"));
        }
        if let Some(n) = &r.namespace {
            s.push_str(&format!("    namespace: {n}\n"));
        }
    }
    s
}

/// One object plus the build-time history kustomize keeps in internal
/// annotations (previous names, applied prefixes/suffixes, origin).
#[derive(Debug, Clone)]
pub struct Resource {
    obj: Value,
    /// Previous (kind, name, namespace) triples, oldest first.
    pub(crate) prev: Vec<(String, String, String)>,
    pub(crate) prefixes: Vec<String>,
    pub(crate) suffixes: Vec<String>,
    pub(crate) origin: Option<Origin>,
    /// Generated object whose name still needs the content hash.
    pub(crate) needs_hash: bool,
    /// Names of the vars whose `objref` is this resource.
    pub(crate) ref_vars: Vec<String>,
    /// Transformers that ran over it (when build metadata is tracked).
    pub(crate) transformations: Vec<TransformRecord>,
    /// Fields that share one value node in kustomize (see `alias`).
    pub(crate) aliases: crate::alias::Aliases,
    /// Mapping values the file wrote with no value text (`key:`), each with
    /// whether it was read as null (else as `""`: in a flow mapping or an
    /// annotation): a strategic-merge patch drops those still holding that
    /// value, a JSON 6902 patch turns them into explicit nulls (see
    /// `patching`).
    pub(crate) empty_values: Vec<(crate::alias::Path, bool)>,
    /// Made by a generator (kustomize marks it with a behavior annotation).
    pub(crate) generated: bool,
    /// Scalar fields a replacement created: untagged nodes in kustomize,
    /// which print as their text resolves and take any later text.
    pub(crate) untagged: Vec<crate::alias::Path>,
}

impl Resource {
    /// Wraps an object (must be a mapping).
    pub fn new(obj: Value) -> Self {
        Resource {
            obj,
            prev: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            origin: None,
            needs_hash: false,
            ref_vars: Vec::new(),
            transformations: Vec::new(),
            aliases: crate::alias::Aliases::default(),
            empty_values: Vec::new(),
            generated: false,
            untagged: Vec::new(),
        }
    }

    /// The object.
    pub fn object(&self) -> &Value {
        &self.obj
    }

    /// The object, mutable.
    pub fn object_mut(&mut self) -> &mut Value {
        &mut self.obj
    }

    /// Consumes the resource, returning the object.
    pub fn into_object(self) -> Value {
        self.obj
    }

    fn str_at(&self, a: &str, b: Option<&str>) -> &str {
        let v = self.obj.get(a);
        let v = match b {
            Some(b) => v.and_then(|m| m.get(b)),
            None => v,
        };
        v.and_then(Value::as_str).unwrap_or("")
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        self.str_at("apiVersion", None)
    }
    /// `kind`.
    pub fn kind(&self) -> &str {
        self.str_at("kind", None)
    }
    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.str_at("metadata", Some("name"))
    }
    /// `metadata.namespace` (`""` when unset).
    pub fn namespace(&self) -> &str {
        self.str_at("metadata", Some("namespace"))
    }

    /// Group, version, kind.
    pub fn gvk(&self) -> Gvk {
        self.gvk_ref().to_gvk()
    }

    /// Group, version, kind, borrowed.
    pub(crate) fn gvk_ref(&self) -> GvkRef<'_> {
        GvkRef::new(self.api_version(), self.kind())
    }

    /// The group, version and original kind (the kind of [`Self::org_id`]),
    /// borrowed.
    pub(crate) fn org_gvk_ref(&self) -> GvkRef<'_> {
        let mut g = self.gvk_ref();
        if let Some((k, _, _)) = self.prev.first() {
            g.kind = k;
        }
        g
    }

    /// The current id.
    pub fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// Ids the resource had before (oldest first), sharing the current
    /// group/version.
    pub fn prev_ids(&self) -> Vec<ResId> {
        let gvk = self.gvk();
        self.prev
            .iter()
            .map(|(k, n, ns)| ResId {
                gvk: Gvk {
                    group: gvk.group.clone(),
                    version: gvk.version.clone(),
                    kind: k.clone(),
                },
                name: n.clone(),
                namespace: ns.clone(),
            })
            .collect()
    }

    /// The original id (the first one it had).
    pub fn org_id(&self) -> ResId {
        match self.prev.first() {
            Some((k, n, ns)) => {
                let mut gvk = self.gvk();
                gvk.kind = k.clone();
                ResId {
                    gvk,
                    name: n.clone(),
                    namespace: ns.clone(),
                }
            }
            None => self.cur_id(),
        }
    }

    /// The original id plus every later one, current last.
    pub(crate) fn all_ids(&self) -> Vec<ResId> {
        let mut ids = self.prev_ids();
        ids.push(self.cur_id());
        ids
    }

    /// Whether kustomize would hold internal build annotations on the
    /// object at this point (previous ids, prefixes/suffixes, generator
    /// marks, var references, origin): its `metadata.annotations` map then
    /// exists even when the output shows none, which a field spec with
    /// `create: false` on `metadata/annotations` can see.
    pub(crate) fn has_build_annotations(&self) -> bool {
        !self.prev.is_empty()
            || !self.prefixes.is_empty()
            || !self.suffixes.is_empty()
            || self.needs_hash
            || self.generated
            || !self.ref_vars.is_empty()
            || self.origin.is_some()
            || !self.transformations.is_empty()
    }

    /// Remembers the current id before a change of name/namespace/kind.
    pub(crate) fn store_previous_id(&mut self) {
        let t = (
            self.kind().to_string(),
            self.name().to_string(),
            self.namespace().to_string(),
        );
        self.prev.push(t);
    }

    fn metadata_mut(&mut self) -> Option<&mut Map<String, Value>> {
        let obj = self.obj.as_object_mut()?;
        let md = obj
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if !md.is_object() {
            *md = Value::Object(Map::new());
        }
        md.as_object_mut()
    }

    /// Sets `metadata.name`.
    pub fn set_name(&mut self, name: &str) {
        if let Some(md) = self.metadata_mut() {
            md.insert("name".into(), Value::String(name.to_string()));
        }
    }

    /// Sets `metadata.namespace`.
    pub fn set_namespace(&mut self, ns: &str) {
        if let Some(md) = self.metadata_mut() {
            md.insert("namespace".into(), Value::String(ns.to_string()));
        }
    }

    /// Sets one annotation.
    pub(crate) fn set_annotation(&mut self, key: &str, value: String) {
        if let Some(md) = self.metadata_mut() {
            let a = md
                .entry("annotations")
                .or_insert_with(|| Value::Object(Map::new()));
            if !a.is_object() {
                *a = Value::Object(Map::new());
            }
            if let Some(a) = a.as_object_mut() {
                a.insert(key.to_string(), Value::String(value));
            }
        }
    }

    /// `metadata.labels` as string pairs.
    pub fn labels(&self) -> Vec<(String, String)> {
        map_pairs(self.obj.get("metadata").and_then(|m| m.get("labels")))
    }

    /// `metadata.annotations` as string pairs.
    pub fn annotations(&self) -> Vec<(String, String)> {
        map_pairs(self.obj.get("metadata").and_then(|m| m.get("annotations")))
    }

    /// Whether `config.kubernetes.io/local-config` is `"true"`.
    pub(crate) fn is_local_config(&self) -> bool {
        self.obj
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get("config.kubernetes.io/local-config"))
            .and_then(Value::as_str)
            == Some("true")
    }
}

fn map_pairs(v: Option<&Value>) -> Vec<(String, String)> {
    match v.and_then(Value::as_object) {
        Some(m) => m
            .iter()
            .map(|(k, v)| (k.clone(), scalar_string(v)))
            .collect(),
        None => Vec::new(),
    }
}

/// A scalar as the string kustomize would see.
pub(crate) fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gvk_parsing() {
        let g = Gvk::from_api_version("apps/v1", "Deployment");
        assert_eq!(g.group, "apps");
        assert_eq!(g.api_version(), "apps/v1");
        let g = Gvk::from_api_version("v1", "ConfigMap");
        assert_eq!(g.group, "");
        assert_eq!(g.api_version(), "v1");
    }

    #[test]
    fn ids_track_history() {
        let mut r = Resource::new(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}),
        );
        r.store_previous_id();
        r.set_name("p-a");
        assert_eq!(r.org_id().name, "a");
        assert_eq!(r.cur_id().name, "p-a");
        assert_eq!(r.all_ids().len(), 2);
    }

    #[test]
    fn namespace_default_equals_empty() {
        let a = ResId {
            gvk: Gvk::from_api_version("v1", "ConfigMap"),
            name: "x".into(),
            namespace: "".into(),
        };
        let mut b = a.clone();
        b.namespace = "default".into();
        assert!(a.ns_equals(&b));
        b.namespace = "other".into();
        assert!(!a.ns_equals(&b));
    }
}
