//! weir-registry against real registries: CNCF distribution 2.8 (Debian's
//! `docker-registry`) on random loopback ports, without auth, with htpasswd
//! basic auth and with the Bearer token flow, started and stopped by
//! `scripts/services/registry.sh` through `weir_testkit::Service`.

// Test helpers outside #[test] functions may unwrap and report skips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod real;
mod unreachable;

use std::path::PathBuf;
use std::process::Command;

/// Whether the registry service can run here (testkit prints why not, or
/// fails under CI).
pub(crate) fn registry_available() -> bool {
    weir_testkit::require_commands(&["docker-registry", "htpasswd", "curl", "jq", "openssl"])
}

pub(crate) fn script(name: &str) -> PathBuf {
    weir_testkit::repo_root()
        .join("scripts/services")
        .join(name)
}

/// A directory for registry storage. Thousands of tags are tens of thousands
/// of small files, and deleting them from a disk mounted with online discard
/// takes about a minute, so prefer the tmpfs at /dev/shm when there is one.
pub(crate) fn storage_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    let builder = || {
        let mut b = tempfile::Builder::new();
        b.prefix("weir-registry-data-");
        b
    };
    if shm.is_dir()
        && let Ok(dir) = builder().tempdir_in(shm)
    {
        return dir;
    }
    builder().tempdir().expect("a temporary directory")
}

/// Pushes `n` tags `main-<sha7>-<i>` with `push-tags.sh` (one curl process).
pub(crate) fn push_tags(url: &str, repo: &str, n: usize, user: &str, pass: &str) {
    let out = Command::new("bash")
        .arg(script("push-tags.sh"))
        .args([url, repo, &n.to_string()])
        .env("REG_USER", user)
        .env("REG_PASS", pass)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("push-tags.sh runs");
    assert!(
        out.status.success(),
        "push-tags.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `Docker-Content-Digest` of a manifest as curl sees it (the oracle).
pub(crate) fn curl_digest(url: &str, repo: &str, tag: &str) -> String {
    let out = Command::new("curl")
        .args([
            "-sfI",
            "-H",
            "Accept: application/vnd.oci.image.manifest.v1+json",
        ])
        .arg(format!("{url}/v2/{repo}/manifests/{tag}"))
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("docker-content-digest")
                .then(|| v.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no digest header in {text}"))
}
