//! Credentials never reach logs, errors or `Debug` output.
//!
//! A known password is planted in real registries (basic and token auth);
//! every trace event (ours, reqwest's, hyper's, rustls's `log` records) is
//! captured at TRACE level, and the capture, the error messages and their
//! `Debug` forms are searched for the password, its base64 forms and for
//! bearer tokens (JWTs start with `eyJ`). This file is its own test binary
//! because it installs a global subscriber.

// Test helpers outside #[test] functions may unwrap and report skips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use base64::Engine as _;
use weir_registry::{Client, ClientOptions, Credentials, ImageRef};
use weir_testkit::Service;
use weir_testkit::capture::TraceCapture;

const USER: &str = "robot";
const PLANTED: &str = "planted-Pa55word-7f3a";
const WRONG: &str = "planted-Wr0ng-9c1d";

#[tokio::test]
async fn planted_password_never_appears() {
    if !weir_testkit::require_commands(&["docker-registry", "htpasswd", "curl", "jq", "openssl"]) {
        return;
    }
    let capture = TraceCapture::install();

    let mut seen = String::new();
    let mut opts = ClientOptions::default();
    opts.insecure = true;
    let client = Client::new(opts).unwrap();
    for mode in ["basic", "token"] {
        let svc = Service::start("registry", &[mode, USER, PLANTED]).unwrap();
        let url = svc.var("URL").unwrap();
        let push = std::process::Command::new("bash")
            .arg(weir_testkit::script_path("push-tags"))
            .args([url, "demo/app", "3"])
            .env("REG_USER", USER)
            .env("REG_PASS", PLANTED)
            .output()
            .unwrap();
        assert!(
            push.status.success(),
            "{}",
            String::from_utf8_lossy(&push.stderr)
        );
        let img = ImageRef::parse(&format!("{}/demo/app", svc.var("HOSTPORT").unwrap())).unwrap();

        let creds = Credentials::basic(USER, PLANTED);
        seen.push_str(&format!("{creds:?}\n"));
        let repo = client.repository(&img, creds).unwrap();
        seen.push_str(&format!("{repo:?}\n"));
        let tags = repo.list_tags().await.unwrap();
        assert_eq!(tags.len(), 3, "{mode}");
        let digest = repo.manifest_digest(&tags[0]).await.unwrap();
        seen.push_str(&format!("{repo:?} {digest}\n"));
        let e = repo.manifest_digest("missing").await.unwrap_err();
        seen.push_str(&format!("{e} {e:?}\n"));

        let bad = client
            .repository(&img, Credentials::basic(USER, WRONG))
            .unwrap();
        let e = bad.list_tags().await.unwrap_err();
        assert!(e.to_string().contains("401"), "{e}");
        seen.push_str(&format!("{e} {e:?} {bad:?}\n"));
    }

    let logs = capture.text();
    assert!(logs.contains("registry request"), "capture works: {logs}");
    assert!(logs.contains("token request"), "token flow ran: {logs}");
    assert!(
        logs.contains("hyper_util"),
        "third-party events captured: {logs}"
    );
    let everything = format!("{logs}\n{seen}");
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for secret in [PLANTED, WRONG] {
        for needle in [
            secret.to_owned(),
            b64(&format!("{USER}:{secret}")),
            b64(secret),
        ] {
            assert!(
                !everything.contains(&needle),
                "{needle:?} leaked into the output"
            );
        }
    }
    assert!(!everything.contains("eyJ"), "a bearer token (JWT) leaked");
}
