//! The build pipeline: load a kustomization tree, accumulate resources,
//! run generators and transformers in kustomize's order, fix name
//! references, sort.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::fieldspec::TransformerConfig;
use crate::fs::{EntryKind, FileSystem, clean};
use crate::kustomization::{Kustomization, Warning};
use crate::resmap::ResMap;
use crate::resource::Resource;
use crate::{load, nameref, transform};

/// Which files a kustomization may read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// Files must lie in or below the kustomization's directory (kustomize's default).
    #[default]
    RootOnly,
    /// Files may lie anywhere the [`FileSystem`] allows (Flux confines the
    /// file system to the repository root).
    None,
}

/// Largest file a build reads by default (256 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// Build options.
#[derive(Debug, Clone)]
pub struct Options {
    /// The load restrictor.
    pub load_restrictor: LoadRestrictor,
    /// Files larger than this are refused (default [`DEFAULT_MAX_FILE_SIZE`]).
    pub max_file_size: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            load_restrictor: LoadRestrictor::default(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

impl Options {
    /// Sets the load restrictor.
    #[must_use]
    pub fn with_load_restrictor(mut self, r: LoadRestrictor) -> Self {
        self.load_restrictor = r;
        self
    }

    /// Sets the per-file size limit.
    #[must_use]
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }
}

/// A finished build.
#[derive(Debug, Clone)]
pub struct Output {
    /// The resources, in output order.
    pub resources: Vec<Resource>,
    /// Warnings (deprecated fields…), for the caller to show.
    pub warnings: Vec<Warning>,
}

impl Output {
    /// The YAML stream `kubectl kustomize` prints.
    pub fn to_yaml(&self) -> String {
        let mut out = String::with_capacity(self.resources.len() * 1024);
        let never: Result<(), std::convert::Infallible> =
            self.emit(&mut out, usize::MAX, |_| Ok(()));
        match never {
            Ok(()) => out,
            Err(e) => match e {},
        }
    }

    /// Emits the documents into `buf`, `---`-separated, handing `buf` to
    /// `flush` whenever it holds at least `chunk` bytes.
    fn emit<E>(
        &self,
        buf: &mut String,
        chunk: usize,
        mut flush: impl FnMut(&mut String) -> Result<(), E>,
    ) -> Result<(), E> {
        for (i, r) in self.resources.iter().enumerate() {
            if i > 0 {
                buf.push_str("---\n");
            }
            weir_yaml::emit_document(r.object(), buf);
            if buf.len() >= chunk {
                flush(buf)?;
            }
        }
        Ok(())
    }

    /// Writes the same bytes as [`Output::to_yaml`] to `w` in chunks of
    /// about 64 KiB, so the whole stream never sits in memory at once.
    ///
    /// ```
    /// # use weir_kustomize::{build, fs::MemFs, Options};
    /// # use std::path::Path;
    /// let mut fs = MemFs::new();
    /// fs.add("/k/kustomization.yaml", "resources: [cm.yaml]\n");
    /// fs.add("/k/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
    /// let out = build(&fs, Path::new("/k"), &Options::default())?;
    /// let mut bytes = Vec::new();
    /// out.write_yaml(&mut bytes)?;
    /// assert_eq!(bytes, out.to_yaml().into_bytes());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_yaml(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        const CHUNK: usize = 64 * 1024;
        let mut buf = String::with_capacity(2 * CHUNK);
        self.emit(&mut buf, CHUNK, |buf: &mut String| -> std::io::Result<()> {
            w.write_all(buf.as_bytes())?;
            buf.clear();
            Ok(())
        })?;
        w.write_all(buf.as_bytes())
    }
}

/// Errors of a build.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Loading a kustomization or resource failed.
    #[error(transparent)]
    Load(Box<load::Error>),
    /// Two resources have the same id.
    #[error("{}: may not add resource with an already registered id: {id}", path.display())]
    DuplicateId {
        /// The file or directory that added the second one.
        path: PathBuf,
        /// The id.
        id: String,
    },
    /// A kustomization refers to itself through its bases.
    #[error("{}: cycle detected: {} is already being built", from.display(), dir.display())]
    Cycle {
        /// The kustomization that refers back.
        from: PathBuf,
        /// The directory already being built.
        dir: PathBuf,
    },
    /// `components:` names a kustomization, or `resources:` a component.
    #[error("{}: expected kind '{expected}' but got '{got}'", dir.display())]
    WrongKind {
        /// The directory.
        dir: PathBuf,
        /// The kind required there.
        expected: &'static str,
        /// The kind found.
        got: String,
    },
    /// A transformer failed.
    #[error("{}: {field}", file.display())]
    Transform {
        /// The kustomization file.
        file: PathBuf,
        /// The field whose transformer failed.
        field: &'static str,
        /// The cause.
        #[source]
        source: Box<transform::Error>,
    },
    /// A patch failed.
    #[error("{}: {field}", file.display())]
    Patch {
        /// The kustomization file.
        file: PathBuf,
        /// The field holding the patch.
        field: &'static str,
        /// The cause.
        #[source]
        source: Box<crate::patching::Error>,
    },
    /// Fixing name references failed.
    #[error("{}: fixing name references", file.display())]
    NameReference {
        /// The top kustomization.
        file: PathBuf,
        /// The cause.
        #[source]
        source: Box<nameref::Error>,
    },
    /// A `transformers:`/`generators:` plugin configuration is unsupported or invalid.
    #[error("{}: plugin configuration", file.display())]
    Plugin {
        /// The kustomization file.
        file: PathBuf,
        /// The cause.
        #[source]
        source: Box<crate::plugins::Error>,
    },
    /// `replacements` failed.
    #[error("{}: replacements", file.display())]
    Replacements {
        /// The kustomization file.
        file: PathBuf,
        /// The cause.
        #[source]
        source: Box<crate::replacements::Error>,
    },
    /// `vars` failed.
    #[error("{}: vars", file.display())]
    Vars {
        /// The kustomization file.
        file: PathBuf,
        /// The cause.
        #[source]
        source: Box<crate::vars::Error>,
    },
    /// `sortOptions` is invalid.
    #[error("{}: {message}", file.display())]
    SortOptions {
        /// The kustomization file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A kustomization uses a feature this engine does not support.
    #[error("{}: '{field}' is not supported{detail}", file.display())]
    Unsupported {
        /// The kustomization file.
        file: PathBuf,
        /// The field.
        field: String,
        /// More context (starts with ": " when present).
        detail: String,
    },
}

impl From<load::Error> for Error {
    fn from(e: load::Error) -> Self {
        Error::Load(Box::new(e))
    }
}

/// A directory being built: where it is and how to name it.
#[derive(Debug, Clone)]
pub(crate) struct Dir {
    /// Canonical path for the file system.
    pub(crate) abs: PathBuf,
    /// Path as the user would write it (for messages).
    pub(crate) shown: PathBuf,
    /// Path relative to the top kustomization (for origin annotations).
    pub(crate) origin: PathBuf,
}

impl Dir {
    pub(crate) fn file(&self, name: &str) -> PathBuf {
        self.shown.join(name)
    }
}

/// Resources and configuration gathered so far.
#[derive(Debug, Default)]
pub(crate) struct Accumulator {
    pub(crate) resources: ResMap,
    /// Field specs in force (builtin merged with `configurations:`/`crds:`).
    pub(crate) config: TransformerConfig,
    /// Vars declared so far.
    pub(crate) vars: Vec<crate::vars::Var>,
}

impl Accumulator {
    fn new() -> Self {
        Accumulator {
            resources: ResMap::new(),
            config: TransformerConfig::default(),
            vars: Vec::new(),
        }
    }

    fn append(&mut self, r: Resource, path: &Path) -> Result<(), Error> {
        self.resources.append(r).map_err(|id| Error::DuplicateId {
            path: path.to_path_buf(),
            id: id.to_string(),
        })
    }
}

pub(crate) struct Builder<'a> {
    pub(crate) fs: &'a dyn FileSystem,
    pub(crate) opts: &'a Options,
    pub(crate) warnings: Vec<Warning>,
    /// Directories being built (for cycle detection).
    stack: Vec<PathBuf>,
    /// Whether origins are recorded (top-level `buildMetadata` non-empty).
    pub(crate) track_origin: bool,
    builtin: TransformerConfig,
}

/// Builds the kustomization in `dir`.
pub fn build(fs: &dyn FileSystem, dir: &Path, opts: &Options) -> Result<Output, Error> {
    let abs = fs.canonicalize(dir).map_err(load::Error::Read)?;
    if fs.kind(&abs) != Some(EntryKind::Dir) {
        return Err(load::Error::NotADirectory {
            path: dir.to_path_buf(),
        }
        .into());
    }
    let top = Dir {
        abs,
        shown: dir.to_path_buf(),
        origin: PathBuf::new(),
    };
    let mut b = Builder {
        fs,
        opts,
        warnings: Vec::new(),
        stack: Vec::new(),
        track_origin: false,
        builtin: TransformerConfig::builtin(),
    };
    let (kust, file) = b.load_kustomization(&top)?;
    b.track_origin = !kust.build_metadata.is_empty();
    if kust.is_component() {
        return Err(Error::WrongKind {
            dir: top.shown.clone(),
            expected: "Kustomization",
            got: kust.kind.clone(),
        });
    }
    let kfile = top.file(&file);
    let mut ra = Accumulator::new();
    b.stack.push(top.abs.clone());
    b.accumulate_target(&top, &kust, &kfile, &mut ra)?;
    b.stack.pop();

    let config = std::mem::take(&mut ra.config);
    let mut resources = std::mem::take(&mut ra.resources);
    crate::patching::add_hashes(resources.resources_mut()).map_err(|source| Error::Patch {
        file: kfile.clone(),
        field: "configMapGenerator",
        source: Box::new(source),
    })?;
    nameref::fix(resources.resources_mut(), &config.name_reference).map_err(|source| {
        Error::NameReference {
            file: kfile.clone(),
            source: Box::new(source),
        }
    })?;
    crate::vars::resolve(&ra.vars, resources.resources_mut(), &config.var_reference).map_err(
        |source| Error::Vars {
            file: kfile.clone(),
            source: Box::new(source),
        },
    )?;
    let order = crate::sort::Order::new(kust.sort_options.as_ref()).map_err(|message| {
        Error::SortOptions {
            file: kfile.clone(),
            message,
        }
    })?;
    let origins = kust.build_metadata.iter().any(|m| m == "originAnnotations");
    let managed_by = kust.build_metadata.iter().any(|m| m == "managedByLabel");
    let transformations = kust
        .build_metadata
        .iter()
        .any(|m| m == "transformerAnnotations");
    // One last pass over every resource (each is cold in memory by now on
    // large builds): drop local config, finish annotations, take sort keys.
    let all = resources.into_vec();
    let mut keys = order.keys(all.len());
    let mut list: Vec<Resource> = Vec::with_capacity(all.len());
    for mut r in all {
        if r.is_local_config() {
            continue;
        }
        if transformations && !r.transformations.is_empty() {
            let v = crate::resource::transformations_annotation(&r.transformations);
            r.set_annotation("alpha.config.kubernetes.io/transformations", v);
        }
        if origins && let Some(o) = r.origin.clone() {
            r.set_annotation("config.kubernetes.io/origin", o.annotation());
        }
        finish_annotations(r.object_mut());
        keys.push(&r);
        list.push(r);
    }
    let mut list = keys.sort(list);
    if managed_by {
        let mut pairs = BTreeMap::new();
        // `kubectl kustomize` (the reference) embeds kustomize as a
        // library, whose build carries no release version: its label
        // value is `kustomize-(devel)`, not `kustomize-v5.5.0`.
        pairs.insert(
            "app.kubernetes.io/managed-by".to_string(),
            "kustomize-(devel)".to_string(),
        );
        let specs = [crate::fieldspec::FieldSpec::new(
            "",
            "",
            "",
            "metadata/labels",
            true,
        )];
        transform::add_pairs(&mut list, &pairs, &specs).map_err(|source| Error::Transform {
            file: kfile.clone(),
            field: "buildMetadata",
            source: Box::new(source),
        })?;
    }
    Ok(Output {
        resources: list,
        warnings: b.warnings,
    })
}

/// Annotations kustomize's build (and the kyaml reader/writer) use
/// internally; they never reach the output.
const BUILD_ANNOTATIONS: &[&str] = &[
    "internal.config.kubernetes.io/path",
    "config.kubernetes.io/path",
    "internal.config.kubernetes.io/index",
    "config.kubernetes.io/index",
    "internal.config.kubernetes.io/seqindent",
    "internal.config.kubernetes.io/id",
    "config.k8s.io/id",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
];

/// kustomize ends a build by reading every resource's annotations as a
/// string map and writing them back: build annotations are dropped, every
/// value becomes a string (as written: `1`, `true`; empty for null), and an
/// empty (or null) annotations map disappears.
fn finish_annotations(obj: &mut serde_json::Value) {
    use serde_json::Value;
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(annotations) = meta.get_mut("annotations") else {
        return;
    };
    let mut empty = true;
    if let Value::Object(m) = annotations {
        m.retain(|k, _| !BUILD_ANNOTATIONS.contains(&k.as_str()));
        for v in m.values_mut().filter(|v| !v.is_string()) {
            *v = Value::String(load::scalar_text(v));
        }
        empty = m.is_empty();
    }
    if empty {
        meta.remove("annotations");
    }
}

/// A generator merged into (or replacing) an existing ConfigMap/Secret
/// rewrites its data as strings: fields an earlier replacement created are
/// no longer untagged there.
fn forget_untagged_generated(kust: &Kustomization, existing: &mut [Resource]) {
    fn norm(ns: &str) -> &str {
        if ns.is_empty() { "default" } else { ns }
    }
    let ids: Vec<(&str, &str)> = kust
        .config_map_generator
        .iter()
        .chain(&kust.secret_generator)
        .filter_map(|g| {
            let name = g.get("name").and_then(serde_json::Value::as_str)?;
            let ns = g.get("namespace").and_then(serde_json::Value::as_str);
            Some((name, norm(ns.unwrap_or_default())))
        })
        .collect();
    if ids.is_empty() {
        return;
    }
    for r in existing.iter_mut().filter(|r| !r.untagged.is_empty()) {
        if matches!(r.kind(), "ConfigMap" | "Secret")
            && r.all_ids().iter().any(|id| {
                ids.iter()
                    .any(|(name, ns)| id.name == *name && norm(&id.namespace) == *ns)
            })
        {
            r.untagged.clear();
        }
    }
}

fn is_remote(path: &str) -> bool {
    path.contains("://")
        || path.starts_with("git@")
        || path.starts_with("github.com/")
        || path.starts_with("gitlab.com/")
        || path.starts_with("bitbucket.org/")
        || path.contains("?ref=")
        || path.contains(".git//")
}

impl Builder<'_> {
    fn load_kustomization(&mut self, dir: &Dir) -> Result<(Kustomization, String), Error> {
        let (k, file, warnings) = load::kustomization(self.fs, self.opts, dir)?;
        self.warnings.extend(warnings);
        Ok((k, file))
    }

    fn accumulate_target(
        &mut self,
        dir: &Dir,
        kust: &Kustomization,
        kfile: &Path,
        ra: &mut Accumulator,
    ) -> Result<(), Error> {
        if kust.openapi.is_some() {
            // A custom schema changes strategic-merge results; refusing is
            // better than rendering something kustomize would not.
            return Err(Error::Unsupported {
                file: kfile.to_path_buf(),
                field: "openapi".into(),
                detail: ": custom OpenAPI schemas for strategic merge".into(),
            });
        }
        for path in &kust.resources {
            self.accumulate_resource(dir, kfile, path, ra)?;
        }
        // This level's configuration: custom specs first, then the builtin
        // ones (kustomize's merge order), then into the accumulator.
        if kust.configurations.is_empty() {
            ra.config.merge(&self.builtin);
        } else {
            let mut level = TransformerConfig::default();
            for path in &kust.configurations {
                let cfg = load::configuration(self.fs, self.opts, dir, kfile, path)?;
                level.merge(&cfg);
            }
            level.merge(&self.builtin);
            ra.config.merge(&level);
        }
        for path in &kust.crds {
            let cfg = load::crd_configuration(self.fs, self.opts, dir, kfile, path)?;
            ra.config.merge(&cfg);
        }
        let before = ra.resources.len();
        crate::patching::run_generators(self, dir, kust, kfile, ra)?;
        if let Some(new) = ra.resources.resources_mut().get_mut(before..) {
            new.iter_mut().for_each(|r| r.generated = true);
        }
        if let Some(old) = ra.resources.resources_mut().get_mut(..before) {
            forget_untagged_generated(kust, old);
        }
        for path in &kust.components {
            self.accumulate_directory(dir, kfile, path, ra, true)?;
        }
        self.run_transformers(dir, kust, kfile, ra)?;
        if !kust.validators.is_empty() {
            return Err(Error::Unsupported {
                file: kfile.to_path_buf(),
                field: "validators".into(),
                detail: ": plugins are not supported".into(),
            });
        }
        if !kust.vars.is_empty() {
            let vars = crate::vars::parse(&kust.vars).map_err(|source| Error::Vars {
                file: kfile.to_path_buf(),
                source: Box::new(source),
            })?;
            crate::vars::merge(&mut ra.vars, vars, ra.resources.resources_mut()).map_err(
                |source| Error::Vars {
                    file: kfile.to_path_buf(),
                    source: Box::new(source),
                },
            )?;
        }
        Ok(())
    }

    fn run_transformers(
        &mut self,
        dir: &Dir,
        kust: &Kustomization,
        kfile: &Path,
        ra: &mut Accumulator,
    ) -> Result<(), Error> {
        let config = std::mem::take(&mut ra.config);
        let result = self.run_transformers_with(dir, kust, kfile, ra, &config);
        ra.config = config;
        result
    }

    fn run_transformers_with(
        &mut self,
        dir: &Dir,
        kust: &Kustomization,
        kfile: &Path,
        ra: &mut Accumulator,
        config: &TransformerConfig,
    ) -> Result<(), Error> {
        let tr = |field: &'static str| {
            move |source: transform::Error| Error::Transform {
                file: kfile.to_path_buf(),
                field,
                source: Box::new(source),
            }
        };
        let cin = origin_string(
            &dir.origin.join(
                kfile
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
            ),
        );
        let track = self.track_origin;
        let record = |ra: &mut Accumulator, kind: &str, times: usize| {
            if !track || times == 0 {
                return;
            }
            for r in ra.resources.resources_mut() {
                for _ in 0..times {
                    r.transformations.push(crate::resource::TransformRecord {
                        configured_in: cin.clone(),
                        kind: kind.to_string(),
                        name: None,
                        namespace: None,
                    });
                }
            }
        };
        crate::patching::strategic_merge(self, dir, kust, kfile, ra)?;
        record(
            ra,
            "PatchStrategicMergeTransformer",
            usize::from(!kust.patches_strategic_merge.is_empty()),
        );
        crate::patching::patches(self, dir, kust, kfile, ra)?;
        record(ra, "PatchTransformer", kust.patches.len());
        let list = ra.resources.resources_mut();
        transform::namespace(list, &kust.namespace, &config.namespace).map_err(tr("namespace"))?;
        if !kust.namespace.is_empty()
            && let Some(id) = ra.resources.first_duplicate()
        {
            return Err(tr("namespace")(transform::Error::NamespaceConflict {
                id: id.to_string(),
            }));
        }
        record(
            ra,
            "NamespaceTransformer",
            usize::from(!kust.namespace.is_empty()),
        );
        let list = ra.resources.resources_mut();
        transform::prefix_suffix(
            list,
            &kust.name_prefix,
            &kust.name_suffix,
            &config.name_prefix,
        );
        record(
            ra,
            "PrefixTransformer",
            usize::from(!kust.name_prefix.is_empty()),
        );
        record(
            ra,
            "SuffixTransformer",
            usize::from(!kust.name_suffix.is_empty()),
        );
        let list = ra.resources.resources_mut();
        for label in &kust.labels {
            let mut specs: Vec<_> = label.fields.iter().map(|f| f.to_spec()).collect();
            // kustomize merges the builtin specs into the entry's own
            // fields: duplicates are dropped, a different `create` fails.
            let metadata = [crate::fieldspec::FieldSpec::new(
                "",
                "",
                "",
                "metadata/labels",
                true,
            )];
            let builtin: &[&[crate::fieldspec::FieldSpec]] =
                match (label.include_selectors, label.include_templates) {
                    (true, _) => &[&config.common_labels],
                    (false, true) => &[&config.template_labels, &metadata],
                    (false, false) => &[&metadata],
                };
            for fs in builtin.iter().copied().flatten() {
                crate::fieldspec::merge_one(&mut specs, fs).map_err(|x| {
                    tr("labels")(transform::Error::ConflictingFieldSpecs {
                        path: x.path_str.clone(),
                        kind: x.gvk.kind.clone(),
                    })
                })?;
            }
            transform::add_pairs(list, &label.pairs, &specs).map_err(tr("labels"))?;
        }
        transform::add_pairs(list, &kust.common_labels, &config.common_labels)
            .map_err(tr("commonLabels"))?;
        record(
            ra,
            "LabelTransformer",
            kust.labels.len() + usize::from(!kust.common_labels.is_empty()),
        );
        let list = ra.resources.resources_mut();
        transform::add_pairs(list, &kust.common_annotations, &config.common_annotations)
            .map_err(tr("commonAnnotations"))?;
        record(
            ra,
            "AnnotationsTransformer",
            usize::from(!kust.common_annotations.is_empty()),
        );
        crate::patching::json6902(self, dir, kust, kfile, ra)?;
        record(ra, "PatchJson6902Transformer", kust.patches_json6902.len());
        let list = ra.resources.resources_mut();
        transform::replicas(list, &kust.replicas, &config.replicas).map_err(tr("replicas"))?;
        record(ra, "ReplicaCountTransformer", kust.replicas.len());
        let list = ra.resources.resources_mut();
        transform::images(list, &kust.images, &config.images);
        record(ra, "ImageTagTransformer", kust.images.len());
        if !kust.replacements.is_empty() {
            let reps = self.load_replacements(dir, kfile, &kust.replacements)?;
            crate::replacements::apply(ra.resources.resources_mut(), &reps).map_err(|source| {
                Error::Replacements {
                    file: kfile.to_path_buf(),
                    source: Box::new(source),
                }
            })?;
            record(ra, "ReplacementTransformer", 1);
        }
        if !kust.transformers.is_empty() {
            self.run_plugin_transformers(dir, kust, kfile, ra, &cin)?;
        }
        Ok(())
    }

    /// Loads plugin configurations from `transformers:` entries (inline
    /// YAML, files, or kustomization directories).
    pub(crate) fn load_plugin_configs(
        &mut self,
        dir: &Dir,
        kfile: &Path,
        entries: &[String],
    ) -> Result<Vec<Resource>, Error> {
        let mut ra = Accumulator::new();
        for e in entries {
            let inline =
                e.contains('\n') && load::parse_resources(e, kfile).is_ok_and(|r| !r.is_empty());
            if inline {
                for r in load::parse_resources(e, kfile)? {
                    ra.append(r, kfile)?;
                }
            } else {
                self.accumulate_resource(dir, kfile, e, &mut ra)?;
            }
        }
        Ok(ra.resources.into_vec())
    }

    fn run_plugin_transformers(
        &mut self,
        dir: &Dir,
        kust: &Kustomization,
        kfile: &Path,
        ra: &mut Accumulator,
        configured_in: &str,
    ) -> Result<(), Error> {
        use crate::plugins::Transformer as T;
        let configs = self.load_plugin_configs(dir, kfile, &kust.transformers)?;
        let mut pending: Vec<crate::resource::TransformRecord> = Vec::new();
        let perr = |source| Error::Plugin {
            file: kfile.to_path_buf(),
            source: Box::new(source),
        };
        let tr = |field: &'static str| {
            move |source: transform::Error| Error::Transform {
                file: kfile.to_path_buf(),
                field,
                source: Box::new(source),
            }
        };
        for c in &configs {
            let t = crate::plugins::parse(c.object()).map_err(perr)?;
            if self.track_origin {
                let obj = c.object();
                let md = |k: &str| {
                    obj.get("metadata")
                        .and_then(|m| m.get(k))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                let rec = crate::resource::TransformRecord {
                    configured_in: match &c.origin {
                        Some(o) if !o.path.is_empty() => o.path.clone(),
                        _ => configured_in.to_string(),
                    },
                    kind: obj
                        .get("kind")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    name: md("name"),
                    namespace: md("namespace"),
                };
                pending.push(rec);
            }
            let empty = Kustomization::default();
            match t {
                T::PrefixSuffix {
                    prefix,
                    suffix,
                    specs,
                } => {
                    transform::prefix_suffix_with(
                        ra.resources.resources_mut(),
                        &prefix,
                        &suffix,
                        &specs,
                    );
                }
                T::Pairs { pairs, specs } => {
                    transform::add_pairs(ra.resources.resources_mut(), &pairs, &specs)
                        .map_err(tr("transformers"))?;
                }
                T::Namespace {
                    namespace,
                    specs,
                    options,
                } => {
                    transform::namespace_with(
                        ra.resources.resources_mut(),
                        &namespace,
                        &specs,
                        options,
                    )
                    .map_err(tr("transformers"))?;
                }
                T::Image { image, specs } => {
                    transform::images(
                        ra.resources.resources_mut(),
                        std::slice::from_ref(&image),
                        &specs,
                    );
                }
                T::Replicas { replica, specs } => {
                    transform::replicas(
                        ra.resources.resources_mut(),
                        std::slice::from_ref(&replica),
                        &specs,
                    )
                    .map_err(tr("transformers"))?;
                }
                T::Patch(p) => {
                    let k = Kustomization {
                        patches: vec![p],
                        ..empty
                    };
                    crate::patching::patches(self, dir, &k, kfile, ra)?;
                }
                T::StrategicMerge(paths) => {
                    let k = Kustomization {
                        patches_strategic_merge: paths,
                        ..empty
                    };
                    crate::patching::strategic_merge(self, dir, &k, kfile, ra)?;
                }
                T::Json6902(p) => {
                    let k = Kustomization {
                        patches_json6902: vec![p],
                        ..empty
                    };
                    crate::patching::json6902(self, dir, &k, kfile, ra)?;
                }
                T::ValueAdd { value, targets } => {
                    let value = value.unwrap_or_else(|| {
                        dir.abs
                            .file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_default()
                    });
                    crate::patching::value_add(ra.resources.resources_mut(), &value, &targets)
                        .map_err(|e| crate::patching::wrap(kfile, "transformers", e))?;
                }
                T::Replacements(entries) => {
                    let reps = self.load_replacements(dir, kfile, &entries)?;
                    crate::replacements::apply(ra.resources.resources_mut(), &reps).map_err(
                        |source| Error::Replacements {
                            file: kfile.to_path_buf(),
                            source: Box::new(source),
                        },
                    )?;
                }
            }
            for rec in pending.drain(..) {
                for r in ra.resources.resources_mut() {
                    r.transformations.push(rec.clone());
                }
            }
        }
        Ok(())
    }

    fn load_replacements(
        &mut self,
        dir: &Dir,
        kfile: &Path,
        entries: &[Value],
    ) -> Result<Vec<crate::replacements::Replacement>, Error> {
        let err = |source| Error::Replacements {
            file: kfile.to_path_buf(),
            source: Box::new(source),
        };
        let mut out = Vec::new();
        for e in entries {
            let path = e.get("path").and_then(Value::as_str);
            match path {
                Some(p) if e.as_object().is_some_and(|m| m.len() == 1) => {
                    let (text, shown) = load::read_file(self.fs, self.opts, dir, kfile, p)?;
                    let docs =
                        weir_yaml::parse_documents(&text).map_err(|source| load::Error::Yaml {
                            path: shown,
                            source,
                        })?;
                    for d in docs.iter().filter(|d| !d.is_null()) {
                        out.extend(crate::replacements::parse(d).map_err(err)?);
                    }
                }
                _ => out.extend(crate::replacements::parse(e).map_err(err)?),
            }
        }
        Ok(out)
    }

    fn accumulate_resource(
        &mut self,
        dir: &Dir,
        kfile: &Path,
        path: &str,
        ra: &mut Accumulator,
    ) -> Result<(), Error> {
        if is_remote(path) {
            return Err(load::Error::Remote {
                file: kfile.to_path_buf(),
                url: path.to_string(),
            }
            .into());
        }
        let joined = clean(&dir.abs.join(path));
        match self.fs.kind(&joined) {
            Some(EntryKind::Dir) => self.accumulate_directory(dir, kfile, path, ra, false),
            Some(EntryKind::File) => {
                let shown = clean(&dir.shown.join(path));
                let resources = load::resources(self.fs, self.opts, dir, kfile, path)?;
                for mut r in resources {
                    if self.track_origin {
                        r.origin = Some(crate::resource::Origin {
                            path: origin_string(&dir.origin.join(path)),
                            ..Default::default()
                        });
                    }
                    ra.append(r, &shown)?;
                }
                Ok(())
            }
            None => {
                // Ask the file system why (refused vs missing).
                let err = match self.fs.canonicalize(&joined) {
                    Err(source) => load::Error::Resource {
                        file: kfile.to_path_buf(),
                        resource: path.to_string(),
                        source,
                    },
                    Ok(_) => load::Error::Resource {
                        file: kfile.to_path_buf(),
                        resource: path.to_string(),
                        source: crate::fs::Error::NotFound {
                            path: clean(&dir.shown.join(path)),
                        },
                    },
                };
                Err(err.into())
            }
        }
    }

    pub(crate) fn accumulate_directory(
        &mut self,
        parent: &Dir,
        kfile: &Path,
        path: &str,
        ra: &mut Accumulator,
        is_component: bool,
    ) -> Result<(), Error> {
        let joined = clean(&parent.abs.join(path));
        let abs = self
            .fs
            .canonicalize(&joined)
            .map_err(|source| load::Error::Resource {
                file: kfile.to_path_buf(),
                resource: path.to_string(),
                source,
            })?;
        let dir = Dir {
            abs,
            shown: clean(&parent.shown.join(path)),
            origin: clean_rel(&parent.origin.join(path)),
        };
        if self.stack.iter().any(|d| d.starts_with(&dir.abs)) {
            return Err(Error::Cycle {
                from: kfile.to_path_buf(),
                dir: dir.shown.clone(),
            });
        }
        let (kust, file) = self.load_kustomization(&dir)?;
        let sub_file = dir.file(&file);
        if is_component && !kust.is_component() {
            return Err(Error::WrongKind {
                dir: dir.shown.clone(),
                expected: "Component",
                got: kust.kind.clone(),
            });
        }
        if !is_component && kust.is_component() {
            return Err(Error::WrongKind {
                dir: dir.shown.clone(),
                expected: "Kustomization",
                got: kust.kind.clone(),
            });
        }
        self.stack.push(dir.abs.clone());
        let result = if is_component {
            self.accumulate_target(&dir, &kust, &sub_file, ra)
        } else {
            let mut sub = Accumulator::new();
            self.accumulate_target(&dir, &kust, &sub_file, &mut sub)
                .and_then(|()| {
                    ra.config.merge(&sub.config);
                    for v in sub.vars {
                        crate::vars::merge_one(&mut ra.vars, v).map_err(|source| Error::Vars {
                            file: kfile.to_path_buf(),
                            source: Box::new(source),
                        })?;
                    }
                    for r in sub.resources.into_vec() {
                        ra.append(r, &dir.shown)?;
                    }
                    Ok(())
                })
        };
        self.stack.pop();
        result
    }
}

/// Lexically cleans a relative path, keeping leading `..`.
fn clean_rel(p: &Path) -> PathBuf {
    let c = clean(p);
    if c == Path::new(".") {
        PathBuf::new()
    } else {
        c
    }
}

/// A relative path as kustomize prints it in origin annotations.
fn origin_string(p: &Path) -> String {
    clean_rel(p).to_string_lossy().replace('\\', "/")
}
