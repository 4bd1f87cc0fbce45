//! The data Flux's image-automation-controller gives a commit-message template, built the
//! way Go prints and walks it.
//!
//! | expression | built from | prints (`%v`) as |
//! | --- | --- | --- |
//! | `.AutomationObject` | [`CommitData::new`] | `<namespace>/<name>` (`.Name`, `.Namespace`) |
//! | `.Changed.FileChanges` | [`CommitData::add_change`] | `map[file:map[{{{apiVersion kind} {name namespace}}}:[{old new setter}]]]` |
//! | `.Changed.Objects` | method: changes per object across files (a later file replaces an earlier one, as in Flux) | map keyed by object |
//! | `.Changed.Changes` | method: every distinct [`Change`] | `[{old new setter} …]` |
//! | `.Updated.Files` / `.Objects` / `.Images` | [`CommitData::add_image`] (legacy, removed in Flux v1) | images print via `String()` as written (`name:tag`) |
//! | `.Values` | [`CommitData::set_value`] | `map[k:v]` |
//!
//! An object identifier is Flux's `ObjectIdentifier{yaml.ResourceIdentifier}`: it embeds
//! `TypeMeta{APIVersion, Kind}` and `NameMeta{Name, Namespace}`, so `.Kind`, `.Name`, … are
//! reachable directly and it prints as `{{{apps/v1 Deployment} {app default}}}`.
//!
//! Ordering: Go visits and prints maps in sorted key order (object keys compare field by
//! field: apiVersion, kind, name, namespace); `Changes` and `Images` follow that same order
//! (Flux builds them from map iteration, whose order Go randomises).

use std::collections::BTreeMap;

use crate::value::{List, Map, Object, Value};

/// The message Flux commits with when `messageTemplate` is empty or unset.
pub const DEFAULT_MESSAGE_TEMPLATE: &str = "Update from image update automation";

/// The name Flux gives the commit-message template (it appears in error messages).
pub const TEMPLATE_NAME: &str = "commit message";

/// Why a commit message could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// `messageTemplate` does not parse.
    #[error("invalid commit message template")]
    Parse(#[source] crate::ParseError),
    /// `messageTemplate` parsed but failed while rendering.
    #[error("commit message template failed to render")]
    Render(#[source] crate::ExecError),
}

/// Parses `messageTemplate` as Flux does (an empty one means [`DEFAULT_MESSAGE_TEMPLATE`]),
/// so a bad template is reported before anything is changed or committed.
pub fn parse_message_template(text: &str) -> Result<crate::Template, crate::ParseError> {
    let text = if text.is_empty() {
        DEFAULT_MESSAGE_TEMPLATE
    } else {
        text
    };
    crate::Template::parse(TEMPLATE_NAME, text)
}

/// Parses `messageTemplate` (empty means the default) and renders it over `data`.
///
/// ```
/// use weir_template::flux::{Change, CommitData, ObjectId, render_message};
/// let mut data = CommitData::new("flux-system", "apps");
/// let id = ObjectId::new("apps/v1", "Deployment", "default", "web");
/// data.add_change("web.yaml", &id, Change::new("1.0", "1.1", "flux-system:web:tag"));
/// let tpl = "{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}";
/// assert_eq!(render_message(tpl, &data).unwrap(), "1.0 -> 1.1\n");
/// assert_eq!(render_message("", &data).unwrap(), "Update from image update automation");
/// ```
pub fn render_message(text: &str, data: &CommitData) -> Result<String, MessageError> {
    let template = parse_message_template(text).map_err(MessageError::Parse)?;
    template
        .render(&data.to_value())
        .map_err(MessageError::Render)
}

/// The identity of a changed YAML document (fields may be empty, e.g. for a Helm values file).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct ObjectId {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectId {
    /// An object identifier.
    pub fn new(
        api_version: impl Into<String>,
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> ObjectId {
        ObjectId {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// The order Go sorts identifiers in: field by field through the embedded structs.
    fn fmt_order(&self) -> (&[u8], &[u8], &[u8], &[u8]) {
        (
            self.api_version.as_bytes(),
            self.kind.as_bytes(),
            self.name.as_bytes(),
            self.namespace.as_bytes(),
        )
    }

    /// The template value (Flux's `update.ObjectIdentifier`).
    pub fn to_value(&self) -> Value {
        let type_meta = Object::new("yaml.TypeMeta")
            .field("APIVersion", self.api_version.as_str())
            .field("Kind", self.kind.as_str());
        let name_meta = Object::new("yaml.NameMeta")
            .field("Name", self.name.as_str())
            .field("Namespace", self.namespace.as_str());
        let rid = Object::new("yaml.ResourceIdentifier")
            .embed("TypeMeta", type_meta)
            .embed("NameMeta", name_meta);
        Value::Object(Object::new("update.ObjectIdentifier").embed("ResourceIdentifier", rid))
    }
}

/// One value a setter changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Change {
    /// The value before.
    pub old_value: String,
    /// The value after.
    pub new_value: String,
    /// The marker value, e.g. `flux-system:app:tag`.
    pub setter: String,
}

impl Change {
    /// A change.
    pub fn new(
        old_value: impl Into<String>,
        new_value: impl Into<String>,
        setter: impl Into<String>,
    ) -> Change {
        Change {
            old_value: old_value.into(),
            new_value: new_value.into(),
            setter: setter.into(),
        }
    }

    /// The template value (Flux's `update.Change`).
    pub fn to_value(&self) -> Value {
        Value::Object(
            Object::new("update.Change")
                .field("OldValue", self.old_value.as_str())
                .field("NewValue", self.new_value.as_str())
                .field("Setter", self.setter.as_str()),
        )
    }
}

fn namespaced_name(namespace: &str, name: &str) -> Value {
    Value::Object(
        Object::new("types.NamespacedName")
            .field("Namespace", namespace)
            .field("Name", name)
            .display(format!("{namespace}/{name}")),
    )
}

/// An image reference as Flux's legacy `.Updated` data shows it (go-containerregistry's
/// parsing with Docker Hub defaults).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImageRef {
    original: String,
    registry: String,
    repository: String,
    identifier: String,
    digest: bool,
    policy: (String, String),
}

impl ImageRef {
    /// Parses `image[:tag]` or `image@digest`. Parsing never fails: odd input is kept as
    /// written and the parts are best effort.
    pub fn parse(reference: &str) -> ImageRef {
        let (repo, identifier, digest) = match reference.split_once('@') {
            Some((repo, d)) => (repo, d.to_string(), true),
            None => {
                let last_slash = reference.rfind('/').map_or(0, |i| i + 1);
                match reference[last_slash..].rfind(':') {
                    Some(i) => (
                        &reference[..last_slash + i],
                        reference[last_slash + i + 1..].to_string(),
                        false,
                    ),
                    None => (reference, "latest".to_string(), false),
                }
            }
        };
        let (registry, path) = match repo.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) => {
                let reg = if first == "docker.io" {
                    "index.docker.io"
                } else {
                    first
                };
                (reg.to_string(), rest.to_string())
            }
            _ => ("index.docker.io".to_string(), repo.to_string()),
        };
        let repository = if registry == "index.docker.io" && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        ImageRef {
            original: reference.to_string(),
            registry,
            repository,
            identifier,
            digest,
            policy: (String::new(), String::new()),
        }
    }

    /// Records the policy (namespace, name) that chose this image (`.Policy`).
    pub fn with_policy(mut self, namespace: impl Into<String>, name: impl Into<String>) -> Self {
        self.policy = (namespace.into(), name.into());
        self
    }

    /// The reference as written (what `String()` returns).
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The fully qualified name, e.g. `index.docker.io/library/nginx:1.25`.
    pub fn full_name(&self) -> String {
        let sep = if self.digest { '@' } else { ':' };
        format!(
            "{}/{}{sep}{}",
            self.registry, self.repository, self.identifier
        )
    }

    /// The template value: prints as written; methods `String`, `Identifier`, `Repository`,
    /// `Registry`, `Name`, `Policy`.
    pub fn to_value(&self) -> Value {
        Value::Object(
            Object::new("update.imageRef")
                .display(self.original.as_str())
                .method("Identifier", self.identifier.as_str())
                .method("Repository", self.repository.as_str())
                .method("Registry", self.registry.as_str())
                .method("Name", self.full_name())
                .method("Policy", namespaced_name(&self.policy.0, &self.policy.1)),
        )
    }
}

/// Everything a commit message can show about one automation run.
#[derive(Debug, Clone, Default)]
pub struct CommitData {
    namespace: String,
    name: String,
    values: BTreeMap<String, String>,
    changes: BTreeMap<String, Vec<(ObjectId, Vec<Change>)>>,
    images: BTreeMap<String, Vec<(ObjectId, Vec<ImageRef>)>>,
}

fn entry<'a, T>(objects: &'a mut Vec<(ObjectId, Vec<T>)>, id: &ObjectId) -> &'a mut Vec<T> {
    let pos = match objects.iter().position(|(o, _)| o == id) {
        Some(p) => p,
        None => {
            objects.push((id.clone(), Vec::new()));
            objects.len() - 1
        }
    };
    &mut objects[pos].1
}

impl CommitData {
    /// Data for the automation `namespace/name`.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> CommitData {
        CommitData {
            namespace: namespace.into(),
            name: name.into(),
            ..CommitData::default()
        }
    }

    /// Sets one `messageTemplateValues` entry (`.Values.<key>`).
    pub fn set_value(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.values.insert(key.into(), value.into());
        self
    }

    /// Records a change made by a setter in `file` (relative to `update.path`).
    pub fn add_change(
        &mut self,
        file: impl Into<String>,
        object: &ObjectId,
        change: Change,
    ) -> &mut Self {
        entry(self.changes.entry(file.into()).or_default(), object).push(change);
        self
    }

    /// Records an image for the legacy `.Updated` data.
    pub fn add_image(
        &mut self,
        file: impl Into<String>,
        object: &ObjectId,
        image: ImageRef,
    ) -> &mut Self {
        entry(self.images.entry(file.into()).or_default(), object).push(image);
        self
    }

    /// Whether no change was recorded.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.images.is_empty()
    }

    fn changed(&self) -> Value {
        let mut files = Map::new();
        let mut objects = Map::new();
        let mut all: Vec<Value> = Vec::new();
        let mut seen: Vec<&Change> = Vec::new();
        for (file, objs) in &self.changes {
            let mut per_file = Map::new();
            let mut sorted: Vec<&(ObjectId, Vec<Change>)> = objs.iter().collect();
            sorted.sort_by(|a, b| a.0.fmt_order().cmp(&b.0.fmt_order()));
            for (id, changes) in sorted {
                let list = Value::List(List::new(changes.iter().map(Change::to_value).collect()));
                per_file.insert(id.to_value(), list.clone());
                objects.insert(id.to_value(), list);
                for c in changes {
                    if !seen.contains(&c) {
                        seen.push(c);
                        all.push(c.to_value());
                    }
                }
            }
            files.insert(Value::from(file.as_str()), Value::Map(per_file));
        }
        Value::Object(
            Object::new("update.Result")
                .field("FileChanges", files)
                .method("Changes", Value::List(List::new(all)))
                .method("Objects", objects),
        )
    }

    fn updated(&self) -> Value {
        let mut files = Map::new();
        let mut objects: Vec<(ObjectId, Vec<Value>)> = Vec::new();
        let mut images: Vec<Value> = Vec::new();
        let mut seen: Vec<&ImageRef> = Vec::new();
        for (file, objs) in &self.images {
            let mut per_file = Map::new();
            let mut sorted: Vec<&(ObjectId, Vec<ImageRef>)> = objs.iter().collect();
            sorted.sort_by(|a, b| a.0.fmt_order().cmp(&b.0.fmt_order()));
            for (id, refs) in sorted {
                let vals: Vec<Value> = refs.iter().map(ImageRef::to_value).collect();
                per_file.insert(id.to_value(), Value::List(List::new(vals.clone())));
                entry(&mut objects, id).extend(vals);
                for r in refs {
                    if !seen.contains(&r) {
                        seen.push(r);
                        images.push(r.to_value());
                    }
                }
            }
            let file_result = Object::new("update.FileResult").field("Objects", per_file);
            files.insert(Value::from(file.as_str()), Value::Object(file_result));
        }
        let mut objects_map = Map::new();
        for (id, vals) in objects {
            objects_map.insert(id.to_value(), Value::List(List::new(vals)));
        }
        Value::Object(
            Object::new("update.Result")
                .field("Files", files)
                .method("Images", Value::List(List::new(images)))
                .method("Objects", objects_map),
        )
    }

    /// The template data (`.AutomationObject`, `.Updated`, `.Changed`, `.Values`).
    pub fn to_value(&self) -> Value {
        Value::Object(
            Object::new("update.TemplateData")
                .field(
                    "AutomationObject",
                    namespaced_name(&self.namespace, &self.name),
                )
                .field("Updated", self.updated())
                .field("Changed", self.changed())
                .field(
                    "Values",
                    Value::string_map(self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
                ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_errors_keep_their_cause() {
        let data = CommitData::new("ns", "n");
        match render_message("{{ .Nope", &data) {
            Err(MessageError::Parse(e)) => assert_eq!(e.template, "commit message"),
            other => panic!("{other:?}"),
        }
        match render_message("{{ .Changed.Nope }}", &data) {
            Err(MessageError::Render(e)) => assert_eq!(e.line, 1),
            other => panic!("{other:?}"),
        }
        let e = render_message("{{ .Nope", &data).unwrap_err();
        assert_eq!(e.to_string(), "invalid commit message template");
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn image_refs_parse_like_go_containerregistry() {
        let r = ImageRef::parse("weaveworksdemos/front-end:main-abc-12");
        assert_eq!(r.registry, "index.docker.io");
        assert_eq!(r.repository, "weaveworksdemos/front-end");
        assert_eq!(r.identifier, "main-abc-12");
        assert_eq!(
            r.full_name(),
            "index.docker.io/weaveworksdemos/front-end:main-abc-12"
        );

        let r = ImageRef::parse("nginx");
        assert_eq!(r.repository, "library/nginx");
        assert_eq!(r.full_name(), "index.docker.io/library/nginx:latest");

        let r = ImageRef::parse("localhost:5000/team/app:1.2");
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.repository, "team/app");

        let r = ImageRef::parse("ghcr.io/org/app@sha256:abcd");
        assert_eq!(r.identifier, "sha256:abcd");
        assert_eq!(r.full_name(), "ghcr.io/org/app@sha256:abcd");

        let r = ImageRef::parse("docker.io/library/redis:7");
        assert_eq!(r.registry, "index.docker.io");
        assert_eq!(r.repository, "library/redis");
    }
}
