//! The ECR token never reaches logs or `Debug` output, even at TRACE level
//! (the AWS SDK traces raw responses there; `SdkTokenSource` switches its
//! logging off). Own test binary: it installs a global subscriber.

// Test helpers outside #[test] functions may unwrap and report skips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::time::Duration;

use weir_ecr_auth::{EcrAuth, SdkTokenSource, SystemClock};
use weir_testkit::Service;
use weir_testkit::capture::TraceCapture;

/// moto's password and the whole base64 token it answers with.
const PASSWORD: &str = "123456789012-auth-token";
const TOKEN_B64: &str = "QVdTOjEyMzQ1Njc4OTAxMi1hdXRoLXRva2Vu";
const SECRET_KEY: &str = "planted-Secret-Access-Key-1234";

#[tokio::test]
async fn token_never_logged() {
    if !weir_testkit::require_moto() {
        return;
    }
    let capture = TraceCapture::install();

    let moto = Service::start("moto-ecr", &[]).unwrap();
    let source = SdkTokenSource::default()
        .endpoint_url(moto.var("AWS_ENDPOINT_URL").unwrap())
        .static_credentials("AKIDTESTING", SECRET_KEY)
        .timeout(Duration::from_secs(20));
    let auth = EcrAuth::with_source(source, SystemClock);
    let login = auth
        .login("123456789012.dkr.ecr.us-east-1.amazonaws.com")
        .await
        .unwrap();
    let seen = format!("{login:?} {login:#?} {auth:?} {:?}", auth.source());

    let logs = capture.text();
    assert!(
        logs.contains("ECR GetAuthorizationToken"),
        "capture works: {logs}"
    );
    let everything = format!("{logs}\n{seen}");
    for needle in [PASSWORD, TOKEN_B64, SECRET_KEY] {
        assert!(
            !everything.contains(needle),
            "{needle} leaked:\n{everything}"
        );
    }
}
