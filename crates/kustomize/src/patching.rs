//! Glue between the pipeline and the patch and generator modules: reads
//! patch files (through the loader, with the load restrictor), selects
//! targets and calls the pure functions in [`crate::patch`].

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::build::{Accumulator, Builder, Dir};
use crate::generate::{self, Behavior, Generated, GeneratorArgs, GeneratorKind, GeneratorOptions};
use crate::kustomization::{Kustomization, Patch as PatchEntry};
use crate::patch::{self, Candidate, Json6902, Patch, Selector, SelectorSpec, smp};
use crate::resource::{ResId, Resource};

/// Errors of applying patches or generators.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The feature is not available in this build yet.
    #[error("'{field}' is not supported yet")]
    Unsupported {
        /// The kustomization field.
        field: &'static str,
    },
    /// A generator failed.
    #[error("generator")]
    Generate {
        /// The cause.
        #[source]
        source: Box<generate::Error>,
    },
    /// An `IAMPolicyGenerator` config is unusable.
    #[error("IAMPolicyGenerator: {problem}")]
    IamPolicy {
        /// What is wrong.
        problem: &'static str,
    },
    /// A generated object's id is already taken.
    #[error("may not add resource with an already registered id: {id}")]
    Duplicate {
        /// The id.
        id: String,
    },
    /// More than one object could take a generator's merge.
    #[error("found {count} objects that could accept merge of {id}")]
    MultipleMatches {
        /// The generated id.
        id: String,
        /// How many.
        count: usize,
    },
    /// A patch file could not be loaded.
    #[error("loading patch '{path}'")]
    Load {
        /// The entry as written.
        path: String,
        /// The cause.
        #[source]
        source: Box<crate::load::Error>,
    },
    /// The patch text is not a patch.
    #[error("patch {entry}")]
    Parse {
        /// The file or a short form of the inline patch.
        entry: String,
        /// The cause.
        #[source]
        source: Box<patch::Error>,
    },
    /// The JSON 6902 patch text is invalid.
    #[error("patch {entry}")]
    ParseJson6902 {
        /// The file or a short form of the inline patch.
        entry: String,
        /// The cause.
        #[source]
        source: Box<patch::json6902::Error>,
    },
    /// An entry sets both or neither of `path` and `patch`.
    #[error("entry {index}: {problem}")]
    BadEntry {
        /// 0-based index in the list.
        index: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// The `target` selector is invalid.
    #[error("entry {index}: invalid target")]
    Target {
        /// 0-based index in the list.
        index: usize,
        /// The cause.
        #[source]
        source: Box<patch::selector::Error>,
    },
    /// A strategic-merge patch names no (or more than one) resource.
    #[error("no resource matches strategic merge patch \"{id}\" ({matches} matches)")]
    NoTarget {
        /// The id the patch names.
        id: String,
        /// How many resources matched.
        matches: usize,
    },
    /// Merging a strategic-merge patch into a resource failed.
    #[error("applying strategic merge patch to {id}")]
    Merge {
        /// The patched resource.
        id: String,
        /// The cause.
        #[source]
        source: Box<smp::Error>,
    },
    /// Applying a JSON 6902 patch to a resource failed.
    #[error("applying JSON 6902 patch to {id}")]
    Json6902 {
        /// The patched resource.
        id: String,
        /// The cause.
        #[source]
        source: Box<patch::json6902::Error>,
    },
}

fn unsupported(kfile: &Path, field: &'static str) -> crate::build::Error {
    wrap(kfile, field, Error::Unsupported { field })
}

pub(crate) fn wrap(kfile: &Path, field: &'static str, source: Error) -> crate::build::Error {
    crate::build::Error::Patch {
        file: kfile.to_path_buf(),
        field,
        source: Box::new(source),
    }
}

/// `configMapGenerator` / `secretGenerator` / `generators`.
pub(crate) fn run_generators(
    b: &mut Builder<'_>,
    dir: &Dir,
    kust: &Kustomization,
    kfile: &Path,
    ra: &mut Accumulator,
) -> Result<(), crate::build::Error> {
    if !kust.helm_charts.is_empty() || !kust.helm_chart_inflation_generator.is_empty() {
        return Err(unsupported(kfile, "helmCharts"));
    }
    let global = match &kust.generator_options {
        Some(v) => Some(GeneratorOptions::from_value(v).map_err(|source| {
            wrap(
                kfile,
                "generatorOptions",
                Error::Generate {
                    source: Box::new(source),
                },
            )
        })?),
        None => None,
    };
    let kfile_name = kfile
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let configured_in = origin_join(&dir.origin, &kfile_name);
    for (kind, entries, field, by) in [
        (
            GeneratorKind::ConfigMap,
            &kust.config_map_generator,
            "configMapGenerator",
            "ConfigMapGenerator",
        ),
        (
            GeneratorKind::Secret,
            &kust.secret_generator,
            "secretGenerator",
            "SecretGenerator",
        ),
    ] {
        for e in entries {
            let args = GeneratorArgs::from_value(kind, e).map_err(|source| {
                wrap(
                    kfile,
                    field,
                    Error::Generate {
                        source: Box::new(source),
                    },
                )
            })?;
            run_one(
                b,
                dir,
                kfile,
                ra,
                &args,
                global.as_ref(),
                field,
                &configured_in,
                by,
                None,
            )?;
        }
    }
    if !kust.generators.is_empty() {
        let configs = b.load_plugin_configs(dir, kfile, &kust.generators)?;
        for c in configs {
            let obj = c.object();
            let api = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            let kind_s = obj.get("kind").and_then(Value::as_str).unwrap_or("");
            let (kind, by) = match (api, kind_s) {
                ("builtin", "ConfigMapGenerator") => {
                    (GeneratorKind::ConfigMap, "ConfigMapGenerator")
                }
                ("builtin", "SecretGenerator") => (GeneratorKind::Secret, "SecretGenerator"),
                ("builtin", "IAMPolicyGenerator") => {
                    let sa = iam_policy_service_account(obj)
                        .map_err(|e| wrap(kfile, "generators", e))?;
                    let mut r = Resource::new(sa);
                    if b.track_origin {
                        r.origin = Some(crate::resource::Origin {
                            path: String::new(),
                            configured_in: Some(configured_in.clone()),
                            configured_by_kind: Some("IAMPolicyGenerator".into()),
                            configured_by_name: obj
                                .pointer("/metadata/name")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                        });
                    }
                    ra.resources.append(r).map_err(|id| {
                        wrap(kfile, "generators", Error::Duplicate { id: id.to_string() })
                    })?;
                    continue;
                }
                _ => {
                    return Err(crate::build::Error::Plugin {
                        file: kfile.to_path_buf(),
                        source: Box::new(crate::plugins::Error::Unsupported {
                            kind: kind_s.to_string(),
                            api_version: api.to_string(),
                        }),
                    });
                }
            };
            // A plugin config is ObjectMeta (the plugin's own name) plus the
            // generator's arguments inline; unknown fields are ignored.
            let plugin_name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_string);
            let mut entry = serde_json::Map::new();
            if let Some(m) = obj.as_object() {
                for k in [
                    "name",
                    "namespace",
                    "behavior",
                    "literals",
                    "files",
                    "envs",
                    "env",
                    "options",
                    "type",
                ] {
                    if let Some(v) = m.get(k) {
                        entry.insert(k.to_string(), v.clone());
                    }
                }
                for k in ["name", "namespace"] {
                    if !entry.contains_key(k)
                        && let Some(v) = m.get("metadata").and_then(|md| md.get(k))
                    {
                        entry.insert(k.to_string(), v.clone());
                    }
                }
            }
            let entry = Value::Object(entry);
            let args = GeneratorArgs::from_value(kind, &entry).map_err(|source| {
                wrap(
                    kfile,
                    "generators",
                    Error::Generate {
                        source: Box::new(source),
                    },
                )
            })?;
            let origin_in = match &c.origin {
                Some(o) if !o.path.is_empty() => o.path.clone(),
                _ => configured_in.clone(),
            };
            run_one(
                b,
                dir,
                kfile,
                ra,
                &args,
                global.as_ref(),
                "generators",
                &origin_in,
                by,
                plugin_name,
            )?;
        }
    }
    Ok(())
}

/// kustomize's `IAMPolicyGenerator` (cloud `gke`): a ServiceAccount bound to
/// a Google service account by annotation.
fn iam_policy_service_account(cfg: &Value) -> Result<Value, Error> {
    let text = |p: &str| {
        cfg.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if text("/cloud") != "gke" {
        return Err(Error::IamPolicy {
            problem: "only cloud: gke is supported",
        });
    }
    let (name, ns) = (
        text("/kubernetesService/name"),
        text("/kubernetesService/namespace"),
    );
    let (gsa, project) = (
        text("/serviceAccount/name"),
        text("/serviceAccount/projectId"),
    );
    if name.is_empty() || gsa.is_empty() || project.is_empty() {
        return Err(Error::IamPolicy {
            problem: "kubernetesService.name, serviceAccount.name and serviceAccount.projectId are required",
        });
    }
    let mut md = serde_json::Map::new();
    md.insert("name".into(), Value::String(name));
    if !ns.is_empty() {
        md.insert("namespace".into(), Value::String(ns));
    }
    let mut ann = serde_json::Map::new();
    ann.insert(
        "iam.gke.io/gcp-service-account".into(),
        Value::String(format!("{gsa}@{project}.iam.gserviceaccount.com")),
    );
    md.insert("annotations".into(), Value::Object(ann));
    let mut o = serde_json::Map::new();
    o.insert("apiVersion".into(), Value::String("v1".into()));
    o.insert("kind".into(), Value::String("ServiceAccount".into()));
    o.insert("metadata".into(), Value::Object(md));
    Ok(Value::Object(o))
}

fn origin_join(dir: &Path, file: &str) -> String {
    let p = crate::fs::clean(&dir.join(file));
    p.to_string_lossy().replace('\\', "/")
}

#[allow(clippy::too_many_arguments)]
fn run_one(
    b: &mut Builder<'_>,
    dir: &Dir,
    kfile: &Path,
    ra: &mut Accumulator,
    args: &GeneratorArgs,
    global: Option<&GeneratorOptions>,
    field: &'static str,
    configured_in: &str,
    by: &str,
    by_name: Option<String>,
) -> Result<(), crate::build::Error> {
    let (fs, opts) = (b.fs, b.opts);
    let mut read = |path: &str| -> Result<Vec<u8>, generate::ReadError> {
        crate::load::read_bytes(fs, opts, dir, kfile, path).map_err(|e| match e {
            // The generator's error already names the kustomization and the
            // entry; keep only the file system's reason.
            crate::load::Error::Resource { source, .. } => Box::new(source) as generate::ReadError,
            e => Box::new(e) as generate::ReadError,
        })
    };
    let generated = generate::generate(args, global, &mut read).map_err(|source| {
        wrap(
            kfile,
            field,
            Error::Generate {
                source: Box::new(source),
            },
        )
    })?;
    let origin = b.track_origin.then(|| crate::resource::Origin {
        path: String::new(),
        configured_in: Some(configured_in.to_string()),
        configured_by_kind: Some(by.to_string()),
        configured_by_name: by_name,
    });
    absorb(ra, generated, origin).map_err(|e| wrap(kfile, field, e))
}

/// kustomize's `AbsorbAll` for one generated object: create, merge or replace.
fn absorb(
    ra: &mut Accumulator,
    generated: Generated,
    origin: Option<crate::resource::Origin>,
) -> Result<(), Error> {
    let want = Resource::new(generated.object.clone()).cur_id();
    let list = ra.resources.resources_mut();
    let matches: Vec<usize> = list
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.all_ids()
                .iter()
                .any(|id| id.gvk == want.gvk && id.name == want.name && id.ns_equals(&want))
        })
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [] => {
            generate::check_new(&generated).map_err(|source| Error::Generate {
                source: Box::new(source),
            })?;
            let mut r = Resource::new(generated.object);
            r.needs_hash = generated.needs_hash;
            r.origin = origin;
            ra.resources
                .append(r)
                .map_err(|id| Error::Duplicate { id: id.to_string() })?;
        }
        [i] => {
            let behavior = generated.behavior;
            let existing = &mut list[*i];
            let merged = generate::merge_into(existing.object(), existing.needs_hash, generated)
                .map_err(|source| Error::Generate {
                    source: Box::new(source),
                })?;
            *existing.object_mut() = merged.object;
            existing.needs_hash = merged.needs_hash;
            if behavior != Behavior::Merge || existing.origin.is_none() {
                existing.origin = origin;
            }
        }
        many => {
            return Err(Error::MultipleMatches {
                id: want.to_string(),
                count: many.len(),
            });
        }
    }
    Ok(())
}

/// Appends content hashes to generated names (once, at the end of the build).
pub(crate) fn add_hashes(list: &mut [Resource]) -> Result<(), Error> {
    for r in list.iter_mut().filter(|r| r.needs_hash) {
        r.store_previous_id();
        generate::append_hash_suffix(r.object_mut());
        r.needs_hash = false;
    }
    Ok(())
}

/// A short label for an inline patch in messages.
fn inline_label(text: &str) -> String {
    let first = text.trim().lines().next().unwrap_or("");
    format!("(inline: {first:.40}…)")
}

/// Reads a `path:`/`patch:` entry's text and a label for messages.
fn entry_text(
    b: &Builder<'_>,
    dir: &Dir,
    kfile: &Path,
    index: usize,
    e: &PatchEntry,
) -> Result<(String, String), Error> {
    match (e.path.is_empty(), e.patch.trim().is_empty()) {
        (true, true) => Err(Error::BadEntry {
            index,
            problem: "must specify one of patch and path",
        }),
        (false, false) => Err(Error::BadEntry {
            index,
            problem: "patch and path can't be set at the same time",
        }),
        (false, true) => {
            let (text, shown) =
                crate::load::read_file(b.fs, b.opts, dir, kfile, &e.path).map_err(|source| {
                    Error::Load {
                        path: e.path.clone(),
                        source: Box::new(source),
                    }
                })?;
            Ok((text, shown.display().to_string()))
        }
        (true, false) => Ok((e.patch.clone(), inline_label(&e.patch))),
    }
}

/// The [`Candidate`] view of a resource for target selection, borrowed
/// (selection runs over every resource once per patch).
fn candidate<'a>(r: &'a Resource) -> Candidate<'a> {
    let g = r.gvk_ref();
    // Both namespaces are effective ones under the current type.
    let cluster = crate::fieldspec::is_cluster_scoped(g.group, g.version, g.kind);
    let effective = |ns: &'a str| -> &'a str {
        if cluster {
            "_non_namespaceable_"
        } else if ns.is_empty() {
            "default"
        } else {
            ns
        }
    };
    let (org_name, org_ns) = match r.prev.first() {
        Some((_, name, ns)) => (name.as_str(), ns.as_str()),
        None => (r.name(), r.namespace()),
    };
    Candidate {
        group: g.group,
        version: g.version,
        kind: g.kind,
        original_name: org_name,
        current_name: r.name(),
        original_namespace: effective(org_ns),
        current_namespace: effective(r.namespace()),
        object: r.object(),
    }
}

fn select(list: &[Resource], sel: &Selector) -> Vec<usize> {
    list.iter()
        .enumerate()
        .filter(|(_, r)| sel.matches(&candidate(r)))
        .map(|(i, _)| i)
        .collect()
}

/// Resources any of whose ids is the one a patch document names.
fn by_patch_id(list: &[Resource], doc: &Value) -> Vec<usize> {
    let pid = patch::target_id(doc);
    let want = ResId {
        gvk: crate::resource::Gvk {
            group: pid.group.clone(),
            version: pid.version.clone(),
            kind: pid.kind.clone(),
        },
        name: pid.name.clone(),
        namespace: pid.namespace.clone(),
    };
    list.iter()
        .enumerate()
        .filter(|(_, r)| {
            r.all_ids().iter().any(|id| {
                id.name == want.name
                    && id.gvk.kind == want.gvk.kind
                    && (want.gvk.group.is_empty() && want.gvk.version.is_empty()
                        || id.gvk.group == want.gvk.group && id.gvk.version == want.gvk.version)
                    && id.ns_equals(&want)
            })
        })
        .map(|(i, _)| i)
        .collect()
}

fn patch_id_string(doc: &Value) -> String {
    let pid = patch::target_id(doc);
    ResId {
        gvk: crate::resource::Gvk {
            group: pid.group,
            version: pid.version,
            kind: pid.kind,
        },
        name: pid.name,
        namespace: pid.namespace,
    }
    .to_string()
}

/// Applies one strategic-merge document to the resources at `targets`;
/// returns the indices the patch deleted.
fn apply_smp(
    list: &mut [Resource],
    targets: &[usize],
    doc: &Value,
    opts: smp::Options,
    deleted: &mut Vec<usize>,
) -> Result<(), Error> {
    for &i in targets {
        if deleted.contains(&i) {
            continue;
        }
        let r = &mut list[i];
        if opts.allow_name_change || opts.allow_kind_change {
            r.store_previous_id();
        }
        let before = (!r.aliases.is_empty()).then(|| r.aliases.snapshot(r.object()));
        let empty = if r.empty_values.is_empty() {
            Vec::new()
        } else {
            let paths = std::mem::take(&mut r.empty_values);
            locate_empty_values(r, &paths)
        };
        let outcome = smp::apply(r.object_mut(), doc, opts);
        match outcome.map_err(|source| Error::Merge {
            id: r.cur_id().to_string(),
            source: Box::new(source),
        })? {
            smp::Outcome::Patched => {}
            smp::Outcome::Deleted => deleted.push(i),
        }
        if let Some(before) = before {
            // A scalar the patch sets is merged into the existing node.
            let mut aliases = std::mem::take(&mut r.aliases);
            aliases.reconcile(r.object_mut(), &before, &|p| smp_sets_scalar(doc, p));
            r.aliases = aliases;
        }
        for (steps, was_null) in &empty {
            drop_empty_value(r.object_mut(), steps, *was_null, doc);
        }
        retag_untagged(r, doc);
    }
    Ok(())
}

/// kyaml's strategic merge gives the untagged scalars a replacement created
/// (see `Resource::untagged`) the string tag: a number or boolean there
/// prints as a string from now on, unless the patch itself sets the field.
fn retag_untagged(r: &mut Resource, doc: &Value) {
    if r.untagged.is_empty() {
        return;
    }
    let untagged = std::mem::take(&mut r.untagged);
    for p in &untagged {
        if smp_sets_scalar(doc, p) {
            continue;
        }
        if let Some(node) = crate::alias::get_mut(r.object_mut(), p)
            && (node.is_number() || node.is_boolean())
        {
            *node = Value::String(crate::resource::scalar_string(node));
        }
    }
}

/// One step to a field written with an empty value, found again after a
/// merge that may reorder list elements.
enum EmptyStep {
    /// A map key.
    Key(String),
    /// The element of a merge list whose merge keys hold these values.
    Element(Vec<(&'static str, Option<Value>)>),
}

/// kyaml's strategic merge walks every map of the resource and every
/// element of the lists it merges on merge keys (schema lists such as
/// `containers`, `env`, `volumes`), patched there or not, and drops each
/// field whose value is still the empty value its file wrote (`key:`),
/// keeping an explicit `null`/`~`. So of `paths` only the fields that walk
/// reaches are returned, each list index turned into the element's
/// merge-key values (the merge can reorder elements), each with whether
/// the field was read as null (else as `""`).
fn locate_empty_values(
    r: &Resource,
    paths: &[(crate::alias::Path, bool)],
) -> Vec<(Vec<EmptyStep>, bool)> {
    let (api_version, kind) = (r.api_version(), r.kind());
    let mut out = Vec::with_capacity(paths.len());
    'paths: for (path, was_null) in paths {
        let Some(keys) = crate::patch::merge_keys_along(api_version, kind, path) else {
            continue;
        };
        let mut keys = keys.into_iter();
        let mut steps = Vec::with_capacity(path.len());
        for (i, seg) in path.iter().enumerate() {
            steps.push(match seg {
                crate::alias::Seg::Key(k) => EmptyStep::Key(k.clone()),
                crate::alias::Seg::Index(_) => {
                    let (Some(names), Some(element)) =
                        (keys.next(), crate::alias::get(r.object(), &path[..=i]))
                    else {
                        continue 'paths;
                    };
                    EmptyStep::Element(
                        names
                            .iter()
                            .map(|&n| (n, element.get(n).cloned()))
                            .collect(),
                    )
                }
            });
        }
        out.push((steps, *was_null));
    }
    out
}

/// Removes the field at `steps` if it still holds the empty value (read as
/// null, or `""` in a flow mapping or an annotation: `was_null`) and the
/// patch does not set it.
fn drop_empty_value(obj: &mut Value, steps: &[EmptyStep], was_null: bool, doc: &Value) {
    let Some((EmptyStep::Key(key), parent)) = steps.split_last() else {
        return;
    };
    if parent.iter().all(|s| matches!(s, EmptyStep::Key(_))) {
        let path: Vec<crate::alias::Seg> = steps
            .iter()
            .filter_map(|s| match s {
                EmptyStep::Key(k) => Some(crate::alias::Seg::Key(k.clone())),
                EmptyStep::Element(_) => None,
            })
            .collect();
        if smp_sets_scalar(doc, &path) {
            return;
        }
    }
    let mut cur = obj;
    for step in parent {
        let next = match (step, cur) {
            (EmptyStep::Key(k), Value::Object(m)) => m.get_mut(k),
            (EmptyStep::Element(keys), Value::Array(items)) => items
                .iter_mut()
                .find(|e| keys.iter().all(|(n, v)| e.get(*n) == v.as_ref())),
            _ => None,
        };
        let Some(next) = next else {
            return;
        };
        cur = next;
    }
    if let Value::Object(m) = cur
        && m.get(key).is_some_and(|v| {
            if was_null {
                v.is_null()
            } else {
                v.as_str() == Some("")
            }
        })
    {
        m.remove(key);
    }
}

/// Whether a strategic-merge patch writes the scalar at `path` into the
/// existing node: the patch has a scalar there, reached through maps only,
/// none of which replaces its target (`$patch: replace`).
fn smp_sets_scalar(doc: &Value, path: &[crate::alias::Seg]) -> bool {
    let mut cur = doc;
    for seg in path {
        let crate::alias::Seg::Key(k) = seg else {
            return false;
        };
        let Some(m) = cur.as_object() else {
            return false;
        };
        if m.get("$patch").and_then(Value::as_str) == Some("replace") {
            return false;
        }
        let Some(next) = m.get(k) else {
            return false;
        };
        cur = next;
    }
    !cur.is_object() && !cur.is_array() && !cur.is_null()
}

fn drop_deleted(list: &mut Vec<Resource>, mut deleted: Vec<usize>) {
    if deleted.is_empty() {
        return;
    }
    deleted.sort_unstable();
    let mut i = 0;
    list.retain(|_| {
        let keep = deleted.binary_search(&i).is_err();
        i += 1;
        keep
    });
}

/// Applies strategic-merge documents without a target: each names its resource.
fn apply_smp_by_id(
    list: &mut Vec<Resource>,
    docs: &[Value],
    opts: smp::Options,
) -> Result<(), Error> {
    for doc in docs {
        let targets = by_patch_id(list, doc);
        if targets.len() != 1 {
            return Err(Error::NoTarget {
                id: patch_id_string(doc),
                matches: targets.len(),
            });
        }
        let mut deleted = Vec::new();
        apply_smp(list, &targets, doc, opts, &mut deleted)?;
        drop_deleted(list, deleted);
    }
    Ok(())
}

/// `patchesStrategicMerge` (legacy): file paths or inline YAML.
pub(crate) fn strategic_merge(
    b: &mut Builder<'_>,
    dir: &Dir,
    kust: &Kustomization,
    kfile: &Path,
    ra: &mut Accumulator,
) -> Result<(), crate::build::Error> {
    const FIELD: &str = "patchesStrategicMerge";
    for entry in &kust.patches_strategic_merge {
        let single_line = !entry.trim().contains('\n');
        let is_file = single_line
            && b.fs
                .kind(&crate::fs::clean(&dir.abs.join(entry.trim())))
                .is_some();
        let (text, label) = if is_file {
            let (t, shown) = crate::load::read_file(b.fs, b.opts, dir, kfile, entry.trim())
                .map_err(|source| {
                    wrap(
                        kfile,
                        FIELD,
                        Error::Load {
                            path: entry.clone(),
                            source: Box::new(source),
                        },
                    )
                })?;
            (t, shown.display().to_string())
        } else if single_line {
            // Neither an existing file nor YAML content: report the missing file.
            let source = crate::load::read_file(b.fs, b.opts, dir, kfile, entry.trim())
                .err()
                .unwrap_or(crate::load::Error::NoKustomization {
                    dir: PathBuf::from(entry),
                });
            return Err(wrap(
                kfile,
                FIELD,
                Error::Load {
                    path: entry.clone(),
                    source: Box::new(source),
                },
            ));
        } else {
            (entry.clone(), inline_label(entry))
        };
        let docs = patch::parse_strategic(&text).map_err(|source| {
            wrap(
                kfile,
                FIELD,
                Error::Parse {
                    entry: label,
                    source: Box::new(source),
                },
            )
        })?;
        // kustomize merges a copy of each document here (see
        // `patch::copied_strategic`).
        let docs: Vec<Value> = docs
            .into_iter()
            .map(|d| match patch::copied_strategic(&d) {
                std::borrow::Cow::Owned(copy) => copy,
                std::borrow::Cow::Borrowed(_) => d,
            })
            .collect();
        apply_smp_by_id(ra.resources.resources_mut(), &docs, smp::Options::default())
            .map_err(|e| wrap(kfile, FIELD, e))?;
    }
    Ok(())
}

/// `patches`.
pub(crate) fn patches(
    b: &mut Builder<'_>,
    dir: &Dir,
    kust: &Kustomization,
    kfile: &Path,
    ra: &mut Accumulator,
) -> Result<(), crate::build::Error> {
    const FIELD: &str = "patches";
    for (index, e) in kust.patches.iter().enumerate() {
        let (text, label) =
            entry_text(b, dir, kfile, index, e).map_err(|e| wrap(kfile, FIELD, e))?;
        let parsed = if e.path.is_empty() {
            patch::parse_patch(&text)
        } else {
            patch::parse_patch_file(&text)
        };
        let parsed = parsed.map_err(|source| {
            wrap(
                kfile,
                FIELD,
                Error::Parse {
                    entry: label.clone(),
                    source: Box::new(source),
                },
            )
        })?;
        let selector = match &e.target {
            Some(t) => Some(
                SelectorSpec::from_value(t)
                    .and_then(|s| Selector::new(&s))
                    .map_err(|source| {
                        wrap(
                            kfile,
                            FIELD,
                            Error::Target {
                                index,
                                source: Box::new(source),
                            },
                        )
                    })?,
            ),
            None => None,
        };
        let opts = smp::Options {
            allow_name_change: e.options.get("allowNameChange").copied().unwrap_or(false),
            allow_kind_change: e.options.get("allowKindChange").copied().unwrap_or(false),
        };
        let list = ra.resources.resources_mut();
        match (parsed, selector) {
            (Patch::Strategic(docs), Some(sel)) => {
                if docs.len() > 1 {
                    return Err(wrap(
                        kfile,
                        FIELD,
                        Error::BadEntry {
                            index,
                            problem: "multiple strategic-merge patches in one `patches` entry may not set `target`",
                        },
                    ));
                }
                let targets = select(list, &sel);
                let mut deleted = Vec::new();
                for doc in &docs {
                    // A targeted patch merges a copy of the document.
                    let doc = patch::copied_strategic(doc);
                    apply_smp(list, &targets, &doc, opts, &mut deleted)
                        .map_err(|e| wrap(kfile, FIELD, e))?;
                }
                drop_deleted(list, deleted);
            }
            (Patch::Strategic(mut docs), None) => {
                // Merged as written: a null annotation deletes.
                patch::restore_annotation_nulls(&text, &mut docs);
                apply_smp_by_id(list, &docs, opts).map_err(|e| wrap(kfile, FIELD, e))?;
            }
            (Patch::Json6902(ops), Some(sel)) => {
                apply_json(list, &sel, &ops, true).map_err(|e| wrap(kfile, FIELD, e))?;
            }
            (Patch::Json6902(_), None) => {
                return Err(wrap(
                    kfile,
                    FIELD,
                    Error::BadEntry {
                        index,
                        problem: "must specify a target for a JSON 6902 patch",
                    },
                ));
            }
        }
    }
    Ok(())
}

/// `patches` (`stores_id`: kustomize stores the previous id, in build
/// annotations, before the ops) or legacy `patchesJson6902`.
fn apply_json(
    list: &mut [Resource],
    sel: &Selector,
    ops: &Json6902,
    stores_id: bool,
) -> Result<(), Error> {
    for i in select(list, sel) {
        let r = &mut list[i];
        let build_annotations = stores_id || r.has_build_annotations();
        // kustomize records the id first: a JSON patch may rename.
        r.store_previous_id();
        let result = ops.apply_to_resource(r.object_mut(), build_annotations);
        result.map_err(|source| Error::Json6902 {
            id: r.cur_id().to_string(),
            source: Box::new(source),
        })?;
        // kustomize applies it to a JSON copy and reads the result back:
        // no node is shared any more, empty values became explicit nulls.
        r.aliases.clear();
        r.empty_values = Vec::new();
        r.untagged.clear();
    }
    Ok(())
}

/// `patchesJson6902` (legacy).
pub(crate) fn json6902(
    b: &mut Builder<'_>,
    dir: &Dir,
    kust: &Kustomization,
    kfile: &Path,
    ra: &mut Accumulator,
) -> Result<(), crate::build::Error> {
    const FIELD: &str = "patchesJson6902";
    for (index, e) in kust.patches_json6902.iter().enumerate() {
        let Some(target) = &e.target else {
            return Err(wrap(
                kfile,
                FIELD,
                Error::BadEntry {
                    index,
                    problem: "must specify the target field",
                },
            ));
        };
        let (text, label) =
            entry_text(b, dir, kfile, index, e).map_err(|e| wrap(kfile, FIELD, e))?;
        let ops = Json6902::parse(&text).map_err(|source| {
            wrap(
                kfile,
                FIELD,
                Error::ParseJson6902 {
                    entry: label,
                    source: Box::new(source),
                },
            )
        })?;
        let sel = SelectorSpec::from_value(target)
            .and_then(|s| Selector::new(&s))
            .map_err(|source| {
                wrap(
                    kfile,
                    FIELD,
                    Error::Target {
                        index,
                        source: Box::new(source),
                    },
                )
            })?;
        apply_json(ra.resources.resources_mut(), &sel, &ops, false)
            .map_err(|e| wrap(kfile, FIELD, e))?;
    }
    Ok(())
}

/// `ValueAddTransformer`: set each target field (created when missing) to
/// `value`, or insert it as a path segment.
pub(crate) fn value_add(
    list: &mut [Resource],
    value: &str,
    targets: &[crate::plugins::ValueAddTarget],
) -> Result<(), Error> {
    for (index, t) in targets.iter().enumerate() {
        let sel = match &t.selector {
            Some(s) => Some(
                SelectorSpec::from_value(s)
                    .and_then(|s| Selector::new(&s))
                    .map_err(|source| Error::Target {
                        index,
                        source: Box::new(source),
                    })?,
            ),
            None => None,
        };
        let path = crate::fieldspec::split_path(&t.field_path);
        let picked: Vec<usize> = match &sel {
            Some(sel) => select(list, sel),
            None => (0..list.len()).collect(),
        };
        for i in picked {
            let pos = t.file_path_position;
            let _ = crate::fieldspec::visit::<()>(
                list[i].object_mut(),
                &path,
                true,
                crate::fieldspec::CreateKind::Scalar,
                &mut |node| {
                    let new = if pos > 0 {
                        let cur = node.as_str().unwrap_or("");
                        crate::plugins::insert_path_segment(cur, pos, value)
                    } else {
                        value.to_string()
                    };
                    *node = Value::String(new);
                    Ok(())
                },
            );
        }
    }
    Ok(())
}
