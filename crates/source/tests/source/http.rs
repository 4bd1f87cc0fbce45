//! Fetch over smart HTTP with basic auth.

use std::time::{Duration, Instant};

use weir_source::{Credentials, FetchError, FetchOptions, GitRef, RepoUrl, SecretString, fetch};

use crate::{
    PASSWORD, Remote, USER, artifact_entries, artifact_file, git, http_server, repos, url,
};

fn creds() -> Credentials {
    Credentials::basic(USER, SecretString::from(PASSWORD))
}

#[test]
fn clone_then_incremental_fetch() {
    let Some(server) = http_server() else { return };
    let remote = Remote::create(&repos(&server), "app");
    let url = RepoUrl::parse(&url(&server, "app")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path());

    let first = fetch(&url, &creds(), &GitRef::branch("main"), &opts).unwrap();
    let head = remote.server_rev("main");
    assert_eq!(first.revision().to_string(), format!("main@sha1:{head}"));
    assert_eq!(first.branch(), Some("main"));
    assert!(first.git_dir().starts_with(cache.path()));
    let out = cache.path().join("a1.tar.gz");
    let art = first.write_artifact(None, &out).unwrap();
    assert_eq!(
        artifact_entries(&out),
        vec!["README.md", "apps", "apps/deploy.yaml"]
    );
    assert!(art.digest.starts_with("sha256:"));

    // Shallow: only the tip commit is in the cache.
    remote.write("apps/deploy.yaml", "kind: Deployment\nreplicas: 2\n");
    let second_head = remote.commit_and_push("scale");
    remote.write("apps/svc.yaml", "kind: Service\n");
    let third_head = remote.commit_and_push("svc");
    assert_ne!(second_head, third_head);

    let packs_before = count_packs(first.git_dir());
    let again = fetch(&url, &creds(), &GitRef::branch("main"), &opts).unwrap();
    assert_eq!(
        again.revision().to_string(),
        format!("main@sha1:{third_head}")
    );
    assert_eq!(again.git_dir(), first.git_dir(), "same cache repository");
    assert_eq!(
        count_packs(again.git_dir()),
        packs_before + 1,
        "one incremental pack"
    );
    let out2 = cache.path().join("a2.tar.gz");
    let art2 = again.write_artifact(None, &out2).unwrap();
    assert_ne!(art.digest, art2.digest);
    assert_eq!(
        artifact_file(&out2, "apps/svc.yaml").as_deref(),
        Some("kind: Service\n")
    );

    // Nothing new: no pack at all, same revision.
    let third = fetch(&url, &creds(), &GitRef::branch("main"), &opts).unwrap();
    assert_eq!(third.revision(), again.revision());
    assert_eq!(count_packs(third.git_dir()), packs_before + 1);
}

fn count_packs(git_dir: &std::path::Path) -> usize {
    std::fs::read_dir(git_dir.join("objects/pack"))
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".pack"))
            })
            .count()
        })
        .unwrap_or(0)
}

#[test]
fn every_ref_kind() {
    let Some(server) = http_server() else { return };
    let remote = Remote::create(&repos(&server), "refs");
    let c1 = remote.server_rev("main");
    git(&remote.work, &["tag", "v1.0.0"]);
    git(&remote.work, &["tag", "-a", "-m", "release", "v1.2.0"]);
    remote.write("b.yaml", "b\n");
    let c2 = remote.commit_and_push("two");
    git(&remote.work, &["tag", "v2.0.0"]);
    git(&remote.work, &["tag", "not-a-version"]);
    remote.push_ref("refs/tags/*:refs/tags/*");
    remote.push_ref("HEAD:refs/pull/1/head");
    git(&remote.work, &["checkout", "-q", "-b", "master"]);
    remote.write("m.yaml", "m\n");
    let c_master = remote.commit_and_push("on master");
    git(&remote.work, &["checkout", "-q", "main"]);

    let url = RepoUrl::parse(&url(&server, "refs")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path());
    let rev = |r: GitRef| fetch(&url, &creds(), &r, &opts).map(|f| f.revision().to_string());

    assert_eq!(
        rev(GitRef::default()).unwrap(),
        format!("master@sha1:{c_master}")
    );
    assert_eq!(
        rev(GitRef::branch("main")).unwrap(),
        format!("main@sha1:{c2}")
    );
    assert_eq!(
        rev(GitRef::tag("v1.0.0")).unwrap(),
        format!("v1.0.0@sha1:{c1}")
    );
    // Annotated tags peel to the commit.
    assert_eq!(
        rev(GitRef::tag("v1.2.0")).unwrap(),
        format!("v1.2.0@sha1:{c1}")
    );
    assert_eq!(
        rev(GitRef::semver("^1")).unwrap(),
        format!("v1.2.0@sha1:{c1}")
    );
    assert_eq!(
        rev(GitRef::semver(">=1.0.0")).unwrap(),
        format!("v2.0.0@sha1:{c2}")
    );
    assert_eq!(
        rev(GitRef::name("refs/pull/1/head")).unwrap(),
        format!("refs/pull/1/head@sha1:{c2}")
    );
    assert_eq!(
        rev(GitRef::name("refs/heads/main")).unwrap(),
        format!("refs/heads/main@sha1:{c2}")
    );
    assert_eq!(rev(GitRef::commit(&c1)).unwrap(), format!("sha1:{c1}"));
    let commit_in_branch = GitRef {
        branch: Some("main".into()),
        commit: Some(c1.clone()),
        ..GitRef::default()
    };
    assert_eq!(rev(commit_in_branch).unwrap(), format!("main@sha1:{c1}"));
    // Precedence: tag beats branch, semver beats tag.
    let both = GitRef {
        branch: Some("main".into()),
        tag: Some("v1.0.0".into()),
        ..GitRef::default()
    };
    assert_eq!(rev(both).unwrap(), format!("v1.0.0@sha1:{c1}"));

    let err = fetch(&url, &creds(), &GitRef::branch("nope"), &opts).unwrap_err();
    assert!(matches!(err, FetchError::RefNotFound { .. }), "{err:?}");
    assert_eq!(err.to_string(), format!("branch nope not found in {url}"));
    let err = fetch(&url, &creds(), &GitRef::tag("v9"), &opts).unwrap_err();
    assert!(matches!(err, FetchError::RefNotFound { .. }), "{err:?}");
    let err = fetch(&url, &creds(), &GitRef::semver(">=5"), &opts).unwrap_err();
    assert!(matches!(err, FetchError::NoMatchingTag { .. }), "{err:?}");
    let err = fetch(&url, &creds(), &GitRef::semver("not a range"), &opts).unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
    let not_in_main = GitRef {
        branch: Some("main".into()),
        commit: Some(c_master.clone()),
        ..GitRef::default()
    };
    let err = fetch(&url, &creds(), &not_in_main, &opts).unwrap_err();
    assert!(
        matches!(err, FetchError::CommitNotInBranch { .. }),
        "{err:?}"
    );
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let err = fetch(&url, &creds(), &GitRef::commit(missing), &opts).unwrap_err();
    assert!(!matches!(err, FetchError::Authentication { .. }), "{err:?}");
}

#[test]
fn wrong_or_missing_password_is_an_authentication_error() {
    let Some(server) = http_server() else { return };
    Remote::create(&repos(&server), "auth");
    let url = RepoUrl::parse(&url(&server, "auth")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path());
    let wrong_secret = "wrong-CANARY-pw-91";
    let wrong = Credentials::basic(USER, SecretString::from(wrong_secret));
    let err = fetch(&url, &wrong, &GitRef::branch("main"), &opts).unwrap_err();
    assert!(matches!(err, FetchError::Authentication { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("authentication to {url} failed: the server refused the credentials")
    );
    let everything = format!("{err} | {err:?} | {:?} | {}", wrong, error_chain(&err));
    assert!(!everything.contains(wrong_secret), "{everything}");
    assert!(!everything.contains(PASSWORD), "{everything}");

    let err = fetch(&url, &Credentials::none(), &GitRef::branch("main"), &opts).unwrap_err();
    assert!(matches!(err, FetchError::Authentication { .. }), "{err:?}");
}

pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str(": ");
        out.push_str(&e.to_string());
        out.push_str(&format!(" [{e:?}]"));
        cur = e.source();
    }
    out
}

#[test]
fn unreachable_host_fails_fast() {
    // A port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = RepoUrl::parse(&format!("http://127.0.0.1:{port}/x.git")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path()).connect_timeout(Duration::from_secs(2));
    let started = Instant::now();
    let err = fetch(&url, &Credentials::none(), &GitRef::branch("main"), &opts).unwrap_err();
    assert!(matches!(err, FetchError::Unreachable { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn same_commit_same_digest_across_clones_and_sourceignore() {
    let Some(server) = http_server() else { return };
    let remote = Remote::create(&repos(&server), "repro");
    remote.write(".sourceignore", "drafts/\n");
    remote.write("drafts/wip.yaml", "wip\n");
    remote.write("logo.png", "not really a png\n");
    remote.write(".github/workflows/ci.yaml", "on: push\n");
    remote.write("apps/.sourceignore", "*.local.yaml\n");
    remote.write("apps/dev.local.yaml", "x\n");
    let head = remote.commit_and_push("content");
    let url = RepoUrl::parse(&url(&server, "repro")).unwrap();

    let mut digests = Vec::new();
    for _ in 0..2 {
        let cache = tempfile::tempdir().unwrap();
        let fetched = fetch(
            &url,
            &creds(),
            &GitRef::commit(&head),
            &FetchOptions::new(cache.path()),
        )
        .unwrap();
        let out = cache.path().join("artifact.tar.gz");
        let art = fetched.write_artifact(None, &out).unwrap();
        digests.push(art.digest);
        let entries = artifact_entries(&out);
        assert!(
            !entries.iter().any(|e| e.starts_with("drafts")),
            "{entries:?}"
        );
        assert!(
            !entries.iter().any(|e| e.ends_with(".local.yaml")),
            "{entries:?}"
        );
        assert!(
            entries.contains(&"apps/deploy.yaml".to_owned()),
            "{entries:?}"
        );
        // flux-compat.md §2.4: .sourceignore files add to the defaults.
        assert!(!entries.contains(&"logo.png".to_owned()), "{entries:?}");
        assert!(
            !entries.iter().any(|e| e.starts_with(".github")),
            "{entries:?}"
        );
    }
    assert_eq!(digests[0], digests[1]);

    // spec.ignore on top, and the checkout of the same commit archives identically.
    let cache = tempfile::tempdir().unwrap();
    let fetched = fetch(
        &url,
        &creds(),
        &GitRef::branch("main"),
        &FetchOptions::new(cache.path()),
    )
    .unwrap();
    let out = cache.path().join("ignored.tar.gz");
    fetched
        .write_artifact(Some("*.png\n/.github/\n"), &out)
        .unwrap();
    let entries = artifact_entries(&out);
    assert!(
        !entries
            .iter()
            .any(|e| e.ends_with(".png") || e.starts_with(".github")),
        "{entries:?}"
    );
    // spec.ignore replaces the defaults; the .sourceignore files still apply.
    fetched.write_artifact(Some("README.md\n"), &out).unwrap();
    let entries = artifact_entries(&out);
    assert!(entries.contains(&"logo.png".to_owned()), "{entries:?}");
    assert!(
        entries.contains(&".github/workflows/ci.yaml".to_owned()),
        "{entries:?}"
    );
    assert!(!entries.contains(&"README.md".to_owned()), "{entries:?}");
    assert!(
        !entries
            .iter()
            .any(|e| e.starts_with("drafts") || e.ends_with(".local.yaml")),
        "{entries:?}"
    );

    let checkout = cache.path().join("checkout");
    fetched.checkout(&checkout).unwrap();
    assert!(checkout.join("apps/deploy.yaml").is_file());
    assert!(!checkout.join(".git").exists());
    let from_dir =
        weir_source::archive_dir(&checkout, None, &cache.path().join("dir.tar.gz")).unwrap();
    assert_eq!(
        from_dir.digest, digests[0],
        "tree and checkout give the same artifact"
    );
    assert!(matches!(
        fetched.checkout(&checkout),
        Err(weir_source::CheckoutError::NotEmpty { .. })
    ));
}

/// A one-shot HTTP server that records the request head and answers 401.
fn recording_401_server() -> (String, std::thread::JoinHandle<String>) {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/repo.git", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let mut stream = stream;
        let _ = stream.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"x\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        head
    });
    (url, handle)
}

#[test]
fn bearer_token_is_sent_as_an_authorization_header() {
    let (url, server) = recording_401_server();
    let url = RepoUrl::parse(&url).unwrap();
    let token = "tok-CANARY-4242";
    let cache = tempfile::tempdir().unwrap();
    let err = fetch(
        &url,
        &Credentials::bearer(SecretString::from(token)),
        &GitRef::branch("main"),
        &FetchOptions::new(cache.path()).connect_timeout(Duration::from_secs(2)),
    )
    .unwrap_err();
    let head = server.join().unwrap();
    assert!(
        head.lines()
            .any(|l| l.eq_ignore_ascii_case(&format!("authorization: Bearer {token}"))),
        "{head}"
    );
    assert!(matches!(err, FetchError::Authentication { .. }), "{err:?}");
    let text = format!("{err} {err:?} {}", error_chain(&err));
    assert!(!text.contains(token), "{text}");
}

/// Plants canary secrets in every credential field and checks that no Debug
/// output, error message or error chain of fetch and push ever shows them.
#[test]
fn canary_secrets_never_show_up() {
    use weir_source::{GitCli, GitPush as _, PushRequest};
    let canaries = ["pw-CANARY-a1", "bearer-CANARY-b2", "key-CANARY-c3"];
    let mut creds = Credentials::basic(USER, SecretString::from(canaries[0]));
    creds.bearer_token = Some(SecretString::from(canaries[1]));
    creds.identity = Some(SecretString::from(canaries[2]));
    creds.known_hosts = Some("[127.0.0.1]:1 ssh-ed25519 AAAA".into());
    let mut seen = vec![format!("{creds:?}")];

    let (http_url, server) = recording_401_server();
    let http_url = RepoUrl::parse(&http_url).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path()).connect_timeout(Duration::from_secs(2));
    seen.push(format!("{opts:?} {http_url:?}"));
    let err = fetch(&http_url, &creds, &GitRef::branch("main"), &opts).unwrap_err();
    let _ = server.join();
    seen.push(format!("{err} {err:?} {}", error_chain(&err)));

    // Over SSH the identity is written to a temp file; a closed port fails.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ssh_url = RepoUrl::parse(&format!("ssh://git@127.0.0.1:{port}/repo.git")).unwrap();
    let mut ssh_creds = creds.clone();
    ssh_creds.password = None;
    let err = fetch(&ssh_url, &ssh_creds, &GitRef::branch("main"), &opts).unwrap_err();
    seen.push(format!("{err} {err:?} {}", error_chain(&err)));

    // A push to the closed HTTP port.
    let dead = RepoUrl::parse(&format!("http://127.0.0.1:{port}/repo.git")).unwrap();
    let git_dir = cache.path().join("empty.git");
    std::fs::create_dir_all(&git_dir).unwrap();
    crate::git(&git_dir, &["init", "-q", "--bare"]);
    let req = PushRequest::new(
        &git_dir,
        &dead,
        &creds,
        "0123456789012345678901234567890123456789",
        "main",
    );
    seen.push(format!("{req:?}"));
    let err = GitCli::new().push(&req).unwrap_err();
    seen.push(format!("{err} {err:?} {}", error_chain(&err)));

    let all = seen.join("\n");
    for canary in canaries {
        assert!(!all.contains(canary), "{canary} leaked in:\n{all}");
    }
}

#[test]
fn https_with_the_secret_ca_for_fetch_and_push() {
    use weir_source::{Change, CommitInfo, GitCli, Signature};
    if !crate::have(&["nginx", "fcgiwrap", "curl", "git", "openssl"]) {
        return;
    }
    let server = weir_testkit::Service::start_with_env(
        "git-http-server",
        &[USER, PASSWORD],
        &[("TLS", "1")],
    )
    .expect("git-http-server starts with TLS");
    let remote = Remote::create(&repos(&server), "tls");
    let url = RepoUrl::parse(&url(&server, "tls")).unwrap();
    assert!(url.as_str().starts_with("https://127.0.0.1:"), "{url}");
    let ca = std::fs::read_to_string(server.dir().join("tls.crt")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path());

    // Without the CA the self-signed certificate is refused.
    assert!(fetch(&url, &creds(), &GitRef::branch("main"), &opts).is_err());

    let mut with_ca = creds();
    with_ca.ca_cert = Some(ca);
    let fetched = fetch(&url, &with_ca, &GitRef::branch("main"), &opts).unwrap();
    assert_eq!(fetched.commit(), remote.server_rev("main"));

    let info = CommitInfo {
        message: "over https".into(),
        author: Signature::new("a", "a@example.com"),
        committer: Signature::new("a", "a@example.com"),
    };
    let c = fetched
        .commit_changes(&[Change::write("tls.yaml", "t\n")], &info)
        .unwrap()
        .unwrap();
    fetched.push(&GitCli::new(), &with_ca, &c, "main").unwrap();
    assert_eq!(remote.server_rev("main"), c);
}

/// flux-compat.md §2.3: `tls.crt` + `tls.key` authenticate the client over
/// HTTPS (mutual TLS), for fetch and push; the key never leaks.
#[test]
fn https_mutual_tls_client_certificate_for_fetch_and_push() {
    use weir_source::{Change, CommitInfo, GitCli, Signature};
    if !crate::have(&["nginx", "fcgiwrap", "curl", "git", "openssl"]) {
        return;
    }
    let server = weir_testkit::Service::start_with_env(
        "git-http-server",
        &[USER, PASSWORD],
        &[("MTLS", "1")],
    )
    .expect("git-http-server starts with mutual TLS");
    let remote = Remote::create(&repos(&server), "mtls");
    let url = RepoUrl::parse(&url(&server, "mtls")).unwrap();
    let read = |name: &str| std::fs::read_to_string(server.dir().join(name)).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path());

    let mut with_ca = creds();
    with_ca.ca_cert = Some(read("tls.crt"));
    let err = fetch(&url, &with_ca, &GitRef::branch("main"), &opts).unwrap_err();
    let key = read("client.key");
    let secret_line = key.lines().nth(1).unwrap().to_owned();
    assert!(!error_chain(&err).contains(&secret_line));

    let mut with_cert = with_ca.clone();
    with_cert.tls_cert = Some(read("client.crt"));
    with_cert.tls_key = Some(SecretString::from(key));
    let fetched = fetch(&url, &with_cert, &GitRef::branch("main"), &opts).unwrap();
    assert_eq!(fetched.commit(), remote.server_rev("main"));

    let info = CommitInfo {
        message: "over mutual tls".into(),
        author: Signature::new("a", "a@example.com"),
        committer: Signature::new("a", "a@example.com"),
    };
    let c = fetched
        .commit_changes(&[Change::write("mtls.yaml", "m\n")], &info)
        .unwrap()
        .unwrap();
    let err = fetched
        .push(&GitCli::new(), &with_ca, &c, "main")
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains(&secret_line));
    fetched
        .push(&GitCli::new(), &with_cert, &c, "main")
        .unwrap();
    assert_eq!(remote.server_rev("main"), c);
}
