//! `ImageRepository`, `ImagePolicy` and `ImageUpdateAutomation`
//! (`image.toolkit.fluxcd.io` v1, v1beta2, v1beta1).
//!
//! v1 is a superset of the betas for every field read here, so one type per
//! kind reads all three versions; `apiVersion` is kept as written.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use weir_imagepolicy::{Choice, FilterTags, PolicySpec};

use crate::git::GitRepositoryRef;
use crate::meta::{LocalObjectReference, NamespacedObjectReference, ObjectMeta, parse_duration};
use crate::{ApiError, Kind};

/// The API group of the image automation kinds.
pub const IMAGE_GROUP: &str = "image.toolkit.fluxcd.io";

/// The default `exclusionList` of an ImageRepository.
pub const DEFAULT_EXCLUSION_LIST: &str = "^.*\\.sig$";

/// The most entries `exclusionList` may have (CRD limit).
pub const MAX_EXCLUSIONS: usize = 25;

fn invalid(kind: Kind, id: String, field: &str, reason: impl Into<String>) -> ApiError {
    ApiError::Invalid {
        kind,
        id,
        field: field.to_owned(),
        reason: reason.into(),
    }
}

fn check_interval(kind: Kind, id: &str, field: &str, value: &str) -> Result<(), ApiError> {
    if parse_duration(value, true).is_none() {
        return Err(invalid(
            kind,
            id.to_owned(),
            field,
            format!("{value:?} is not a duration such as 1m or 10m0s"),
        ));
    }
    Ok(())
}

/// A Flux `ImageRepository`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageRepository {
    /// `apiVersion` as written.
    pub api_version: String,
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec`.
    pub spec: ImageRepositorySpec,
}

/// `ImageRepository.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageRepositorySpec {
    /// `image`: repository without scheme, tag or digest.
    #[serde(default)]
    pub image: String,
    /// `interval`: scan period.
    #[serde(default)]
    pub interval: String,
    /// `timeout` (no `h`); defaults to the interval, at least 1 s.
    #[serde(default)]
    pub timeout: Option<String>,
    /// `secretRef`: a `kubernetes.io/dockerconfigjson` Secret.
    #[serde(default)]
    pub secret_ref: Option<LocalObjectReference>,
    /// `provider`: `generic` (default), `aws`, `azure`, `gcp` (v1beta2+).
    #[serde(default)]
    pub provider: Option<String>,
    /// `insecure`: allow plain HTTP (v1beta2+).
    #[serde(default)]
    pub insecure: bool,
    /// `exclusionList`; `["^.*\\.sig$"]` when unset.
    #[serde(default)]
    pub exclusion_list: Option<Vec<String>>,
    /// `certSecretRef`: a Secret (`Opaque` or `kubernetes.io/tls`)
    /// with `ca.crt` (added to the system roots) and/or `tls.crt` + `tls.key`
    /// (client certificate for mutual TLS, both or neither); legacy `caFile`,
    /// `certFile`, `keyFile` keys are read too.
    #[serde(default)]
    pub cert_secret_ref: Option<LocalObjectReference>,
    /// `suspend`.
    #[serde(default)]
    pub suspend: bool,
}

/// How an ImageRepository logs in to its registry (`spec.provider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Provider {
    /// Docker config from `secretRef`, or anonymous.
    Generic,
    /// Amazon ECR.
    Aws,
    /// Azure ACR (not supported by Weir yet).
    Azure,
    /// Google GCR / Artifact Registry (not supported by Weir yet).
    Gcp,
}

impl ImageRepository {
    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.metadata.namespace(), self.metadata.name)
    }

    /// `spec.provider` (unset or empty = generic).
    pub fn provider(&self) -> Provider {
        match self.spec.provider.as_deref() {
            Some("aws") => Provider::Aws,
            Some("azure") => Provider::Azure,
            Some("gcp") => Provider::Gcp,
            _ => Provider::Generic,
        }
    }

    /// Whether `spec.provider` was set at all (the legacy
    /// `--aws-autologin-for-ecr` only applies when it was not).
    pub fn provider_is_set(&self) -> bool {
        self.spec.provider.as_deref().is_some_and(|p| !p.is_empty())
    }

    /// The exclusion patterns in force.
    pub fn exclusion_list(&self) -> Vec<String> {
        match &self.spec.exclusion_list {
            Some(list) => list.clone(),
            None => vec![DEFAULT_EXCLUSION_LIST.to_owned()],
        }
    }

    /// The exclusions compiled for `weir-registry` (Go regexps, as in Flux).
    pub fn exclusions(&self) -> Result<weir_registry::Exclusions, ApiError> {
        weir_registry::Exclusions::new(self.exclusion_list()).map_err(|e| {
            invalid(
                Kind::ImageRepository,
                self.id(),
                "spec.exclusionList",
                format!(
                    "{:?} is not a valid Go regular expression: {}",
                    e.pattern, e.source
                ),
            )
        })
    }

    /// `spec.certSecretRef.name`, when set.
    pub fn cert_secret_name(&self) -> Option<&str> {
        self.spec
            .cert_secret_ref
            .as_ref()
            .map(|r| r.name.as_str())
            .filter(|n| !n.is_empty())
    }

    /// The scan timeout: `spec.timeout`, else the interval, at least 1 s.
    pub fn timeout(&self) -> Duration {
        let t = self
            .spec
            .timeout
            .as_deref()
            .and_then(|t| parse_duration(t, false))
            .or_else(|| parse_duration(&self.spec.interval, true))
            .unwrap_or(Duration::from_secs(60));
        t.max(Duration::from_secs(1))
    }

    /// The scan interval.
    pub fn interval(&self) -> Duration {
        parse_duration(&self.spec.interval, true).unwrap_or(Duration::from_secs(60))
    }

    pub(crate) fn validate(&self) -> Result<(), ApiError> {
        let k = Kind::ImageRepository;
        weir_registry::ImageRef::parse(&self.spec.image).map_err(|e| {
            invalid(
                k,
                self.id(),
                "spec.image",
                format!("{:?}: {e}", self.spec.image),
            )
        })?;
        check_interval(k, &self.id(), "spec.interval", &self.spec.interval)?;
        if let Some(t) = &self.spec.timeout
            && parse_duration(t, false).is_none()
        {
            return Err(invalid(
                k,
                self.id(),
                "spec.timeout",
                format!("{t:?} is not a duration such as 60s or 1m (no h)"),
            ));
        }
        match self.spec.provider.as_deref() {
            None | Some("" | "generic" | "aws" | "azure" | "gcp") => {}
            Some(other) => {
                return Err(invalid(
                    k,
                    self.id(),
                    "spec.provider",
                    format!("{other:?} is not one of generic, aws, azure, gcp"),
                ));
            }
        }
        if let Some(list) = &self.spec.exclusion_list
            && list.len() > MAX_EXCLUSIONS
        {
            return Err(invalid(
                k,
                self.id(),
                "spec.exclusionList",
                format!("{} entries; at most {MAX_EXCLUSIONS}", list.len()),
            ));
        }
        if let Some(r) = &self.spec.cert_secret_ref
            && r.name.is_empty()
        {
            return Err(invalid(
                k,
                self.id(),
                "spec.certSecretRef.name",
                "must not be empty",
            ));
        }
        self.exclusions()?;
        Ok(())
    }
}

/// A Flux `ImagePolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImagePolicy {
    /// `apiVersion` as written.
    pub api_version: String,
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec`.
    pub spec: ImagePolicySpec,
}

/// `ImagePolicy.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImagePolicySpec {
    /// `imageRepositoryRef`.
    #[serde(default)]
    pub image_repository_ref: NamespacedObjectReference,
    /// `filterTags`.
    #[serde(default)]
    pub filter_tags: Option<TagFilter>,
    /// `policy`.
    #[serde(default)]
    pub policy: ImagePolicyChoice,
    /// `digestReflectionPolicy`: `Never` (default), `IfNotPresent`, `Always`.
    #[serde(default)]
    pub digest_reflection_policy: Option<String>,
    /// `interval` (only with `digestReflectionPolicy: Always`).
    #[serde(default)]
    pub interval: Option<String>,
    /// `suspend` (v1).
    #[serde(default)]
    pub suspend: bool,
}

/// `ImagePolicy.spec.filterTags`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TagFilter {
    /// `pattern`: Go RE2, searched in each tag.
    #[serde(default)]
    pub pattern: Option<String>,
    /// `extract`: `Regexp.Expand` template.
    #[serde(default)]
    pub extract: Option<String>,
}

/// `ImagePolicy.spec.policy`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ImagePolicyChoice {
    /// `semver.range`.
    #[serde(default)]
    pub semver: Option<SemverPolicy>,
    /// `alphabetical.order`.
    #[serde(default)]
    pub alphabetical: Option<OrderPolicy>,
    /// `numerical.order`.
    #[serde(default)]
    pub numerical: Option<OrderPolicy>,
}

/// `policy.semver`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SemverPolicy {
    /// `range`.
    #[serde(default)]
    pub range: String,
}

/// `policy.alphabetical` / `policy.numerical`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct OrderPolicy {
    /// `order`: `asc` (default) or `desc`.
    #[serde(default)]
    pub order: Option<String>,
}

impl ImagePolicy {
    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.metadata.namespace(), self.metadata.name)
    }

    /// `(namespace, name)` of the ImageRepository this policy reads.
    pub fn repository(&self) -> (String, String) {
        let r = &self.spec.image_repository_ref;
        (
            r.namespace_or(self.metadata.namespace()).to_owned(),
            r.name.clone(),
        )
    }

    /// The evaluation input for `weir-imagepolicy` (the first of semver,
    /// alphabetical, numerical that is set wins, as in Flux).
    pub fn policy_spec(&self) -> Result<PolicySpec, ApiError> {
        let p = &self.spec.policy;
        let choice = if let Some(s) = &p.semver {
            Choice::Semver {
                range: s.range.clone(),
            }
        } else if let Some(a) = &p.alphabetical {
            Choice::Alphabetical {
                order: a.order.clone().unwrap_or_default(),
            }
        } else if let Some(n) = &p.numerical {
            Choice::Numerical {
                order: n.order.clone().unwrap_or_default(),
            }
        } else {
            return Err(invalid(
                Kind::ImagePolicy,
                self.id(),
                "spec.policy",
                "must set one of semver, alphabetical or numerical",
            ));
        };
        let filter_tags = self.spec.filter_tags.as_ref().map(|f| FilterTags {
            pattern: f.pattern.clone().unwrap_or_default(),
            extract: f.extract.clone().unwrap_or_default(),
        });
        Ok(PolicySpec {
            filter_tags,
            choice,
        })
    }

    pub(crate) fn validate(&self) -> Result<(), ApiError> {
        if self.spec.image_repository_ref.name.is_empty() {
            return Err(invalid(
                Kind::ImagePolicy,
                self.id(),
                "spec.imageRepositoryRef.name",
                "must not be empty",
            ));
        }
        // CRD enums: `asc`/`desc` in lower case only (Flux's code would
        // accept any case, the API server does not; flux-compat §5.5).
        let p = &self.spec.policy;
        let orders = [
            ("alphabetical", &p.alphabetical),
            ("numerical", &p.numerical),
        ];
        for (name, policy) in orders {
            if let Some(OrderPolicy { order: Some(order) }) = policy
                && !matches!(order.as_str(), "asc" | "desc")
            {
                return Err(invalid(
                    Kind::ImagePolicy,
                    self.id(),
                    &format!("spec.policy.{name}.order"),
                    format!("{order:?} is not one of asc, desc"),
                ));
            }
        }
        let spec = self.policy_spec()?;
        weir_imagepolicy::Policy::new(&spec).map_err(|source| {
            let field = match &source {
                weir_imagepolicy::Error::InvalidRegex { .. } => {
                    "spec.filterTags.pattern".to_owned()
                }
                weir_imagepolicy::Error::InvalidRange { .. } => {
                    "spec.policy.semver.range".to_owned()
                }
                weir_imagepolicy::Error::InvalidOrder { policy, .. } => {
                    format!("spec.policy.{policy}.order")
                }
                _ => "spec.policy".to_owned(),
            };
            ApiError::Policy {
                id: self.id(),
                field,
                source,
            }
        })?;
        match self.spec.digest_reflection_policy.as_deref() {
            None | Some("" | "Never" | "IfNotPresent" | "Always") => {}
            Some(other) => {
                return Err(invalid(
                    Kind::ImagePolicy,
                    self.id(),
                    "spec.digestReflectionPolicy",
                    format!("{other:?} is not one of Never, IfNotPresent, Always"),
                ));
            }
        }
        // CEL rule (flux-compat §5.1): `interval` is allowed only, and
        // required, when `digestReflectionPolicy` is `Always`.
        let always = self.spec.digest_reflection_policy.as_deref() == Some("Always");
        match &self.spec.interval {
            None if always => {
                return Err(invalid(
                    Kind::ImagePolicy,
                    self.id(),
                    "spec.interval",
                    "is required when spec.digestReflectionPolicy is Always",
                ));
            }
            Some(_) if !always => {
                return Err(invalid(
                    Kind::ImagePolicy,
                    self.id(),
                    "spec.interval",
                    "is only allowed when spec.digestReflectionPolicy is Always",
                ));
            }
            Some(interval) => {
                check_interval(Kind::ImagePolicy, &self.id(), "spec.interval", interval)?;
            }
            None => {}
        }
        Ok(())
    }
}

/// A Flux `ImageUpdateAutomation`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageUpdateAutomation {
    /// `apiVersion` as written.
    pub api_version: String,
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec`.
    pub spec: ImageUpdateAutomationSpec,
}

/// `ImageUpdateAutomation.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageUpdateAutomationSpec {
    /// `sourceRef`.
    #[serde(default)]
    pub source_ref: SourceReference,
    /// `git`.
    #[serde(default)]
    pub git: Option<GitSpec>,
    /// `interval`.
    #[serde(default)]
    pub interval: String,
    /// `update`.
    #[serde(default)]
    pub update: Option<UpdateStrategy>,
    /// `policySelector` (v1beta2+).
    #[serde(default)]
    pub policy_selector: Option<LabelSelector>,
    /// `suspend`.
    #[serde(default)]
    pub suspend: bool,
}

/// `sourceRef` of an automation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SourceReference {
    /// `apiVersion`.
    #[serde(default)]
    pub api_version: Option<String>,
    /// `kind`: `GitRepository` (default).
    #[serde(default)]
    pub kind: Option<String>,
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `namespace`; the automation's when unset.
    #[serde(default)]
    pub namespace: Option<String>,
}

/// `spec.git`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GitSpec {
    /// `checkout`.
    #[serde(default)]
    pub checkout: Option<GitCheckout>,
    /// `commit`.
    #[serde(default)]
    pub commit: CommitSpec,
    /// `push`.
    #[serde(default)]
    pub push: Option<PushSpec>,
}

/// `spec.git.checkout`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct GitCheckout {
    /// `ref`.
    #[serde(default, rename = "ref")]
    pub reference: GitRepositoryRef,
}

/// `spec.git.commit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CommitSpec {
    /// `author`.
    #[serde(default)]
    pub author: CommitUser,
    /// `messageTemplate`.
    #[serde(default)]
    pub message_template: Option<String>,
    /// `messageTemplateValues` (v1beta2+).
    #[serde(default)]
    pub message_template_values: BTreeMap<String, String>,
    /// `signingKey` (not supported by Weir yet: reported as invalid).
    #[serde(default)]
    pub signing_key: Option<serde_json::Value>,
}

/// `spec.git.commit.author`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CommitUser {
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `email` (required).
    #[serde(default)]
    pub email: String,
}

/// `spec.git.push` (flux-compat §6.6).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PushSpec {
    /// `branch`: the branch to push to; the checkout branch when unset.
    #[serde(default)]
    pub branch: Option<String>,
    /// `refspec`: a second push, after the branch push, with this refspec
    /// (`refs/heads/main:refs/heads/auto`, Gerrit's
    /// `refs/heads/auto:refs/for/main`). Without `branch` the branch push
    /// still goes to the checkout branch. See
    /// [`ImageUpdateAutomation::check_refspec`].
    #[serde(default)]
    pub refspec: Option<String>,
    /// `options`: git push options, each sent as `key=value` (an empty value
    /// as `key=`), with both the branch and the refspec push; in key order.
    /// A `null` value (`key:` in YAML) reads as empty.
    #[serde(default, deserialize_with = "push_options")]
    pub options: BTreeMap<String, String>,
}

/// `push.options`: a map of strings, `null` values read as `""`.
fn push_options<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let map: Option<BTreeMap<String, Option<String>>> = Deserialize::deserialize(deserializer)?;
    Ok(map
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect())
}

/// `spec.update`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct UpdateStrategy {
    /// `path`: directory (or file) under the clone; the root when unset.
    #[serde(default)]
    pub path: Option<String>,
    /// `strategy`: only `Setters`.
    #[serde(default)]
    pub strategy: Option<String>,
}

/// A Kubernetes label selector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LabelSelector {
    /// `matchLabels`.
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions`.
    #[serde(default)]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct LabelSelectorRequirement {
    /// `key`.
    #[serde(default)]
    pub key: String,
    /// `operator`: `In`, `NotIn`, `Exists`, `DoesNotExist`.
    #[serde(default)]
    pub operator: String,
    /// `values`.
    #[serde(default)]
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Whether `labels` satisfy the selector (an empty selector matches all).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|e| {
                let v = labels.get(&e.key);
                match e.operator.as_str() {
                    "In" => v.is_some_and(|v| e.values.contains(v)),
                    "NotIn" => v.is_none_or(|v| !e.values.contains(v)),
                    "Exists" => v.is_some(),
                    "DoesNotExist" => v.is_none(),
                    _ => false,
                }
            })
    }
}

impl ImageUpdateAutomation {
    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.metadata.namespace(), self.metadata.name)
    }

    /// `(namespace, name)` of the GitRepository.
    pub fn source(&self) -> (String, String) {
        let r = &self.spec.source_ref;
        let ns = match r.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => ns,
            _ => self.metadata.namespace(),
        };
        (ns.to_owned(), r.name.clone())
    }

    /// `spec.git` (validated to be present).
    pub fn git(&self) -> GitSpec {
        self.spec.git.clone().unwrap_or_default()
    }

    /// The checkout ref: `spec.git.checkout.ref`, else the GitRepository's.
    pub fn checkout_ref(&self, repo: &crate::GitRepository) -> GitRepositoryRef {
        match self.spec.git.as_ref().and_then(|g| g.checkout.as_ref()) {
            Some(c) if c.reference.to_git_ref() != weir_source::GitRef::default() => {
                c.reference.clone()
            }
            _ => repo.reference(),
        }
    }

    /// The push branch: `spec.git.push.branch`, else the checkout branch.
    /// `None` when neither exists (checkout by tag or commit).
    pub fn push_branch(&self, checkout: &GitRepositoryRef) -> Option<String> {
        self.spec
            .git
            .as_ref()
            .and_then(|g| g.push.as_ref())
            .and_then(|p| p.branch.clone())
            .filter(|b| !b.is_empty())
            .or_else(|| checkout.branch_name().map(str::to_owned))
    }

    /// `spec.git.push.refspec`, when set and not empty.
    pub fn push_refspec(&self) -> Option<&str> {
        self.spec
            .git
            .as_ref()
            .and_then(|g| g.push.as_ref())
            .and_then(|p| p.refspec.as_deref())
            .filter(|r| !r.is_empty())
    }

    /// `spec.git.push.options` (empty when unset).
    pub fn push_options(&self) -> Vec<(String, String)> {
        self.spec
            .git
            .as_ref()
            .and_then(|g| g.push.as_ref())
            .map(|p| {
                p.options
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Checks `spec.git.push.refspec` (flux-compat §6.6): a push refspec
    /// `[src:]dst` without whitespace, with one `:` at most; deletion
    /// (`:dst`) and force (`+src:dst`) refspecs are refused, as by Flux
    /// (force pushing follows the branch rules). With the push branch
    /// known, a refspec whose destination is that branch (`main`,
    /// `refs/heads/main`) is refused: it would push the same branch twice,
    /// which Flux fails as `already up-to-date`. `push_branch` is `None`
    /// when it is not known yet (the GitRepository's ref decides).
    pub fn check_refspec(&self, push_branch: Option<&str>) -> Result<(), ApiError> {
        let Some(spec) = self.push_refspec() else {
            return Ok(());
        };
        let bad = |reason: String| {
            Err(invalid(
                Kind::ImageUpdateAutomation,
                self.id(),
                "spec.git.push.refspec",
                reason,
            ))
        };
        if spec.contains(|c: char| c.is_whitespace() || c.is_control())
            || spec.starts_with('-')
            || spec.matches(':').count() > 1
        {
            return bad(format!("{spec:?} is not a push refspec ([src:]dst)"));
        }
        if spec.starts_with('+') {
            return bad(format!(
                "{spec:?}: force refspecs (+) are not supported (a push to another branch than the checkout branch is forced anyway)"
            ));
        }
        let (src, dst) = spec.split_once(':').unwrap_or((spec, spec));
        if src.is_empty() {
            return bad(format!(
                "{spec:?}: deletion refspecs (empty source) are not supported"
            ));
        }
        if dst.is_empty() {
            return bad(format!("{spec:?} has no destination"));
        }
        if let Some(branch) = push_branch
            && (dst == branch || dst.strip_prefix("refs/heads/") == Some(branch))
        {
            return bad(format!(
                "{spec:?} pushes to branch {branch:?}, which the branch push already updates (Flux fails this with 'already up-to-date'); drop the refspec or push it elsewhere"
            ));
        }
        Ok(())
    }

    /// `spec.update.path` as written (empty = the repository root). It is
    /// resolved with secure-join inside the clone (flux-compat §6.1): `..`
    /// never climbs out, an absolute path starts at the clone.
    pub fn update_path(&self) -> &str {
        self.spec
            .update
            .as_ref()
            .and_then(|u| u.path.as_deref())
            .unwrap_or("")
    }

    /// The run interval.
    pub fn interval(&self) -> Duration {
        parse_duration(&self.spec.interval, true).unwrap_or(Duration::from_secs(60))
    }

    pub(crate) fn validate(&self) -> Result<(), ApiError> {
        let k = Kind::ImageUpdateAutomation;
        let id = self.id();
        let bad = |field: &str, reason: &str| Err(invalid(k, id.clone(), field, reason));
        match self.spec.source_ref.kind.as_deref() {
            None | Some("" | "GitRepository") => {}
            Some(_) => return bad("spec.sourceRef.kind", "must be GitRepository"),
        }
        if self.spec.source_ref.name.is_empty() {
            return bad("spec.sourceRef.name", "must not be empty");
        }
        check_interval(k, &id, "spec.interval", &self.spec.interval)?;
        let Some(git) = &self.spec.git else {
            return bad("spec.git", "is required (checkout, commit author, push)");
        };
        if git.commit.author.email.is_empty() {
            return bad("spec.git.commit.author.email", "is required");
        }
        if git.commit.signing_key.is_some() {
            return bad(
                "spec.git.commit.signingKey",
                "commit signing is not supported by weir yet",
            );
        }
        if let Some(push) = &git.push {
            for key in push.options.keys() {
                if key.is_empty() || key.contains(['\n', '\r', '\0']) {
                    return bad(
                        "spec.git.push.options",
                        "keys must be non-empty, without line breaks or NUL",
                    );
                }
            }
            if push
                .options
                .values()
                .any(|v| v.contains(['\n', '\r', '\0']))
            {
                return bad(
                    "spec.git.push.options",
                    "values must not contain line breaks or NUL",
                );
            }
        }
        // The refspec's own syntax, and, when the push branch is known
        // without the GitRepository (`push.branch`, else
        // `checkout.ref.branch`), that it does not push to that branch again.
        let known_branch = git
            .push
            .as_ref()
            .and_then(|p| p.branch.as_deref())
            .filter(|b| !b.is_empty())
            .or_else(|| {
                git.checkout
                    .as_ref()
                    .and_then(|c| c.reference.branch_name())
            });
        self.check_refspec(known_branch)?;
        // CRD enum `Setters`. An unset strategy (or an unset `update`) is
        // `Setters` in every version: v1beta1 marks the key required but
        // its schema defaults it (`update` to `{strategy: Setters}`, and
        // `strategy` to `Setters`), and the API server defaults before it
        // validates, so a v1beta1 object without it is accepted by Flux
        // (flux-compat §6.8). An explicit empty string fails the enum.
        if let Some(u) = &self.spec.update {
            match u.strategy.as_deref() {
                None | Some("Setters") => {}
                Some(_) => return bad("spec.update.strategy", "must be Setters"),
            }
            // `path` is not checked here: like Flux (flux-compat §6.1), the
            // runner secure-joins it inside the clone, so `../apps` and
            // `/apps` mean `<clone>/apps` (weir-automation's secure_join).
        }
        if let Some(sel) = &self.spec.policy_selector {
            for e in &sel.match_expressions {
                if !matches!(
                    e.operator.as_str(),
                    "In" | "NotIn" | "Exists" | "DoesNotExist"
                ) {
                    return bad(
                        "spec.policySelector.matchExpressions",
                        "operator must be In, NotIn, Exists or DoesNotExist",
                    );
                }
            }
        }
        Ok(())
    }
}
