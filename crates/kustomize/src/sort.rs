//! Output ordering: kustomize's legacy kind order (the default) or FIFO.

use crate::kustomization::SortOptions;
use crate::resource::Resource;

/// Kinds placed first, in this order.
pub const DEFAULT_ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// Kinds placed last, in this order.
pub const DEFAULT_ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Sorts per the top kustomization's `sortOptions` (legacy when absent).
/// Returns the message kustomize gives for invalid options.
pub(crate) fn apply(list: &mut Vec<Resource>, opts: Option<&SortOptions>) -> Result<(), String> {
    let (first, last): (Vec<String>, Vec<String>) = match opts {
        None => (
            DEFAULT_ORDER_FIRST.iter().map(|s| s.to_string()).collect(),
            DEFAULT_ORDER_LAST.iter().map(|s| s.to_string()).collect(),
        ),
        Some(o) => {
            if o.order != "fifo" && o.order != "legacy" {
                return Err("the field 'sortOptions.order' must be one of [fifo, legacy]".into());
            }
            if o.order == "fifo" {
                if o.legacy_sort_options.is_some() {
                    return Err("the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'".into());
                }
                return Ok(());
            }
            match &o.legacy_sort_options {
                Some(l) => (l.order_first.clone(), l.order_last.clone()),
                None => (
                    DEFAULT_ORDER_FIRST.iter().map(|s| s.to_string()).collect(),
                    DEFAULT_ORDER_LAST.iter().map(|s| s.to_string()).collect(),
                ),
            }
        }
    };
    legacy(list, &first, &last);
    Ok(())
}

fn legacy(list: &mut Vec<Resource>, first: &[String], last: &[String]) {
    let mut rank = std::collections::HashMap::new();
    let n = first.len() as i64;
    for (i, k) in first.iter().enumerate() {
        rank.insert(k.as_str(), -n + i as i64);
    }
    for (i, k) in last.iter().enumerate() {
        rank.insert(k.as_str(), 1 + i as i64);
    }
    // Keys computed once: kind rank, GVK string, "namespace|name", and
    // whether the kind is a core (group-less) or other `Namespace`.
    struct Key {
        rank: i64,
        gvk: String,
        id: String,
        namespace_kind: bool,
        core: bool,
    }
    // Sort small (key, position) pairs, then move each resource once:
    // sorting the resources themselves would move them O(n log n) times.
    let mut keyed: Vec<(Key, usize)> = list
        .iter()
        .enumerate()
        .map(|(pos, r)| {
            let id = r.cur_id();
            let rk = rank.get(id.gvk.kind.as_str()).copied().unwrap_or(0);
            let ns = if id.namespace.is_empty() {
                "~X"
            } else {
                &id.namespace
            };
            let nm = if id.name.is_empty() { "~N" } else { &id.name };
            let key = Key {
                rank: rk,
                gvk: id.gvk.legacy_sort_string(),
                id: format!("{ns}|{nm}"),
                namespace_kind: id.gvk.kind == "Namespace",
                core: id.gvk.group.is_empty(),
            };
            (key, pos)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        a.rank.cmp(&b.rank).then_with(|| {
            if a.gvk == b.gvk {
                return a.id.cmp(&b.id);
            }
            // kustomize puts the core `Namespace` kind ahead of same-named
            // kinds of other groups (whose group sorts before its "~G").
            let by_gvk = a.gvk.cmp(&b.gvk);
            if a.namespace_kind && b.namespace_kind && (a.core || b.core) {
                by_gvk.reverse()
            } else {
                by_gvk
            }
        })
    });
    let mut slots: Vec<Option<Resource>> = std::mem::take(list).into_iter().map(Some).collect();
    list.extend(keyed.into_iter().filter_map(|(_, pos)| slots[pos].take()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(kind: &str, name: &str) -> Resource {
        Resource::new(json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": name}}))
    }

    #[test]
    fn legacy_order_puts_namespaces_first_and_webhooks_last() {
        let mut l = vec![
            r("ValidatingWebhookConfiguration", "w"),
            r("Deployment", "b"),
            r("Foo", "x"),
            r("Deployment", "a"),
            r("Namespace", "n"),
        ];
        apply(&mut l, None).unwrap();
        let names: Vec<&str> = l.iter().map(|r| r.name()).collect();
        assert_eq!(names, vec!["n", "a", "b", "x", "w"]);
    }

    #[test]
    fn core_namespace_kind_sorts_before_other_groups_namespace() {
        let other = |name: &str| {
            Resource::new(
                json!({"apiVersion": "example.com/v1", "kind": "Namespace", "metadata": {"name": name}}),
            )
        };
        let mut l = vec![other("a"), r("Namespace", "z"), other("b")];
        apply(&mut l, None).unwrap();
        let names: Vec<&str> = l.iter().map(|r| r.name()).collect();
        assert_eq!(names, vec!["z", "a", "b"]);
    }

    #[test]
    fn fifo_keeps_order_and_bad_options_fail() {
        let mut l = vec![r("Deployment", "b"), r("Namespace", "n")];
        let fifo = SortOptions {
            order: "fifo".into(),
            legacy_sort_options: None,
        };
        apply(&mut l, Some(&fifo)).unwrap();
        assert_eq!(l[0].name(), "b");
        let bad = SortOptions {
            order: "nope".into(),
            legacy_sort_options: None,
        };
        assert!(apply(&mut l, Some(&bad)).is_err());
    }
}
