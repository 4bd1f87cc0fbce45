//! Running the `git` CLI in tests with an isolated, reproducible setup.
//!
//! Every call ignores the user's and the system's Git configuration, never
//! prompts for credentials, never signs, and commits as `dev <dev@example.com>` on a
//! default branch named `main`, so tests can assert authors and branch names.
//!
//! ```no_run
//! let dir = tempfile::tempdir()?;
//! weir_testkit::git::git(dir.path(), &["init", "-q", "-b", "main"]);
//! # Ok::<(), std::io::Error>(())
//! ```

// A test helper fails the calling test with the command's stderr.
#![allow(clippy::panic, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

/// The author and committer name of commits made through [`git`].
pub const AUTHOR_NAME: &str = "dev";
/// The author and committer email of commits made through [`git`].
pub const AUTHOR_EMAIL: &str = "dev@example.com";

/// A `git` command in `dir` with the isolated environment (not yet run).
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", AUTHOR_NAME)
        .env("GIT_AUTHOR_EMAIL", AUTHOR_EMAIL)
        .env("GIT_COMMITTER_NAME", AUTHOR_NAME)
        .env("GIT_COMMITTER_EMAIL", AUTHOR_EMAIL);
    cmd
}

/// Runs `git ARGS…` in `dir` and returns its stdout (untrimmed).
///
/// # Panics
///
/// When `git` cannot be run, exits unsuccessfully (the panic message holds
/// its stderr) or prints non-UTF-8 output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = command(dir, args)
        .output()
        .unwrap_or_else(|e| panic!("running git {args:?}: {e}"));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git printed UTF-8")
}

/// Creates the bare repository `bare` (branch `main`) and pushes everything
/// in `work` to it as one commit on `main`; `work` becomes a repository if it
/// is not one yet. Returns the commit id.
///
/// # Panics
///
/// When a directory cannot be created or a `git` command fails.
#[allow(clippy::panic)] // a test helper: fail the calling test
pub fn init_and_push(work: &Path, bare: &Path, message: &str) -> String {
    for dir in [bare, work] {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    }
    git(bare, &["init", "-q", "--bare", "-b", "main"]);
    git(work, &["init", "-q", "-b", "main"]);
    git(work, &["add", "-A"]);
    git(work, &["commit", "-q", "-m", message]);
    let bare_arg = bare.to_string_lossy();
    git(work, &["push", "-q", &bare_arg, "main"]);
    git(work, &["rev-parse", "HEAD"]).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_as_dev_on_main() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        std::fs::write(dir.path().join("a"), "a").unwrap();
        git(dir.path(), &["add", "a"]);
        git(dir.path(), &["commit", "-q", "-m", "one"]);
        let log = git(dir.path(), &["log", "--format=%an <%ae>|%cn|%s", "main"]);
        assert_eq!(log, "dev <dev@example.com>|dev|one\n");
    }

    #[test]
    fn init_and_push_publishes_one_commit_on_main() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        let bare = dir.path().join("served/repo.git");
        std::fs::create_dir_all(work.join("sub")).unwrap();
        std::fs::write(work.join("sub/file"), "x").unwrap();
        let head = init_and_push(&work, &bare, "first");
        assert_eq!(git(&bare, &["rev-parse", "main"]).trim(), head);
        assert_eq!(git(&bare, &["log", "--format=%s", "main"]), "first\n");
        assert_eq!(git(&bare, &["show", "main:sub/file"]), "x");
    }
}
