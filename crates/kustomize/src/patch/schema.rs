//! The part of the Kubernetes OpenAPI schema a strategic merge needs.
//!
//! kustomize v5.5.0 (kyaml) merges a list element by element only where the
//! OpenAPI schema it embeds (Kubernetes v1.21) marks the list with
//! `x-kubernetes-patch-strategy: merge`; every other list is replaced by the
//! patch's list. The table itself is data, generated into `schema_data.rs` by
//! `gen_schema_data.py` (see there for its origin); this module only looks
//! things up in it.

use super::schema_data::{FIELDS, ROOTS};

/// One `(apiVersion, kind)` known to the schema and its root definition.
#[derive(Debug)]
pub(super) struct RootEntry {
    /// `apiVersion` as written in objects (`apps/v1`, `v1`).
    pub(super) api_version: &'static str,
    /// `kind`.
    pub(super) kind: &'static str,
    /// Name of the OpenAPI definition.
    pub(super) ty: &'static str,
}

/// One field of a definition that is a merge list or leads to one.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct FieldEntry {
    /// Definition the field belongs to.
    pub(super) ty: &'static str,
    /// Field name (`*` for the values of a map-typed definition).
    pub(super) field: &'static str,
    /// Definition of the field's value (or of a list's elements); empty
    /// when nothing below it matters to a merge.
    pub(super) child: &'static str,
    /// `x-kubernetes-patch-strategy` for lists (`merge`,
    /// `merge,retainKeys`); empty for objects.
    pub(super) strategy: &'static str,
    /// Merge keys of a merge list (`x-kubernetes-list-map-keys`, else
    /// `x-kubernetes-patch-merge-key`); empty for lists of scalars.
    pub(super) keys: &'static [&'static str],
}

/// The schema of one node of an object, as far as a merge cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Schema {
    /// An object of the named definition.
    Object(&'static str),
    /// A list with a patch strategy.
    List(&'static FieldEntry),
}

impl Schema {
    /// The schema of the object type kustomize knows for `apiVersion`/`kind`.
    pub(super) fn for_type(api_version: &str, kind: &str) -> Option<Schema> {
        ROOTS
            .binary_search_by(|r| (r.api_version, r.kind).cmp(&(api_version, kind)))
            .ok()
            .and_then(|i| ROOTS.get(i))
            .map(|r| Schema::Object(r.ty))
    }

    /// The schema of field `name` of this node.
    pub(super) fn field(self, name: &str) -> Option<Schema> {
        let Schema::Object(ty) = self else {
            return None;
        };
        let entry = lookup(ty, name).or_else(|| lookup(ty, "*"))?;
        if entry.strategy.is_empty() {
            (!entry.child.is_empty()).then_some(Schema::Object(entry.child))
        } else {
            Some(Schema::List(entry))
        }
    }

    /// The schema of the elements of this list.
    pub(super) fn elements(self) -> Option<Schema> {
        match self {
            Schema::List(entry) if !entry.child.is_empty() => Some(Schema::Object(entry.child)),
            _ => None,
        }
    }

    /// Whether kyaml merges this list element by element.
    pub(super) fn is_merge_list(self) -> bool {
        match self {
            Schema::List(entry) => entry.strategy.split(',').any(|s| s == "merge"),
            Schema::Object(_) => false,
        }
    }

    /// The merge keys of this list (empty for lists of scalars).
    pub(super) fn merge_keys(self) -> &'static [&'static str] {
        match self {
            Schema::List(entry) => entry.keys,
            Schema::Object(_) => &[],
        }
    }
}

fn lookup(ty: &str, field: &str) -> Option<&'static FieldEntry> {
    FIELDS
        .binary_search_by(|f| (f.ty, f.field).cmp(&(ty, field)))
        .ok()
        .and_then(|i| FIELDS.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(
            ROOTS
                .windows(2)
                .all(|w| (w[0].api_version, w[0].kind) < (w[1].api_version, w[1].kind))
        );
        assert!(
            FIELDS
                .windows(2)
                .all(|w| (w[0].ty, w[0].field) < (w[1].ty, w[1].field))
        );
    }

    fn list_at(api_version: &str, kind: &str, path: &[&str]) -> Option<Schema> {
        let mut s = Schema::for_type(api_version, kind)?;
        for (i, p) in path.iter().enumerate() {
            s = s.field(p)?;
            if i + 1 < path.len() && matches!(s, Schema::List(_)) {
                s = s.elements()?;
            }
        }
        Some(s)
    }

    #[test]
    fn merge_keys_of_well_known_lists() {
        let pod = ["spec", "template", "spec"];
        let cases: &[(&str, &str, Vec<&str>, &[&str])] = &[
            (
                "apps/v1",
                "Deployment",
                [&pod[..], &["containers"]].concat(),
                &["name"],
            ),
            (
                "apps/v1",
                "Deployment",
                [&pod[..], &["initContainers"]].concat(),
                &["name"],
            ),
            (
                "apps/v1",
                "Deployment",
                [&pod[..], &["volumes"]].concat(),
                &["name"],
            ),
            (
                "apps/v1",
                "Deployment",
                [&pod[..], &["imagePullSecrets"]].concat(),
                &["name"],
            ),
            (
                "apps/v1",
                "StatefulSet",
                [&pod[..], &["containers", "ports"]].concat(),
                &["containerPort", "protocol"],
            ),
            (
                "apps/v1",
                "DaemonSet",
                [&pod[..], &["containers", "env"]].concat(),
                &["name"],
            ),
            (
                "batch/v1",
                "CronJob",
                vec![
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "spec",
                    "containers",
                    "volumeMounts",
                ],
                &["mountPath"],
            ),
            ("v1", "Pod", vec!["spec", "hostAliases"], &["ip"]),
            (
                "v1",
                "Service",
                vec!["spec", "ports"],
                &["port", "protocol"],
            ),
            ("v1", "ServiceAccount", vec!["secrets"], &["name"]),
            ("v1", "ConfigMap", vec!["metadata", "finalizers"], &[]),
            (
                "v1",
                "ConfigMap",
                vec!["metadata", "ownerReferences"],
                &["uid"],
            ),
        ];
        for (api_version, kind, path, keys) in cases {
            let s = list_at(api_version, kind, path)
                .unwrap_or_else(|| panic!("no schema for {kind} {path:?}"));
            assert!(s.is_merge_list(), "{kind} {path:?}");
            assert_eq!(s.merge_keys(), *keys, "{kind} {path:?}");
        }
    }

    #[test]
    fn lists_without_patch_strategy_have_no_merge_schema() {
        let pod = ["spec", "template", "spec"];
        for path in [
            [&pod[..], &["tolerations"]].concat(),
            [&pod[..], &["containers", "args"]].concat(),
            [&pod[..], &["containers", "envFrom"]].concat(),
        ] {
            let s = list_at("apps/v1", "Deployment", &path);
            assert!(!s.is_some_and(Schema::is_merge_list), "{path:?}");
        }
    }

    #[test]
    fn unknown_and_removed_types_have_no_schema() {
        assert!(Schema::for_type("apps/v1beta1", "Deployment").is_none());
        assert!(Schema::for_type("stable.example.com/v1", "CronTab").is_none());
        assert!(Schema::for_type("apps/v1", "Deployment").is_some());
    }
}
