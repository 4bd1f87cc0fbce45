//! Test helpers for Weir's integration tests (a dev-dependency only).
//!
//! Real servers — a Git smart-HTTP server with basic auth, an OCI registry,
//! an ECR API emulator — are started by the repository's own shell scripts in
//! `scripts/services/`, on random loopback ports, and stopped by PID when the
//! [`Service`] handle is dropped. Each script has the same interface:
//!
//! ```text
//! scripts/services/NAME.sh start DIR [ARGS…]   # prints KEY=VALUE lines (URL, PIDs, …)
//! scripts/services/NAME.sh stop DIR            # kills what start recorded
//! ```
//!
//! ```no_run
//! let git = weir_testkit::Service::start("git-http-server", &["user", "pass"])?;
//! let url = git.var("URL").unwrap_or_default();
//! # Ok::<(), weir_testkit::Error>(())
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub mod capture;
pub mod git;
pub mod seed;

/// Errors from starting a service.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The temporary directory could not be created.
    #[error("creating a temporary directory for {service}")]
    TempDir {
        /// The service name.
        service: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The script could not be run at all.
    #[error("running {script}")]
    Spawn {
        /// The script path.
        script: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The script ran and failed.
    #[error("{script} start failed with {status}: {stderr}")]
    Start {
        /// The script path.
        script: PathBuf,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it printed on stderr.
        stderr: String,
    },
}

/// The repository root (the folder with the workspace `Cargo.toml`).
pub fn repo_root() -> PathBuf {
    // crates/testkit -> repository root
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The path of a service script in `scripts/services/`.
pub fn script_path(name: &str) -> PathBuf {
    repo_root()
        .join("scripts/services")
        .join(format!("{name}.sh"))
}

/// A running service, stopped (by PID, via its script) when dropped.
#[derive(Debug)]
pub struct Service {
    script: PathBuf,
    dir: tempfile::TempDir,
    vars: BTreeMap<String, String>,
}

impl Service {
    /// Starts `scripts/services/NAME.sh start DIR ARGS…` in a fresh temporary
    /// directory and records the `KEY=VALUE` lines it prints.
    pub fn start(name: &str, args: &[&str]) -> Result<Self, Error> {
        Self::start_with_env(name, args, &[])
    }

    /// Like [`Service::start`], with extra environment variables for the script.
    pub fn start_with_env(name: &str, args: &[&str], env: &[(&str, &str)]) -> Result<Self, Error> {
        let script = script_path(name);
        let dir = tempfile::Builder::new()
            .prefix(&format!("weir-{name}-"))
            .tempdir()
            .map_err(|source| Error::TempDir {
                service: name.to_owned(),
                source,
            })?;
        let mut cmd = Command::new("bash");
        cmd.arg(&script).arg("start").arg(dir.path()).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        // The script's servers inherit nothing from our stdio pipes, so this
        // returns as soon as `start` is done.
        cmd.stdin(std::process::Stdio::null());
        let out = cmd.output().map_err(|source| Error::Spawn {
            script: script.clone(),
            source,
        })?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let vars = parse_vars(&stdout);
        let service = Service { script, dir, vars };
        if !out.status.success() {
            return Err(Error::Start {
                script: service.script.clone(),
                status: out.status,
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
            // `service` is dropped here, which runs `stop` for anything started.
        }
        Ok(service)
    }

    /// A `KEY=VALUE` variable printed by the start script.
    pub fn var(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }

    /// All variables printed by the start script.
    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.vars
    }

    /// The service's working directory (config, data, logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(&self.script)
            .arg("stop")
            .arg(self.dir.path())
            .stdin(std::process::Stdio::null())
            .output();
    }
}

/// Parses `KEY=VALUE` lines; other lines are ignored.
fn parse_vars(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let (k, v) = line.split_once('=')?;
            let valid = !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            valid.then(|| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Whether a command is on `PATH` (tests skip loudly, never silently, when a
/// service's binaries are missing outside CI; in CI `.ci/run` installs them).
pub fn have_command(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

/// Whether all of `commands` are on `PATH`; a test returns early when not.
///
/// Outside CI a missing command is reported on stderr (`SKIPPED: …`) so the
/// skip is never silent.
///
/// # Panics
///
/// When a command is missing and the `CI` environment variable is set: CI
/// installs every service's binaries, so a missing one is a failure there.
#[allow(clippy::panic, clippy::print_stderr)] // a test helper: fail or report the skip
pub fn require_commands(commands: &[&str]) -> bool {
    let missing: Vec<&str> = commands
        .iter()
        .copied()
        .filter(|c| !have_command(c))
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("missing {missing:?}");
    }
    eprintln!("SKIPPED: missing {missing:?} (run scripts/install-deps.sh)");
    false
}

/// Copies the files under `from` to the same relative paths under `to`,
/// creating directories as needed.
///
/// # Panics
///
/// On any I/O error (the message names the path).
#[allow(clippy::panic)] // a test helper: fail the calling test
pub fn copy_tree(from: &Path, to: &Path) {
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("reading {}: {e}", from.display()))
            .path();
        let Some(name) = path.file_name() else {
            continue;
        };
        let dest = to.join(name);
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            std::fs::create_dir_all(to)
                .unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
            std::fs::copy(&path, &dest).unwrap_or_else(|e| {
                panic!("copying {} to {}: {e}", path.display(), dest.display())
            });
        }
    }
}

/// Pushes `count` tags of `image` to the registry at `registry` with
/// `scripts/services/push-tags.sh`.
///
/// # Panics
///
/// When the script cannot be run or fails (the message holds its stderr).
pub fn push_tags(registry: &str, image: &str, count: usize) {
    run_push_tags(registry, image, count, None);
}

/// Like [`push_tags`], logging in to the registry as `user`/`password`
/// (`REG_USER`/`REG_PASS` for the script).
///
/// # Panics
///
/// When the script cannot be run or fails (the message holds its stderr).
pub fn push_tags_as(registry: &str, image: &str, count: usize, user: &str, password: &str) {
    run_push_tags(registry, image, count, Some((user, password)));
}

#[allow(clippy::panic)] // a test helper: fail the calling test
fn run_push_tags(registry: &str, image: &str, count: usize, login: Option<(&str, &str)>) {
    let mut cmd = Command::new("bash");
    cmd.arg(script_path("push-tags"))
        .args([registry, image, &count.to_string()])
        .stdin(Stdio::null());
    if let Some((user, password)) = login {
        cmd.env("REG_USER", user).env("REG_PASS", password);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running push-tags.sh: {e}"));
    assert!(
        out.status.success(),
        "push-tags.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether moto's `moto_server` (the ECR API emulator behind the `moto-ecr`
/// service) is installed: in the virtualenv at `$WEIR_VENV` (default
/// `~/.cache/weir-test-venv`, made by `scripts/install-deps.sh`) or on `PATH`.
/// A missing one is handled like in [`require_commands`].
///
/// # Panics
///
/// When `moto_server` is missing and the `CI` environment variable is set.
#[allow(clippy::panic, clippy::print_stderr)] // a test helper: fail or report the skip
pub fn require_moto() -> bool {
    let venv = std::env::var_os("WEIR_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/weir-test-venv")
        });
    if venv.join("bin/moto_server").is_file() || have_command("moto_server") {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("moto_server missing");
    }
    eprintln!("SKIPPED: moto_server missing (run scripts/install-deps.sh)");
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_value_lines() {
        let vars = parse_vars("URL=http://127.0.0.1:1234\nnoise\nPIDS=1 2\nlower=x\n");
        assert_eq!(
            vars.get("URL").map(String::as_str),
            Some("http://127.0.0.1:1234")
        );
        assert_eq!(vars.get("PIDS").map(String::as_str), Some("1 2"));
        assert!(!vars.contains_key("lower"));
    }

    #[test]
    fn copy_tree_copies_nested_files() {
        let from = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("a/b")).unwrap();
        std::fs::write(from.path().join("top"), "1").unwrap();
        std::fs::write(from.path().join("a/b/deep"), "2").unwrap();
        let to = tempfile::tempdir().unwrap();
        copy_tree(from.path(), &to.path().join("copy"));
        assert_eq!(
            std::fs::read_to_string(to.path().join("copy/top")).unwrap(),
            "1"
        );
        assert_eq!(
            std::fs::read_to_string(to.path().join("copy/a/b/deep")).unwrap(),
            "2"
        );
    }
}
