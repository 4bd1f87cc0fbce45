//! Shared value nodes: kustomize's label and annotation transformers put one
//! YAML node into every field where they *create* a key (metadata labels,
//! selectors, pod templates of one resource share it). A later write that
//! changes such a node in place (another labels/annotations transformer on
//! the key, a strategic-merge patch, a replacement) therefore shows in all
//! those fields, while anything that rebuilds the object (a JSON 6902 patch,
//! which round-trips through JSON) ends the sharing.
//!
//! Weir's objects are plain values, so the sharing is recorded here as
//! groups of field paths per resource and replayed on in-place writes.

use serde_json::Value;

use crate::fieldspec::CreateKind;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A path from the object root.
pub(crate) type Path = Vec<Seg>;

/// The node at `path`, if there is one.
pub(crate) fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, seg| match (seg, cur) {
        (Seg::Key(k), Value::Object(m)) => m.get(k),
        (Seg::Index(i), Value::Array(items)) => items.get(*i),
        _ => None,
    })
}

/// The node at `path`, mutable, if there is one.
pub(crate) fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |cur, seg| match (seg, cur) {
        (Seg::Key(k), Value::Object(m)) => m.get_mut(k),
        (Seg::Index(i), Value::Array(items)) => items.get_mut(*i),
        _ => None,
    })
}

/// The groups of paths of one resource that share a node.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Aliases {
    groups: Vec<Vec<Path>>,
}

/// Values of every group member before an operation (see
/// [`Aliases::snapshot`]).
pub(crate) type Snapshot = Vec<Vec<Option<Value>>>;

impl Aliases {
    /// Whether no fields share a node.
    pub(crate) fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Records that `paths` now hold one shared node. Paths already in a
    /// group leave it (their old node was replaced).
    pub(crate) fn add_group(&mut self, paths: Vec<Path>) {
        if paths.len() < 2 {
            return;
        }
        self.forget(&paths);
        self.groups.push(paths);
    }

    /// Drops `paths` from their groups (their nodes were replaced).
    pub(crate) fn forget(&mut self, paths: &[Path]) {
        for g in &mut self.groups {
            g.retain(|p| !paths.contains(p));
        }
        self.groups.retain(|g| g.len() >= 2);
    }

    /// Ends all sharing (the object was rebuilt).
    pub(crate) fn clear(&mut self) {
        self.groups.clear();
    }

    /// After the node at `path` was changed in place, gives every other
    /// field sharing it the same value.
    pub(crate) fn written(&self, obj: &mut Value, path: &[Seg]) {
        let Some(value) = get(obj, path).cloned() else {
            return;
        };
        for g in &self.groups {
            if !g.iter().any(|p| p.as_slice() == path) {
                continue;
            }
            for p in g {
                if p.as_slice() != path
                    && let Some(slot) = get_mut(obj, p)
                {
                    *slot = value.clone();
                }
            }
        }
    }

    /// The current value of every member, to compare after an operation.
    pub(crate) fn snapshot(&self, obj: &Value) -> Snapshot {
        self.groups
            .iter()
            .map(|g| g.iter().map(|p| get(obj, p).cloned()).collect())
            .collect()
    }

    /// Reconciles the groups after an operation that may have written some
    /// members: members that vanished leave their group; a member whose
    /// value changed was written in place when `in_place` says so (its new
    /// value then reaches the whole group), otherwise its node was replaced
    /// and it leaves the group.
    pub(crate) fn reconcile(
        &mut self,
        obj: &mut Value,
        before: &Snapshot,
        in_place: &dyn Fn(&[Seg]) -> bool,
    ) {
        let mut gone: Vec<Path> = Vec::new();
        let mut writes: Vec<Path> = Vec::new();
        for (g, old) in self.groups.iter().zip(before) {
            let mut wrote: Option<&Path> = None;
            for (p, was) in g.iter().zip(old) {
                let now = get(obj, p);
                if now.is_none() {
                    gone.push(p.clone());
                } else if now != was.as_ref() {
                    if in_place(p) {
                        wrote = Some(p);
                    } else {
                        gone.push(p.clone());
                    }
                }
            }
            if let Some(p) = wrote {
                writes.push(p.clone());
            }
        }
        self.forget(&gone);
        for p in writes {
            self.written(obj, &p);
        }
    }
}

/// What [`visit_paths`] calls at each node: the node and its path.
pub(crate) type PathVisitor<'a, E> = dyn FnMut(&mut Value, &[Seg]) -> Result<(), E> + 'a;

/// `fieldspec::visit` that also hands `f` the concrete path of each node it reaches
/// (list elements by index).
pub(crate) fn visit_paths<E>(
    obj: &mut Value,
    path: &[String],
    create: bool,
    kind: CreateKind,
    at: &mut Path,
    f: &mut PathVisitor<'_, E>,
) -> Result<(), E> {
    crate::fieldspec::walk(obj, path, create, kind, Some(at), f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(s: &str) -> Path {
        s.split('/').map(|k| Seg::Key(k.to_string())).collect()
    }

    #[test]
    fn writes_reach_the_group_and_replaced_members_leave_it() {
        let mut obj = json!({"m": {"l": {"x": "a"}}, "s": {"x": "a"}, "t": {"x": "a"}});
        let mut al = Aliases::default();
        al.add_group(vec![path("m/l/x"), path("s/x"), path("t/x")]);
        obj["m"]["l"]["x"] = json!("b");
        al.written(&mut obj, &path("m/l/x"));
        assert_eq!(
            obj,
            json!({"m": {"l": {"x": "b"}}, "s": {"x": "b"}, "t": {"x": "b"}})
        );

        // A replaced member leaves; an in-place write reaches the rest.
        let before = al.snapshot(&obj);
        obj["m"]["l"]["x"] = json!("new");
        obj["s"]["x"] = json!("c");
        al.reconcile(&mut obj, &before, &|p| p == path("s/x").as_slice());
        assert_eq!(obj["t"]["x"], json!("c"));
        assert_eq!(obj["m"]["l"]["x"], json!("new"));

        al.clear();
        assert!(al.is_empty());
    }

    #[test]
    fn lists_are_addressed_by_index() {
        let obj = json!({"a": [{"b": 1}, {"b": 2}]});
        let p = vec![Seg::Key("a".into()), Seg::Index(1), Seg::Key("b".into())];
        assert_eq!(get(&obj, &p), Some(&json!(2)));
        assert_eq!(get(&obj, &[Seg::Index(0)]), None);
    }
}
