//! Registry scanning for `weir tags --image`: the flags (flattened into the
//! subcommand's `Args`) and the scan itself, which lists a repository's tags
//! the way Flux's ImageRepository does (exclusion list applied) so the
//! ImagePolicy evaluation downstream is the same as in the offline mode.
//!
//! Credentials, in Flux's order: `--provider aws` logs in to ECR (and ignores
//! Docker configs, as Flux ignores `secretRef` then); otherwise
//! `--username`/`--password-env`, then the `--docker-config` entry for the
//! registry host, then anonymous. Mirrors change where requests go, never
//! which credentials or provider apply.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use secrecy::ExposeSecret as _;
use weir_registry::{
    Client, ClientOptions, Credentials, DockerConfig, Exclusions, ImageRef, Mirrors, Repository,
};

use crate::exit::{CmdResult, Failure, ResultExt as _};

/// How to log in to the registry (Flux's `ImageRepository.spec.provider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Provider {
    /// Docker config / explicit credentials, or anonymous.
    Generic,
    /// Amazon ECR: GetAuthorizationToken with the default AWS credential chain.
    Aws,
}

/// Registry flags of `weir tags` (meaningful with `--image`).
#[derive(Debug, clap::Args)]
pub(crate) struct ScanArgs {
    /// Scan this image repository in its registry instead of reading tags
    /// (host/path without tag, e.g. ghcr.io/org/app; Docker Hub names get library/).
    #[arg(long, value_name = "REPO", help_heading = "Registry")]
    pub(crate) image: Option<String>,

    /// Docker config.json, or a kubernetes.io/dockerconfigjson Secret manifest
    /// (JSON or YAML), holding credentials for the registry host.
    #[arg(
        long,
        value_name = "FILE",
        requires = "image",
        help_heading = "Registry"
    )]
    docker_config: Option<PathBuf>,

    /// Basic-auth user name for the registry (with --password-env).
    #[arg(long, value_name = "U", requires_all = ["image", "password_env"], help_heading = "Registry")]
    username: Option<String>,

    /// Name of the environment variable holding the registry password or token.
    #[arg(
        long,
        value_name = "VAR",
        requires = "username",
        help_heading = "Registry"
    )]
    password_env: Option<String>,

    /// Login provider: generic (credentials above or anonymous) or aws (ECR).
    #[arg(long, value_enum, default_value_t = Provider::Generic, help_heading = "Registry")]
    provider: Provider,

    /// Allow plain HTTP to the registry or its mirror.
    #[arg(long, requires = "image", help_heading = "Registry")]
    insecure: bool,

    /// Extra CA certificates (PEM) trusted in addition to the system roots.
    #[arg(
        long,
        value_name = "FILE",
        requires = "image",
        help_heading = "Registry"
    )]
    ca_file: Option<PathBuf>,

    /// Drop tags matching this regex before the policy sees them (repeatable;
    /// replaces the default '^.*\.sig$', like Flux's exclusionList).
    #[arg(
        long = "exclude",
        value_name = "RE",
        requires = "image",
        help_heading = "Registry"
    )]
    exclude: Vec<String>,

    /// Send every request for HOST to URL (repeatable); credentials and ECR
    /// detection still use HOST.
    #[arg(
        long = "registry-mirror",
        value_name = "HOST=URL",
        help_heading = "Registry"
    )]
    registry_mirror: Vec<String>,

    /// File of HOST=URL mirror lines ('#' comments allowed).
    #[arg(long, value_name = "FILE", help_heading = "Registry")]
    registry_mirrors_file: Option<PathBuf>,

    /// Time limit for the whole scan, e.g. 30s, 2m (default 60s).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration, help_heading = "Registry")]
    timeout: Duration,

    /// Print the selected tag with its manifest digest: TAG@sha256:….
    #[arg(long, requires = "image", help_heading = "Registry")]
    pub(crate) digest: bool,
}

/// The result of a scan: the tags (exclusions applied, registry order) and
/// the repository handle, whose cached authorization serves the digest
/// request afterwards without a second token exchange.
pub(crate) struct Scanned {
    /// Tags that survived the exclusion list.
    pub(crate) tags: Vec<String>,
    runtime: tokio::runtime::Runtime,
    repo: Repository,
    image: ImageRef,
    timeout: Duration,
}

/// Lists the tags of `--image` (which must be set).
pub(crate) fn scan(args: &ScanArgs) -> CmdResult<Scanned> {
    let Some(image_arg) = args.image.as_deref() else {
        return Err(Failure::invalid("--image is required to scan a registry"));
    };
    let image = ImageRef::parse(image_arg).context("--image").invalid()?;
    let exclusions = if args.exclude.is_empty() {
        Exclusions::flux_default()
    } else {
        Exclusions::new(args.exclude.iter().cloned())
            .context("--exclude")
            .invalid()?
    };
    let client = Client::new(client_options(args)?)
        .context("--ca-file")
        .invalid()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
        .failed()?;

    let credentials = match args.provider {
        Provider::Aws => runtime.block_on(ecr_login(&image, args.timeout))?,
        Provider::Generic => generic_credentials(args, &image)?,
    };
    let repo = client
        .repository(&image, credentials)
        .context("--image / --registry-mirror")
        .invalid()?;
    let mut tags = Vec::new();
    let mut excluded = 0usize;
    let mut keep = |page: Vec<String>| {
        for tag in page {
            if exclusions.is_excluded(&tag) {
                excluded += 1;
            } else {
                tags.push(tag);
            }
        }
    };
    let listing = repo.list_tags_with(&mut keep);
    let listed = runtime.block_on(async { tokio::time::timeout(args.timeout, listing).await });
    match listed {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            return Err(Failure::Failed(
                anyhow::Error::new(e).context(format!("scanning {image}")),
            ));
        }
        Err(_) => {
            return Err(Failure::failed(format!(
                "scanning {image}: no result within {:?} (--timeout)",
                args.timeout
            )));
        }
    }
    tracing::debug!(image = %image, tags = tags.len(), excluded, "scanned registry");
    Ok(Scanned {
        tags,
        runtime,
        repo,
        image,
        timeout: args.timeout,
    })
}

impl Scanned {
    /// The manifest digest of a tag (`sha256:…`).
    pub(crate) fn digest(&self, tag: &str) -> CmdResult<String> {
        let fut = self.repo.manifest_digest(tag);
        match self
            .runtime
            .block_on(async { tokio::time::timeout(self.timeout, fut).await })
        {
            Ok(Ok(d)) => Ok(d),
            Ok(Err(e)) => Err(Failure::Failed(
                anyhow::Error::new(e).context(format!("digest of {}:{tag}", self.image)),
            )),
            Err(_) => Err(Failure::failed(format!(
                "digest of {}:{tag}: no result within {:?} (--timeout)",
                self.image, self.timeout
            ))),
        }
    }
}

fn client_options(args: &ScanArgs) -> CmdResult<ClientOptions> {
    let mut opts = ClientOptions::default();
    opts.insecure = args.insecure;
    opts.request_timeout = args.timeout;
    opts.connect_timeout = args.timeout.min(Duration::from_secs(10));
    if let Some(path) = &args.ca_file {
        let pem = std::fs::read(path)
            .with_context(|| format!("--ca-file: reading {}", path.display()))
            .invalid()?;
        opts.ca_pem = Some(pem);
    }
    let mut mirrors = Mirrors::new();
    if let Some(path) = &args.registry_mirrors_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--registry-mirrors-file: reading {}", path.display()))
            .invalid()?;
        mirrors
            .add_file(&text, &path.display().to_string())
            .invalid()?;
    }
    for spec in &args.registry_mirror {
        mirrors.add_spec(spec, "--registry-mirror").invalid()?;
    }
    opts.mirrors = mirrors;
    Ok(opts)
}

fn generic_credentials(args: &ScanArgs, image: &ImageRef) -> CmdResult<Credentials> {
    if let (Some(user), Some(var)) = (&args.username, &args.password_env) {
        let password = std::env::var(var)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                Failure::invalid(format!(
                    "--password-env: environment variable {var} is not set or empty"
                ))
            })?;
        return Ok(Credentials::basic(user.clone(), password));
    }
    if let Some(path) = &args.docker_config {
        let config = read_docker_config(path)?;
        match config.credentials_for(image.registry()) {
            Some(c) => return Ok(c.clone()),
            None => tracing::debug!(
                registry = image.registry(),
                file = %path.display(),
                "no credentials for the registry in the Docker config; anonymous"
            ),
        }
    }
    Ok(Credentials::Anonymous)
}

/// A Docker config.json, or a dockerconfigjson Secret in JSON or YAML.
fn read_docker_config(path: &Path) -> CmdResult<DockerConfig> {
    let ctx = || format!("--docker-config {}", path.display());
    let text = std::fs::read_to_string(path).with_context(ctx).invalid()?;
    if let Ok(config) = DockerConfig::from_json(text.as_bytes()) {
        return Ok(config);
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        // JSON that did not fit: report the JSON problem.
        return DockerConfig::from_json(text.as_bytes())
            .with_context(ctx)
            .invalid();
    }
    let docs = weir_yaml::parse_documents(&text)
        .with_context(ctx)
        .invalid()?;
    let first = docs
        .first()
        .ok_or_else(|| Failure::invalid(format!("{}: the file is empty", ctx())))?;
    DockerConfig::from_value(first).with_context(ctx).invalid()
}

async fn ecr_login(image: &ImageRef, timeout: Duration) -> CmdResult<Credentials> {
    // A non-ECR host is bad input, found without any AWS call.
    if weir_ecr_auth::parse_host(image.registry()).is_none() {
        return Err(Failure::Invalid(
            anyhow::Error::new(weir_ecr_auth::Error::NotEcr {
                host: image.registry().to_owned(),
            })
            .context("--provider aws"),
        ));
    }
    let auth = weir_ecr_auth::EcrAuth::with_source(
        weir_ecr_auth::SdkTokenSource::default().timeout(timeout),
        weir_ecr_auth::SystemClock,
    );
    match auth.login(image.registry()).await {
        Ok(weir_ecr_auth::Login::Basic {
            username, password, ..
        }) => Ok(Credentials::basic(username, password.expose_secret())),
        Ok(_) => Ok(Credentials::Anonymous),
        Err(e) => Err(Failure::Failed(anyhow::Error::new(e).context(format!(
            "logging in to {} (--provider aws)",
            image.registry()
        )))),
    }
}

/// `90`, `90s`, `1500ms`, `2m`, `1h` (Go-style single-unit durations).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 30s, 2m or 1h"))?;
    let secs = match unit {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => {
            return Err(format!(
                "{text:?}: unknown unit {unit:?} (use ms, s, m or h)"
            ));
        }
    };
    if !(secs > 0.0 && secs.is_finite() && secs < 1e9) {
        return Err(format!("{text:?}: must be positive"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
