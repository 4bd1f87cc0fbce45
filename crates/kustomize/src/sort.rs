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
#[cfg(test)]
pub(crate) fn apply(list: &mut Vec<Resource>, opts: Option<&SortOptions>) -> Result<(), String> {
    let order = Order::new(opts)?;
    let mut keys = order.keys(list.len());
    for r in list.iter() {
        keys.push(r);
    }
    *list = keys.sort(std::mem::take(list));
    Ok(())
}

/// The output order the top kustomization asks for.
pub(crate) enum Order {
    /// Input order.
    Fifo,
    /// kustomize's legacy order: kinds ranked by `first` and `last`, then
    /// by type and by namespace and name.
    Legacy(std::collections::HashMap<String, i64>),
}

impl Order {
    /// Reads `sortOptions` (legacy when absent). Returns the message
    /// kustomize gives for invalid options.
    pub(crate) fn new(opts: Option<&SortOptions>) -> Result<Order, String> {
        let (first, last): (Vec<String>, Vec<String>) = match opts {
            None => (
                DEFAULT_ORDER_FIRST.iter().map(|s| s.to_string()).collect(),
                DEFAULT_ORDER_LAST.iter().map(|s| s.to_string()).collect(),
            ),
            Some(o) => {
                if o.order != "fifo" && o.order != "legacy" {
                    return Err(
                        "the field 'sortOptions.order' must be one of [fifo, legacy]".into(),
                    );
                }
                if o.order == "fifo" {
                    if o.legacy_sort_options.is_some() {
                        return Err("the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'".into());
                    }
                    return Ok(Order::Fifo);
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
        let mut rank = std::collections::HashMap::new();
        let n = first.len() as i64;
        for (i, k) in first.into_iter().enumerate() {
            rank.insert(k, -n + i as i64);
        }
        for (i, k) in last.into_iter().enumerate() {
            rank.insert(k, 1 + i as i64);
        }
        Ok(Order::Legacy(rank))
    }

    /// An empty key list for about `n` resources.
    pub(crate) fn keys(&self, n: usize) -> Keys<'_> {
        Keys {
            order: self,
            types: crate::resource::TypeIndex::default(),
            type_info: Vec::new(),
            keys: Vec::with_capacity(if matches!(self, Order::Fifo) { 0 } else { n }),
        }
    }
}

/// Sort keys, taken one resource at a time (so that the build's last pass
/// over every resource also computes them) and applied at the end.
pub(crate) struct Keys<'a> {
    order: &'a Order,
    /// Type -> index into `type_info`.
    types: crate::resource::TypeIndex,
    type_info: Vec<TypeInfo>,
    keys: Vec<Key>,
}

/// What the order needs of one resource type, computed once per type.
struct TypeInfo {
    rank: i64,
    /// kustomize's legacy `group_version_kind` string.
    sort_string: String,
    /// The kind is `Namespace` ...
    namespace_kind: bool,
    /// ... of the core group.
    core: bool,
}

struct Key {
    /// Index into `type_info`.
    ty: u32,
    /// `namespace|name`, with kustomize's placeholders for empty parts.
    id: String,
}

impl Keys<'_> {
    /// Records the key of the next resource (in list order).
    pub(crate) fn push(&mut self, r: &Resource) {
        let Order::Legacy(rank) = self.order else {
            return;
        };
        let g = r.gvk_ref();
        let (ty, new) = self.types.get_or_add(g);
        if new {
            self.type_info.push(TypeInfo {
                rank: rank.get(g.kind).copied().unwrap_or(0),
                sort_string: g.to_gvk().legacy_sort_string(),
                namespace_kind: g.kind == "Namespace",
                core: g.group.is_empty(),
            });
        }
        let ty = ty as u32;
        let ns = match r.namespace() {
            "" => "~X",
            ns => ns,
        };
        let nm = match r.name() {
            "" => "~N",
            nm => nm,
        };
        let mut id = String::with_capacity(ns.len() + 1 + nm.len());
        id.push_str(ns);
        id.push('|');
        id.push_str(nm);
        self.keys.push(Key { ty, id });
    }

    /// Orders `list` (the resources pushed, in the same order) by the keys.
    pub(crate) fn sort(self, list: Vec<Resource>) -> Vec<Resource> {
        if matches!(self.order, Order::Fifo) || self.keys.len() != list.len() {
            return list;
        }
        let info = &self.type_info;
        // Rank of each type among all types by its sort string, so that the
        // comparisons below never touch the strings.
        let mut by_string: Vec<u32> = (0..info.len() as u32).collect();
        by_string.sort_by(|&a, &b| {
            info[a as usize]
                .sort_string
                .cmp(&info[b as usize].sort_string)
        });
        let mut string_rank = vec![0u32; info.len()];
        let mut pos = 0;
        for (i, &t) in by_string.iter().enumerate() {
            if i > 0 && info[by_string[i - 1] as usize].sort_string != info[t as usize].sort_string
            {
                pos += 1;
            }
            string_rank[t as usize] = pos;
        }
        // Sort small (key, position) pairs, then move each resource once:
        // sorting the resources themselves would move them O(n log n) times.
        let mut keyed: Vec<(Key, usize)> = self.keys.into_iter().zip(0..).collect();
        keyed.sort_by(|(a, _), (b, _)| {
            let (ta, tb) = (&info[a.ty as usize], &info[b.ty as usize]);
            ta.rank.cmp(&tb.rank).then_with(|| {
                let by_type = string_rank[a.ty as usize].cmp(&string_rank[b.ty as usize]);
                if by_type.is_eq() {
                    return a.id.cmp(&b.id);
                }
                // kustomize puts the core `Namespace` kind ahead of same-named
                // kinds of other groups (whose group sorts before its "~G").
                if ta.namespace_kind && tb.namespace_kind && (ta.core || tb.core) {
                    by_type.reverse()
                } else {
                    by_type
                }
            })
        });
        let mut slots: Vec<Option<Resource>> = list.into_iter().map(Some).collect();
        keyed
            .into_iter()
            .filter_map(|(_, pos)| slots[pos].take())
            .collect()
    }
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
