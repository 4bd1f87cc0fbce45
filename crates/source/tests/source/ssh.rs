//! Fetch and push over SSH (private sshd + git-shell on loopback, started by
//! `scripts/services/git-ssh-server.sh`). gix runs the system `ssh` with the
//! key and known_hosts written to private temp files.

use std::path::PathBuf;

use weir_source::{
    Change, CommitInfo, Credentials, FetchError, FetchOptions, GitCli, GitRef, RepoUrl,
    SecretString, Signature, fetch,
};
use weir_testkit::Service;

use crate::{Remote, have};

fn ssh_server() -> Option<Service> {
    if !have(&["sshd", "ssh", "ssh-keygen", "ssh-keyscan", "git-shell"]) {
        return None;
    }
    Some(Service::start("git-ssh-server", &[]).expect("git-ssh-server starts"))
}

fn creds(server: &Service) -> Credentials {
    let key = std::fs::read_to_string(server.var("SSH_KEY").unwrap()).unwrap();
    let known_hosts = std::fs::read_to_string(server.var("KNOWN_HOSTS").unwrap()).unwrap();
    Credentials::ssh(SecretString::from(key), known_hosts)
}

#[test]
fn fetch_and_push_over_ssh() {
    let Some(server) = ssh_server() else { return };
    let remote = Remote::create(&PathBuf::from(server.var("REPOS").unwrap()), "app");
    let url = RepoUrl::parse(&format!("{}/app.git", server.var("URL").unwrap())).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path());
    let creds = creds(&server);

    let fetched = fetch(&url, &creds, &GitRef::branch("main"), &opts).unwrap();
    assert_eq!(
        fetched.revision().to_string(),
        format!("main@sha1:{}", remote.server_rev("main"))
    );
    let out = cache.path().join("a.tar.gz");
    fetched.write_artifact(None, &out).unwrap();
    assert_eq!(
        crate::artifact_file(&out, "apps/deploy.yaml").as_deref(),
        Some("kind: Deployment\n")
    );

    let info = CommitInfo {
        message: "over ssh".into(),
        author: Signature::new("a", "a@example.com"),
        committer: Signature::new("a", "a@example.com"),
    };
    let c = fetched
        .commit_changes(&[Change::write("ssh.yaml", "s\n")], &info)
        .unwrap()
        .unwrap();
    fetched.push(&GitCli::new(), &creds, &c, "main").unwrap();
    assert_eq!(remote.server_rev("main"), c);

    // Incremental fetch sees the pushed commit.
    let again = fetch(&url, &creds, &GitRef::branch("main"), &opts).unwrap();
    assert_eq!(again.commit(), c);
}

#[test]
fn unknown_key_or_host_is_refused_without_prompting() {
    let Some(server) = ssh_server() else { return };
    Remote::create(&PathBuf::from(server.var("REPOS").unwrap()), "app");
    let url = RepoUrl::parse(&format!("{}/app.git", server.var("URL").unwrap())).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path());

    // A key the server does not know.
    let other = cache.path().join("other");
    let status = std::process::Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            other.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let key = std::fs::read_to_string(&other).unwrap();
    let known_hosts = std::fs::read_to_string(server.var("KNOWN_HOSTS").unwrap()).unwrap();
    let wrong_key = Credentials::ssh(SecretString::from(key.clone()), known_hosts);
    let err = fetch(&url, &wrong_key, &GitRef::branch("main"), &opts).unwrap_err();
    assert!(matches!(err, FetchError::Authentication { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");

    // The right key but a host key that does not match known_hosts.
    let good = creds(&server);
    let mut wrong_host = good.clone();
    wrong_host.known_hosts = Some(format!(
        "[127.0.0.1]:{} {}",
        server.var("PORT").unwrap(),
        std::fs::read_to_string(other.with_extension("pub"))
            .unwrap()
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    ));
    let err = fetch(&url, &wrong_host, &GitRef::branch("main"), &opts).unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Authentication { .. } | FetchError::Git { .. }
        ),
        "{err:?}"
    );
}

/// flux-compat.md §2.3: `identity` may be passphrase-protected, with the
/// passphrase in `password`; it never shows up in errors.
#[test]
fn a_passphrase_protected_key_is_unlocked_with_the_password() {
    let Some(server) = ssh_server() else { return };
    let remote = Remote::create(&PathBuf::from(server.var("REPOS").unwrap()), "locked");
    let url = RepoUrl::parse(&format!("{}/locked.git", server.var("URL").unwrap())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::copy(server.var("SSH_KEY").unwrap(), &key).unwrap();
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-p", "-P", "", "-N", "pass-CANARY-77", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let encrypted = std::fs::read_to_string(&key).unwrap();
    let known_hosts = std::fs::read_to_string(server.var("KNOWN_HOSTS").unwrap()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path());

    let mut creds = Credentials::ssh(SecretString::from(encrypted), known_hosts);
    creds.password = Some(SecretString::from("wrong-CANARY-78"));
    let err = fetch(&url, &creds, &GitRef::branch("main"), &opts).unwrap_err();
    let text = format!("{err} {err:?} {}", crate::http::error_chain(&err));
    assert!(!text.contains("CANARY"), "{text}");

    creds.password = Some(SecretString::from("pass-CANARY-77"));
    let fetched = fetch(&url, &creds, &GitRef::branch("main"), &opts).unwrap();
    assert_eq!(fetched.commit(), remote.server_rev("main"));
    let info = CommitInfo {
        message: "locked key".into(),
        author: Signature::new("a", "a@example.com"),
        committer: Signature::new("a", "a@example.com"),
    };
    let c = fetched
        .commit_changes(&[Change::write("locked.yaml", "l\n")], &info)
        .unwrap()
        .unwrap();
    fetched.push(&GitCli::new(), &creds, &c, "main").unwrap();
    assert_eq!(remote.server_rev("main"), c);
}
