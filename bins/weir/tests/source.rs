//! `weir source fetch` against a real Git HTTP server (nginx + git http-backend,
//! basic auth) started by `scripts/services/git-http-server.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use weir_testkit::Service;

const USER: &str = "bob";
const PASSWORD: &str = "cli-CANARY-pw-5521";

fn have_server() -> bool {
    weir_testkit::require_commands(&["nginx", "fcgiwrap", "curl", "git"])
}

/// `git` with its output trimmed (hashes, single lines).
fn git(dir: &Path, args: &[&str]) -> String {
    weir_testkit::git::git(dir, args).trim().to_owned()
}

/// A served repo `app.git` with a commit on main and a tag v1.0.0.
struct Fixture {
    server: Service,
    head: String,
    tmp: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Option<Fixture> {
        if !have_server() {
            return None;
        }
        let server = Service::start("git-http-server", &[USER, PASSWORD]).unwrap();
        let repos = PathBuf::from(server.var("REPOS").unwrap());
        let bare = repos.join("app.git");
        std::fs::create_dir_all(&bare).unwrap();
        git(&bare, &["init", "-q", "--bare", "-b", "main"]);
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("work");
        std::fs::create_dir_all(work.join("apps")).unwrap();
        git(&work, &["init", "-q", "-b", "main"]);
        std::fs::write(work.join("apps/deploy.yaml"), "kind: Deployment\n").unwrap();
        std::fs::write(work.join("logo.png"), "png").unwrap();
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "one"]);
        git(&work, &["tag", "v1.0.0"]);
        git(
            &work,
            &["push", "-q", bare.to_str().unwrap(), "main", "v1.0.0"],
        );
        let head = git(&work, &["rev-parse", "HEAD"]);
        Some(Fixture { server, head, tmp })
    }

    fn url(&self) -> String {
        format!("{}/app.git", self.server.var("URL").unwrap())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn weir(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_weir"))
            .args(args)
            .env("WEIR_TEST_PW", PASSWORD)
            .env("WEIR_WRONG_PW", "wrong-CANARY-77")
            .env("WEIR_LOG", "trace")
            .env("XDG_CACHE_HOME", self.path("xdg"))
            .output()
            .unwrap()
    }
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn fetch_prints_revision_and_digest() {
    let Some(fx) = Fixture::new() else { return };
    let out_path = fx.path("a.tar.gz");
    let cache = fx.path("cache");
    let url = fx.url();
    let out = fx.weir(&[
        "source",
        "fetch",
        &url,
        "--branch",
        "main",
        "--username",
        USER,
        "--password-env",
        "WEIR_TEST_PW",
        "--cache-dir",
        cache.to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0], format!("main@sha1:{}", fx.head));
    assert!(
        lines[1].starts_with("sha256:") && lines[1].len() == 71,
        "{stdout}"
    );
    assert!(out_path.is_file());
    assert!(
        !stderr.contains(PASSWORD),
        "trace logs must not show the password"
    );

    // Same commit via the tag, a secret manifest, the default cache dir: same digest.
    let secret = fx.path("secret.yaml");
    std::fs::write(
        &secret,
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: git\nstringData:\n  username: {USER}\n  password: {PASSWORD}\n"),
    )
    .unwrap();
    let out2_path = fx.path("b.tar.gz");
    let out2 = fx.weir(&[
        "source",
        "fetch",
        &url,
        "--tag",
        "v1.0.0",
        "--secret",
        secret.to_str().unwrap(),
        "--out",
        out2_path.to_str().unwrap(),
    ]);
    let (stdout2, stderr2) = text(&out2);
    assert_eq!(out2.status.code(), Some(0), "{stderr2}");
    assert_eq!(
        stdout2.lines().next().unwrap(),
        format!("v1.0.0@sha1:{}", fx.head)
    );
    assert_eq!(
        stdout2.lines().nth(1),
        Some(lines[1]),
        "same content, same digest"
    );
    assert!(
        fx.path("xdg/weir/git").is_dir(),
        "default cache under XDG_CACHE_HOME"
    );

    // --ignore replaces the default exclusions: the png is now in, the yaml out.
    let out3_path = fx.path("c.tar.gz");
    let out3 = fx.weir(&[
        "source",
        "fetch",
        &url,
        "--commit",
        &fx.head,
        "--secret",
        secret.to_str().unwrap(),
        "--ignore",
        "apps/",
        "--out",
        out3_path.to_str().unwrap(),
    ]);
    let (stdout3, stderr3) = text(&out3);
    assert_eq!(out3.status.code(), Some(0), "{stderr3}");
    assert_eq!(stdout3.lines().next().unwrap(), format!("sha1:{}", fx.head));
    assert_ne!(stdout3.lines().nth(1), Some(lines[1]));

    // Without --out: fetch only, the revision alone.
    let out4 = fx.weir(&[
        "source",
        "fetch",
        &url,
        "--secret",
        secret.to_str().unwrap(),
        "--branch",
        "main",
    ]);
    let (stdout4, stderr4) = text(&out4);
    assert_eq!(out4.status.code(), Some(0), "{stderr4}");
    assert_eq!(stdout4, format!("main@sha1:{}\n", fx.head));
}

#[test]
fn refused_credentials_exit_1_without_artifact_or_secret() {
    let Some(fx) = Fixture::new() else { return };
    let out_path = fx.path("a.tar.gz");
    let url = fx.url();
    let out = fx.weir(&[
        "source",
        "fetch",
        &url,
        "--branch",
        "main",
        "--username",
        USER,
        "--password-env",
        "WEIR_WRONG_PW",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains(&format!(
            "error: authentication to {url} failed: the server refused the credentials"
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wrong-CANARY-77") && !stderr.contains(PASSWORD),
        "{stderr}"
    );
    assert!(!out_path.exists());
    let leftovers: Vec<_> = std::fs::read_dir(fx.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("artifact") || n.ends_with(".tar.gz"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A missing ref is also a job failure (exit 1).
    let out = fx.weir(&[
        "source",
        "fetch",
        &url,
        "--branch",
        "nope",
        "--username",
        USER,
        "--password-env",
        "WEIR_TEST_PW",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).1.contains("branch nope not found in"),
        "{}",
        text(&out).1
    );
}

#[test]
fn unreachable_server_exit_1_quickly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let tmp = tempfile::tempdir().unwrap();
    let out_path = tmp.path().join("a.tar.gz");
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args([
            "source",
            "fetch",
            &format!("http://127.0.0.1:{port}/x.git"),
            "--connect-timeout",
            "2",
        ])
        .args([
            "--cache-dir",
            tmp.path().join("c").to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach"));
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(!out_path.exists());
}

#[test]
fn bad_input_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a.tar.gz");
    let o = out.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["ftp://example.com/x.git"], "unsupported scheme"),
        (
            vec!["https://u:hunter2@example.com/x.git"],
            "embeds a password",
        ),
        (
            vec!["https://example.com/x.git", "--commit", "abc"],
            "ref.commit",
        ),
        (
            vec!["https://example.com/x.git", "--ref-name", "main"],
            "ref.name",
        ),
        (
            vec!["https://example.com/x.git", "--semver", ">=>1"],
            "semver",
        ),
        (
            vec![
                "https://example.com/x.git",
                "--password-env",
                "WEIR_UNSET_VAR_X",
            ],
            "WEIR_UNSET_VAR_X",
        ),
        (
            vec![
                "https://example.com/x.git",
                "--secret",
                "/nonexistent/secret.yaml",
            ],
            "secret.yaml",
        ),
    ];
    for (args, needle) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_weir"))
            .args(["source", "fetch"])
            .args(&args)
            .args([
                "--cache-dir",
                tmp.path().join("c").to_str().unwrap(),
                "--out",
                o,
            ])
            .env_remove("WEIR_UNSET_VAR_X")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
    // An --out in a missing directory is refused before any network traffic.
    let output = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(["source", "fetch", "https://example.invalid/x.git", "--out"])
        .arg(tmp.path().join("missing/a.tar.gz"))
        .args(["--cache-dir", tmp.path().join("c").to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    // A missing URL is a usage error too.
    let output = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(["source", "fetch", "--branch", "main"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
