//! An ordered list of resources with an id index for duplicate detection.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::resource::{ResId, Resource};

/// Hash of the parts two resources collide on (GVK, name, effective
/// namespace), computed without allocating.
fn id_hash(r: &Resource) -> u64 {
    let mut h = DefaultHasher::new();
    id_parts(r).hash(&mut h);
    h.finish()
}

/// The parts two resources collide on, borrowed: group, version, kind,
/// name and effective namespace (`""` is `default`; cluster-scoped types
/// have none).
fn id_parts(r: &Resource) -> [&str; 5] {
    let api = r.api_version();
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    let kind = r.kind();
    let ns = r.namespace();
    let eff = if crate::fieldspec::is_cluster_scoped(group, version, kind) {
        "_non_namespaceable_"
    } else if ns.is_empty() {
        "default"
    } else {
        ns
    };
    [group, version, kind, r.name(), eff]
}

fn same_id(a: &Resource, b: &Resource) -> bool {
    id_parts(a) == id_parts(b)
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
        if let Some(slots) = self.index.get(&h)
            && slots.iter().any(|&i| same_id(&self.list[i], &r))
        {
            return Err(r.cur_id());
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
        let mut seen = std::collections::HashSet::with_capacity(self.list.len());
        self.list
            .iter()
            .find(|r| !seen.insert(id_parts(r)))
            .map(Resource::cur_id)
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
