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
    /// A file or directory could not be read.
    #[error("{}: cannot read", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: crate::fs::Error,
    },
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
    /// A YAML document is not a mapping.
    #[error("{}: document {index} is not a mapping", path.display())]
    NotAnObject {
        /// The file.
        path: PathBuf,
        /// 0-based document index.
        index: usize,
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
    let text = fs
        .read_to_string(&dir.abs.join(name))
        .map_err(|source| Error::Read {
            path: shown.clone(),
            source,
        })?;
    let docs = weir_yaml::parse_documents(&text).map_err(|source| Error::Yaml {
        path: shown.clone(),
        source,
    })?;
    let value = docs.into_iter().next().unwrap_or(Value::Null);
    let value = if value.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        value
    };
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
    let joined = clean(&dir.abs.join(path));
    let real = fs.canonicalize(&joined).map_err(|source| Error::Resource {
        file: kfile.to_path_buf(),
        resource: path.to_string(),
        source,
    })?;
    if opts.load_restrictor == LoadRestrictor::RootOnly && !real.starts_with(&dir.abs) {
        return Err(Error::OutsideRoot {
            file: kfile.to_path_buf(),
            path: shown,
            root: dir.shown.clone(),
        });
    }
    let text = fs.read_to_string(&real).map_err(|source| Error::Read {
        path: shown.clone(),
        source,
    })?;
    Ok((text, shown))
}

/// Parses YAML text into resources, dropping empty documents and expanding
/// `*List` kinds with `items`.
pub(crate) fn parse_resources(text: &str, shown: &Path) -> Result<Vec<Resource>, Error> {
    let docs = weir_yaml::parse_documents(text).map_err(|source| Error::Yaml {
        path: shown.to_path_buf(),
        source,
    })?;
    let mut out = Vec::with_capacity(docs.len());
    let mut queue: std::collections::VecDeque<Value> = docs.into();
    let mut index = 0;
    while let Some(doc) = queue.pop_front() {
        index += 1;
        match &doc {
            Value::Null => continue,
            Value::Object(m) if m.is_empty() => continue,
            Value::Object(_) => {}
            _ => {
                return Err(Error::NotAnObject {
                    path: shown.to_path_buf(),
                    index: index - 1,
                });
            }
        }
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.ends_with("List") {
            if let Some(items) = doc.get("items") {
                match items {
                    Value::Array(items) => {
                        for item in items.iter().rev() {
                            queue.push_front(item.clone());
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
        }
        out.push(Resource::new(doc));
    }
    Ok(out)
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
    v.unwrap_or_default().iter().map(RawFieldSpec::to_spec).collect()
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

/// Loads a legacy `crds:` file: properties marked with
/// `x-kubernetes-object-ref-kind` become name references.
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
        let Some(defs) = doc.as_object() else { continue };
        for (name, def) in defs {
            // The definition name ends in the kind: `io.example.v1.MyKind`.
            let kind = name.rsplit('.').next().unwrap_or(name).to_string();
            let mut refs = Vec::new();
            crd_walk(def, &mut Vec::new(), &mut refs);
            for (path, ref_kind, ref_version) in refs {
                let spec = FieldSpec::new("", "", &kind, &path, false);
                let target = Gvk {
                    group: String::new(),
                    version: ref_version,
                    kind: ref_kind,
                };
                out.merge(&TransformerConfig {
                    name_reference: vec![NameBackRef {
                        target,
                        referrers: vec![spec],
                    }],
                    ..TransformerConfig::default()
                });
            }
        }
    }
    Ok(out)
}

fn crd_walk(def: &Value, path: &mut Vec<String>, out: &mut Vec<(String, String, String)>) {
    let Some(props) = def.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, prop) in props {
        path.push(name.clone());
        if let Some(kind) = prop.get("x-kubernetes-object-ref-kind").and_then(Value::as_str) {
            let version = prop
                .get("x-kubernetes-object-ref-api-version")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            out.push((path.join("/"), kind.to_string(), version));
        }
        crd_walk(prop, path, out);
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
}
