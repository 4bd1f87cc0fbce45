//! Pushing commits, through the `git` CLI behind the [`GitPush`] trait.
//!
//! gix cannot push yet (GitoxideLabs/gitoxide#306), so [`GitCli`] runs
//! `git push --porcelain URL <commit>:refs/heads/<branch>` from the cache
//! repository. Credentials never reach argv or the URL: HTTP credentials go
//! in an `Authorization` header set through `GIT_CONFIG_COUNT`/`KEY`/`VALUE`
//! environment variables, SSH keys through `GIT_SSH_COMMAND` pointing at
//! private temporary files. Prompts are disabled (`GIT_TERMINAL_PROMPT=0`, no
//! askpass) and system/global git config is not read.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use secrecy::{ExposeSecret as _, SecretString};

use crate::credentials::Credentials;
use crate::fetch::Fetched;
use crate::ssh::{SshError, SshSetup};
use crate::url::{RepoUrl, Transport};

/// What to push where.
#[derive(Debug, Clone, Copy)]
pub struct PushRequest<'a> {
    /// The repository holding the commit (the fetch cache).
    pub git_dir: &'a Path,
    /// The remote.
    pub url: &'a RepoUrl,
    /// Credentials for the remote.
    pub credentials: &'a Credentials,
    /// The commit to push (hex).
    pub commit: &'a str,
    /// The branch to update or create (`main`, not `refs/heads/main`).
    pub branch: &'a str,
    /// Overwrite the branch even if it is not a fast-forward.
    pub force: bool,
    /// A second refspec pushed with the branch (Flux `git.push.refspec`,
    /// e.g. `refs/heads/main:refs/heads/auto`, or Gerrit's
    /// `refs/heads/auto:refs/for/main`). A source naming the push branch
    /// (short or full) or `HEAD` means the pushed commit, as in Flux's
    /// clone where that branch holds it; other sources are refs of the
    /// cache repository. Only a leading `+` forces it.
    pub refspec: Option<&'a str>,
    /// git push options (Flux `git.push.options`), each sent as
    /// `--push-option=key=value` with both pushes.
    pub options: &'a [(String, String)],
}

impl<'a> PushRequest<'a> {
    /// A plain push of `commit` to `branch` (no force, refspec or options).
    pub fn new(
        git_dir: &'a Path,
        url: &'a RepoUrl,
        credentials: &'a Credentials,
        commit: &'a str,
        branch: &'a str,
    ) -> Self {
        PushRequest {
            git_dir,
            url,
            credentials,
            commit,
            branch,
            force: false,
            refspec: None,
            options: &[],
        }
    }

    /// The refspecs git is given: the branch (with `+` when forced), then
    /// [`PushRequest::refspec`] with its source resolved.
    fn refspecs(&self) -> Result<Vec<String>, PushError> {
        let plus = if self.force { "+" } else { "" };
        let mut out = vec![format!("{plus}{}:refs/heads/{}", self.commit, self.branch)];
        if let Some(spec) = self.refspec {
            out.push(resolve_refspec(spec, self.branch, self.commit)?);
        }
        Ok(out)
    }

    /// The `--push-option=k=v` arguments.
    fn option_args(&self) -> Result<Vec<String>, PushError> {
        self.options
            .iter()
            .map(|(k, v)| {
                if k.is_empty() || format!("{k}{v}").contains(['\n', '\r', '\0']) {
                    return Err(PushError::InvalidPushOption(k.clone()));
                }
                Ok(format!("--push-option={k}={v}"))
            })
            .collect()
    }
}

/// Validates a push refspec and replaces a source naming `branch` (or
/// `HEAD`) with `commit`.
fn resolve_refspec(spec: &str, branch: &str, commit: &str) -> Result<String, PushError> {
    let invalid = || PushError::InvalidRefspec(spec.to_owned());
    if spec.is_empty()
        || spec.starts_with('-')
        || spec.matches(':').count() > 1
        || spec.contains(|c: char| c.is_whitespace() || c.is_control())
    {
        return Err(invalid());
    }
    gix::refspec::parse(spec.into(), gix::refspec::parse::Operation::Push)
        .map_err(|_| invalid())?;
    let (plus, rest) = match spec.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", spec),
    };
    let Some((src, dst)) = rest.split_once(':') else {
        return Ok(spec.to_owned());
    };
    let full = format!("refs/heads/{branch}");
    let src = if src == branch || src == full || src == "HEAD" {
        commit
    } else {
        src
    };
    Ok(format!("{plus}{src}:{dst}"))
}

/// Pushes a commit to a branch. Implemented by [`GitCli`]; a gix-native
/// implementation can replace it once gix supports push.
pub trait GitPush {
    /// Pushes `request.commit` to `refs/heads/<request.branch>`, creating the
    /// branch if it does not exist.
    fn push(&self, request: &PushRequest<'_>) -> Result<(), PushError>;
}

/// Why a push failed. Messages never contain credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The remote branch moved on: the push is not a fast-forward.
    /// Fetch again, redo the change and retry.
    #[error(
        "push to branch {branch} of {url} rejected: not a fast-forward (the branch has new commits; fetch and retry)"
    )]
    NonFastForward {
        /// The URL.
        url: String,
        /// The branch.
        branch: String,
    },
    /// The server refused the credentials.
    #[error("push to {url} failed: authentication refused")]
    Authentication {
        /// The URL.
        url: String,
    },
    /// The server could not be reached.
    #[error("push to {url} failed: cannot reach the server: {detail}")]
    Unreachable {
        /// The URL.
        url: String,
        /// git's message (credentials removed).
        detail: String,
    },
    /// The server rejected the update for another reason (hook, protection).
    #[error("push to branch {branch} of {url} rejected: {reason}")]
    Rejected {
        /// The URL.
        url: String,
        /// The branch.
        branch: String,
        /// The reason git reported.
        reason: String,
    },
    /// The git program could not be started.
    #[error("running {program}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// git did not finish in time and was killed.
    #[error("push to {url} timed out after {seconds} s")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit.
        seconds: u64,
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
    /// The branch name is not valid.
    #[error("invalid branch name {0:?}")]
    InvalidBranch(String),
    /// The extra refspec is not a valid push refspec.
    #[error("invalid push refspec {0:?}")]
    InvalidRefspec(String),
    /// A push option has an empty key or a line break (the key is named;
    /// values are not echoed).
    #[error("invalid push option {0:?}: empty key or a line break")]
    InvalidPushOption(String),
    /// git failed in another way.
    #[error("git push to {url} failed ({status}): {stderr}")]
    Failed {
        /// The URL.
        url: String,
        /// The exit status.
        status: String,
        /// git's stderr (credentials removed).
        stderr: String,
    },
}

/// The `git` command-line program as a [`GitPush`].
#[derive(Debug, Clone)]
pub struct GitCli {
    program: PathBuf,
    timeout: Duration,
    connect_timeout: Duration,
}

impl Default for GitCli {
    fn default() -> Self {
        GitCli {
            program: PathBuf::from("git"),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl GitCli {
    /// `git` from `PATH`, with a 60 s timeout.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses another git program (a path, or a name looked up on `PATH`).
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    /// Sets the overall timeout for one push.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the command (without running it). `files` are the secret's
    /// `ca.crt`, `tls.crt` and `tls.key` written to temporary files.
    fn command(
        &self,
        req: &PushRequest<'_>,
        ssh: Option<&SshSetup>,
        files: &TlsFiles,
    ) -> Result<Command, PushError> {
        let ca_file = files.ca.as_ref().map(tempfile::NamedTempFile::path);
        let mut cmd = Command::new(&self.program);
        cmd.arg(format!("--git-dir={}", req.git_dir.display()))
            .arg("push")
            .arg("--porcelain")
            .args(req.option_args()?)
            .arg(req.url.as_str())
            .args(req.refspecs()?);
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_CONFIG_PARAMETERS",
            "GIT_SSH",
            "GIT_SSH_COMMAND",
            "GIT_CONFIG",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ASKPASS", "")
            .env("SSH_ASKPASS", "")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("LC_ALL", "C");
        let mut config: Vec<(String, String)> = vec![
            ("credential.helper".into(), String::new()),
            ("core.askPass".into(), String::new()),
            ("http.lowSpeedLimit".into(), "1".into()),
            (
                "http.lowSpeedTime".into(),
                self.timeout.as_secs().max(1).to_string(),
            ),
        ];
        if let Some(header) = auth_header(req.credentials, req.url.transport()) {
            config.push(("http.extraHeader".into(), header.expose_secret().to_owned()));
        }
        if let Some(ca) = ca_file {
            config.push(("http.sslCAInfo".into(), ca.display().to_string()));
            // The environment variable beats the config key: set both.
            cmd.env("GIT_SSL_CAINFO", ca);
        }
        if let Some((cert, key)) = &files.client {
            config.push(("http.sslCert".into(), cert.path().display().to_string()));
            config.push(("http.sslKey".into(), key.path().display().to_string()));
        }
        cmd.env("GIT_CONFIG_COUNT", config.len().to_string());
        for (i, (k, v)) in config.into_iter().enumerate() {
            cmd.env(format!("GIT_CONFIG_KEY_{i}"), k);
            cmd.env(format!("GIT_CONFIG_VALUE_{i}"), v);
        }
        if let Some(ssh) = ssh {
            cmd.env("GIT_SSH_COMMAND", ssh.command());
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Ok(cmd)
    }
}

/// The `Authorization` header for HTTP(S): bearer token, else basic.
fn auth_header(credentials: &Credentials, transport: Transport) -> Option<SecretString> {
    if !matches!(transport, Transport::Http | Transport::Https) {
        return None;
    }
    if let Some(token) = &credentials.bearer_token {
        return Some(SecretString::from(format!(
            "Authorization: Bearer {}",
            token.expose_secret()
        )));
    }
    let password = credentials.password.as_ref()?;
    let user = credentials.username.as_deref().unwrap_or("git");
    let raw = format!("{user}:{}", password.expose_secret());
    let encoded = base64::engine::general_purpose::STANDARD.encode(raw.as_bytes());
    Some(SecretString::from(format!(
        "Authorization: Basic {encoded}"
    )))
}

/// Removes every credential string (and its base64 form) from `text`.
fn scrub(text: &str, credentials: &Credentials) -> String {
    let mut out = text.to_owned();
    let mut secrets: Vec<String> = Vec::new();
    for s in [
        &credentials.password,
        &credentials.bearer_token,
        &credentials.identity,
    ]
    .into_iter()
    .flatten()
    {
        secrets.push(s.expose_secret().to_owned());
    }
    for t in [Transport::Https] {
        if let Some(h) = auth_header(credentials, t) {
            let h = h.expose_secret().to_owned();
            if let Some(v) = h.rsplit(' ').next() {
                secrets.push(v.to_owned());
            }
        }
    }
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(s.as_str(), "***");
    }
    out
}

impl GitPush for GitCli {
    fn push(&self, req: &PushRequest<'_>) -> Result<(), PushError> {
        let url = req.url.to_string();
        let full = format!("refs/heads/{}", req.branch);
        if gix::validate::reference::name(full.as_str().into()).is_err() {
            return Err(PushError::InvalidBranch(req.branch.to_owned()));
        }
        // Reject a bad refspec or option before anything is started.
        req.refspecs()?;
        req.option_args()?;
        let ssh = match req.url.transport() {
            Transport::Ssh => Some(
                SshSetup::new(req.credentials, self.connect_timeout).map_err(|source| {
                    PushError::Ssh {
                        url: url.clone(),
                        source,
                    }
                })?,
            ),
            _ => None,
        };
        // git reads an extra CA and a client certificate from files: write
        // the secret's ca.crt, tls.crt and tls.key to private temporary files.
        let files = TlsFiles::write(req.credentials, req.url.transport()).map_err(|source| {
            PushError::Spawn {
                program: self.program.clone(),
                source,
            }
        })?;
        let mut child = self
            .command(req, ssh.as_ref(), &files)?
            .spawn()
            .map_err(|source| PushError::Spawn {
                program: self.program.clone(),
                source,
            })?;
        let stdout = child.stdout.take().map(read_in_thread);
        let stderr = child.stderr.take().map(read_in_thread);
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(PushError::Timeout {
                        url,
                        seconds: self.timeout.as_secs(),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(source) => {
                    return Err(PushError::Spawn {
                        program: self.program.clone(),
                        source,
                    });
                }
            }
        };
        let stdout = stdout.and_then(|h| h.join().ok()).unwrap_or_default();
        let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
        let stdout = scrub(&stdout, req.credentials);
        let stderr = scrub(&stderr, req.credentials);
        interpret(
            &url,
            req.branch,
            status.success(),
            &status.to_string(),
            &stdout,
            &stderr,
        )
    }
}

/// The secret's PEM files for git over HTTPS, removed on drop (mode 0600).
#[derive(Default)]
struct TlsFiles {
    ca: Option<tempfile::NamedTempFile>,
    client: Option<(tempfile::NamedTempFile, tempfile::NamedTempFile)>,
}

impl TlsFiles {
    fn write(credentials: &Credentials, transport: Transport) -> std::io::Result<Self> {
        let mut files = TlsFiles::default();
        if transport != Transport::Https {
            return Ok(files);
        }
        let file = |suffix: &str, bytes: &[u8]| -> std::io::Result<tempfile::NamedTempFile> {
            let mut f = tempfile::Builder::new()
                .prefix("weir-tls-")
                .suffix(suffix)
                .tempfile()?;
            std::io::Write::write_all(&mut f, bytes)?;
            Ok(f)
        };
        if let Some(pem) = &credentials.ca_cert {
            files.ca = Some(file(".crt", pem.as_bytes())?);
        }
        if let (Some(cert), Some(key)) = (&credentials.tls_cert, &credentials.tls_key) {
            files.client = Some((
                file(".crt", cert.as_bytes())?,
                file(".key", key.expose_secret().as_bytes())?,
            ));
        }
        Ok(files)
    }
}

fn read_in_thread<R: std::io::Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Turns git's porcelain output and stderr into a result.
fn interpret(
    url: &str,
    branch: &str,
    success: bool,
    status: &str,
    stdout: &str,
    stderr: &str,
) -> Result<(), PushError> {
    for line in stdout.lines() {
        let mut fields = line.split('\t');
        let (Some(flag), Some(_refs), Some(summary)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if flag != "!" {
            continue;
        }
        if summary.contains("non-fast-forward")
            || summary.contains("fetch first")
            || summary.contains("stale info")
        {
            return Err(PushError::NonFastForward {
                url: url.to_owned(),
                branch: branch.to_owned(),
            });
        }
        return Err(PushError::Rejected {
            url: url.to_owned(),
            branch: branch.to_owned(),
            reason: summary.trim().to_owned(),
        });
    }
    if success {
        return Ok(());
    }
    let lower = stderr.to_ascii_lowercase();
    let auth_markers = [
        "authentication failed",
        "could not read username",
        "could not read password",
        "terminal prompts disabled",
        "permission denied",
        "the requested url returned error: 401",
        "the requested url returned error: 403",
        "host key verification failed",
    ];
    if auth_markers.iter().any(|m| lower.contains(m)) {
        return Err(PushError::Authentication {
            url: url.to_owned(),
        });
    }
    let unreachable_markers = [
        "could not resolve host",
        "failed to connect",
        "connection refused",
        "connection timed out",
        "operation timed out",
        "couldn't connect to server",
        "no route to host",
    ];
    if unreachable_markers.iter().any(|m| lower.contains(m)) {
        return Err(PushError::Unreachable {
            url: url.to_owned(),
            detail: stderr.trim().to_owned(),
        });
    }
    Err(PushError::Failed {
        url: url.to_owned(),
        status: status.to_owned(),
        stderr: stderr.trim().to_owned(),
    })
}

impl Fetched {
    /// Pushes `commit` (made with [`Fetched::commit_changes`] or
    /// [`Fetched::commit_dir`]) to `branch` of the fetched URL.
    pub fn push(
        &self,
        pusher: &dyn GitPush,
        credentials: &Credentials,
        commit: &str,
        branch: &str,
    ) -> Result<(), PushError> {
        pusher.push(&PushRequest::new(
            self.git_dir(),
            self.url(),
            credentials,
            commit,
            branch,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_non_fast_forward() {
        for summary in ["[rejected] (non-fast-forward)", "[rejected] (fetch first)"] {
            let out = format!("To http://h/r.git\n!\tabc:refs/heads/main\t{summary}\nDone\n");
            assert!(matches!(
                interpret("u", "main", false, "exit status: 1", &out, ""),
                Err(PushError::NonFastForward { .. })
            ));
        }
        let hook =
            "To x\n!\tabc:refs/heads/main\t[remote rejected] (pre-receive hook declined)\nDone\n";
        assert!(matches!(
            interpret("u", "main", false, "1", hook, ""),
            Err(PushError::Rejected { .. })
        ));
        let ok = "To x\n*\tabc:refs/heads/new\t[new branch]\nDone\n";
        assert!(interpret("u", "new", true, "0", ok, "").is_ok());
    }

    #[test]
    fn stderr_classification() {
        assert!(matches!(
            interpret(
                "u",
                "b",
                false,
                "128",
                "",
                "fatal: Authentication failed for 'http://h/'"
            ),
            Err(PushError::Authentication { .. })
        ));
        assert!(matches!(
            interpret(
                "u",
                "b",
                false,
                "128",
                "",
                "fatal: unable to access 'http://h/': Failed to connect to h port 1"
            ),
            Err(PushError::Unreachable { .. })
        ));
    }

    const SHA: &str = "0123456789012345678901234567890123456789";

    /// flux-compat.md §6.6: the refspec is pushed after the branch; a source
    /// naming the push branch means the new commit; options go with both.
    #[test]
    fn refspecs_and_push_options() {
        let url = RepoUrl::parse("https://example.com/r.git").unwrap();
        let creds = Credentials::none();
        let options = [
            ("merge_request.create".to_owned(), String::new()),
            ("topic".to_owned(), "auto".to_owned()),
        ];
        let mut req = PushRequest::new(Path::new("/x.git"), &url, &creds, SHA, "auto");
        req.force = true;
        req.refspec = Some("refs/heads/auto:refs/for/main");
        req.options = &options;
        let args: Vec<String> = GitCli::new()
            .command(&req, None, &TlsFiles::default())
            .unwrap()
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args[1..],
            [
                "push",
                "--porcelain",
                "--push-option=merge_request.create=",
                "--push-option=topic=auto",
                "https://example.com/r.git",
                &format!("+{SHA}:refs/heads/auto"),
                &format!("{SHA}:refs/for/main"),
            ]
        );
        for (spec, want) in [
            ("auto:refs/heads/x", format!("{SHA}:refs/heads/x")),
            ("+HEAD:refs/heads/x", format!("+{SHA}:refs/heads/x")),
            (
                "refs/heads/other:refs/heads/x",
                "refs/heads/other:refs/heads/x".into(),
            ),
            ("refs/heads/x", "refs/heads/x".into()),
        ] {
            assert_eq!(resolve_refspec(spec, "auto", SHA).unwrap(), want, "{spec}");
        }
        for bad in ["", "--exec=x", "a b:c", "refs/heads/a:refs/heads/b:c"] {
            assert!(
                matches!(
                    resolve_refspec(bad, "auto", SHA),
                    Err(PushError::InvalidRefspec(_))
                ),
                "{bad:?}"
            );
        }
        let bad_options = [("k".to_owned(), "a\nb".to_owned())];
        req.options = &bad_options;
        assert!(matches!(
            GitCli::new().push(&req),
            Err(PushError::InvalidPushOption(k)) if k == "k"
        ));
    }

    #[test]
    fn credentials_only_in_env_never_in_args() {
        let url = RepoUrl::parse("https://example.com/r.git").unwrap();
        let creds = Credentials::basic("alice", SecretString::from("PW-CANARY-1"));
        let req = PushRequest::new(
            Path::new("/tmp/x.git"),
            &url,
            &creds,
            "0123456789012345678901234567890123456789",
            "main",
        );
        let cmd = GitCli::new()
            .command(&req, None, &TlsFiles::default())
            .unwrap();
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let joined = args.join(" ");
        let encoded = base64::engine::general_purpose::STANDARD.encode("alice:PW-CANARY-1");
        assert!(
            !joined.contains("PW-CANARY-1") && !joined.contains(&encoded),
            "{joined}"
        );
        let has_header = cmd.get_envs().any(|(_, v)| {
            v.is_some_and(|v| v.to_string_lossy() == format!("Authorization: Basic {encoded}"))
        });
        assert!(has_header);
        assert_eq!(
            scrub(&format!("x PW-CANARY-1 {encoded} y"), &creds),
            "x *** *** y"
        );

        let mut with_tls = creds.clone();
        with_tls.ca_cert = Some("CA".into());
        with_tls.tls_cert = Some("CERT".into());
        with_tls.tls_key = Some(SecretString::from("KEY-CANARY-2"));
        let files = TlsFiles::write(&with_tls, Transport::Https).unwrap();
        let cmd = GitCli::new().command(&req, None, &files).unwrap();
        let envs: Vec<String> = cmd
            .get_envs()
            .filter_map(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()))
            .collect();
        for key in ["http.sslCAInfo", "http.sslCert", "http.sslKey"] {
            assert!(envs.iter().any(|v| v == key), "{key}: {envs:?}");
        }
        assert!(!envs.iter().any(|v| v.contains("KEY-CANARY-2")), "{envs:?}");
        let (_, key) = files.client.as_ref().unwrap();
        assert_eq!(std::fs::read_to_string(key.path()).unwrap(), "KEY-CANARY-2");
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(key.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "private key file is private");
        assert!(files.ca.is_some());
        assert!(
            TlsFiles::write(&with_tls, Transport::Http)
                .unwrap()
                .client
                .is_none()
        );
    }
}
