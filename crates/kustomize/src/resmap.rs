//! An ordered list of resources with an id index for duplicate detection.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::resource::{ResId, Resource};

/// Hash of the parts two resources collide on (GVK, name, effective
/// namespace), computed without allocating.
fn id_hash(r: &Resource) -> u64 {
    let mut h = DefaultHasher::new();
    let api = r.api_version();
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    group.hash(&mut h);
    version.hash(&mut h);
    r.kind().hash(&mut h);
    r.name().hash(&mut h);
    let gvk_scoped = crate::fieldspec::is_cluster_scoped(group, r.kind());
    let ns = r.namespace();
    let eff = if gvk_scoped {
        "_non_namespaceable_"
    } else if ns.is_empty() {
        "default"
    } else {
        ns
    };
    eff.hash(&mut h);
    h.finish()
}

fn same_id(a: &ResId, b: &ResId) -> bool {
    a.gvk == b.gvk && a.name == b.name && a.ns_equals(b)
}

/// Resources in insertion order.
#[derive(Debug, Clone, Default)]
pub struct ResMap {
    list: Vec<Resource>,
    /// Id hash -> positions in `list` (verified on collision).
    index: HashMap<u64, Vec<usize>>,
    /// The index matches `list` (false after resources were changed in place).
    fresh: bool,
}

impl ResMap {
    /// An empty map.
    pub fn new() -> Self {
        ResMap {
            list: Vec::new(),
            index: HashMap::new(),
            fresh: true,
        }
    }

    fn reindex(&mut self) {
        if !self.fresh {
            self.index.clear();
            for (i, r) in self.list.iter().enumerate() {
                self.index.entry(id_hash(r)).or_default().push(i);
            }
            self.fresh = true;
        }
    }

    /// Appends a resource; returns its id back as the error when one with
    /// the same id is already present.
    pub fn append(&mut self, r: Resource) -> Result<(), ResId> {
        self.reindex();
        let h = id_hash(&r);
        if let Some(slots) = self.index.get(&h) {
            let id = r.cur_id();
            if slots.iter().any(|&i| same_id(&self.list[i].cur_id(), &id)) {
                return Err(id);
            }
        }
        self.index.entry(h).or_default().push(self.list.len());
        self.list.push(r);
        Ok(())
    }

    /// The resources.
    pub fn resources(&self) -> &[Resource] {
        &self.list
    }

    /// The resources, mutable (invalidates the index).
    pub fn resources_mut(&mut self) -> &mut Vec<Resource> {
        self.fresh = false;
        &mut self.list
    }

    /// Takes the resources out.
    pub fn into_vec(self) -> Vec<Resource> {
        self.list
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The first id that occurs twice, if any.
    pub fn first_duplicate(&self) -> Option<ResId> {
        let mut seen: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, r) in self.list.iter().enumerate() {
            let slots = seen.entry(id_hash(r)).or_default();
            let id = r.cur_id();
            if slots.iter().any(|&j| same_id(&self.list[j].cur_id(), &id)) {
                return Some(id);
            }
            slots.push(i);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn duplicate_ids_are_refused() {
        let mut m = ResMap::new();
        let cm = |ns: &str| {
            Resource::new(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": ns}}),
            )
        };
        m.append(cm("")).unwrap();
        assert!(m.append(cm("default")).is_err());
        m.append(cm("other")).unwrap();
        m.resources_mut()[1].set_namespace("x");
        assert!(m.append(cm("other")).is_ok());
        assert_eq!(m.len(), 3);
        assert!(m.first_duplicate().is_none());
        m.resources_mut()[1].set_namespace("other");
        assert_eq!(
            m.first_duplicate().map(|id| id.namespace),
            Some("other".to_string())
        );
    }
}
