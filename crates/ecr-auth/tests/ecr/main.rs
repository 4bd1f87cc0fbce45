//! weir-ecr-auth against moto (the ECR API emulator) in server mode, and an
//! ECR login end to end: the token's credentials open a real registry that
//! is reached as `<account>.dkr.ecr.<region>.amazonaws.com` through a mirror.

// Test helpers outside #[test] functions may unwrap and report skips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use secrecy::ExposeSecret;
use weir_ecr_auth::{
    AuthorizationToken, EcrAuth, EcrRegistry, Error, Login, ManualClock, SdkTokenSource,
    TokenSource,
};
use weir_testkit::Service;

const HOST: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
/// moto's token: base64 of `AWS:<account>-auth-token`.
const MOTO_PASSWORD: &str = "123456789012-auth-token";
/// moto's `expiresAt`: 2015-01-01T00:00:00Z.
const MOTO_EXPIRY: u64 = 1_420_070_400;

/// The registry service's tools (testkit skips loudly, or fails under CI).
const REGISTRY_TOOLS: &[&str] = &["docker-registry", "htpasswd", "curl", "jq"];

fn sdk_source(moto: &Service) -> SdkTokenSource {
    SdkTokenSource::default()
        .endpoint_url(moto.var("AWS_ENDPOINT_URL").unwrap())
        .static_credentials("testing", "testing")
        .timeout(Duration::from_secs(20))
}

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

/// Counts the calls that reach the token source.
struct Counting<S> {
    inner: S,
    calls: AtomicUsize,
}

impl<S: TokenSource> TokenSource for Counting<S> {
    fn fetch(
        &self,
        registry: &EcrRegistry,
    ) -> impl Future<Output = Result<AuthorizationToken, Error>> + Send {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.fetch(registry)
    }
}

#[tokio::test]
async fn get_authorization_token_from_moto() {
    if !weir_testkit::require_moto() {
        return;
    }
    let moto = Service::start("moto-ecr", &[]).unwrap();
    let clock = ManualClock::new(at(MOTO_EXPIRY - 12 * 3600));
    let auth = EcrAuth::with_source(sdk_source(&moto), clock);
    let login = auth.login(HOST).await.unwrap();
    let Login::Basic {
        username,
        password,
        expires_at,
    } = &login
    else {
        panic!("basic credentials, got {login:?}")
    };
    assert_eq!(username, "AWS");
    assert_eq!(password.expose_secret(), MOTO_PASSWORD);
    assert_eq!(*expires_at, Some(at(MOTO_EXPIRY)));
    assert!(!format!("{login:?} {auth:?}").contains(MOTO_PASSWORD));

    // FIPS and China hosts go through the same call (the endpoint is overridden).
    let fips = auth
        .login("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com")
        .await;
    assert!(matches!(fips, Ok(Login::Basic { .. })), "{fips:?}");
    let cn = auth
        .login("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")
        .await;
    assert!(matches!(cn, Ok(Login::Basic { .. })), "{cn:?}");
}

#[tokio::test]
async fn unreachable_ecr_api_is_a_clear_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let source = SdkTokenSource::default()
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .static_credentials("testing", "testing")
        .timeout(Duration::from_secs(5));
    let started = std::time::Instant::now();
    let e = EcrAuth::with_source(source, weir_ecr_auth::SystemClock)
        .login(HOST)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::GetAuthorizationToken { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("ECR GetAuthorizationToken for {HOST} (region us-east-1) failed")
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// Two scans while the token is valid make one API call; after expiry the
/// next scan makes a new one. Each scan logs in and lists the tags of a
/// registry that accepts exactly moto's decoded credentials.
#[tokio::test]
async fn scans_reuse_the_token_until_it_expires() {
    if !weir_testkit::require_moto() || !weir_testkit::require_commands(REGISTRY_TOOLS) {
        return;
    }
    let moto = Service::start("moto-ecr", &[]).unwrap();
    let registry = Service::start("registry", &["basic", "AWS", MOTO_PASSWORD]).unwrap();
    let url = registry.var("URL").unwrap().to_owned();
    let push = std::process::Command::new("bash")
        .arg(weir_testkit::script_path("push-tags"))
        .args([url.as_str(), "team/app", "5"])
        .env("REG_USER", "AWS")
        .env("REG_PASS", MOTO_PASSWORD)
        .output()
        .unwrap();
    assert!(
        push.status.success(),
        "{}",
        String::from_utf8_lossy(&push.stderr)
    );

    let mut opts = weir_registry::ClientOptions::default();
    opts.insecure = true;
    opts.mirrors
        .add_spec(&format!("{HOST}={url}"), "test")
        .unwrap();
    let client = weir_registry::Client::new(opts).unwrap();
    let image = weir_registry::ImageRef::parse(&format!("{HOST}/team/app")).unwrap();

    let clock = Arc::new(ManualClock::new(at(MOTO_EXPIRY - 12 * 3600)));
    let source = Arc::new(Counting {
        inner: sdk_source(&moto),
        calls: AtomicUsize::new(0),
    });
    let auth = EcrAuth::with_source(source.clone(), clock.clone());

    let scan = || async {
        let creds = match auth.login(image.registry()).await.unwrap() {
            Login::Basic {
                username, password, ..
            } => weir_registry::Credentials::basic(username, password.expose_secret()),
            other => panic!("{other:?}"),
        };
        client
            .repository(&image, creds)
            .unwrap()
            .list_tags()
            .await
            .unwrap()
    };

    assert_eq!(scan().await.len(), 5);
    clock.advance(Duration::from_secs(30 * 60));
    assert_eq!(scan().await.len(), 5);
    assert_eq!(
        source.calls.load(Ordering::SeqCst),
        1,
        "one call while valid"
    );

    clock.set(at(MOTO_EXPIRY + 1));
    assert_eq!(scan().await.len(), 5);
    assert_eq!(
        source.calls.load(Ordering::SeqCst),
        2,
        "a new call after expiry"
    );
    // Expired on arrival (moto's fixed date): used once, never cached.
    assert_eq!(scan().await.len(), 5);
    assert_eq!(source.calls.load(Ordering::SeqCst), 3);
}
