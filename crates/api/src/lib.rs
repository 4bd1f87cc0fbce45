//! Flux-compatible object types for Weir (layer 2: the API over the I/O
//! adapters; not pure — conversions produce `weir-source` and
//! `weir-registry` configurations).
//!
//! Plain serde types (no kube yet) for the kinds the image update loop reads:
//!
//! | kind | group | versions |
//! | --- | --- | --- |
//! | [`GitRepository`] | `source.toolkit.fluxcd.io` | v1, v1beta2, v1beta1 |
//! | [`ImageRepository`] | `image.toolkit.fluxcd.io` | v1, v1beta2, v1beta1 |
//! | [`ImagePolicy`] | `image.toolkit.fluxcd.io` | v1, v1beta2, v1beta1 |
//! | [`ImageUpdateAutomation`] | `image.toolkit.fluxcd.io` | v1, v1beta2, v1beta1 |
//! | [`Secret`] | core | v1 |
//!
//! One type per kind reads every version (v1 is a superset of the betas for
//! the fields Weir uses; removed beta fields are accepted and ignored).
//! [`Object::from_value`] recognises the kind, checks the version, applies
//! the CRD's validation (durations, URLs, enums, required fields) and
//! returns `None` for kinds it does not own. Defaults are methods
//! ([`GitRepository::reference`], [`ImageRepository::exclusion_list`],
//! [`ImageUpdateAutomation::push_branch`], …) so the spec keeps what was
//! written. Conversions: [`GitRepositoryRef::to_git_ref`],
//! [`ImagePolicy::policy_spec`], [`ImageRepository::exclusions`],
//! [`Secret::git_credentials`], [`Secret::docker_config`].
//!
//! ```
//! use weir_api::Object;
//! let doc = serde_json::json!({
//!     "apiVersion": "image.toolkit.fluxcd.io/v1beta1",
//!     "kind": "ImagePolicy",
//!     "metadata": {"name": "front-end", "namespace": "flux-system"},
//!     "spec": {
//!         "imageRepositoryRef": {"name": "front-end"},
//!         "filterTags": {"pattern": "^main-[a-f0-9]+-(?P<n>.*)", "extract": "$n"},
//!         "policy": {"numerical": {"order": "asc"}}
//!     }
//! });
//! let Some(Object::ImagePolicy(policy)) = Object::from_value(&doc)? else { unreachable!() };
//! assert_eq!(policy.repository(), ("flux-system".to_owned(), "front-end".to_owned()));
//! let spec = policy.policy_spec()?;
//! let chosen = weir_imagepolicy::Policy::new(&spec)?.latest(["main-abc-9", "main-abc-10"])?;
//! assert_eq!(chosen, "main-abc-10");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod git;
mod image;
mod meta;
mod secret;

use std::fmt;

pub use git::{
    DEFAULT_GIT_TIMEOUT, GitRepository, GitRepositoryRef, GitRepositorySpec,
    GitRepositoryVerification, SOURCE_GROUP,
};
pub use image::{
    CommitSpec, CommitUser, DEFAULT_EXCLUSION_LIST, GitCheckout, GitSpec, IMAGE_GROUP, ImagePolicy,
    ImagePolicyChoice, ImagePolicySpec, ImageRepository, ImageRepositorySpec,
    ImageUpdateAutomation, ImageUpdateAutomationSpec, LabelSelector, LabelSelectorRequirement,
    MAX_EXCLUSIONS, OrderPolicy, Provider, PushSpec, SemverPolicy, SourceReference, TagFilter,
    UpdateStrategy,
};
pub use meta::{
    DEFAULT_NAMESPACE, LocalObjectReference, NamespacedObjectReference, ObjectMeta, parse_duration,
};
pub use secret::Secret;

/// The versions read for the Flux kinds.
pub const FLUX_VERSIONS: [&str; 3] = ["v1", "v1beta2", "v1beta1"];

/// The kinds this crate owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `source.toolkit.fluxcd.io` GitRepository.
    GitRepository,
    /// `image.toolkit.fluxcd.io` ImageRepository.
    ImageRepository,
    /// `image.toolkit.fluxcd.io` ImagePolicy.
    ImagePolicy,
    /// `image.toolkit.fluxcd.io` ImageUpdateAutomation.
    ImageUpdateAutomation,
    /// core/v1 Secret.
    Secret,
}

impl Kind {
    /// The kind's name as in `kind:`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::GitRepository => "GitRepository",
            Kind::ImageRepository => "ImageRepository",
            Kind::ImagePolicy => "ImagePolicy",
            Kind::ImageUpdateAutomation => "ImageUpdateAutomation",
            Kind::Secret => "Secret",
        }
    }

    /// The API group (`""` for core).
    pub fn group(self) -> &'static str {
        match self {
            Kind::GitRepository => SOURCE_GROUP,
            Kind::Secret => "",
            _ => IMAGE_GROUP,
        }
    }

    fn from_name(kind: &str) -> Option<Kind> {
        Some(match kind {
            "GitRepository" => Kind::GitRepository,
            "ImageRepository" => Kind::ImageRepository,
            "ImagePolicy" => Kind::ImagePolicy,
            "ImageUpdateAutomation" => Kind::ImageUpdateAutomation,
            "Secret" => Kind::Secret,
            _ => return None,
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a document could not be read as one of the kinds.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The kind is ours but the version is not one we read.
    #[error("{kind} {id}: unsupported apiVersion {api_version:?} (expected {} with version v1, v1beta2 or v1beta1)", if kind.group().is_empty() { "v1".to_owned() } else { kind.group().to_owned() })]
    UnsupportedVersion {
        /// The kind.
        kind: Kind,
        /// `namespace/name`.
        id: String,
        /// The apiVersion found.
        api_version: String,
    },
    /// `metadata.name` is missing or empty.
    #[error("{kind} without metadata.name")]
    MissingName {
        /// The kind.
        kind: Kind,
    },
    /// A field has the wrong type.
    #[error("{kind} {id}: does not match the schema")]
    Schema {
        /// The kind.
        kind: Kind,
        /// `namespace/name`.
        id: String,
        /// serde's description (field and expected type).
        #[source]
        source: serde_json::Error,
    },
    /// A field has a value the CRD refuses.
    #[error("{kind} {id}: {field}: {reason}")]
    Invalid {
        /// The kind.
        kind: Kind,
        /// `namespace/name`.
        id: String,
        /// The field path, e.g. `spec.interval`.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The ImagePolicy's rules do not compile (bad regex, range or order).
    #[error("ImagePolicy {id}: {field}: invalid policy")]
    Policy {
        /// `namespace/name`.
        id: String,
        /// The field at fault, e.g. `spec.filterTags.pattern`.
        field: String,
        /// The engine's error.
        #[source]
        source: weir_imagepolicy::Error,
    },
    /// A dockerconfigjson Secret's content is malformed.
    #[error("Secret {id}: invalid Docker config")]
    DockerConfig {
        /// `namespace/name`.
        id: String,
        /// The parse error.
        #[source]
        source: weir_registry::DockerConfigError,
    },
}

impl ApiError {
    /// The kind the error is about, when known.
    pub fn kind(&self) -> Option<Kind> {
        match self {
            ApiError::UnsupportedVersion { kind, .. }
            | ApiError::MissingName { kind }
            | ApiError::Schema { kind, .. }
            | ApiError::Invalid { kind, .. } => Some(*kind),
            ApiError::Policy { .. } => Some(Kind::ImagePolicy),
            ApiError::DockerConfig { .. } => Some(Kind::Secret),
        }
    }
}

/// One object of a kind this crate owns.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "a handful of objects per directory, read once; boxing would only obscure matches"
)]
#[non_exhaustive]
pub enum Object {
    /// A GitRepository.
    GitRepository(GitRepository),
    /// An ImageRepository.
    ImageRepository(ImageRepository),
    /// An ImagePolicy.
    ImagePolicy(ImagePolicy),
    /// An ImageUpdateAutomation.
    ImageUpdateAutomation(ImageUpdateAutomation),
    /// A Secret.
    Secret(Secret),
}

impl Object {
    /// The kind.
    pub fn kind(&self) -> Kind {
        match self {
            Object::GitRepository(_) => Kind::GitRepository,
            Object::ImageRepository(_) => Kind::ImageRepository,
            Object::ImagePolicy(_) => Kind::ImagePolicy,
            Object::ImageUpdateAutomation(_) => Kind::ImageUpdateAutomation,
            Object::Secret(_) => Kind::Secret,
        }
    }

    /// The metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Object::GitRepository(o) => &o.metadata,
            Object::ImageRepository(o) => &o.metadata,
            Object::ImagePolicy(o) => &o.metadata,
            Object::ImageUpdateAutomation(o) => &o.metadata,
            Object::Secret(o) => &o.metadata,
        }
    }

    /// Reads one document. `Ok(None)` when it is not one of our kinds (by
    /// kind name and API group); an error when it is ours but unreadable or
    /// invalid.
    pub fn from_value(value: &serde_json::Value) -> Result<Option<Object>, ApiError> {
        let api_version = value
            .get("apiVersion")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let Some(kind) = value
            .get("kind")
            .and_then(serde_json::Value::as_str)
            .and_then(Kind::from_name)
        else {
            return Ok(None);
        };
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        if group != kind.group() {
            return Ok(None);
        }
        let metadata: ObjectMeta = match value.get("metadata") {
            Some(m) => serde_json::from_value(m.clone()).map_err(|source| ApiError::Schema {
                kind,
                id: "(metadata)".into(),
                source,
            })?,
            None => ObjectMeta::default(),
        };
        if metadata.name.is_empty() {
            return Err(ApiError::MissingName { kind });
        }
        let id = format!("{}/{}", metadata.namespace(), metadata.name);
        let supported = if kind == Kind::Secret {
            version == "v1"
        } else {
            FLUX_VERSIONS.contains(&version)
        };
        if !supported {
            return Err(ApiError::UnsupportedVersion {
                kind,
                id,
                api_version: api_version.to_owned(),
            });
        }
        if kind == Kind::Secret {
            return Secret::from_value(value, metadata).map(|s| Some(Object::Secret(s)));
        }
        let mut doc = value.clone();
        if let Some(map) = doc.as_object_mut() {
            // A missing spec reads as an empty one; validation names the
            // first required field.
            map.entry("spec").or_insert_with(|| serde_json::json!({}));
            if map.get("spec").is_some_and(serde_json::Value::is_null) {
                map.insert("spec".into(), serde_json::json!({}));
            }
        }
        let schema = |source| ApiError::Schema {
            kind,
            id: id.clone(),
            source,
        };
        let object = match kind {
            Kind::GitRepository => {
                let o: GitRepository = serde_json::from_value(doc).map_err(schema)?;
                o.validate()?;
                Object::GitRepository(o)
            }
            Kind::ImageRepository => {
                let o: ImageRepository = serde_json::from_value(doc).map_err(schema)?;
                o.validate()?;
                Object::ImageRepository(o)
            }
            Kind::ImagePolicy => {
                let o: ImagePolicy = serde_json::from_value(doc).map_err(schema)?;
                o.validate()?;
                Object::ImagePolicy(o)
            }
            Kind::ImageUpdateAutomation => {
                let o: ImageUpdateAutomation = serde_json::from_value(doc).map_err(schema)?;
                o.validate()?;
                Object::ImageUpdateAutomation(o)
            }
            Kind::Secret => return Ok(None),
        };
        Ok(Some(object))
    }
}

#[cfg(test)]
mod tests;
