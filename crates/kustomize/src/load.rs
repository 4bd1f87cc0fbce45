//! Loading kustomization files, resource files and configuration files,
//! with the load restrictor applied.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::build::{Dir, LoadRestrictor, Options};
use crate::fieldspec::{FieldSpec, NameBackRef, TransformerConfig};
use crate::fs::{EntryKind, FileSystem, clean};
use crate::kustomization::{
    API_VERSION, COMPONENT_API_VERSION, FILE_NAMES, Kustomization, RawFieldSpec, Warning,
};
use crate::resource::{Gvk, Resource};

/// Errors of loading files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read. The file system's error
    /// names the path (once), so it is the whole message.
    #[error(transparent)]
    Read(crate::fs::Error),
    /// The build path is not a directory.
    #[error("{}: must build at directory: not a directory", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// No kustomization file in a directory.
    #[error("{}: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory", dir.display())]
    NoKustomization {
        /// The directory.
        dir: PathBuf,
    },
    /// More than one kustomization file in a directory.
    #[error("{}: found multiple kustomization files: {}", dir.display(), names.join(", "))]
    MultipleKustomizations {
        /// The directory.
        dir: PathBuf,
        /// The files found.
        names: Vec<String>,
    },
    /// A file is not valid YAML.
    #[error("{}: invalid YAML", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The parser error (with line and column).
        #[source]
        source: weir_yaml::Error,
    },
    /// A kustomization file has unknown or ill-typed fields.
    #[error("{}: invalid Kustomization", path.display())]
    InvalidKustomization {
        /// The file.
        path: PathBuf,
        /// What is wrong (names the field).
        #[source]
        source: serde_json::Error,
    },
    /// A kustomization file sets nothing.
    #[error("{}: kustomization file is empty", path.display())]
    EmptyKustomization {
        /// The file.
        path: PathBuf,
    },
    /// `kind` or `apiVersion` of a kustomization file is wrong.
    #[error("{}: {message}", path.display())]
    InvalidKind {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A remote URL in `resources` (fetching is the source crate's job).
    #[error("{}: remote resource '{url}' is not supported: fetch the repository first and build from disk", file.display())]
    Remote {
        /// The kustomization file.
        file: PathBuf,
        /// The URL.
        url: String,
    },
    /// A resource, component or file listed in a kustomization cannot be loaded.
    #[error("{}: cannot load '{resource}'", file.display())]
    Resource {
        /// The kustomization file.
        file: PathBuf,
        /// The entry as written.
        resource: String,
        /// The cause.
        #[source]
        source: crate::fs::Error,
    },
    /// A file lies outside the kustomization's directory (load restrictor).
    #[error("{}: security; file '{}' is not in or below '{}'", file.display(), path.display(), root.display())]
    OutsideRoot {
        /// The kustomization file.
        file: PathBuf,
        /// The file asked for.
        path: PathBuf,
        /// The kustomization's directory.
        root: PathBuf,
    },
    /// A file is larger than [`Options::max_file_size`].
    #[error("{}: file is {size} bytes, larger than the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A YAML document is not a mapping.
    #[error("{}: document {index} is not a mapping", path.display())]
    NotAnObject {
        /// The file.
        path: PathBuf,
        /// 0-based document index.
        index: usize,
    },
    /// A line starting with `---` carries more than a comment.
    #[error("{}: invalid document separator: {line}", path.display())]
    BadSeparator {
        /// The file.
        path: PathBuf,
        /// The separator line.
        line: String,
    },
    /// A resource has no `kind` (or an empty one).
    #[error("{}: document {index}: missing kind in object", path.display())]
    MissingKind {
        /// The file.
        path: PathBuf,
        /// 0-based document index (items of a `List` count after it).
        index: usize,
    },
    /// A resource other than a `*List` has no `metadata.name`.
    #[error("{}: document {index}: missing metadata.name in object of kind {kind}", path.display())]
    MissingName {
        /// The file.
        path: PathBuf,
        /// 0-based document index (items of a `List` count after it).
        index: usize,
        /// The resource's kind.
        kind: String,
    },
    /// A `List` has an `items` field that is not a list.
    #[error("{}: expected array in 'items' of {kind}", path.display())]
    BadList {
        /// The file.
        path: PathBuf,
        /// The list kind.
        kind: String,
    },
    /// A configuration file (`configurations:`/`crds:`) is invalid.
    #[error("{}: invalid transformer configuration", path.display())]
    InvalidConfiguration {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: serde_json::Error,
    },
}

/// Finds, reads and checks the kustomization file of `dir`.
pub(crate) fn kustomization(
    fs: &dyn FileSystem,
    opts: &Options,
    dir: &Dir,
) -> Result<(Kustomization, String, Vec<Warning>), Error> {
    let found: Vec<&str> = FILE_NAMES
        .iter()
        .copied()
        .filter(|n| fs.kind(&dir.abs.join(n)) == Some(EntryKind::File))
        .collect();
    let name = match found.as_slice() {
        [] => {
            return Err(Error::NoKustomization {
                dir: dir.shown.clone(),
            });
        }
        [one] => *one,
        many => {
            return Err(Error::MultipleKustomizations {
                dir: dir.shown.clone(),
                names: many.iter().map(|s| s.to_string()).collect(),
            });
        }
    };
    let shown = dir.file(name);
    check_size(fs, opts, &dir.abs.join(name), &shown)?;
    let text = fs
        .read_to_string(&dir.abs.join(name))
        .map_err(Error::Read)?;
    // kustomize reads kustomization files with sigs.k8s.io/yaml (go-yaml v2),
    // not the resource decoder: YAML 1.1 booleans, the last duplicate key
    // wins, and only the first document counts.
    let mut kustomization_yaml = yaml_options();
    kustomization_yaml.decoder = weir_yaml::Decoder::Kustomization;
    let value = weir_yaml::parse_first_document_with(&text, &kustomization_yaml)
        .map_err(|source| Error::Yaml {
            path: shown.clone(),
            source,
        })?
        .unwrap_or(Value::Null);
    let value = if value.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        value
    };
    let value = normalize_kustomization_keys(value);
    let mut k: Kustomization =
        serde_json::from_value(value).map_err(|source| Error::InvalidKustomization {
            path: shown.clone(),
            source,
        })?;
    let warnings = k.deprecations(&shown.to_string_lossy());
    k.fix();
    if k.is_empty() {
        return Err(Error::EmptyKustomization { path: shown });
    }
    if k.kind != "Kustomization" && k.kind != "Component" {
        return Err(Error::InvalidKind {
            path: shown,
            message: "kind should be Kustomization or Component".into(),
        });
    }
    let want = if k.is_component() {
        COMPONENT_API_VERSION
    } else {
        API_VERSION
    };
    if k.api_version != want {
        return Err(Error::InvalidKind {
            path: shown,
            message: format!("apiVersion for {} should be {want}", k.kind),
        });
    }
    Ok((k, name.to_string(), warnings))
}

/// Field names of the kustomization structs. kustomize decodes with Go's
/// `encoding/json`, which matches field names case-insensitively
/// (`patchesJSON6902`, `nameprefix`), so keys are mapped onto these first.
const TOP_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];
const ITEM_FIELDS: &[(&str, &[&str])] = &[
    (
        "labels",
        &["pairs", "includeSelectors", "includeTemplates", "fields"],
    ),
    ("patches", &["path", "patch", "target", "options"]),
    ("patchesJson6902", &["path", "patch", "target", "options"]),
    (
        "images",
        &["name", "newName", "newTag", "digest", "tagSuffix"],
    ),
    (
        "imageTags",
        &["name", "newName", "newTag", "digest", "tagSuffix"],
    ),
    ("replicas", &["name", "count"]),
];

fn fold_keys(v: &mut Value, known: &[&str]) {
    let Some(m) = v.as_object_mut() else { return };
    let odd: Vec<String> = m
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .cloned()
        .collect();
    for k in odd {
        if let Some(canon) = known.iter().find(|c| c.eq_ignore_ascii_case(&k))
            && !m.contains_key(*canon)
            && let Some(val) = m.remove(&k)
        {
            m.insert((*canon).to_string(), val);
        }
    }
}

fn normalize_kustomization_keys(mut v: Value) -> Value {
    fold_keys(&mut v, TOP_FIELDS);
    if let Some(m) = v.as_object_mut() {
        for (field, known) in ITEM_FIELDS {
            if let Some(Value::Array(items)) = m.get_mut(*field) {
                for item in items {
                    fold_keys(item, known);
                }
            }
        }
        if let Some(so) = m.get_mut("sortOptions") {
            fold_keys(so, &["order", "legacySortOptions"]);
        }
    }
    v
}

/// Reads a file named in a kustomization as bytes, applying the load
/// restrictor.
pub(crate) fn read_bytes(
    fs: &dyn FileSystem,
    opts: &Options,
    dir: &Dir,
    kfile: &Path,
    path: &str,
) -> Result<Vec<u8>, Error> {
    let real = restricted(fs, opts, dir, kfile, path)?;
    fs.read(&real).map_err(Error::Read)
}

fn check_size(fs: &dyn FileSystem, opts: &Options, real: &Path, shown: &Path) -> Result<(), Error> {
    match fs.len(real) {
        Some(size) if size > opts.max_file_size => Err(Error::TooLarge {
            path: shown.to_path_buf(),
            size,
            limit: opts.max_file_size,
        }),
        _ => Ok(()),
    }
}

fn restricted(
    fs: &dyn FileSystem,
    opts: &Options,
    dir: &Dir,
    kfile: &Path,
    path: &str,
) -> Result<PathBuf, Error> {
    let joined = clean(&dir.abs.join(path));
    let real = fs.canonicalize(&joined).map_err(|source| Error::Resource {
        file: kfile.to_path_buf(),
        resource: path.to_string(),
        source,
    })?;
    if opts.load_restrictor == LoadRestrictor::RootOnly && !real.starts_with(&dir.abs) {
        return Err(Error::OutsideRoot {
            file: kfile.to_path_buf(),
            path: clean(&dir.shown.join(path)),
            root: dir.shown.clone(),
        });
    }
    check_size(fs, opts, &real, &clean(&dir.shown.join(path)))?;
    Ok(real)
}

/// Reads a file named in a kustomization, applying the load restrictor.
/// Returns the text and the path to show in messages.
pub(crate) fn read_file(
    fs: &dyn FileSystem,
    opts: &Options,
    dir: &Dir,
    kfile: &Path,
    path: &str,
) -> Result<(String, PathBuf), Error> {
    let shown = clean(&dir.shown.join(path));
    let real = restricted(fs, opts, dir, kfile, path)?;
    let text = fs.read_to_string(&real).map_err(Error::Read)?;
    Ok((text, shown))
}

/// Parses YAML text into resources, dropping empty documents and expanding
/// `*List` kinds with `items`.
pub(crate) fn parse_resources(text: &str, shown: &Path) -> Result<Vec<Resource>, Error> {
    check_separators(text).map_err(|line| Error::BadSeparator {
        path: shown.to_path_buf(),
        line,
    })?;
    let yaml_err = |source| Error::Yaml {
        path: shown.to_path_buf(),
        source,
    };
    let has_end_marker = text
        .lines()
        .any(|l| l == "..." || l.starts_with("... ") || l.starts_with("...\t"));
    let opts = yaml_options();
    let docs = if has_end_marker {
        // kyaml decodes only the first document of each `---` chunk: a
        // document after a `...` end marker without a `---` is dropped.
        let mut docs = Vec::new();
        for chunk in split_documents(text) {
            let parsed =
                weir_yaml::parse_documents_tracking_empty(&chunk, &opts).map_err(yaml_err)?;
            docs.extend(parsed.into_iter().next());
        }
        docs
    } else {
        weir_yaml::parse_documents_tracking_empty(text, &opts).map_err(yaml_err)?
    };
    let mut out = Vec::with_capacity(docs.len());
    let mut queue: std::collections::VecDeque<weir_yaml::Document> = docs.into();
    let mut index = 0;
    while let Some(parsed) = queue.pop_front() {
        let doc = parsed.value;
        index += 1;
        match &doc {
            Value::Null => continue,
            Value::Object(m) if m.is_empty() => continue,
            // kyaml skips empty documents: null, `{}` and `[]`.
            Value::Array(a) if a.is_empty() => continue,
            Value::Object(_) => {}
            _ => {
                return Err(Error::NotAnObject {
                    path: shown.to_path_buf(),
                    index: index - 1,
                });
            }
        }
        // kustomize validates every document (and every list item) before
        // use: a kind is required, and a name unless the kind is a list.
        let kind = doc.get("kind").map(scalar_text).unwrap_or_default();
        if kind.is_empty() {
            return Err(Error::MissingKind {
                path: shown.to_path_buf(),
                index: index - 1,
            });
        }
        let name = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .map(scalar_text)
            .unwrap_or_default();
        if name.is_empty() && !kind.ends_with("List") {
            return Err(Error::MissingName {
                path: shown.to_path_buf(),
                index: index - 1,
                kind,
            });
        }
        let kind = kind.as_str();
        if kind.ends_with("List")
            && let Some(items) = doc.get("items")
        {
            match items {
                Value::Array(items) => {
                    // kustomize's list items do not keep empty values as
                    // written: they print as null even after a patch.
                    for item in items.iter().rev() {
                        queue.push_front(weir_yaml::Document::from(item.clone()));
                    }
                    continue;
                }
                Value::Null => continue,
                _ => {
                    return Err(Error::BadList {
                        path: shown.to_path_buf(),
                        kind: kind.to_string(),
                    });
                }
            }
        }
        let empty_values = parsed
            .empty_values
            .into_iter()
            .map(|p| {
                let p = alias_path(p);
                let was_null = crate::alias::get(&doc, &p).is_some_and(Value::is_null);
                (p, was_null)
            })
            .collect();
        let mut r = Resource::new(doc);
        r.empty_values = empty_values;
        out.push(r);
    }
    Ok(out)
}

/// A `weir_yaml` path as an `alias` path.
fn alias_path(steps: Vec<weir_yaml::PathStep>) -> crate::alias::Path {
    steps
        .into_iter()
        .map(|s| match s {
            weir_yaml::PathStep::Key(k) => crate::alias::Seg::Key(k),
            weir_yaml::PathStep::Index(i) => crate::alias::Seg::Index(i),
        })
        .collect()
}

/// kustomize (kyaml's reader) splits resource files itself, at every line
/// that starts with `---` and follows a line break (regex `\n---.*\n`,
/// matches not overlapping), and refuses such a line when anything but a
/// comment follows the dashes (`--- !!map`, `--- |`, `----`).
fn check_separators(text: &str) -> Result<(), String> {
    let s = text.replace("\r\n", "\n");
    let mut pos = 0;
    while let Some(off) = s[pos..].find("\n---") {
        let line_start = pos + off + 1;
        let Some(len) = s[line_start..].find('\n') else {
            break;
        };
        let line = &s[line_start..line_start + len];
        let after = line[3..].trim();
        if !after.is_empty() && !after.starts_with('#') {
            return Err(line.trim().to_string());
        }
        pos = line_start + len + 1;
    }
    Ok(())
}

/// How kustomize's YAML readers see resource and patch text: go-yaml gives
/// a block scalar that ends the text without a final line break none.
pub(crate) fn yaml_options() -> weir_yaml::ParseOptions {
    weir_yaml::ParseOptions::default().with_go_eof_block_scalars(true)
}

/// The chunks kyaml's reader decodes: the text cut at the separator lines
/// [`check_separators`] accepts (each chunk but the last keeps its final
/// line break).
fn split_documents(text: &str) -> Vec<String> {
    let s = text.replace("\r\n", "\n");
    let mut chunks = Vec::new();
    let mut prev = 0;
    let mut pos = 0;
    while let Some(off) = s[pos..].find("\n---") {
        let sep = pos + off;
        let Some(len) = s[sep + 1..].find('\n') else {
            break;
        };
        chunks.push(format!("{}\n", &s[prev..sep]));
        prev = sep + 1 + len + 1;
        pos = prev;
    }
    chunks.push(s[prev..].to_string());
    chunks
}

/// The text of a scalar field as kustomize's metadata decoder sees it
/// (numbers and booleans as written; maps, lists and null as empty).
pub(crate) fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Loads the resources of one file entry of `resources:`.
pub(crate) fn resources(
    fs: &dyn FileSystem,
    opts: &Options,
    dir: &Dir,
    kfile: &Path,
    path: &str,
) -> Result<Vec<Resource>, Error> {
    let (text, shown) = read_file(fs, opts, dir, kfile, path)?;
    parse_resources(&text, &shown)
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawConfig {
    #[serde(default)]
    name_prefix: Option<Vec<RawFieldSpec>>,
    #[serde(default)]
    name_suffix: Option<Vec<RawFieldSpec>>,
    #[serde(default)]
    name_space: Option<Vec<RawFieldSpec>>,
    #[serde(default)]
    common_labels: Option<Vec<RawFieldSpec>>,
    #[serde(default)]
    template_labels: Option<Vec<RawFieldSpec>>,
    #[serde(default)]
    common_annotations: Option<Vec<RawFieldSpec>>,
    #[serde(default)]
    name_reference: Option<Vec<RawBackRef>>,
    #[serde(default)]
    var_reference: Option<Vec<RawFieldSpec>>,
    #[serde(default)]
    images: Option<Vec<RawFieldSpec>>,
    #[serde(default)]
    replicas: Option<Vec<RawFieldSpec>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawBackRef {
    #[serde(default)]
    group: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    field_specs: Option<Vec<RawFieldSpec>>,
}

fn conv(v: Option<Vec<RawFieldSpec>>) -> Vec<FieldSpec> {
    v.unwrap_or_default()
        .iter()
        .map(RawFieldSpec::to_spec)
        .collect()
}

/// Loads a `configurations:` file.
pub(crate) fn configuration(
    fs: &dyn FileSystem,
    opts: &Options,
    dir: &Dir,
    kfile: &Path,
    path: &str,
) -> Result<TransformerConfig, Error> {
    let (text, shown) = read_file(fs, opts, dir, kfile, path)?;
    let docs = weir_yaml::parse_documents(&text).map_err(|source| Error::Yaml {
        path: shown.clone(),
        source,
    })?;
    let mut out = TransformerConfig::default();
    for doc in docs {
        if doc.is_null() {
            continue;
        }
        let raw: RawConfig =
            serde_json::from_value(doc).map_err(|source| Error::InvalidConfiguration {
                path: shown.clone(),
                source,
            })?;
        let mut name_prefix = conv(raw.name_prefix);
        name_prefix.extend(conv(raw.name_suffix));
        let c = TransformerConfig {
            name_prefix,
            namespace: conv(raw.name_space),
            common_labels: conv(raw.common_labels),
            template_labels: conv(raw.template_labels),
            common_annotations: conv(raw.common_annotations),
            images: conv(raw.images),
            replicas: conv(raw.replicas),
            var_reference: conv(raw.var_reference),
            name_reference: raw
                .name_reference
                .unwrap_or_default()
                .into_iter()
                .map(|b| NameBackRef {
                    target: Gvk {
                        group: b.group,
                        version: b.version,
                        kind: b.kind,
                    },
                    referrers: conv(b.field_specs),
                })
                .collect(),
        };
        out.merge(&c);
    }
    Ok(out)
}

/// Loads a legacy `crds:` file (OpenAPI definitions keyed by type name):
/// properties marked with kustomize's `x-kubernetes-*` extensions become
/// label, annotation, prefix and name-reference field specs.
pub(crate) fn crd_configuration(
    fs: &dyn FileSystem,
    opts: &Options,
    dir: &Dir,
    kfile: &Path,
    path: &str,
) -> Result<TransformerConfig, Error> {
    let (text, shown) = read_file(fs, opts, dir, kfile, path)?;
    let docs = weir_yaml::parse_documents(&text).map_err(|source| Error::Yaml {
        path: shown.clone(),
        source,
    })?;
    let mut out = TransformerConfig::default();
    for doc in docs {
        let Some(defs) = doc.as_object() else {
            continue;
        };
        for (name, def) in defs {
            let props = def.get("Schema").and_then(|s| s.get("properties"));
            let looks_k8s = props.is_some_and(|p| {
                p.get("kind").is_some()
                    && p.get("apiVersion").is_some()
                    && p.get("metadata").is_some()
            });
            if !looks_k8s {
                continue;
            }
            let kind = name.rsplit('.').next().unwrap_or(name).to_string();
            let mut tc = TransformerConfig::default();
            crd_walk(defs, name, &kind, &mut Vec::new(), &mut tc, 0);
            out.merge(&tc);
        }
    }
    Ok(out)
}

fn crd_walk(
    defs: &serde_json::Map<String, Value>,
    type_name: &str,
    kind: &str,
    path: &mut Vec<String>,
    tc: &mut TransformerConfig,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    let Some(props) = defs
        .get(type_name)
        .and_then(|d| d.get("Schema"))
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    else {
        return;
    };
    let ext = |p: &Value, k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
    for (prop_name, prop) in props {
        path.push(prop_name.clone());
        let spec = |extra: Option<&str>| {
            let mut p = path.clone();
            if let Some(e) = extra {
                p.push(e.to_string());
            }
            FieldSpec::new("", "", kind, &p.join("/"), false)
        };
        if ext(prop, "x-kubernetes-label-selector").is_some() {
            tc.common_labels.push(spec(None));
        }
        if ext(prop, "x-kubernetes-annotation").is_some() {
            tc.common_annotations.push(spec(None));
        }
        if ext(prop, "x-kubernetes-identity").is_some() {
            tc.name_prefix.push(spec(None));
        }
        if let (Some(version), Some(ref_kind)) = (
            ext(prop, "x-kubernetes-object-ref-api-version"),
            ext(prop, "x-kubernetes-object-ref-kind"),
        ) {
            let key =
                ext(prop, "x-kubernetes-object-ref-name-key").unwrap_or_else(|| "name".into());
            tc.merge(&TransformerConfig {
                name_reference: vec![NameBackRef {
                    target: Gvk {
                        group: String::new(),
                        version,
                        kind: ref_kind,
                    },
                    referrers: vec![spec(Some(&key))],
                }],
                ..TransformerConfig::default()
            });
        }
        if let Some(r) = prop.get("$ref").and_then(Value::as_str) {
            crd_walk(defs, r, kind, path, tc, depth + 1);
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_expansion_and_empty_docs() {
        // Built from values directly (the YAML layer is tested in weir-yaml).
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}
        ]});
        let m = list.as_object().unwrap();
        assert!(m["kind"].as_str().unwrap().ends_with("List"));
    }

    #[test]
    fn resources_need_kind_and_name() {
        let p = Path::new("r.yaml");
        let no_kind = parse_resources("apiVersion: v1\nmetadata:\n  name: a\n", p);
        assert!(matches!(no_kind, Err(Error::MissingKind { index: 0, .. })));
        let no_name = parse_resources("kind: ConfigMap\n---\nkind: Secret\nmetadata: {}\n", p);
        assert!(matches!(no_name, Err(Error::MissingName { .. })));
        let item = parse_resources("kind: List\nitems:\n- kind: ConfigMap\n", p);
        assert!(matches!(item, Err(Error::MissingName { index: 1, .. })));
        // Lists need no name; a list kind without items is a resource.
        let ok = parse_resources("kind: FooList\nspec: {}\n---\nkind: List\nitems: null\n", p);
        assert_eq!(ok.map(|r| r.len()).ok(), Some(1));
    }

    #[test]
    fn document_separators_carry_only_comments() {
        assert_eq!(check_separators("a: 1\n--- # c\nb: 2\n"), Ok(()));
        assert_eq!(check_separators("--- !!map\na: 1\n"), Ok(()));
        assert_eq!(
            check_separators("a: 1\n--- !!map\nb: 2\n"),
            Err("--- !!map".to_string())
        );
        assert_eq!(
            check_separators("a: 1\r\n----\r\n"),
            Err("----".to_string())
        );
        assert_eq!(
            split_documents("a: 1\n---\nb: 2\n--- # c\nc: 3"),
            vec!["a: 1\n", "b: 2\n", "c: 3"]
        );
        // Matches do not overlap: a separator right after one is not checked.
        assert_eq!(check_separators("a: 1\n---\n--- x\nb: 2\n"), Ok(()));
    }
}
