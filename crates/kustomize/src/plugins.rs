//! Built-in transformer plugin configurations listed under `transformers:`
//! (`apiVersion: builtin`, e.g. `kind: PrefixSuffixTransformer`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::fieldspec::FieldSpec;
use crate::kustomization::{Image, RawFieldSpec, Replica};
use crate::transform::SubjectMode;

/// Errors of transformer plugin configurations.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The kind is not a supported builtin (external plugins never are).
    #[error("unable to load builtin {kind}.{api_version}: not supported")]
    Unsupported {
        /// `kind`.
        kind: String,
        /// `apiVersion`.
        api_version: String,
    },
    /// The configuration does not fit the kind.
    #[error("invalid {kind} configuration")]
    Invalid {
        /// `kind`.
        kind: String,
        /// What is wrong.
        #[source]
        source: serde_json::Error,
    },
    /// `NamespaceTransformer`'s `setRoleBindingSubjects` is not a known mode.
    #[error(
        "invalid value {value:?} for setRoleBindingSubjects: must be one of \"defaultOnly\", \"none\" or \"allServiceAccounts\""
    )]
    InvalidSubjectMode {
        /// The value given.
        value: String,
    },
}

/// A parsed builtin transformer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Transformer {
    /// Prefix and/or suffix.
    PrefixSuffix {
        /// The prefix.
        prefix: String,
        /// The suffix.
        suffix: String,
        /// Where names are.
        specs: Vec<FieldSpec>,
    },
    /// Labels or annotations.
    Pairs {
        /// Key/values to add.
        pairs: BTreeMap<String, String>,
        /// Where they go.
        specs: Vec<FieldSpec>,
    },
    /// Namespace.
    Namespace {
        /// The namespace.
        namespace: String,
        /// Where it goes.
        specs: Vec<FieldSpec>,
        /// `unsetOnly` and `setRoleBindingSubjects`.
        options: crate::transform::NamespaceOptions,
    },
    /// One image rule.
    Image {
        /// The rule.
        image: Image,
        /// Where images are.
        specs: Vec<FieldSpec>,
    },
    /// One replica count.
    Replicas {
        /// The entry.
        replica: Replica,
        /// Where counts are.
        specs: Vec<FieldSpec>,
    },
    /// A `patches:` entry.
    Patch(crate::kustomization::Patch),
    /// `patchesStrategicMerge` paths or inline patches.
    StrategicMerge(Vec<String>),
    /// A `patchesJson6902:` entry.
    Json6902(crate::kustomization::Patch),
    /// Replacements.
    Replacements(Vec<Value>),
    /// `ValueAddTransformer`: set (or insert as a path segment) a value.
    ValueAdd {
        /// The value (`None`: the kustomization directory's name).
        value: Option<String>,
        /// Where it goes.
        targets: Vec<ValueAddTarget>,
    },
}

/// One target of a `ValueAddTransformer`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueAddTarget {
    /// Which resources (all when absent).
    #[serde(default)]
    pub selector: Option<Value>,
    /// `/`-separated field path.
    #[serde(default)]
    pub field_path: String,
    /// 1-based path-segment position to insert at (0: replace the value).
    #[serde(default)]
    pub file_path_position: usize,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    suffix: String,
    #[serde(default)]
    field_specs: Option<Vec<RawFieldSpec>>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(default)]
    image_tag: Option<Image>,
    #[serde(default)]
    replica: Option<Replica>,
    #[serde(default)]
    path: String,
    #[serde(default)]
    patch: String,
    #[serde(default)]
    json_op: String,
    #[serde(default)]
    target: Option<Value>,
    #[serde(default)]
    options: Option<BTreeMap<String, bool>>,
    #[serde(default)]
    paths: Option<Vec<String>>,
    #[serde(default)]
    patches: String,
    #[serde(default)]
    replacements: Option<Vec<Value>>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    targets: Option<Vec<ValueAddTarget>>,
    #[serde(default)]
    unset_only: bool,
    #[serde(default)]
    set_role_binding_subjects: String,
}

fn specs(raw: &Option<Vec<RawFieldSpec>>) -> Vec<FieldSpec> {
    raw.iter().flatten().map(RawFieldSpec::to_spec).collect()
}

/// Parses one plugin configuration object.
pub fn parse(obj: &Value) -> Result<Transformer, Error> {
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let api_version = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if api_version != "builtin" {
        return Err(Error::Unsupported { kind, api_version });
    }
    let mut clean = obj.clone();
    if let Some(m) = clean.as_object_mut() {
        m.remove("apiVersion");
        m.remove("kind");
    }
    let raw: Raw = serde_json::from_value(clean).map_err(|source| Error::Invalid {
        kind: kind.clone(),
        source,
    })?;
    let fs = specs(&raw.field_specs);
    Ok(match kind.as_str() {
        "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
            Transformer::PrefixSuffix {
                prefix: raw.prefix,
                suffix: raw.suffix,
                specs: fs,
            }
        }
        "LabelTransformer" => Transformer::Pairs {
            pairs: raw.labels.unwrap_or_default(),
            specs: fs,
        },
        "AnnotationsTransformer" => Transformer::Pairs {
            pairs: raw.annotations.unwrap_or_default(),
            specs: fs,
        },
        "NamespaceTransformer" => Transformer::Namespace {
            namespace: raw
                .metadata
                .as_ref()
                .and_then(|m| m.get("namespace"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            specs: fs,
            options: crate::transform::NamespaceOptions {
                unset_only: raw.unset_only,
                subjects: match raw.set_role_binding_subjects.as_str() {
                    "" | "defaultOnly" => SubjectMode::DefaultOnly,
                    "none" => SubjectMode::None,
                    "allServiceAccounts" => SubjectMode::AllServiceAccounts,
                    other => {
                        return Err(Error::InvalidSubjectMode {
                            value: other.to_string(),
                        });
                    }
                },
            },
        },
        "ImageTagTransformer" => Transformer::Image {
            image: raw.image_tag.unwrap_or_default(),
            specs: fs,
        },
        "ReplicaCountTransformer" => Transformer::Replicas {
            replica: raw.replica.unwrap_or_default(),
            specs: fs,
        },
        "PatchTransformer" => Transformer::Patch(crate::kustomization::Patch {
            path: raw.path,
            patch: raw.patch,
            target: raw.target,
            options: raw.options.unwrap_or_default(),
        }),
        "PatchStrategicMergeTransformer" => {
            let mut v = raw.paths.unwrap_or_default();
            if !raw.patches.trim().is_empty() {
                v.push(raw.patches);
            }
            Transformer::StrategicMerge(v)
        }
        "PatchJson6902Transformer" => Transformer::Json6902(crate::kustomization::Patch {
            path: raw.path,
            patch: raw.json_op,
            target: raw.target,
            options: BTreeMap::new(),
        }),
        "ReplacementTransformer" => Transformer::Replacements(raw.replacements.unwrap_or_default()),
        "ValueAddTransformer" => Transformer::ValueAdd {
            value: raw.value.filter(|v| !v.is_empty()),
            targets: raw.targets.unwrap_or_default(),
        },
        _ => return Err(Error::Unsupported { kind, api_version }),
    })
}

/// Inserts `value` as path segment `pos` (1-based) of `path`.
pub(crate) fn insert_path_segment(path: &str, pos: usize, value: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    if pos > parts.len() {
        parts.push(value);
    } else {
        parts.insert(pos.saturating_sub(1), value);
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_prefix_suffix_and_refuses_unknown() {
        let t = parse(
            &json!({"apiVersion": "builtin", "kind": "PrefixSuffixTransformer",
            "metadata": {"name": "x"}, "prefix": "a-", "fieldSpecs": [{"path": "metadata/name"}]}),
        )
        .unwrap();
        assert!(
            matches!(t, Transformer::PrefixSuffix { ref prefix, ref specs, .. } if prefix == "a-" && specs.len() == 1)
        );
        assert!(parse(&json!({"apiVersion": "builtin", "kind": "SortOrderTransformer"})).is_err());
        assert!(parse(&json!({"apiVersion": "example.com/v1", "kind": "Foo"})).is_err());
    }

    #[test]
    fn value_add_inserts_path_segments() {
        assert_eq!(insert_path_segment("projects", 2, "p1"), "projects/p1");
        assert_eq!(insert_path_segment("a/b", 1, "x"), "x/a/b");
        assert_eq!(insert_path_segment("a/b/c", 2, "x"), "a/x/b/c");
    }
}
