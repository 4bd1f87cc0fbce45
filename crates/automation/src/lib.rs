//! Flux image update automation without a cluster (layer 3: composes the
//! API types with the engines and adapters).
//!
//! What Flux's image-reflector and image-automation controllers do, as
//! cycles over a directory of Flux objects:
//!
//! 1. [`load_dir`] reads `GitRepository`, `ImageRepository`, `ImagePolicy`,
//!    `ImageUpdateAutomation` and `Secret` objects (any of v1, v1beta2,
//!    v1beta1) from a directory — through the kustomize engine when it holds
//!    a kustomization, else from every YAML document under it. Other kinds
//!    are ignored; duplicates are an error.
//! 2. [`Engine::run_once`] scans each ImageRepository through a
//!    [`TagLister`] ([`RegistryLister`]: `insecure`, `provider: aws`,
//!    `secretRef`, `certSecretRef`, `exclusionList`, and Flux's legacy
//!    `--aws-autologin-for-ecr` as [`Options::aws_autologin_for_ecr`]),
//!    resolves each ImagePolicy, and runs each automation: parse the
//!    message template first, fetch `spec.git.checkout.ref`, apply the
//!    setters under `spec.update.path` (secure-joined inside the clone, so
//!    `..`, absolute paths and symlinks never leave it), with the policies of
//!    the automation's namespace, commit as `spec.git.commit.author` (author
//!    and committer) with the rendered message, push to
//!    `spec.git.push.branch` (default: the checkout branch; created from the
//!    checkout when missing, else worked on top of its tip, and force-pushed
//!    as Flux's `GitForcePushBranch` gate does). A same-branch push rejected
//!    as not a fast-forward is redone on the new tip after a jittered
//!    backoff, a bounded number of times. Nothing changed → no commit, no
//!    push. Markers that do not resolve are listed in
//!    [`AutomationStatus::unresolved`].
//! 3. [`Status::render_tables`] prints the `flux get images all -A` tables.
//!
//! # Deliberate differences from Flux (flux-compat.md §6)
//!
//! * A same-branch push rejected as not a fast-forward is retried here
//!   (refetch, re-apply, push; [`Options::push_attempts`]); Flux fails the
//!   run and waits for its exponential backoff (§6.6 calls the resulting
//!   delays a pain point). Nothing is ever force-pushed to the checkout
//!   branch, so the outcome is the one Flux reaches on its next attempt.
//! * The status tables show the first line of each Ready message, so a push
//!   summary (`pushed commit '<sha7>' to branch '<b>'` + the commit message,
//!   in full in [`AutomationStatus::message`]) stays one line per object.
//! * `spec.git.push.options` are sent with the branch push and the refspec
//!   push; `spec.git.push.refspec` is pushed after the branch (Ready message
//!   `… and refspecs '<r>'`); a refspec whose destination is the push branch
//!   itself is refused up front (Flux fails it at push time as `already
//!   up-to-date`). ImageRepository `certSecretRef` (`ca.crt`, `tls.crt` +
//!   `tls.key`) reaches the registry scan, and a GitRepository `secretRef`
//!   with `tls.crt` + `tls.key` (and `ca.crt`) is used for Git mutual TLS
//!   on fetch and push. Other advanced
//!   fields Weir does not act on yet (GitRepository `include`/`verify`/
//!   submodules/sparse checkout/proxy, ImageRepository proxy; see
//!   [`UNSUPPORTED_FIELDS`]) give a warning from
//!   [`warnings`] instead of being dropped silently, as flux-compat.md's
//!   legend asks.
//!
//! Everything is blocking; registry scans run on a private current-thread
//! tokio runtime inside [`RegistryLister`].
//!
//! ```no_run
//! use weir_automation::{Engine, Options, RegistryLister, load_dir};
//!
//! let objects = load_dir(std::path::Path::new("fixtures/seed/flux-repo"))?;
//! let options = Options::new("/var/cache/weir");
//! let lister = RegistryLister::new(options.mirrors.clone())?;
//! let mut engine = Engine::new(objects, options, lister);
//! let report = engine.run_once();
//! print!("{}", engine.status().render_tables());
//! assert!(!report.failed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The status tables need no server:
//!
//! ```
//! let status = weir_automation::Status::default();
//! assert_eq!(status.render_tables(), "");
//! ```

mod cycle;
mod load;
mod scan;
mod securejoin;
mod status;

pub use cycle::{CycleReport, Engine, Event, Options, RunError, chain, validate, warnings};
pub use load::{
    FluxObjects, Key, LoadError, UNSUPPORTED_FIELDS, collect, has_kustomization, load_dir,
};
pub use scan::{Login, RegistryLister, ScanError, ScanRequest, TagLister};
pub use status::{AutomationStatus, PolicyStatus, RepositoryStatus, Status, rfc3339};
