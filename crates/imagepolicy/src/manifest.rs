//! Reading `ImagePolicy` manifests (`image.toolkit.fluxcd.io` v1beta1, v1beta2, v1).
//!
//! The three versions share the fields this crate needs (`spec.filterTags`,
//! `spec.policy`, `spec.imageRepositoryRef`). Other fields are ignored. A file
//! may hold several YAML documents; exactly one must be an ImagePolicy.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::policy::{Choice, FilterTags, PolicySpec};

/// The API group of Flux's image automation kinds.
pub const GROUP: &str = "image.toolkit.fluxcd.io";
/// The ImagePolicy versions we read.
pub const VERSIONS: [&str; 3] = ["v1", "v1beta2", "v1beta1"];

/// An ImagePolicy read from a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePolicyManifest {
    /// `apiVersion`, e.g. `image.toolkit.fluxcd.io/v1beta1`.
    pub api_version: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// `spec.imageRepositoryRef.name`, if set.
    pub image_repository: Option<String>,
    /// The selection rules.
    pub spec: PolicySpec,
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// The YAML is malformed or a field has the wrong type.
    #[error("{}: invalid ImagePolicy YAML{}", file.display(), at(*line, *column))]
    Yaml {
        /// The manifest file.
        file: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// The parser's error.
        #[source]
        source: serde_norway::Error,
    },
    /// No document in the file is an ImagePolicy.
    #[error("{}: no ImagePolicy document (found: {})", file.display(), if found.is_empty() { "nothing".to_owned() } else { found.join(", ") })]
    NoImagePolicy {
        /// The manifest file.
        file: PathBuf,
        /// `apiVersion kind` of each document found.
        found: Vec<String>,
    },
    /// More than one ImagePolicy document.
    #[error("{}: {} ImagePolicy documents ({}); give a file with one", file.display(), names.len(), names.join(", "))]
    SeveralImagePolicies {
        /// The manifest file.
        file: PathBuf,
        /// Their names.
        names: Vec<String>,
    },
    /// `kind: ImagePolicy` with an apiVersion we do not read.
    #[error("{}: document {document}: unsupported apiVersion {api_version:?} for ImagePolicy (expected {GROUP}/v1, v1beta2 or v1beta1)", file.display())]
    UnsupportedApiVersion {
        /// The manifest file.
        file: PathBuf,
        /// 1-based document number in the file.
        document: usize,
        /// The apiVersion found.
        api_version: String,
    },
    /// A field has a value the ImagePolicy CRD refuses.
    #[error("{}: ImagePolicy {name:?}: {field}: {reason}", file.display())]
    Invalid {
        /// The manifest file.
        file: PathBuf,
        /// `metadata.name`.
        name: String,
        /// The field path, e.g. `spec.policy.alphabetical.order`.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// `spec.policy` sets none of `semver`, `alphabetical`, `numerical`.
    #[error("{}: ImagePolicy {name:?}: spec.policy must set one of semver, alphabetical or numerical", file.display())]
    NoPolicy {
        /// The manifest file.
        file: PathBuf,
        /// `metadata.name`.
        name: String,
    },
}

fn at(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l} column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawDoc {
    api_version: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    metadata: RawMeta,
    spec: Option<RawSpec>,
}

#[derive(Deserialize, Default)]
struct RawMeta {
    name: Option<String>,
    namespace: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawSpec {
    image_repository_ref: Option<RawRef>,
    filter_tags: Option<RawFilter>,
    policy: Option<RawPolicy>,
}

#[derive(Deserialize, Default)]
struct RawRef {
    name: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawFilter {
    pattern: Option<String>,
    extract: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawPolicy {
    semver: Option<RawSemver>,
    alphabetical: Option<RawOrder>,
    numerical: Option<RawOrder>,
}

#[derive(Deserialize, Default)]
struct RawSemver {
    #[serde(default)]
    range: String,
}

#[derive(Deserialize, Default)]
struct RawOrder {
    #[serde(default)]
    order: String,
}

/// Reads the ImagePolicy in `text`; `file` names the source in errors.
pub fn parse(text: &str, file: &Path) -> Result<ImagePolicyManifest, ManifestError> {
    let yaml_error = |source: serde_norway::Error| {
        let loc = source.location();
        ManifestError::Yaml {
            file: file.to_owned(),
            line: loc.as_ref().map(|l| l.line()),
            column: loc.as_ref().map(|l| l.column()),
            source,
        }
    };
    let mut found = Vec::new();
    let mut policies = Vec::new();
    for (index, document) in serde_norway::Deserializer::from_str(text).enumerate() {
        let doc = match Option::<RawDoc>::deserialize(document).map_err(yaml_error)? {
            Some(doc) => doc,
            None => continue, // an empty document
        };
        let api_version = doc.api_version.clone().unwrap_or_default();
        let kind = doc.kind.clone().unwrap_or_default();
        if kind != "ImagePolicy" {
            found.push(format!("{api_version} {kind}").trim().to_owned());
            continue;
        }
        let supported = api_version
            .split_once('/')
            .is_some_and(|(g, v)| g == GROUP && VERSIONS.contains(&v));
        if !supported {
            return Err(ManifestError::UnsupportedApiVersion {
                file: file.to_owned(),
                document: index + 1,
                api_version,
            });
        }
        policies.push((api_version, doc));
    }
    let (api_version, doc) = match policies.len() {
        0 => {
            return Err(ManifestError::NoImagePolicy {
                file: file.to_owned(),
                found,
            });
        }
        1 => policies.remove(0),
        _ => {
            return Err(ManifestError::SeveralImagePolicies {
                file: file.to_owned(),
                names: policies
                    .iter()
                    .map(|(_, d)| d.metadata.name.clone().unwrap_or_default())
                    .collect(),
            });
        }
    };
    let name = doc.metadata.name.clone().unwrap_or_default();
    let spec = doc.spec.unwrap_or_default();
    let policy = spec.policy.unwrap_or_default();
    // The CRD enum for `order` is lower case only (flux-compat §5.5); the
    // engine itself, like Flux's code, takes any case (`--alphabetical ASC`).
    for (kind, order) in [
        ("alphabetical", &policy.alphabetical),
        ("numerical", &policy.numerical),
    ] {
        if let Some(RawOrder { order }) = order
            && !matches!(order.as_str(), "" | "asc" | "desc")
        {
            return Err(ManifestError::Invalid {
                file: file.to_owned(),
                name,
                field: format!("spec.policy.{kind}.order"),
                reason: format!("{order:?} is not one of asc, desc"),
            });
        }
    }
    // Flux's precedence when several are set: semver, alphabetical, numerical.
    let choice = if let Some(s) = policy.semver {
        Choice::Semver { range: s.range }
    } else if let Some(a) = policy.alphabetical {
        Choice::Alphabetical { order: a.order }
    } else if let Some(n) = policy.numerical {
        Choice::Numerical { order: n.order }
    } else {
        return Err(ManifestError::NoPolicy {
            file: file.to_owned(),
            name,
        });
    };
    let filter_tags = spec.filter_tags.map(|f| FilterTags {
        pattern: f.pattern.unwrap_or_default(),
        extract: f.extract.unwrap_or_default(),
    });
    Ok(ImagePolicyManifest {
        api_version,
        name,
        namespace: doc.metadata.namespace,
        image_repository: spec.image_repository_ref.and_then(|r| r.name),
        spec: PolicySpec {
            filter_tags,
            choice,
        },
    })
}
