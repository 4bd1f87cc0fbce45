//! Name-reference fix-ups: after names changed (prefix, suffix, hash,
//! namespace), rewrite the fields that refer to the old names.
//!
//! Candidates are found through an index from every previous name to the
//! resources that had it, built once per pass, so the pass is linear in the
//! number of references rather than quadratic in the number of resources.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::fieldspec::{FieldSpec, NameBackRef};
use crate::resource::{Gvk, ResId, Resource};

/// Errors of the name-reference pass.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// More than one resource could be the one a field refers to.
    #[error(
        "updating name reference in '{path}' field of '{referrer}': found multiple possible referrals: {candidates}"
    )]
    Ambiguous {
        /// The field.
        path: String,
        /// The resource holding the reference.
        referrer: String,
        /// The ids that fit.
        candidates: String,
    },
    /// A mapping reached by a reference path has no `name`.
    #[error(
        "updating name reference in '{path}' field of '{referrer}': path config error; no 'name' field in node"
    )]
    NoNameField {
        /// The field.
        path: String,
        /// The resource holding the reference.
        referrer: String,
    },
    /// A reference path runs through a scalar (kustomize checks every
    /// reference path of every resource, renamed targets or not).
    #[error(
        "updating name reference in '{path}' field of '{referrer}': considering field '{path}' of object {referrer}: {detail}"
    )]
    Traversal {
        /// The field.
        path: String,
        /// The resource holding the reference.
        referrer: String,
        /// Where the walk stopped (`visit traversal on path: [..]: ` per
        /// list it was in, then `expected sequence or mapping node`).
        detail: String,
    },
}

/// Facts about one candidate, computed once.
struct Cand {
    cur: ResId,
    prev: Vec<ResId>,
    /// Index into the list of original types (see [`Types`]).
    org_type: usize,
}

impl Cand {
    /// The effective namespace of the original id.
    fn org_ns_eff(&self) -> &str {
        self.prev.first().unwrap_or(&self.cur).effective_namespace()
    }

    /// The effective namespace of the current id.
    fn cur_ns_eff(&self) -> &str {
        self.cur.effective_namespace()
    }
}

/// The distinct original types of the resources, each with its plan: the
/// (back reference, field spec) pairs that apply to a referrer of that type
/// (there are hundreds of field specs and few distinct types).
#[derive(Default)]
struct Types {
    index: crate::resource::TypeIndex,
    gvks: Vec<Gvk>,
    plans: Vec<Option<Vec<(usize, usize, bool)>>>,
}

impl Types {
    fn id(&mut self, g: crate::resource::GvkRef<'_>) -> usize {
        let (i, new) = self.index.get_or_add(g);
        if new {
            self.gvks.push(g.to_gvk());
            self.plans.push(None);
        }
        i
    }
}

/// Rewrites references to renamed resources.
pub fn fix(resources: &mut [Resource], backrefs: &[NameBackRef]) -> Result<(), Error> {
    // One pass takes all the filters need of every resource: its ids, its
    // original type, and its name prefixes and suffixes (moved out for the
    // pass, so that referrers can change while they are read, and put back
    // at the end).
    let mut types = Types::default();
    let mut cands = Vec::with_capacity(resources.len());
    let mut affixes = Vec::with_capacity(resources.len());
    for r in resources.iter_mut() {
        cands.push(Cand {
            cur: r.cur_id(),
            prev: r.prev_ids(),
            org_type: types.id(r.org_gvk_ref()),
        });
        affixes.push((
            std::mem::take(&mut r.prefixes),
            std::mem::take(&mut r.suffixes),
        ));
    }
    let result = fix_with(resources, backrefs, &cands, &affixes, &mut types);
    for (r, (p, s)) in resources.iter_mut().zip(affixes) {
        r.prefixes = p;
        r.suffixes = s;
    }
    result
}

fn fix_with(
    resources: &mut [Resource],
    backrefs: &[NameBackRef],
    cands: &[Cand],
    affixes: &[(Vec<String>, Vec<String>)],
    types: &mut Types,
) -> Result<(), Error> {
    // Index: previous name -> resource indices (in order).
    let mut by_prev_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in cands.iter().enumerate() {
        for (j, p) in c.prev.iter().enumerate() {
            if c.prev[..j].iter().all(|q| q.name != p.name) {
                by_prev_name.entry(p.name.as_str()).or_default().push(i);
            }
        }
    }
    let mut by_org_ns: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in cands.iter().enumerate() {
        by_org_ns.entry(c.org_ns_eff()).or_default().push(i);
    }
    let renamed_kinds: HashSet<&str> = cands
        .iter()
        .flat_map(|c| c.prev.iter().map(|p| p.gvk.kind.as_str()))
        .collect();
    for (i, referrer) in resources.iter_mut().enumerate() {
        let t = cands[i].org_type;
        let plan = types.plans[t].get_or_insert_with(|| {
            let org_gvk = &types.gvks[t];
            let mut plan = Vec::new();
            for (bi, br) in backrefs.iter().enumerate() {
                // A target kind nothing of which was renamed has nothing to
                // update: its paths are only checked (see `Job::check_only`).
                let check_only = by_prev_name.is_empty()
                    || (!renamed_kinds.contains(br.target.kind.as_str())
                        && !br.target.kind.is_empty());
                for (fi, fs) in br.referrers.iter().enumerate() {
                    if org_gvk.is_selected_by(&fs.gvk) {
                        plan.push((bi, fi, check_only));
                    }
                }
            }
            plan
        });
        if plan.is_empty() {
            continue;
        }
        let ctx = Referrer::new(referrer, &cands[i].cur, &affixes[i]);
        for &(bi, fi, check_only) in plan.iter() {
            let br = &backrefs[bi];
            let fs = &br.referrers[fi];
            let mut job = Job {
                ctx: &ctx,
                fs,
                target: &br.target,
                cands,
                index: &by_prev_name,
                prefixes: affixes,
                by_org_ns: &by_org_ns,
                check_only,
                error: None,
            };
            walk(referrer.object_mut(), &fs.path, &mut job);
            if let Some(e) = job.error {
                return Err(e);
            }
        }
    }
    Ok(())
}

struct Referrer<'a> {
    cur: &'a ResId,
    cluster_scoped: bool,
    /// Namespaces of ServiceAccount subjects (RoleBinding only).
    binding_namespaces: HashSet<String>,
    role_ref: Option<Gvk>,
    prefixes: &'a [String],
    suffixes: &'a [String],
}

impl<'a> Referrer<'a> {
    fn new(r: &Resource, cur: &'a ResId, affixes: &'a (Vec<String>, Vec<String>)) -> Self {
        let mut binding_namespaces = HashSet::new();
        if cur.gvk.kind == "RoleBinding"
            && let Some(subjects) = r.object().get("subjects").and_then(Value::as_array)
        {
            for s in subjects {
                if s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                    && let Some(ns) = s.get("namespace").and_then(Value::as_str)
                {
                    binding_namespaces.insert(ns.to_string());
                }
            }
        }
        let role_ref = r.object().get("roleRef").and_then(|rr| {
            let g = rr.get("apiGroup")?.as_str()?;
            let k = rr.get("kind")?.as_str()?;
            Some(Gvk {
                group: g.to_string(),
                version: String::new(),
                kind: k.to_string(),
            })
        });
        Referrer {
            cluster_scoped: cur.gvk.is_cluster_scoped(),
            cur,
            binding_namespaces,
            role_ref,
            prefixes: &affixes.0,
            suffixes: &affixes.1,
        }
    }
}

struct Job<'a> {
    ctx: &'a Referrer<'a>,
    fs: &'a FieldSpec,
    target: &'a Gvk,
    cands: &'a [Cand],
    index: &'a HashMap<&'a str, Vec<usize>>,
    prefixes: &'a [(Vec<String>, Vec<String>)],
    by_org_ns: &'a HashMap<&'a str, Vec<usize>>,
    /// Walk the path for its errors only: no candidate can match.
    check_only: bool,
    error: Option<Error>,
}

fn walk(v: &mut Value, path: &[String], job: &mut Job<'_>) {
    if job.error.is_some() {
        return;
    }
    match path.split_first() {
        None if job.check_only => {}
        None => set(v, job),
        Some((first, rest)) => match v {
            Value::Array(items) => {
                for i in items {
                    walk(i, path, job);
                    if let Some(Error::Traversal { detail, .. }) = &mut job.error {
                        let names: Vec<&str> = path
                            .iter()
                            .map(|p| p.strip_suffix("[]").unwrap_or(p))
                            .collect();
                        *detail =
                            format!("visit traversal on path: [{}]: {detail}", names.join(" "));
                    }
                    if job.error.is_some() {
                        return;
                    }
                }
            }
            Value::Object(m) => {
                let name = first.strip_suffix("[]").unwrap_or(first);
                if let Some(child) = m.get_mut(name) {
                    walk(child, rest, job);
                }
            }
            Value::Null => {}
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                job.error = Some(Error::Traversal {
                    path: job.fs.path_str.clone(),
                    referrer: job.ctx.cur.to_string(),
                    detail: "expected sequence or mapping node".to_string(),
                });
            }
        },
    }
}

fn set(v: &mut Value, job: &mut Job<'_>) {
    match v {
        Value::Null => {}
        Value::String(_) | Value::Number(_) | Value::Bool(_) => set_scalar(v, job),
        Value::Object(_) => set_mapping(v, job),
        Value::Array(items) => {
            for i in items {
                match i {
                    Value::Object(_) => set_mapping(i, job),
                    Value::Array(_) | Value::Null => {}
                    _ => set_scalar(i, job),
                }
            }
        }
    }
}

fn set_scalar(v: &mut Value, job: &mut Job<'_>) {
    let old = crate::resource::scalar_string(v);
    let list: Vec<usize> = job.index.get(old.as_str()).cloned().unwrap_or_default();
    let subset: Vec<usize> = list.into_iter().filter(|&i| could_refer(job, i)).collect();
    match select(&old, subset, job, false) {
        Ok(Some(i)) => {
            let new = &job.cands[i].cur.name;
            if *new != old {
                *v = Value::String(new.clone());
            }
        }
        Ok(None) => {}
        Err(e) => job.error = Some(e),
    }
}

fn set_mapping(v: &mut Value, job: &mut Job<'_>) {
    let Some(m) = v.as_object_mut() else { return };
    let Some(name) = m.get("name") else {
        job.error = Some(Error::NoNameField {
            path: job.fs.path_str.clone(),
            referrer: job.ctx.cur.to_string(),
        });
        return;
    };
    let old = crate::resource::scalar_string(name);
    let list: Vec<usize> = job.index.get(old.as_str()).cloned().unwrap_or_default();
    let mut subset: Vec<usize> = list.into_iter().filter(|&i| could_refer(job, i)).collect();
    if let Some(ns) = m.get("namespace") {
        let ns = crate::resource::scalar_string(ns);
        // kustomize groups the candidates by original namespace first and
        // falls back to the current one.
        let visible = |group: Option<&Vec<usize>>| {
            group.is_some_and(|g| g.iter().any(|&i| could_refer(job, i)))
        };
        if visible(job.by_org_ns.get(ns.as_str())) {
            subset.retain(|&i| job.cands[i].org_ns_eff() == ns);
        } else {
            subset.retain(|&i| job.cands[i].cur_ns_eff() == ns);
        }
    }
    match select(&old, subset, job, true) {
        Ok(Some(i)) => {
            let c = &job.cands[i].cur;
            if c.name == old && c.namespace.is_empty() {
                return;
            }
            m.insert("name".into(), Value::String(c.name.clone()));
            if !c.namespace.is_empty() {
                m.insert("namespace".into(), Value::String(c.namespace.clone()));
            }
        }
        Ok(None) => {}
        Err(e) => job.error = Some(e),
    }
}

/// kustomize's `SubsetThatCouldBeReferencedByResource`.
fn could_refer(job: &Job<'_>, i: usize) -> bool {
    let r = job.ctx;
    if r.cluster_scoped {
        return true;
    }
    let c = &job.cands[i].cur;
    if c.gvk.is_cluster_scoped() || c.ns_equals(r.cur) {
        return true;
    }
    r.binding_namespaces.contains(&c.namespace)
}

fn select(
    old: &str,
    subset: Vec<usize>,
    job: &Job<'_>,
    with_ns: bool,
) -> Result<Option<usize>, Error> {
    let r = job.ctx;
    let mut c: Vec<usize> = subset
        .into_iter()
        .filter(|&i| {
            let cand = &job.cands[i];
            cand.prev.iter().any(|p| p.name == old)
                && cand.prev.iter().any(|p| p.gvk.is_selected_by(job.target))
        })
        .collect();
    if job.fs.path_str.ends_with("roleRef/name")
        && let Some(rr) = &r.role_ref
    {
        c.retain(|&i| job.cands[i].prev.iter().any(|p| p.gvk.is_selected_by(rr)));
    }
    if !r.cluster_scoped {
        c.retain(|&i| {
            let cand = &job.cands[i].cur;
            cand.gvk.is_cluster_scoped()
                || cand.gvk.kind == "ServiceAccount"
                || r.cur.ns_equals(cand)
        });
    }
    if c.len() == 1 {
        return Ok(Some(c[0]));
    }
    c.retain(|&i| {
        let (p, s) = &job.prefixes[i];
        same_ending(p, r.prefixes) && same_ending(s, r.suffixes)
    });
    match c.len() {
        0 => Ok(None),
        1 => Ok(Some(c[0])),
        _ => {
            let first = &job.cands[c[0]].cur;
            let same = c.iter().all(|&i| {
                let x = &job.cands[i].cur;
                x.name == first.name && (!with_ns || x.namespace == first.namespace)
            });
            if same {
                Ok(Some(c[0]))
            } else {
                Err(Error::Ambiguous {
                    path: job.fs.path_str.clone(),
                    referrer: r.cur.to_string(),
                    candidates: c
                        .iter()
                        .map(|&i| job.cands[i].cur.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        }
    }
}

fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    let diff = long.len() - short.len();
    short.iter().enumerate().all(|(i, s)| long[i + diff] == *s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fieldspec::TransformerConfig;
    use crate::transform;
    use serde_json::json;

    #[test]
    fn prefixed_configmap_reference_follows() {
        let cfg = TransformerConfig::builtin();
        let mut rs = vec![
            Resource::new(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}),
            ),
            Resource::new(json!({
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {
                    "volumes": [{"name": "v", "configMap": {"name": "cm"}}],
                    "containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "cm"}}, {"configMapRef": {"name": "other"}}]}]
                }}}
            })),
        ];
        transform::prefix_suffix(&mut rs, "p-", "-s", &cfg.name_prefix);
        fix(&mut rs, &cfg.name_reference).unwrap();
        let spec = &rs[1].object()["spec"]["template"]["spec"];
        assert_eq!(spec["volumes"][0]["configMap"]["name"], "p-cm-s");
        assert_eq!(
            spec["containers"][0]["envFrom"][0]["configMapRef"]["name"],
            "p-cm-s"
        );
        assert_eq!(
            spec["containers"][0]["envFrom"][1]["configMapRef"]["name"],
            "other"
        );
        assert_eq!(rs[1].name(), "p-d-s");
    }

    #[test]
    fn rolebinding_subject_gets_name_and_namespace() {
        let cfg = TransformerConfig::builtin();
        let mut rs = vec![
            Resource::new(
                json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}}),
            ),
            Resource::new(json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
                "subjects": [{"kind": "ServiceAccount", "name": "sa"}]
            })),
        ];
        transform::namespace(&mut rs, "ns", &cfg.namespace).unwrap();
        transform::prefix_suffix(&mut rs, "p-", "", &cfg.name_prefix);
        fix(&mut rs, &cfg.name_reference).unwrap();
        assert_eq!(
            rs[1].object()["subjects"][0],
            json!({"kind": "ServiceAccount", "name": "p-sa", "namespace": "ns"})
        );
    }
}
