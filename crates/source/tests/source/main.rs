//! Integration tests against real Git servers on loopback
//! (`scripts/services/git-http-server.sh`, `git-ssh-server.sh`).

// Test helpers outside `#[test]` functions may unwrap and print too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod http;
mod push;
mod ssh;

use std::path::{Path, PathBuf};

use weir_testkit::Service;

/// The password every HTTP test server uses; tests check it never leaks.
pub(crate) const PASSWORD: &str = "pw-CANARY-7f3a9";
pub(crate) const USER: &str = "alice";

/// Whether the server binaries are installed; outside CI a missing one skips
/// the test loudly, in CI it fails.
pub(crate) fn have(commands: &[&str]) -> bool {
    weir_testkit::require_commands(commands)
}

/// Runs git with a clean identity and returns trimmed stdout.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    weir_testkit::git::git(dir, args).trim().to_owned()
}

/// A bare repository served by a test server, plus a work tree that pushes
/// to it through the file system (no credentials involved).
pub(crate) struct Remote {
    pub(crate) bare: PathBuf,
    pub(crate) work: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Remote {
    /// Creates `repos/<name>.git` with one commit on `main`.
    pub(crate) fn create(repos: &Path, name: &str) -> Remote {
        let bare = repos.join(format!("{name}.git"));
        std::fs::create_dir_all(&bare).unwrap();
        git(&bare, &["init", "-q", "--bare", "-b", "main"]);
        // Allow fetching any reachable commit by id (git's default in protocol v2 anyway).
        git(
            &bare,
            &["config", "uploadpack.allowReachableSHA1InWant", "true"],
        );
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        git(&work, &["init", "-q", "-b", "main"]);
        let remote = Remote {
            bare,
            work,
            _tmp: tmp,
        };
        remote.write("README.md", "# app\n");
        remote.write("apps/deploy.yaml", "kind: Deployment\n");
        remote.commit_and_push("initial");
        remote
    }

    pub(crate) fn write(&self, rel: &str, text: &str) {
        let p = self.work.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Commits everything and pushes the current branch; returns the commit id.
    pub(crate) fn commit_and_push(&self, message: &str) -> String {
        git(&self.work, &["add", "-A"]);
        git(
            &self.work,
            &["commit", "-q", "--allow-empty", "-m", message],
        );
        let branch = git(&self.work, &["rev-parse", "--abbrev-ref", "HEAD"]);
        git(
            &self.work,
            &[
                "push",
                "-q",
                "--follow-tags",
                self.bare.to_str().unwrap(),
                &format!("HEAD:refs/heads/{branch}"),
            ],
        );
        git(&self.work, &["rev-parse", "HEAD"])
    }

    /// Pushes an arbitrary ref (`HEAD:refs/…`) to the bare repo.
    pub(crate) fn push_ref(&self, refspec: &str) {
        git(
            &self.work,
            &[
                "push",
                "-q",
                "--force",
                self.bare.to_str().unwrap(),
                refspec,
            ],
        );
    }

    /// The commit a ref points to on the server.
    pub(crate) fn server_rev(&self, rev: &str) -> String {
        git(&self.bare, &["rev-parse", rev])
    }
}

/// A started HTTP server with basic auth (`USER`/`PASSWORD`).
pub(crate) fn http_server() -> Option<Service> {
    if !have(&["nginx", "fcgiwrap", "curl", "git"]) {
        return None;
    }
    Some(Service::start("git-http-server", &[USER, PASSWORD]).expect("git-http-server starts"))
}

pub(crate) fn repos(service: &Service) -> PathBuf {
    PathBuf::from(service.var("REPOS").expect("REPOS printed"))
}

pub(crate) fn url(service: &Service, name: &str) -> String {
    format!("{}/{name}.git", service.var("URL").expect("URL printed"))
}

/// Lists the entries of a .tar.gz artifact.
pub(crate) fn artifact_entries(path: &Path) -> Vec<String> {
    let f = std::fs::File::open(path).unwrap();
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(f));
    a.entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Reads one file from a .tar.gz artifact.
pub(crate) fn artifact_file(path: &Path, name: &str) -> Option<String> {
    use std::io::Read as _;
    let f = std::fs::File::open(path).unwrap();
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(f));
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_string_lossy() == name {
            let mut s = String::new();
            e.read_to_string(&mut s).unwrap();
            return Some(s);
        }
    }
    None
}
