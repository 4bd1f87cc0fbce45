//! The `Kustomization` (and `Component`) file format.
//!
//! Parsed from the tree [`weir_yaml`] produces; unknown fields are an error,
//! as in kustomize.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The file names kustomize recognises, in its lookup order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// `apiVersion` of kind `Kustomization`.
pub const API_VERSION: &str = "kustomize.config.k8s.io/v1beta1";
/// `apiVersion` of kind `Component`.
pub const COMPONENT_API_VERSION: &str = "kustomize.config.k8s.io/v1alpha1";

fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A string map whose values may be null (read as `""`, as Go's decoder
/// leaves a string it is given null for).
fn string_map<'de, D>(d: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    let m = Option::<BTreeMap<String, Option<String>>>::deserialize(d)?.unwrap_or_default();
    Ok(m.into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect())
}

/// A `kustomization.yaml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Kustomization {
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default)]
    pub metadata: Option<Value>,
    #[serde(default)]
    pub openapi: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub name_prefix: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name_suffix: String,
    #[serde(default, deserialize_with = "nullable")]
    pub namespace: String,
    #[serde(default, deserialize_with = "string_map")]
    pub common_labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub labels: Vec<Label>,
    #[serde(default, deserialize_with = "string_map")]
    pub common_annotations: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub patches_strategic_merge: Vec<String>,
    #[serde(default, rename = "patchesJson6902", deserialize_with = "nullable")]
    pub patches_json6902: Vec<Patch>,
    #[serde(default, deserialize_with = "nullable")]
    pub patches: Vec<Patch>,
    #[serde(default, deserialize_with = "nullable")]
    pub images: Vec<Image>,
    #[serde(default, deserialize_with = "nullable")]
    pub image_tags: Vec<Image>,
    #[serde(default, deserialize_with = "nullable")]
    pub replacements: Vec<Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub replicas: Vec<Replica>,
    #[serde(default, deserialize_with = "nullable")]
    pub vars: Vec<Value>,
    #[serde(default)]
    pub sort_options: Option<SortOptions>,
    #[serde(default, deserialize_with = "nullable")]
    pub resources: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub components: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub crds: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub bases: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub config_map_generator: Vec<Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub secret_generator: Vec<Value>,
    #[serde(default)]
    pub helm_globals: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub helm_charts: Vec<Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub helm_chart_inflation_generator: Vec<Value>,
    #[serde(default)]
    pub generator_options: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub configurations: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub generators: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub transformers: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub validators: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub build_metadata: Vec<String>,
}

/// An entry of `labels:`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Label {
    #[serde(default, deserialize_with = "string_map")]
    pub pairs: BTreeMap<String, String>,
    #[serde(default)]
    pub include_selectors: bool,
    #[serde(default)]
    pub include_templates: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub fields: Vec<RawFieldSpec>,
}

/// A field spec as written in kustomization files and configurations.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct RawFieldSpec {
    #[serde(default, deserialize_with = "nullable")]
    pub group: String,
    #[serde(default, deserialize_with = "nullable")]
    pub version: String,
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub path: String,
    #[serde(default)]
    pub create: bool,
}

impl RawFieldSpec {
    /// The engine's form.
    pub fn to_spec(&self) -> crate::fieldspec::FieldSpec {
        crate::fieldspec::FieldSpec::new(
            &self.group,
            &self.version,
            &self.kind,
            &self.path,
            self.create,
        )
    }
}

/// An entry of `patches:` or `patchesJson6902:`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Patch {
    #[serde(default, deserialize_with = "nullable")]
    pub path: String,
    #[serde(default, deserialize_with = "nullable")]
    pub patch: String,
    #[serde(default)]
    pub target: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub options: BTreeMap<String, bool>,
}

/// An entry of `images:`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Image {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub new_name: String,
    // kustomize decodes into a Go string: an unquoted `1.20` or `2` is an
    // error there, not a tag.
    #[serde(default, deserialize_with = "nullable")]
    pub new_tag: String,
    #[serde(default, deserialize_with = "nullable")]
    pub digest: String,
    #[serde(default, deserialize_with = "nullable")]
    pub tag_suffix: String,
}

/// An entry of `replicas:`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Replica {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default)]
    pub count: i64,
}

/// `sortOptions:`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct SortOptions {
    #[serde(default, deserialize_with = "nullable")]
    pub order: String,
    #[serde(default)]
    pub legacy_sort_options: Option<LegacySortOptions>,
}

/// `sortOptions.legacySortOptions`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct LegacySortOptions {
    #[serde(default, deserialize_with = "nullable")]
    pub order_first: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub order_last: Vec<String>,
}

/// A deprecation or other warning, returned as data (never printed).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A deprecated field is used.
    Deprecated {
        /// The kustomization file.
        file: String,
        /// The deprecated field.
        field: &'static str,
        /// What to use instead.
        instead: &'static str,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::Deprecated {
                file,
                field,
                instead,
            } => write!(
                f,
                "# Warning: '{field}' is deprecated. Please use '{instead}' instead. ({file})"
            ),
        }
    }
}

impl Kustomization {
    /// Deprecated fields in use (kustomize prints these to stderr).
    pub fn deprecations(&self, file: &str) -> Vec<Warning> {
        let mut out = Vec::new();
        let mut add = |used: bool, field, instead| {
            if used {
                out.push(Warning::Deprecated {
                    file: file.to_string(),
                    field,
                    instead,
                });
            }
        };
        add(!self.bases.is_empty(), "bases", "resources");
        add(!self.common_labels.is_empty(), "commonLabels", "labels");
        add(!self.image_tags.is_empty(), "imageTags", "images");
        add(
            !self.patches_json6902.is_empty(),
            "patchesJson6902",
            "patches",
        );
        add(
            !self.patches_strategic_merge.is_empty(),
            "patchesStrategicMerge",
            "patches",
        );
        add(!self.vars.is_empty(), "vars", "replacements");
        out
    }

    /// kustomize's `FixKustomization`: defaults and legacy field moves.
    pub fn fix(&mut self) {
        if self.kind.is_empty() {
            self.kind = "Kustomization".to_string();
        }
        if self.api_version.is_empty() {
            self.api_version = if self.kind == "Component" {
                COMPONENT_API_VERSION.to_string()
            } else {
                API_VERSION.to_string()
            };
        }
        let bases = std::mem::take(&mut self.bases);
        self.resources.extend(bases);
        let tags = std::mem::take(&mut self.image_tags);
        self.images.extend(tags);
    }

    /// Whether nothing but `apiVersion`/`kind` is set.
    pub fn is_empty(&self) -> bool {
        let bare = Kustomization {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            ..Kustomization::default()
        };
        *self == bare
    }

    /// Whether this is a `Component`.
    pub fn is_component(&self) -> bool {
        self.kind == "Component"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_common_fields() {
        let k: Kustomization = serde_json::from_value(json!({
            "resources": ["a.yaml", "../base"],
            "namePrefix": "p-",
            "commonLabels": {"app": "x"},
            "images": [{"name": "nginx", "newTag": "1.25"}],
            "replicas": [{"name": "d", "count": 3}],
            "configMapGenerator": null
        }))
        .unwrap();
        assert_eq!(k.resources.len(), 2);
        assert_eq!(k.images[0].new_tag, "1.25");
        assert_eq!(k.replicas[0].count, 3);
        // As in kustomize (Go strings): an unquoted number is no tag, and
        // a null label value is an empty string.
        let number = json!({"images": [{"name": "nginx", "newTag": 1.25}]});
        assert!(serde_json::from_value::<Kustomization>(number).is_err());
        let k: Kustomization =
            serde_json::from_value(json!({"commonLabels": {"a": null}})).unwrap();
        assert_eq!(k.common_labels["a"], "");
    }

    #[test]
    fn unknown_field_is_an_error() {
        let e = serde_json::from_value::<Kustomization>(json!({"namePrefixx": "a-"})).unwrap_err();
        assert!(e.to_string().contains("namePrefixx"), "{e}");
    }

    #[test]
    fn fix_moves_legacy_fields() {
        let mut k: Kustomization =
            serde_json::from_value(json!({"bases": ["../b"], "resources": ["a.yaml"]})).unwrap();
        assert_eq!(k.deprecations("k.yaml").len(), 1);
        k.fix();
        assert_eq!(k.resources, vec!["a.yaml", "../b"]);
        assert_eq!(k.kind, "Kustomization");
        assert!(!k.is_empty());
    }
}
