//! An ordered list of resources with an id index for duplicate detection.

use std::collections::HashSet;

use crate::resource::{ResId, Resource};

/// The key two resources collide on: GVK, name, effective namespace.
type IdKey = (String, String, String, String, String);

fn key(id: &ResId) -> IdKey {
    (
        id.gvk.group.clone(),
        id.gvk.version.clone(),
        id.gvk.kind.clone(),
        id.name.clone(),
        id.effective_namespace().to_string(),
    )
}

/// Resources in insertion order.
#[derive(Debug, Clone, Default)]
pub struct ResMap {
    list: Vec<Resource>,
    index: HashSet<IdKey>,
    /// The index matches `list` (false after resources were changed in place).
    fresh: bool,
}

impl ResMap {
    /// An empty map.
    pub fn new() -> Self {
        ResMap {
            list: Vec::new(),
            index: HashSet::new(),
            fresh: true,
        }
    }

    fn reindex(&mut self) {
        if !self.fresh {
            self.index = self.list.iter().map(|r| key(&r.cur_id())).collect();
            self.fresh = true;
        }
    }

    /// Appends a resource; returns its id back as the error when one with
    /// the same id is already present.
    pub fn append(&mut self, r: Resource) -> Result<(), ResId> {
        self.reindex();
        let id = r.cur_id();
        if !self.index.insert(key(&id)) {
            return Err(id);
        }
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
        let mut seen = HashSet::new();
        self.list
            .iter()
            .map(Resource::cur_id)
            .find(|id| !seen.insert(key(id)))
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
    }
}
