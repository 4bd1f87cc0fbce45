//! Loading Flux objects from a directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use weir_api::{
    GitRepository, ImagePolicy, ImageRepository, ImageUpdateAutomation, Kind, Object, Secret,
};

/// `(namespace, name)`.
pub type Key = (String, String);

/// The Flux objects of a directory, by kind and `(namespace, name)`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FluxObjects {
    /// GitRepositories.
    pub git_repositories: BTreeMap<Key, GitRepository>,
    /// ImageRepositories.
    pub image_repositories: BTreeMap<Key, ImageRepository>,
    /// ImagePolicies.
    pub image_policies: BTreeMap<Key, ImagePolicy>,
    /// ImageUpdateAutomations.
    pub automations: BTreeMap<Key, ImageUpdateAutomation>,
    /// Secrets.
    pub secrets: BTreeMap<Key, Secret>,
    /// Fields that are set but that Weir does not act on yet
    /// (`Kind namespace/name: spec.field …`); see [`UNSUPPORTED_FIELDS`].
    pub unsupported: Vec<String>,
}

/// Fields of the Flux kinds Weir reads but does not act on yet: `(kind,
/// JSON pointer, what happens instead)`. flux-compat.md marks them **A**
/// ("implement later or accept-and-ignore with a warning"); a set one gives
/// a warning rather than being dropped silently.
pub const UNSUPPORTED_FIELDS: &[(&str, &str, &str)] = &[
    (
        "GitRepository",
        "/spec/include",
        "no artifacts are included",
    ),
    ("GitRepository", "/spec/verify", "commits are not verified"),
    (
        "GitRepository",
        "/spec/recurseSubmodules",
        "submodules are not fetched",
    ),
    (
        "GitRepository",
        "/spec/sparseCheckout",
        "the whole tree is checked out",
    ),
    ("GitRepository", "/spec/proxySecretRef", "no proxy is used"),
    ("GitRepository", "/spec/serviceAccountName", "ignored"),
    (
        "ImageRepository",
        "/spec/proxySecretRef",
        "no proxy is used",
    ),
    ("ImageRepository", "/spec/serviceAccountName", "ignored"),
];

/// Whether a JSON value counts as set: not null, `false`, `""`, `[]` or `{}`.
fn is_set(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null | serde_json::Value::Bool(false) => false,
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// Warnings for the [`UNSUPPORTED_FIELDS`] set in `doc`.
fn unsupported_fields(doc: &serde_json::Value, kind: Kind, id: &str) -> Vec<String> {
    let kind = kind.to_string();
    let mut out = Vec::new();
    for (k, pointer, instead) in UNSUPPORTED_FIELDS {
        if *k == kind && doc.pointer(pointer).is_some_and(is_set) {
            let field = pointer.trim_start_matches('/').replace('/', ".");
            out.push(format!(
                "{kind} {id}: {field} is not supported by weir yet ({instead})"
            ));
        }
    }
    if kind == "GitRepository"
        && let Some(p) = doc.pointer("/spec/provider").and_then(|p| p.as_str())
        && !matches!(p, "" | "generic")
    {
        out.push(format!(
            "{kind} {id}: spec.provider {p:?} is not supported by weir yet (the secretRef credentials are used)"
        ));
    }
    out
}

/// Why a directory's objects could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The path is not a readable directory.
    #[error("{path} is not a directory")]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The directory could not be walked.
    #[error("cannot read directory {path}")]
    Walk {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid YAML.
    #[error("{path}: invalid YAML")]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: weir_yaml::Error,
    },
    /// The directory's kustomization does not build.
    #[error("building the kustomization in {dir}")]
    Kustomize {
        /// The directory.
        dir: PathBuf,
        /// The build error.
        #[source]
        source: weir_kustomize::Error,
    },
    /// The kustomize file system could not be set up.
    #[error("reading {dir}")]
    FileSystem {
        /// The directory.
        dir: PathBuf,
        /// The error.
        #[source]
        source: weir_kustomize::fs::Error,
    },
    /// A document of one of our kinds is invalid.
    #[error("{origin}")]
    Object {
        /// The file, or `kustomize build DIR`.
        origin: String,
        /// What is wrong (boxed: `ApiError` is large).
        #[source]
        source: Box<weir_api::ApiError>,
    },
    /// Two objects share kind, namespace and name.
    #[error("duplicate {kind} {namespace}/{name} ({first} and {second})")]
    Duplicate {
        /// The kind.
        kind: Kind,
        /// The namespace.
        namespace: String,
        /// The name.
        name: String,
        /// Where the first one was found.
        first: String,
        /// Where the second one was found.
        second: String,
    },
}

const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Whether `dir` holds a kustomization file.
pub fn has_kustomization(dir: &Path) -> bool {
    KUSTOMIZATION_FILES.iter().any(|f| dir.join(f).is_file())
}

/// Loads the Flux objects of `dir`: when it holds a kustomization, from the
/// output of the kustomize engine (load restrictor `rootonly`); otherwise
/// from every YAML document of every `*.yaml`/`*.yml` file under it (hidden
/// directories skipped). Other kinds are ignored; two objects with the same
/// kind, namespace and name are an error.
pub fn load_dir(dir: &Path) -> Result<FluxObjects, LoadError> {
    if !dir.is_dir() {
        return Err(LoadError::NotADirectory {
            path: dir.to_owned(),
        });
    }
    let mut docs: Vec<(String, serde_json::Value)> = Vec::new();
    if has_kustomization(dir) {
        let fs = weir_kustomize::fs::DiskFs::new("/").map_err(|source| LoadError::FileSystem {
            dir: dir.to_owned(),
            source,
        })?;
        let out = weir_kustomize::build(&fs, dir, &weir_kustomize::Options::default()).map_err(
            |source| LoadError::Kustomize {
                dir: dir.to_owned(),
                source,
            },
        )?;
        let origin = format!("kustomize build {}", dir.display());
        docs.extend(
            out.resources
                .into_iter()
                .map(|r| (origin.clone(), r.into_object())),
        );
    } else {
        let walk = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            let entry = entry.map_err(|e| LoadError::Walk {
                path: e.path().unwrap_or(dir).to_owned(),
                source: e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("filesystem loop")),
            })?;
            let name = entry.file_name().to_string_lossy();
            if !entry.file_type().is_file() || !(name.ends_with(".yaml") || name.ends_with(".yml"))
            {
                continue;
            }
            let path = entry.path();
            let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
                path: path.to_owned(),
                source,
            })?;
            let parsed = weir_yaml::parse_documents(&text).map_err(|source| LoadError::Yaml {
                path: path.to_owned(),
                source,
            })?;
            let origin = path.display().to_string();
            docs.extend(parsed.into_iter().map(|d| (origin.clone(), d)));
        }
    }
    collect(docs)
}

/// Sorts documents into [`FluxObjects`] (also used for in-memory inputs).
pub fn collect(
    docs: impl IntoIterator<Item = (String, serde_json::Value)>,
) -> Result<FluxObjects, LoadError> {
    let mut objects = FluxObjects::default();
    let mut seen: BTreeMap<(Kind, String, String), String> = BTreeMap::new();
    for (origin, doc) in docs {
        let object = match Object::from_value(&doc) {
            Ok(Some(o)) => o,
            Ok(None) => continue,
            Err(source) => {
                return Err(LoadError::Object {
                    origin,
                    source: Box::new(source),
                });
            }
        };
        let meta = object.metadata();
        let key = (meta.namespace().to_owned(), meta.name.clone());
        let id = (object.kind(), key.0.clone(), key.1.clone());
        if let Some(first) = seen.get(&id) {
            return Err(LoadError::Duplicate {
                kind: id.0,
                namespace: id.1,
                name: id.2,
                first: first.clone(),
                second: origin,
            });
        }
        seen.insert(id, origin);
        objects.unsupported.extend(unsupported_fields(
            &doc,
            object.kind(),
            &format!("{}/{}", key.0, key.1),
        ));
        match object {
            Object::GitRepository(o) => {
                objects.git_repositories.insert(key, o);
            }
            Object::ImageRepository(o) => {
                objects.image_repositories.insert(key, o);
            }
            Object::ImagePolicy(o) => {
                objects.image_policies.insert(key, o);
            }
            Object::ImageUpdateAutomation(o) => {
                objects.automations.insert(key, o);
            }
            Object::Secret(o) => {
                objects.secrets.insert(key, o);
            }
            _ => {}
        }
    }
    Ok(objects)
}

impl FluxObjects {
    /// Whether no object of our kinds was found.
    pub fn is_empty(&self) -> bool {
        self.git_repositories.is_empty()
            && self.image_repositories.is_empty()
            && self.image_policies.is_empty()
            && self.automations.is_empty()
            && self.secrets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Advanced fields Weir ignores are reported, not dropped silently.
    #[test]
    fn unsupported_fields_are_listed() {
        let docs = vec![
            serde_json::json!({
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "GitRepository",
                "metadata": {"name": "app", "namespace": "ns"},
                "spec": {
                    "url": "https://example.com/app.git", "interval": "1m",
                    "include": [{"repository": {"name": "other"}}],
                    "recurseSubmodules": false,
                    "provider": "github"
                }
            }),
            serde_json::json!({
                "apiVersion": "image.toolkit.fluxcd.io/v1",
                "kind": "ImageRepository",
                "metadata": {"name": "app", "namespace": "ns"},
                "spec": {"image": "ghcr.io/a/b", "interval": "1m", "certSecretRef": {"name": "ca"}, "proxySecretRef": {"name": "p"}}
            }),
        ];
        let objects = collect(docs.into_iter().map(|d| ("t".to_owned(), d))).unwrap();
        assert_eq!(
            objects.unsupported,
            [
                "GitRepository ns/app: spec.include is not supported by weir yet (no artifacts are included)",
                "GitRepository ns/app: spec.provider \"github\" is not supported by weir yet (the secretRef credentials are used)",
                "ImageRepository ns/app: spec.proxySecretRef is not supported by weir yet (no proxy is used)",
            ]
        );
        let key = ("ns".to_owned(), "app".to_owned());
        assert_eq!(
            objects.image_repositories[&key].cert_secret_name(),
            Some("ca")
        );
    }

    const POLICY: &str = "apiVersion: image.toolkit.fluxcd.io/v1beta1\nkind: ImagePolicy\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  imageRepositoryRef:\n    name: app\n  policy:\n    numerical:\n      order: asc\n";
    const REPO: &str = "apiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: ImageRepository\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  image: ghcr.io/acme/app\n  interval: 1m\n";

    #[test]
    fn plain_directory_reads_every_document_and_ignores_other_kinds() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "a.yaml",
            &format!("{POLICY}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"),
        );
        write(d.path(), "sub/repo.yml", REPO);
        write(d.path(), ".hidden/x.yaml", "not: [valid");
        write(d.path(), "notes.txt", "ignored");
        let o = load_dir(d.path()).unwrap();
        assert_eq!(o.image_policies.len(), 1);
        assert_eq!(o.image_repositories.len(), 1);
        assert!(
            o.image_policies
                .contains_key(&("flux-system".into(), "app".into()))
        );
    }

    #[test]
    fn kustomization_is_rendered() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "policy.yaml", POLICY);
        write(d.path(), "repo.yaml", REPO);
        write(
            d.path(),
            "unlisted.yaml",
            "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: other\n",
        );
        write(
            d.path(),
            "kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: team\nresources:\n- policy.yaml\n- repo.yaml\n",
        );
        let o = load_dir(d.path()).unwrap();
        assert_eq!(
            o.image_policies.len(),
            1,
            "only what the kustomization lists"
        );
        assert!(
            o.image_policies
                .contains_key(&("team".into(), "app".into()))
        );
    }

    #[test]
    fn duplicates_and_invalid_objects_are_errors() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "a.yaml", POLICY);
        write(d.path(), "b.yaml", POLICY);
        let e = load_dir(d.path()).unwrap_err().to_string();
        assert!(
            e.starts_with("duplicate ImagePolicy flux-system/app (") && e.contains("a.yaml and "),
            "{e}"
        );
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "a.yaml", &POLICY.replace("numerical", "sorted"));
        let e = load_dir(d.path()).unwrap_err();
        assert!(e.to_string().ends_with("a.yaml"), "{e}");
        let src = std::error::Error::source(&e).unwrap().to_string();
        assert_eq!(
            src,
            "ImagePolicy flux-system/app: spec.policy: must set one of semver, alphabetical or numerical"
        );
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "a.yaml", "a: [");
        assert!(matches!(load_dir(d.path()), Err(LoadError::Yaml { .. })));
        assert!(matches!(
            load_dir(&d.path().join("missing")),
            Err(LoadError::NotADirectory { .. })
        ));
    }
}
