//! Git sources for Weir: fetch, checkout, artifacts, commit and push, with
//! the semantics of Flux's `GitRepository` (I/O adapter, layer 1).
//!
//! * [`RepoUrl`]: `https://`, `http://`, `ssh://`, scp-style `user@host:path`
//!   (normalised to `ssh://`) and `file://`; never holds a password.
//! * [`Credentials`]: the keys of a Flux Git secret (`username`, `password`,
//!   `bearerToken`, `identity`, `known_hosts`, `ca.crt`, `tls.crt` +
//!   `tls.key` for mutual TLS), read from a manifest
//!   or given directly; secret values are [`secrecy::SecretString`]s and never
//!   reach argv, logs, errors or `Debug` output.
//! * [`GitRef`]: Flux's ref precedence `commit` > `name` > `semver` > `tag` >
//!   `branch` (default `master`); semver ranges use `weir-semver`.
//! * [`fetch()`]: gix fetch into a persistent per-URL bare cache (shallow where
//!   the ref allows), so the next fetch is incremental; returns a [`Fetched`]
//!   with the Flux [`Revision`] (`main@sha1:<hex>`).
//! * [`Fetched::write_artifact`]: a reproducible `.tar.gz` (Flux exclusions,
//!   `.sourceignore`, `spec.ignore`) with a `sha256:` digest, written
//!   atomically; [`archive_dir`] does the same for a directory. The
//!   exclusions follow flux-compat.md §2.4 rather than source-controller's
//!   code: `spec.ignore` replaces the default list, while `.sourceignore`
//!   files add to it and may negate it (Flux drops the defaults as soon as any
//!   `.sourceignore` pattern exists); see [`IgnoreRules`].
//! * [`Fetched::checkout`], [`Fetched::commit_changes`], [`Fetched::commit_dir`]
//!   and [`GitPush`] ([`GitCli`] runs `git push`; credentials via environment
//!   only; [`PushError::NonFastForward`] tells callers to refetch and retry).
//!   A [`PushRequest`] can force the branch, add Flux's `git.push.refspec`
//!   and send `git.push.options` as push options.
//!
//! Everything here is blocking; call it from `spawn_blocking` in async code.
//!
//! Not supported yet: proxies, submodules, `include`, sparse checkout and
//! signature verification. SSH keys with a passphrase need OpenSSH ≥ 8.4
//! (`SSH_ASKPASS_REQUIRE`). A commit-only ref is fetched by id, which needs
//! a protocol v2 server (git ≥ 2.26 serves v2 by default). The cache keeps
//! every received pack and is never repacked. Basic auth is also sent over
//! plain `http://` (as git does; CodeCommit is HTTPS only).
//!
//! ```no_run
//! use weir_source::{Credentials, FetchOptions, GitRef, RepoUrl, fetch};
//! use secrecy::SecretString;
//!
//! let url = RepoUrl::parse("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/fleet")?;
//! let creds = Credentials::basic("weir-at-123", SecretString::from("…".to_owned()));
//! let fetched = fetch(&url, &creds, &GitRef::branch("main"), &FetchOptions::new("/var/cache/weir/git"))?;
//! let artifact = fetched.write_artifact(None, std::path::Path::new("fleet.tar.gz"))?;
//! println!("{}\n{}", fetched.revision(), artifact.digest);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Revisions and ignore rules need no server:
//!
//! ```
//! use weir_source::{IgnoreRules, Revision, SourceIgnoreFile};
//!
//! let sha = "132f4e719209eb10b9485302f8593fc0e680f4fc";
//! assert_eq!(Revision::new(Some("main"), sha)?.to_string(), format!("main@sha1:{sha}"));
//! assert!(Revision::same(&format!("main/{sha}"), &format!("main@sha1:{sha}")));
//!
//! let rules = IgnoreRules::from_spec(None);
//! assert!(rules.is_excluded(&["docs", "logo.png"], false));
//! assert!(!rules.is_excluded(&["apps", "deploy.yaml"], false));
//!
//! // A `.sourceignore` adds to the defaults and can negate them.
//! let docs = SourceIgnoreFile { domain: vec!["docs".into()], text: "!*.png\n".into() };
//! let rules = IgnoreRules::new(&[docs], None);
//! assert!(!rules.is_excluded(&["docs", "logo.png"], false));
//! assert!(rules.is_excluded(&["logo.png"], false));
//! # Ok::<(), weir_source::RevisionError>(())
//! ```

mod artifact;
mod checkout;
mod commit;
mod credentials;
mod fetch;
mod ignore;
mod push;
mod reference;
mod ssh;
mod url;

pub use artifact::{Artifact, ArtifactError, archive_dir};
pub use checkout::CheckoutError;
pub use commit::{Change, CommitError, CommitInfo, Signature};
pub use credentials::{Credentials, SecretError};
pub use fetch::{FetchError, FetchOptions, Fetched, fetch};
pub use ignore::{
    DEFAULT_EXCLUDES, IgnoreRules, SOURCE_IGNORE_FILE, SourceIgnoreFile, VCS_EXCLUDES,
};
pub use push::{GitCli, GitPush, PushError, PushRequest};
pub use reference::{
    GitRef, HashAlgo, RefError, RefSelector, Revision, RevisionError, short_ref_name,
};
pub use ssh::SshError;
pub use url::{RepoUrl, Transport, UrlError};

pub use secrecy::SecretString;
