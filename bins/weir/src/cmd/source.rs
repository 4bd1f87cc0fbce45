//! `weir source`: Git sources with Flux GitRepository semantics.
//!
//! `weir source fetch URL … --out ARTIFACT.tar.gz` fetches one ref into the
//! per-URL cache, writes the artifact atomically, and prints the revision and
//! the artifact digest, one per line (without `--out`: the revision only).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use weir_source::{Credentials, FetchOptions, GitRef, RepoUrl, SecretString};

use crate::exit::{CmdResult, Failure, ResultExt as _, write_stdout};

/// Flags of `weir source`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: SourceCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SourceCommand {
    /// Fetch a ref of a Git repository and write its artifact (.tar.gz); prints revision and digest.
    Fetch(FetchArgs),
}

/// Flags of `weir source fetch`.
#[derive(Debug, clap::Args)]
struct FetchArgs {
    /// Repository URL: https://, http://, ssh://, scp-style user@host:path, or file://.
    url: String,

    /// Branch to fetch (Flux ref.branch; the default is master when no ref is given).
    #[arg(long, value_name = "B")]
    branch: Option<String>,

    /// Tag to fetch (ref.tag; beats --branch).
    #[arg(long, value_name = "T")]
    tag: Option<String>,

    /// Masterminds semver range: the highest matching tag (ref.semver; beats --tag).
    #[arg(long, value_name = "RANGE")]
    semver: Option<String>,

    /// Full commit SHA (ref.commit; beats everything; with --branch it must be in that branch).
    #[arg(long, value_name = "SHA")]
    commit: Option<String>,

    /// Full reference name such as refs/pull/1/head (ref.name; beats --semver).
    #[arg(long = "ref-name", value_name = "REF")]
    ref_name: Option<String>,

    /// A Flux Git secret manifest (username/password, bearerToken, identity/known_hosts, ca.crt).
    #[arg(long, value_name = "SECRET.yaml", conflicts_with_all = ["username", "password_env", "bearer_token_env"])]
    secret: Option<PathBuf>,

    /// Basic-auth user name (with --password-env).
    #[arg(long, value_name = "U", requires = "password_env")]
    username: Option<String>,

    /// Name of the environment variable holding the basic-auth password or token.
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,

    /// Name of the environment variable holding an HTTP bearer token.
    #[arg(long, value_name = "VAR", conflicts_with = "password_env")]
    bearer_token_env: Option<String>,

    /// Ignore patterns in .gitignore syntax (spec.ignore; replaces the default
    /// exclusions, .sourceignore files still apply). Repeat the flag or
    /// separate patterns with newlines.
    #[arg(long, value_name = "PATTERNS")]
    ignore: Vec<String>,

    /// Cache directory for fetched repositories (default: $XDG_CACHE_HOME/weir/git or ~/.cache/weir/git).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,

    /// Seconds a network operation may stall (Flux spec.timeout).
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    timeout: u64,

    /// Seconds to wait for a connection.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    connect_timeout: u64,

    /// Where to write the artifact (.tar.gz); written atomically. Without it,
    /// only the fetch runs and only the revision is printed (a cheap "has the
    /// remote changed" check).
    #[arg(long, value_name = "ARTIFACT.tar.gz")]
    out: Option<PathBuf>,
}

/// Runs `weir source`.
pub(crate) fn run(args: Args) -> CmdResult {
    match args.command {
        SourceCommand::Fetch(args) => fetch(args),
    }
}

fn fetch(args: FetchArgs) -> CmdResult {
    let url = RepoUrl::parse(&args.url).invalid()?;
    let credentials = credentials(&args)?;
    let reference = GitRef {
        branch: args.branch.clone(),
        tag: args.tag.clone(),
        semver: args.semver.clone(),
        name: args.ref_name.clone(),
        commit: args.commit.clone(),
    };
    // Reject a bad ref or output path before any network traffic.
    reference.select().invalid()?;
    if let Some(out) = &args.out {
        let dir = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if !dir.is_dir() {
            return Err(Failure::invalid(format!(
                "--out {}: directory {} does not exist",
                out.display(),
                dir.display()
            )));
        }
    }
    let cache_dir = match &args.cache_dir {
        Some(dir) => dir.clone(),
        None => default_cache_dir().ok_or_else(|| {
            Failure::invalid("no cache directory: set --cache-dir, XDG_CACHE_HOME or HOME")
        })?,
    };
    let options = FetchOptions::new(cache_dir)
        .timeout(Duration::from_secs(args.timeout.max(1)))
        .connect_timeout(Duration::from_secs(args.connect_timeout.max(1)));
    let fetched = match weir_source::fetch(&url, &credentials, &reference, &options) {
        Ok(f) => f,
        Err(e) if e.is_invalid_input() => return Err(Failure::Invalid(e.into())),
        Err(e) => return Err(Failure::Failed(e.into())),
    };
    let Some(out) = &args.out else {
        return write_stdout(format!("{}\n", fetched.revision()).as_bytes());
    };
    let ignore = (!args.ignore.is_empty()).then(|| args.ignore.join("\n"));
    let artifact = fetched
        .write_artifact(ignore.as_deref(), out)
        .with_context(|| format!("fetched {}", fetched.revision()))
        .failed()?;
    write_stdout(format!("{}\n{}\n", fetched.revision(), artifact.digest).as_bytes())
}

fn credentials(args: &FetchArgs) -> CmdResult<Credentials> {
    if let Some(path) = &args.secret {
        return Credentials::from_secret_file(path).invalid();
    }
    let read_env = |var: &str, flag: &str| -> CmdResult<SecretString> {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(SecretString::from(v)),
            _ => Err(Failure::invalid(format!(
                "{flag}: environment variable {var} is not set or empty"
            ))),
        }
    };
    let mut creds = Credentials::none();
    if let Some(var) = &args.password_env {
        creds.password = Some(read_env(var, "--password-env")?);
        creds.username = Some(args.username.clone().unwrap_or_else(|| "git".to_owned()));
    }
    if let Some(var) = &args.bearer_token_env {
        creds.bearer_token = Some(read_env(var, "--bearer-token-env")?);
    }
    Ok(creds)
}

fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })?;
    Some(base.join("weir").join("git"))
}
