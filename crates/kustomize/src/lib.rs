//! A kustomize v5.5.0 compatible rendering engine (pure, layer 0).
//!
//! `weir-kustomize` renders a kustomization tree to the exact bytes
//! `kubectl kustomize` (kustomize v5.5.0) prints. [`build()`] runs kustomize's
//! pipeline in kustomize's order: for each kustomization, its `resources`
//! (files, directories, nested and diamond bases; `List` kinds expanded),
//! `configurations`/`crds`, generators, `components`, then the builtin
//! transformers (strategic-merge patches, `patches`, namespace, prefix,
//! suffix, `labels`/`commonLabels`, `commonAnnotations`, JSON 6902 patches,
//! replicas, images, replacements, `transformers:` plugin configs) and
//! `vars`; at the top, generated names get their content hash, name
//! references follow renamed objects, vars are resolved, local-config
//! objects dropped and the output sorted (legacy kind order unless
//! `sortOptions` says FIFO).
//!
//! Modules: [`fs`] (the [`fs::FileSystem`] trait: [`fs::DiskFs`] confined to a
//! root with symlinks resolved first, [`fs::MemFs`] in memory), [`load`]
//! (kustomization files, load restrictor, resource files), [`resource`] and
//! [`resmap`] (ids, build history), [`fieldspec`] (every builtin field-spec
//! table as data), [`transform`], [`nameref`], [`sort`], [`vars`],
//! [`replacements`], [`plugins`], [`patching`] (glue to [`patch`] and
//! [`generate`], which implement strategic merge, JSON 6902, targets and the
//! ConfigMap/Secret generators).
//!
//! The crate is pure: it reads files only through the file-system trait,
//! never touches the network (remote `resources` are an error) and never
//! prints: deprecation warnings come back in [`Output::warnings`]. Errors are
//! one enum per operation ([`load::Error`], [`transform::Error`], …) wrapped by
//! [`build::Error`], each naming the kustomization file.
//!
//! ```
//! use std::path::Path;
//! use weir_kustomize::{build, fs::MemFs, Options};
//!
//! let mut fs = MemFs::new();
//! fs.add("/app/kustomization.yaml", "namePrefix: dev-\nresources:\n- cm.yaml\n");
//! fs.add("/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n");
//! let out = build(&fs, Path::new("/app"), &Options::default())?;
//! assert_eq!(
//!     out.to_yaml(),
//!     "apiVersion: v1\ndata:\n  a: \"1\"\nkind: ConfigMap\nmetadata:\n  name: dev-settings\n"
//! );
//! # Ok::<(), weir_kustomize::Error>(())
//! ```

mod alias;
pub mod build;
pub mod fieldspec;
pub mod fs;
pub mod generate;
pub mod kustomization;
pub mod load;
pub mod nameref;
pub mod patch;
pub mod patching;
pub mod plugins;
pub mod replacements;
pub mod resmap;
pub mod resource;
pub mod sort;
pub mod transform;
pub mod vars;

pub use build::{Error, LoadRestrictor, Options, Output, build};
pub use kustomization::{Kustomization, Warning};
pub use resource::{Gvk, ResId, Resource};
