//! Fetching with gix into a persistent per-URL cache.
//!
//! Each URL gets a bare repository under the cache directory, named by a hash
//! of the normalised URL, so the next fetch only transfers what is new. Only
//! the selected ref is fetched, shallow (depth 1) except for a commit
//! constrained to a branch, which needs the branch history to check
//! reachability. A lock file serialises fetches of the same URL across
//! processes.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};

use crate::artifact::{self, Artifact, ArtifactError};
use crate::credentials::Credentials;
use crate::reference::{GitRef, RefError, RefSelector, Revision};
use crate::ssh::{SshError, SshSetup};
use crate::url::{RepoUrl, Transport};

/// Knobs for [`fetch`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FetchOptions {
    /// Where the per-URL bare repositories are kept.
    pub cache_dir: PathBuf,
    /// How long to wait for a TCP/SSH connection.
    pub connect_timeout: Duration,
    /// How long a read may stall before the fetch is abandoned.
    pub timeout: Duration,
}

impl FetchOptions {
    /// Options with the given cache directory, a 10 s connect timeout and a
    /// 60 s stall timeout (Flux's default `spec.timeout`).
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        FetchOptions {
            cache_dir: cache_dir.into(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
        }
    }

    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the stall timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Why a fetch failed. Messages carry the (password-free) URL and the ref,
/// never credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The ref is invalid.
    #[error("invalid ref")]
    InvalidRef(#[from] RefError),
    /// The semver range does not parse.
    #[error("invalid semver range {range:?}")]
    InvalidSemver {
        /// The range given.
        range: String,
        /// The parse error.
        #[source]
        source: weir_semver::ParseError,
    },
    /// The cache directory could not be created or locked.
    #[error("preparing the Git cache at {path}")]
    Cache {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The cache repository could not be opened or created.
    #[error("opening the cached repository at {path}")]
    Repository {
        /// The repository path.
        path: PathBuf,
        /// The gix error.
        #[source]
        source: gix::Error,
    },
    /// SSH could not be prepared.
    #[error("preparing SSH for {url}")]
    Ssh {
        /// The URL.
        url: String,
        /// What went wrong.
        #[source]
        source: SshError,
    },
    /// The server refused the credentials (or asked for some and none were given).
    #[error("authentication to {url} failed: the server refused the credentials")]
    Authentication {
        /// The URL.
        url: String,
        /// The underlying error.
        #[source]
        source: gix::Error,
    },
    /// The server could not be reached.
    #[error("cannot reach {url}")]
    Unreachable {
        /// The URL.
        url: String,
        /// The underlying error.
        #[source]
        source: gix::Error,
    },
    /// The ref does not exist on the remote.
    #[error("{reference} not found in {url}")]
    RefNotFound {
        /// The URL.
        url: String,
        /// The ref, as `branch main`, `tag v1`, `ref refs/pull/1/head` or `commit <sha>`.
        reference: String,
    },
    /// No tag matches the semver range.
    #[error("no tag in {url} matches semver range {range:?}")]
    NoMatchingTag {
        /// The URL.
        url: String,
        /// The range.
        range: String,
    },
    /// The commit exists but is not reachable from the branch.
    #[error("commit {commit} is not in branch {branch} of {url}")]
    CommitNotInBranch {
        /// The URL.
        url: String,
        /// The commit.
        commit: String,
        /// The branch.
        branch: String,
    },
    /// Any other Git failure.
    #[error("fetching {reference} from {url}")]
    Git {
        /// The URL.
        url: String,
        /// The ref being fetched.
        reference: String,
        /// The gix error.
        #[source]
        source: gix::Error,
    },
}

impl FetchError {
    /// Whether this failure is about the input (ref, range) rather than the
    /// server or the network.
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            FetchError::InvalidRef(_) | FetchError::InvalidSemver { .. }
        )
    }
}

/// The result of a fetch: a resolved commit in the cache repository.
#[derive(Debug, Clone)]
pub struct Fetched {
    url: RepoUrl,
    git_dir: PathBuf,
    commit: gix::ObjectId,
    revision: Revision,
    branch: Option<String>,
}

impl Fetched {
    /// The Flux revision string of what was fetched.
    pub fn revision(&self) -> &Revision {
        &self.revision
    }

    /// The commit id (hex).
    pub fn commit(&self) -> String {
        self.commit.to_string()
    }

    /// The branch followed, when the ref names one.
    pub fn branch(&self) -> Option<&str> {
        self.branch.as_deref()
    }

    /// The bare cache repository holding the objects.
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// The remote URL.
    pub fn url(&self) -> &RepoUrl {
        &self.url
    }

    pub(crate) fn commit_id(&self) -> gix::ObjectId {
        self.commit
    }

    pub(crate) fn open(&self) -> Result<gix::Repository, gix::Error> {
        open_repo(&self.git_dir, &[])
    }

    /// Writes the artifact of the fetched commit's tree to `out` (atomically),
    /// applying `.sourceignore` files and `spec_ignore` as Flux does.
    pub fn write_artifact(
        &self,
        spec_ignore: Option<&str>,
        out: &Path,
    ) -> Result<Artifact, ArtifactError> {
        let read_err = |source: gix::Error| ArtifactError::ReadObject {
            id: self.commit.to_string(),
            path: String::new(),
            source,
        };
        let repo = self.open().map_err(read_err)?;
        let tree = repo
            .find_commit(self.commit)
            .and_then(|c| c.tree_id().map(gix::Id::detach))
            .map_err(read_err)?;
        artifact::archive_tree(&repo, tree, spec_ignore, out)
    }
}

/// Opens a cache repository without reading global config or the environment.
pub(crate) fn open_repo(
    git_dir: &Path,
    overrides: &[String],
) -> Result<gix::Repository, gix::Error> {
    let mut all = vec![
        "core.logAllRefUpdates=false".to_owned(),
        "gc.auto=0".to_owned(),
        // A hash-map delta-base cache: artifacts read every blob of a tree,
        // and the default small static LRU is searched linearly.
        "core.deltaBaseCacheLimit=96m".to_owned(),
    ];
    all.extend(overrides.iter().cloned());
    gix::open_opts(
        git_dir,
        gix::open::Options::isolated().config_overrides(all),
    )
}

/// Fetches `reference` from `url` into the cache and resolves it to a commit.
pub fn fetch(
    url: &RepoUrl,
    credentials: &Credentials,
    reference: &GitRef,
    options: &FetchOptions,
) -> Result<Fetched, FetchError> {
    let selector = reference.select()?;
    // Validate a semver range before touching the network.
    let constraints = match &selector {
        RefSelector::Semver(range) => {
            Some(weir_semver::Constraints::parse(range).map_err(|source| {
                FetchError::InvalidSemver {
                    range: range.clone(),
                    source,
                }
            })?)
        }
        _ => None,
    };
    let cache_err = |path: &Path| {
        let path = path.to_owned();
        move |source| FetchError::Cache { path, source }
    };
    std::fs::create_dir_all(&options.cache_dir).map_err(cache_err(&options.cache_dir))?;
    let key = url.cache_key();
    let git_dir = options.cache_dir.join(format!("{key}.git"));
    let lock_path = options.cache_dir.join(format!("{key}.lock"));
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(cache_err(&lock_path))?;
    lock.lock().map_err(cache_err(&lock_path))?;

    let ssh = match url.transport() {
        Transport::Ssh => Some(SshSetup::new(credentials, options.connect_timeout).map_err(
            |source| FetchError::Ssh {
                url: url.to_string(),
                source,
            },
        )?),
        _ => None,
    };
    let mut overrides = Vec::new();
    if let Some(ssh) = &ssh {
        overrides.push(format!("core.sshCommand={}", ssh.command()));
    }
    let repo = open_or_init(&git_dir, &overrides)?;
    let session = Session {
        url,
        credentials,
        options,
        repo: &repo,
    };

    let (commit, revision, branch) = match &selector {
        RefSelector::Branch(branch) => {
            let full = format!("refs/heads/{branch}");
            let id = session.fetch_ref(&full, shallow_one(), &format!("branch {branch}"))?;
            (
                id,
                Revision::new(Some(branch), &id.to_string()),
                Some(branch.clone()),
            )
        }
        RefSelector::Tag(tag) => {
            let full = format!("refs/tags/{tag}");
            let id = session.fetch_ref(&full, shallow_one(), &format!("tag {tag}"))?;
            (id, Revision::new(Some(tag), &id.to_string()), None)
        }
        RefSelector::Name(name) => {
            let id = session.fetch_ref(name, shallow_one(), &format!("ref {name}"))?;
            let branch = name.strip_prefix("refs/heads/").map(str::to_owned);
            (id, Revision::new(Some(name), &id.to_string()), branch)
        }
        RefSelector::Semver(range) => {
            let tags = session.list_tags()?;
            let Some(tag) = constraints.as_ref().and_then(|c| pick_semver_tag(c, &tags)) else {
                return Err(FetchError::NoMatchingTag {
                    url: url.to_string(),
                    range: range.clone(),
                });
            };
            let full = format!("refs/tags/{tag}");
            let id = session.fetch_ref(&full, shallow_one(), &format!("tag {tag}"))?;
            (id, Revision::new(Some(&tag), &id.to_string()), None)
        }
        RefSelector::Commit { sha, branch: None } => {
            let id = session.fetch_commit(sha)?;
            (id, Revision::new(None, sha), None)
        }
        RefSelector::Commit {
            sha,
            branch: Some(branch),
        } => {
            let full = format!("refs/heads/{branch}");
            let shallow = if repo.is_shallow().unwrap_or(false) {
                gix::remote::fetch::Shallow::undo()
            } else {
                gix::remote::fetch::Shallow::NoChange
            };
            let tip = session.fetch_ref(&full, shallow, &format!("branch {branch}"))?;
            let id = parse_oid(sha, url)?;
            if !session.is_ancestor(id, tip)? {
                return Err(FetchError::CommitNotInBranch {
                    url: url.to_string(),
                    commit: sha.clone(),
                    branch: branch.clone(),
                });
            }
            (id, Revision::new(Some(branch), sha), Some(branch.clone()))
        }
    };
    let revision = revision.map_err(|_| FetchError::RefNotFound {
        url: url.to_string(),
        reference: format!("{selector:?}"),
    })?;
    drop(ssh);
    drop(lock);
    Ok(Fetched {
        url: url.clone(),
        git_dir,
        commit,
        revision,
        branch,
    })
}

fn shallow_one() -> gix::remote::fetch::Shallow {
    gix::remote::fetch::Shallow::DepthAtRemote(std::num::NonZeroU32::MIN)
}

fn parse_oid(sha: &str, url: &RepoUrl) -> Result<gix::ObjectId, FetchError> {
    gix::ObjectId::from_hex(sha.as_bytes()).map_err(|_| FetchError::RefNotFound {
        url: url.to_string(),
        reference: format!("commit {sha}"),
    })
}

/// Picks the highest tag whose strict version matches (Flux `CheckoutSemVer`).
fn pick_semver_tag(constraints: &weir_semver::Constraints, tags: &[String]) -> Option<String> {
    tags.iter()
        .filter_map(|t| weir_semver::parse_tag(t).map(|v| (v, t)))
        .filter(|(v, _)| constraints.matches(v))
        .max_by(|(va, ta), (vb, tb)| weir_semver::cmp_precedence(va, vb).then_with(|| ta.cmp(tb)))
        .map(|(_, t)| t.clone())
}

fn open_or_init(git_dir: &Path, overrides: &[String]) -> Result<gix::Repository, FetchError> {
    let repo_err = |source| FetchError::Repository {
        path: git_dir.to_owned(),
        source,
    };
    if git_dir.exists() {
        match open_repo(git_dir, overrides) {
            Ok(repo) => return Ok(repo),
            Err(e) => {
                // A broken cache is only a cache: start again.
                tracing::warn!(path = %git_dir.display(), error = %e, "discarding unreadable Git cache");
                std::fs::remove_dir_all(git_dir).map_err(|source| FetchError::Cache {
                    path: git_dir.to_owned(),
                    source,
                })?;
            }
        }
    }
    gix::init_bare(git_dir).map_err(repo_err)?;
    open_repo(git_dir, overrides).map_err(repo_err)
}

/// One fetch run against one remote.
struct Session<'a> {
    url: &'a RepoUrl,
    credentials: &'a Credentials,
    options: &'a FetchOptions,
    repo: &'a gix::Repository,
}

impl Session<'_> {
    /// Fetches `full_ref` (mapped to the same name locally) and returns the
    /// commit it peels to.
    fn fetch_ref(
        &self,
        full_ref: &str,
        shallow: gix::remote::fetch::Shallow,
        what: &str,
    ) -> Result<gix::ObjectId, FetchError> {
        let spec = format!("+{full_ref}:{full_ref}");
        let remote_tip = self.run_fetch(&spec, shallow, what)?;
        let Some(tip) = remote_tip else {
            return Err(FetchError::RefNotFound {
                url: self.url.to_string(),
                reference: what.to_owned(),
            });
        };
        self.peel_to_commit(tip, what)
    }

    /// Fetches a commit by id (protocol v2 lets a client ask for any object).
    /// A commit already in the cache needs no network at all.
    fn fetch_commit(&self, sha: &str) -> Result<gix::ObjectId, FetchError> {
        let what = format!("commit {sha}");
        let id = parse_oid(sha, self.url)?;
        if !self.repo.has_object(id) {
            self.run_fetch(sha, shallow_one(), &what)?;
        }
        if !self.repo.has_object(id) {
            return Err(FetchError::RefNotFound {
                url: self.url.to_string(),
                reference: what,
            });
        }
        self.peel_to_commit(id, &what)
    }

    fn peel_to_commit(&self, id: gix::ObjectId, what: &str) -> Result<gix::ObjectId, FetchError> {
        self.repo
            .find_object(id)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id)
            .map_err(|source| self.git_err(what, source))
    }

    fn is_ancestor(&self, commit: gix::ObjectId, tip: gix::ObjectId) -> Result<bool, FetchError> {
        if commit == tip {
            return Ok(true);
        }
        if !self.repo.has_object(commit) {
            return Ok(false);
        }
        let walk = self
            .repo
            .rev_walk([tip])
            .all()
            .map_err(|source| self.git_err("history", source))?;
        for info in walk {
            let info =
                info.map_err(|source| self.git_err("history", gix::Error::from_error(source)))?;
            if info.id == commit {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Lists the remote's tags (short names) without fetching objects.
    fn list_tags(&self) -> Result<Vec<String>, FetchError> {
        let what = "tags";
        let remote = self.remote("+refs/tags/*:refs/tags/*", what)?;
        let conn = self.connect(&remote, what)?;
        let (ref_map, _handshake) = conn
            .ref_map(gix::progress::Discard, Default::default())
            .map_err(|e| self.classify(what, e))?;
        let mut tags = Vec::new();
        for r in &ref_map.remote_refs {
            let (name, _, _) = r.unpack();
            if let Some(tag) = name.to_string().strip_prefix("refs/tags/") {
                tags.push(tag.to_owned());
            }
        }
        Ok(tags)
    }

    fn remote(&self, spec: &str, what: &str) -> Result<gix::Remote<'_>, FetchError> {
        self.repo
            .remote_at(self.url.gix_url().clone())
            .and_then(|r| {
                r.with_fetch_tags(gix::remote::fetch::Tags::None)
                    .with_refspecs([spec], gix::remote::Direction::Fetch)
            })
            .map_err(|source| self.git_err(what, source))
    }

    fn connect<'r>(
        &self,
        remote: &'r gix::Remote<'r>,
        what: &str,
    ) -> Result<
        gix::remote::Connection<
            'r,
            'static,
            'r,
            Box<dyn gix::protocol::transport::client::blocking_io::Transport + Send>,
        >,
        FetchError,
    > {
        let mut conn = remote
            .connect(gix::remote::Direction::Fetch)
            .map_err(|e| self.classify(what, e))?;
        conn.set_credentials(credential_fn(self.credentials));
        if matches!(self.url.transport(), Transport::Http | Transport::Https) {
            let opts = self
                .http_options()
                .map_err(|source| self.git_err(what, source))?;
            conn.set_transport_options(opts);
        }
        Ok(conn)
    }

    /// Runs one fetch with `spec`; returns the remote's tip for the (single)
    /// mapped ref, or `None` when the remote has no such ref.
    fn run_fetch(
        &self,
        spec: &str,
        shallow: gix::remote::fetch::Shallow,
        what: &str,
    ) -> Result<Option<gix::ObjectId>, FetchError> {
        let remote = self.remote(spec, what)?;
        let conn = self.connect(&remote, what)?;
        let prepare = conn
            .prepare_fetch(gix::progress::Discard, Default::default())
            .map_err(|e| self.classify(what, e))?;
        let tip = prepare
            .ref_map()
            .mappings
            .first()
            .and_then(|m| match &m.remote {
                gix::remote::fetch::refmap::Source::ObjectId(id) => Some(*id),
                gix::remote::fetch::refmap::Source::Ref(r) => {
                    let (_, target, peeled) = r.unpack();
                    peeled.or(target).map(ToOwned::to_owned)
                }
            });
        let Some(tip_id) = tip else {
            return Ok(None);
        };
        // Nothing new: the remote's tip is already here (and no history needs
        // deepening), so skip negotiation and the pack request entirely.
        let deepening =
            !matches!(shallow, gix::remote::fetch::Shallow::DepthAtRemote(d) if d.get() == 1);
        if !deepening && self.repo.has_object(tip_id) {
            return Ok(tip);
        }
        let interrupt = AtomicBool::new(false);
        prepare
            .with_shallow(shallow)
            .receive(gix::progress::Discard, &interrupt)
            .map_err(|e| self.classify(what, e))?;
        Ok(tip)
    }

    /// HTTP transport options: timeouts, extra CA, and the bearer token added
    /// to each request inside our own closure (never in gix's config).
    fn http_options(&self) -> Result<Box<dyn std::any::Any>, gix::Error> {
        use gix::protocol::transport::client::blocking_io::http;
        let url = self.url.gix_url().to_bstring();
        let mut opts = self
            .repo
            .transport_options(AsRef::<gix::bstr::BStr>::as_ref(&url), None)?
            .and_then(|b| b.downcast::<http::Options>().ok())
            .map(|b| *b)
            .unwrap_or_default();
        opts.connect_timeout = Some(self.options.connect_timeout);
        let connect_timeout = self.options.connect_timeout;
        let read_timeout = self.options.timeout;
        let ca = self.credentials.ca_cert.clone();
        let bearer: Option<SecretString> = self.credentials.bearer_token.clone();
        let identity = self.credentials.client_identity_pem();
        let backend = http::reqwest::Options {
            configure_client: Some(Box::new(move |builder| {
                let mut builder = builder
                    .connect_timeout(connect_timeout)
                    .timeout(read_timeout);
                if let Some(pem) = &ca {
                    let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                        .map_err(gix::Error::from_error)?;
                    for cert in certs {
                        builder = builder.add_root_certificate(cert);
                    }
                }
                if let Some(pem) = &identity {
                    // The parse error is replaced: it could quote key bytes.
                    let id = reqwest::Identity::from_pem(pem.expose_secret().as_bytes())
                        .map_err(|_| gix::Error::from_error(InvalidClientCertificate))?;
                    builder = builder.identity(id);
                }
                Ok(builder)
            })),
            configure_request: bearer.map(|token| {
                let f: Box<http::reqwest::ConfigureRequestFn> = Box::new(move |req| {
                    let mut value = reqwest::header::HeaderValue::from_str(&format!(
                        "Bearer {}",
                        token.expose_secret()
                    ))
                    .map_err(|_| gix::Error::from_error(InvalidBearerToken))?;
                    value.set_sensitive(true);
                    req.headers_mut()
                        .insert(reqwest::header::AUTHORIZATION, value);
                    Ok(())
                });
                f
            }),
        };
        opts.backend = Some(std::sync::Arc::new(std::sync::Mutex::new(backend)));
        Ok(Box::new(opts))
    }

    fn git_err(&self, what: &str, source: gix::Error) -> FetchError {
        FetchError::Git {
            url: self.url.to_string(),
            reference: what.to_owned(),
            source,
        }
    }

    /// Sorts a gix error into authentication, unreachable, or other.
    fn classify(&self, what: &str, source: gix::Error) -> FetchError {
        let url = self.url.to_string();
        if source.classify().is_unauthenticated()
            || source.classify().is_permission_denied()
            || mentions_auth(&source)
        {
            return FetchError::Authentication { url, source };
        }
        if is_unreachable(&source) {
            return FetchError::Unreachable { url, source };
        }
        self.git_err(what, source)
    }
}

/// `tls.crt` + `tls.key` that do not form a PEM certificate and key.
#[derive(Debug, thiserror::Error)]
#[error("tls.crt and tls.key are not a PEM certificate and private key")]
struct InvalidClientCertificate;

/// A bearer token that cannot be an HTTP header value (control characters).
#[derive(Debug, thiserror::Error)]
#[error("the bearer token contains characters not allowed in an HTTP header")]
struct InvalidBearerToken;

/// The credentials callback gix calls on HTTP 401: answers with the basic
/// credentials, and never prompts.
fn credential_fn(
    credentials: &Credentials,
) -> impl FnMut(
    gix::credentials::helper::Action,
) -> gix::Result<Option<gix::credentials::protocol::Outcome>>
+ 'static {
    let username = credentials.username.clone();
    let password: Option<SecretString> = credentials.password.clone();
    move |action| match action {
        gix::credentials::helper::Action::Get(ctx) => match &password {
            Some(password) => Ok(Some(gix::credentials::protocol::Outcome {
                identity: gix::sec::identity::Account {
                    username: username.clone().unwrap_or_else(|| "git".to_owned()),
                    password: password.expose_secret().to_owned(),
                    oauth_refresh_token: None,
                },
                next: ctx.into(),
            })),
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

fn mentions_auth(err: &gix::Error) -> bool {
    err.iter_errors().any(|e| {
        e.downcast_ref::<gix::protocol::transport::client::AuthenticationRequired>()
            .is_some()
            || e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::PermissionDenied)
    })
}

fn is_unreachable(err: &gix::Error) -> bool {
    use std::io::ErrorKind::*;
    err.iter_errors().any(|e| {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                ConnectionRefused
                    | ConnectionReset
                    | ConnectionAborted
                    | TimedOut
                    | HostUnreachable
                    | NetworkUnreachable
                    | NotConnected
            );
        }
        if let Some(r) = e.downcast_ref::<reqwest::Error>() {
            return r.is_connect() || r.is_timeout();
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_picks_highest_matching_strict_tag() {
        let tags: Vec<String> = ["v1.0.0", "v1.2.0", "1.3.0-rc.1", "v2.0.0", "latest", "1.2"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let c = weir_semver::Constraints::parse("^1.0").unwrap();
        assert_eq!(pick_semver_tag(&c, &tags).as_deref(), Some("v1.2.0"));
        let pre = weir_semver::Constraints::parse(">=1.3.0-0 <2").unwrap();
        assert_eq!(pick_semver_tag(&pre, &tags).as_deref(), Some("1.3.0-rc.1"));
        let none = weir_semver::Constraints::parse(">=3").unwrap();
        assert_eq!(pick_semver_tag(&none, &tags), None);
    }
}
