//! `GitRepository` (`source.toolkit.fluxcd.io` v1, v1beta2, v1beta1).
//!
//! The three versions share the fields read here; beta-only fields
//! (`gitImplementation`, `accessFrom`) are accepted and ignored, as a
//! conversion to v1 drops them.

use std::time::Duration;

use serde::Deserialize;
use weir_source::GitRef;

use crate::meta::{LocalObjectReference, ObjectMeta, parse_duration};
use crate::{ApiError, Kind};

/// The API group of `GitRepository`.
pub const SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";

/// The default of `spec.timeout`.
pub const DEFAULT_GIT_TIMEOUT: Duration = Duration::from_secs(60);

/// A Flux `GitRepository`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GitRepository {
    /// `apiVersion` as written.
    pub api_version: String,
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec`.
    pub spec: GitRepositorySpec,
}

/// `GitRepository.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GitRepositorySpec {
    /// `url`: `http(s)://` or `ssh://` (scp-style is refused, as by the CRD);
    /// Weir also accepts `file://` for local repositories.
    #[serde(default)]
    pub url: String,
    /// `secretRef`: credentials Secret in the same namespace.
    #[serde(default)]
    pub secret_ref: Option<LocalObjectReference>,
    /// `interval`: poll period (required).
    #[serde(default)]
    pub interval: String,
    /// `timeout` (no `h` unit); default 60 s.
    #[serde(default)]
    pub timeout: Option<String>,
    /// `ref`; `{branch: master}` when absent.
    #[serde(default, rename = "ref")]
    pub reference: Option<GitRepositoryRef>,
    /// `suspend`.
    #[serde(default)]
    pub suspend: bool,
    /// `ignore`: gitignore-style rules replacing the default exclusions.
    #[serde(default)]
    pub ignore: Option<String>,
    /// `provider`: `generic` (default), `aws`, `azure`, `github` (v1).
    #[serde(default)]
    pub provider: Option<String>,
    /// `verify`: commit/tag signature verification (read and validated;
    /// Weir does not verify signatures yet).
    #[serde(default)]
    pub verify: Option<GitRepositoryVerification>,
}

/// `GitRepository.spec.verify` (flux-compat §2.1, §2.6).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GitRepositoryVerification {
    /// `mode`: v1 `head`, `HEAD` (default), `Tag` or `TagAndHEAD`; the betas
    /// know only `head`, and require it.
    #[serde(default)]
    pub mode: Option<String>,
    /// `secretRef`: the trusted public keys (`*.asc` PGP keyrings, `*.sshpub`
    /// SSH keys). Required in v1, optional in the betas.
    #[serde(default)]
    pub secret_ref: Option<LocalObjectReference>,
}

impl GitRepositoryVerification {
    /// The verification mode in force: `spec.verify.mode`, else `HEAD` (the
    /// v1 default); `head` reads as `HEAD` (the same target, kept for
    /// backwards compatibility).
    pub fn mode(&self) -> &str {
        match self.mode.as_deref() {
            None | Some("head") => "HEAD",
            Some(m) => m,
        }
    }
}

/// `GitRepositoryRef` (also `ImageUpdateAutomation.spec.git.checkout.ref`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct GitRepositoryRef {
    /// `branch`.
    #[serde(default)]
    pub branch: Option<String>,
    /// `tag`.
    #[serde(default)]
    pub tag: Option<String>,
    /// `semver`: a Masterminds range over tags.
    #[serde(default)]
    pub semver: Option<String>,
    /// `name`: a full ref name (v1beta2+).
    #[serde(default)]
    pub name: Option<String>,
    /// `commit`.
    #[serde(default)]
    pub commit: Option<String>,
}

impl GitRepositoryRef {
    /// A branch reference.
    pub fn branch(name: impl Into<String>) -> Self {
        GitRepositoryRef {
            branch: Some(name.into()),
            ..Self::default()
        }
    }

    /// The ref for `weir-source` (empty strings count as unset; nothing set
    /// means branch `master`, Flux's default).
    pub fn to_git_ref(&self) -> GitRef {
        let keep = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        GitRef {
            branch: keep(&self.branch),
            tag: keep(&self.tag),
            semver: keep(&self.semver),
            name: keep(&self.name),
            commit: keep(&self.commit),
        }
    }

    /// The branch this ref follows, if it names one (`branch`, or a
    /// `refs/heads/…` `name`).
    pub fn branch_name(&self) -> Option<&str> {
        if let Some(b) = self.branch.as_deref().filter(|b| !b.is_empty()) {
            return Some(b);
        }
        self.name
            .as_deref()
            .and_then(|n| n.strip_prefix("refs/heads/"))
    }
}

impl GitRepository {
    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.metadata.namespace(), self.metadata.name)
    }

    /// The checkout ref: `spec.ref`, or `{branch: master}`.
    pub fn reference(&self) -> GitRepositoryRef {
        match &self.spec.reference {
            Some(r) if r.to_git_ref() != GitRef::default() => r.clone(),
            _ => GitRepositoryRef::branch("master"),
        }
    }

    /// `spec.timeout`, or 60 s.
    pub fn timeout(&self) -> Duration {
        self.spec
            .timeout
            .as_deref()
            .and_then(|t| parse_duration(t, false))
            .unwrap_or(DEFAULT_GIT_TIMEOUT)
    }

    /// Checks the fields the CRD schema checks.
    pub(crate) fn validate(&self) -> Result<(), ApiError> {
        let invalid = |field: &str, reason: String| ApiError::Invalid {
            kind: Kind::GitRepository,
            id: self.id(),
            field: field.to_owned(),
            reason,
        };
        let url = &self.spec.url;
        // `file://` is a Weir extension (local repositories, tests); Flux's
        // CRD accepts only the three network schemes.
        if !["http://", "https://", "ssh://", "file://"]
            .iter()
            .any(|p| url.starts_with(p))
        {
            return Err(invalid(
                "spec.url",
                format!("{url:?} must start with http://, https:// or ssh://"),
            ));
        }
        weir_source::RepoUrl::parse(url)
            .map_err(|e| invalid("spec.url", format!("{url:?}: {e}")))?;
        if parse_duration(&self.spec.interval, true).is_none() {
            return Err(invalid(
                "spec.interval",
                format!(
                    "{:?} is not a duration such as 1m or 10m0s",
                    self.spec.interval
                ),
            ));
        }
        if let Some(t) = &self.spec.timeout
            && parse_duration(t, false).is_none()
        {
            return Err(invalid(
                "spec.timeout",
                format!("{t:?} is not a duration such as 60s or 1m (no h)"),
            ));
        }
        if let Some(s) = &self.spec.secret_ref
            && s.name.is_empty()
        {
            return Err(invalid("spec.secretRef.name", "must not be empty".into()));
        }
        // CRD enum (flux-compat §2.1).
        match self.spec.provider.as_deref() {
            None | Some("" | "generic" | "aws" | "azure" | "github") => {}
            Some(other) => {
                return Err(invalid(
                    "spec.provider",
                    format!("{other:?} is not one of generic, aws, azure, github"),
                ));
            }
        }
        if let Some(v) = &self.spec.verify {
            self.validate_verify(v)?;
        }
        // `ref.semver` is a Masterminds v3 range (§2.1, §5.4).
        if let Some(range) = self
            .spec
            .reference
            .as_ref()
            .and_then(|r| r.semver.as_deref())
            && !range.is_empty()
            && let Err(e) = weir_semver::Constraints::parse(range)
        {
            return Err(invalid(
                "spec.ref.semver",
                format!("{range:?} is not a semver range: {e}"),
            ));
        }
        Ok(())
    }

    /// `spec.verify` (flux-compat §2.1, §2.6): v1 takes `mode` from `head`,
    /// `HEAD`, `Tag`, `TagAndHEAD` (default `HEAD`) and requires
    /// `secretRef.name`; v1beta2 and v1beta1 require `mode: head` and make
    /// `secretRef` optional.
    fn validate_verify(&self, v: &GitRepositoryVerification) -> Result<(), ApiError> {
        let invalid = |field: &str, reason: String| ApiError::Invalid {
            kind: Kind::GitRepository,
            id: self.id(),
            field: field.to_owned(),
            reason,
        };
        let beta = !self.api_version.ends_with("/v1");
        match (v.mode.as_deref(), beta) {
            (None, true) => {
                return Err(invalid(
                    "spec.verify.mode",
                    format!("is required in {} (head)", self.api_version),
                ));
            }
            (None | Some("head" | "HEAD" | "Tag" | "TagAndHEAD"), false) | (Some("head"), true) => {
            }
            (Some(other), false) => {
                return Err(invalid(
                    "spec.verify.mode",
                    format!("{other:?} is not one of head, HEAD, Tag, TagAndHEAD"),
                ));
            }
            (Some(other), true) => {
                return Err(invalid(
                    "spec.verify.mode",
                    format!(
                        "{other:?} is not head (the only mode of {}; HEAD, Tag and TagAndHEAD are v1)",
                        self.api_version
                    ),
                ));
            }
        }
        match &v.secret_ref {
            None if !beta => Err(invalid(
                "spec.verify.secretRef",
                "is required (the Secret with the trusted public keys)".into(),
            )),
            Some(r) if r.name.is_empty() => Err(invalid(
                "spec.verify.secretRef.name",
                "must not be empty".into(),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_precedence_and_branch() {
        let r = GitRepositoryRef {
            branch: Some("main".into()),
            tag: Some("".into()),
            ..Default::default()
        };
        let g = r.to_git_ref();
        assert_eq!(g.branch.as_deref(), Some("main"));
        assert_eq!(g.tag, None);
        assert_eq!(r.branch_name(), Some("main"));
        let n = GitRepositoryRef {
            name: Some("refs/heads/dev".into()),
            ..Default::default()
        };
        assert_eq!(n.branch_name(), Some("dev"));
    }
}
