//! Commit with gix, push with the git CLI.

use base64::Engine as _;
use weir_source::{
    Change, CommitInfo, Credentials, FetchOptions, GitCli, GitPush, GitRef, PushError, PushRequest,
    RepoUrl, SecretString, Signature, fetch,
};

use crate::http::error_chain;
use crate::{PASSWORD, Remote, USER, git, http_server, repos, url};

fn creds() -> Credentials {
    Credentials::basic(USER, SecretString::from(PASSWORD))
}

fn info(message: &str) -> CommitInfo {
    CommitInfo {
        message: message.to_owned(),
        author: Signature {
            name: "fluxcdbot".into(),
            email: "flux@example.com".into(),
            time: Some(1_700_000_000),
        },
        committer: Signature::new("weir", "weir@example.com"),
    }
}

#[test]
fn commit_and_push_then_branch_creation() {
    let Some(server) = http_server() else { return };
    let remote = Remote::create(&repos(&server), "push");
    let url = RepoUrl::parse(&url(&server, "push")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let fetched = fetch(
        &url,
        &creds(),
        &GitRef::branch("main"),
        &FetchOptions::new(cache.path()),
    )
    .unwrap();

    let commit = fetched
        .commit_changes(
            &[
                Change::write("apps/deploy.yaml", "kind: Deployment\nimage: app:v2\n"),
                Change::delete("README.md"),
            ],
            &info("update image"),
        )
        .unwrap()
        .expect("the tree changed");
    fetched
        .push(&GitCli::new(), &creds(), &commit, "main")
        .unwrap();
    assert_eq!(remote.server_rev("main"), commit);
    let log = git(
        &remote.bare,
        &["log", "-1", "--format=%an <%ae>|%cn|%s|%P", "main"],
    );
    assert_eq!(
        log,
        format!(
            "fluxcdbot <flux@example.com>|weir|update image|{}",
            fetched.commit()
        )
    );
    assert_eq!(
        git(&remote.bare, &["show", "main:apps/deploy.yaml"]),
        "kind: Deployment\nimage: app:v2"
    );
    assert!(
        std::process::Command::new("git")
            .args([
                "--git-dir",
                remote.bare.to_str().unwrap(),
                "cat-file",
                "-e",
                "main:README.md"
            ])
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| !s.success())
            .unwrap()
    );

    // A change that changes nothing makes no commit.
    let again = fetch(
        &url,
        &creds(),
        &GitRef::branch("main"),
        &FetchOptions::new(cache.path()),
    )
    .unwrap();
    let same = again
        .commit_changes(
            &[Change::write(
                "apps/deploy.yaml",
                "kind: Deployment\nimage: app:v2\n",
            )],
            &info("noop"),
        )
        .unwrap();
    assert_eq!(same, None);

    // Pushing to a branch that does not exist creates it.
    let c2 = again
        .commit_changes(
            &[Change::write("new.yaml", "n\n")],
            &info("on a new branch"),
        )
        .unwrap()
        .unwrap();
    again
        .push(&GitCli::new(), &creds(), &c2, "automation/update")
        .unwrap();
    assert_eq!(remote.server_rev("refs/heads/automation/update"), c2);
    assert_eq!(remote.server_rev("main"), commit, "main untouched");
}

#[test]
fn non_fast_forward_is_its_own_error_and_retry_works() {
    let Some(server) = http_server() else { return };
    let remote = Remote::create(&repos(&server), "race");
    let url = RepoUrl::parse(&url(&server, "race")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path());
    let fetched = fetch(&url, &creds(), &GitRef::branch("main"), &opts).unwrap();
    let ours = fetched
        .commit_changes(&[Change::write("ours.yaml", "o\n")], &info("ours"))
        .unwrap()
        .unwrap();

    // Someone else pushes first.
    remote.write("theirs.yaml", "t\n");
    let theirs = remote.commit_and_push("theirs");

    let err = fetched
        .push(&GitCli::new(), &creds(), &ours, "main")
        .unwrap_err();
    assert!(matches!(err, PushError::NonFastForward { .. }), "{err:?}");
    assert_eq!(remote.server_rev("main"), theirs);
    assert!(!format!("{err} {err:?}").contains(PASSWORD));

    // Refetch, redo, push.
    let refetched = fetch(&url, &creds(), &GitRef::branch("main"), &opts).unwrap();
    assert_eq!(refetched.commit(), theirs);
    let retry = refetched
        .commit_changes(&[Change::write("ours.yaml", "o\n")], &info("ours"))
        .unwrap()
        .unwrap();
    refetched
        .push(&GitCli::new(), &creds(), &retry, "main")
        .unwrap();
    assert_eq!(remote.server_rev("main"), retry);
    assert_eq!(git(&remote.bare, &["rev-parse", "main~1"]), theirs);
}

#[test]
fn commit_dir_from_an_edited_checkout() {
    let Some(server) = http_server() else { return };
    let remote = Remote::create(&repos(&server), "dir");
    let url = RepoUrl::parse(&url(&server, "dir")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let fetched = fetch(
        &url,
        &creds(),
        &GitRef::branch("main"),
        &FetchOptions::new(cache.path()),
    )
    .unwrap();
    let checkout = cache.path().join("checkout");
    fetched.checkout(&checkout).unwrap();
    assert_eq!(
        fetched.commit_dir(&checkout, &info("nothing")).unwrap(),
        None
    );
    std::fs::write(
        checkout.join("apps/deploy.yaml"),
        "kind: Deployment\nimage: app:v3\n",
    )
    .unwrap();
    std::fs::remove_file(checkout.join("README.md")).unwrap();
    let c = fetched
        .commit_dir(&checkout, &info("edit"))
        .unwrap()
        .unwrap();
    fetched.push(&GitCli::new(), &creds(), &c, "main").unwrap();
    assert_eq!(
        git(&remote.bare, &["ls-tree", "-r", "--name-only", "main"]),
        "apps/deploy.yaml"
    );
}

#[test]
fn git_never_sees_credentials_in_argv() {
    let Some(server) = http_server() else { return };
    let remote = Remote::create(&repos(&server), "argv");
    let url = RepoUrl::parse(&url(&server, "argv")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let fetched = fetch(
        &url,
        &creds(),
        &GitRef::branch("main"),
        &FetchOptions::new(cache.path()),
    )
    .unwrap();
    let c = fetched
        .commit_changes(&[Change::write("x.yaml", "x\n")], &info("x"))
        .unwrap()
        .unwrap();

    // A git wrapper that records its argv (and whether prompts are off), then runs git.
    let log = cache.path().join("argv.log");
    let wrapper = cache.path().join("git-wrapper");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{log}'; done\nprintf 'PROMPT=%s\\n' \"$GIT_TERMINAL_PROMPT\" >> '{log}'\nexec git \"$@\"\n",
            log = log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();

    let cli = GitCli::new().with_program(&wrapper);
    fetched.push(&cli, &creds(), &c, "main").unwrap();
    assert_eq!(remote.server_rev("main"), c);
    let recorded = std::fs::read_to_string(&log).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    assert!(
        recorded.contains("push") && recorded.contains(&url.to_string()),
        "{recorded}"
    );
    assert!(recorded.contains("PROMPT=0"), "{recorded}");
    assert!(!recorded.contains(PASSWORD), "{recorded}");
    assert!(!recorded.contains(&encoded), "{recorded}");
    assert!(
        !recorded.contains(&format!("{USER}@")),
        "no userinfo in the URL: {recorded}"
    );

    // Wrong password: an authentication error, still without the password.
    let bad = Credentials::basic(USER, SecretString::from("nope-CANARY-3"));
    let err = cli
        .push(&PushRequest::new(
            fetched.git_dir(),
            &url,
            &bad,
            &c,
            "other",
        ))
        .unwrap_err();
    assert!(matches!(err, PushError::Authentication { .. }), "{err:?}");
    let text = format!("{err} {err:?} {}", error_chain(&err));
    assert!(!text.contains("nope-CANARY-3"), "{text}");
    let recorded = std::fs::read_to_string(&log).unwrap();
    assert!(!recorded.contains("nope-CANARY-3"), "{recorded}");
}

/// flux-compat.md §6.6: `git.push.refspec` is pushed with the branch and
/// `git.push.options` reach the server's hooks as push options.
#[test]
fn refspec_and_push_options_reach_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let remote = Remote::create(dir.path(), "gerrit");
    git(
        &remote.bare,
        &["config", "receive.advertisePushOptions", "true"],
    );
    let log = dir.path().join("received.log");
    let hook = remote.bare.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\ni=0\nwhile [ $i -lt \"${{GIT_PUSH_OPTION_COUNT:-0}}\" ]; do eval \"echo option \\$GIT_PUSH_OPTION_$i\"; i=$((i+1)); done >> {log}\nwhile read old new ref; do echo \"ref $ref\"; done >> {log}\n",
            log = log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    let url = RepoUrl::parse(&format!("file://{}", remote.bare.display())).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let creds = Credentials::none();
    let fetched = fetch(
        &url,
        &creds,
        &GitRef::branch("main"),
        &FetchOptions::new(cache.path()),
    )
    .unwrap();
    let commit = fetched
        .commit_changes(&[Change::write("apps/x.yaml", "x: 1\n")], &info("auto"))
        .unwrap()
        .unwrap();
    let options = [
        ("topic".to_owned(), "image-updates".to_owned()),
        ("merge_request.create".to_owned(), String::new()),
    ];
    let mut req = PushRequest::new(fetched.git_dir(), &url, &creds, &commit, "main");
    req.refspec = Some("refs/heads/main:refs/heads/auto");
    req.options = &options;
    GitCli::new().push(&req).unwrap();
    assert_eq!(remote.server_rev("main"), commit);
    assert_eq!(
        remote.server_rev("auto"),
        commit,
        "refspec source = new commit"
    );
    let received = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        received,
        "option topic=image-updates\noption merge_request.create=\nref refs/heads/main\nref refs/heads/auto\n"
    );
}
