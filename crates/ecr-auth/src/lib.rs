//! Amazon ECR logins for Weir (I/O adapter, layer 1).
//!
//! This crate owns what Flux's `provider: aws` does for image registries:
//! recognise ECR hosts ([`parse_host`]: account, region, partition, FIPS and
//! dual-stack forms, and ECR Public), get an authorization token with
//! `GetAuthorizationToken` through `aws-sdk-ecr` and the default `aws-config`
//! credential chain (environment, shared profile, web identity / IRSA, ECS
//! and EKS Pod Identity, IMDS), decode it to a username and password, and
//! cache it per registry until shortly before it expires.
//!
//! `public.ecr.aws` needs no AWS call: its registry hands out anonymous pull
//! tokens through the ordinary `WWW-Authenticate: Bearer` flow, so
//! [`EcrAuth::login`] answers [`Login::Anonymous`] and the registry client
//! does the rest — without AWS credentials.
//!
//! It knows nothing about registries' HTTP API or Kubernetes: the caller hands
//! the resulting [`Login`] to `weir-registry` as basic credentials.
//!
//! Passwords are [`secrecy::SecretString`]s; `Debug` output is redacted, and
//! errors never carry them. The SDK's own trace logs would print the raw
//! `GetAuthorizationToken` answer, so the SDK call runs with logging switched
//! off ([`SdkTokenSource`]); this crate logs its own redacted summary.
//!
//! # Caching
//!
//! As in Flux, a token is reused for 80 % of its remaining validity, at most
//! [`EcrAuth::DEFAULT_MAX_CACHE`] (one hour); a token already expired when it
//! arrives is used once and not cached. The clock is injectable ([`Clock`],
//! [`ManualClock`]), and so is the token source ([`TokenSource`]), for tests.
//!
//! # Example
//!
//! ```
//! use weir_ecr_auth::{EcrAuth, Error, Login};
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let auth = EcrAuth::new();
//! // ECR Public: anonymous, no AWS credentials needed.
//! assert!(matches!(auth.login("public.ecr.aws").await, Ok(Login::Anonymous)));
//! // Not an ECR host: a clear error, no AWS call.
//! assert!(matches!(auth.login("ghcr.io").await, Err(Error::NotEcr { .. })));
//! # }
//! ```
//!
//! ```no_run
//! # async fn run() -> Result<(), weir_ecr_auth::Error> {
//! // With AWS credentials in the environment (or a profile, IRSA, …):
//! let auth = weir_ecr_auth::EcrAuth::new();
//! let login = auth.login("123456789012.dkr.ecr.eu-west-1.amazonaws.com").await?;
//! # let _ = login; Ok(()) }
//! ```

mod host;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

pub use host::{EcrHost, EcrRegistry, PUBLIC_HOST, parse_host};

/// A boxed error from the AWS SDK (kept opaque so SDK types stay out of our API).
pub type SdkError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why an ECR login failed. Never carries a token or password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The host is not an ECR registry, so `provider: aws` cannot log in to it.
    #[error(
        "invalid AWS registry {host:?}: provider aws needs an ECR host (<account>.dkr.ecr.<region>.amazonaws.com or public.ecr.aws)"
    )]
    NotEcr {
        /// The host.
        host: String,
    },
    /// `GetAuthorizationToken` failed (no credentials, refused, unreachable).
    #[error("ECR GetAuthorizationToken for {registry} (region {region}) failed")]
    GetAuthorizationToken {
        /// The registry host.
        registry: String,
        /// The region asked.
        region: String,
        /// The SDK error.
        #[source]
        source: SdkError,
    },
    /// The answer held no authorization data.
    #[error("ECR GetAuthorizationToken for {registry} returned no authorization data")]
    NoAuthorizationData {
        /// The registry host.
        registry: String,
    },
    /// The token is not base64 of `user:password`.
    #[error("the ECR authorization token for {registry} is not base64 of \"user:password\"")]
    TokenFormat {
        /// The registry host.
        registry: String,
    },
}

/// What to authenticate with, for one registry.
#[derive(Clone)]
#[non_exhaustive]
pub enum Login {
    /// HTTP basic credentials (`AWS` and the token's password).
    Basic {
        /// The username (`AWS` for ECR).
        username: String,
        /// The password (secret).
        password: SecretString,
        /// When the token stops working, if the API said.
        expires_at: Option<SystemTime>,
    },
    /// No AWS credentials: the registry's anonymous token flow (ECR Public).
    Anonymous,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Login::Anonymous => f.write_str("Anonymous"),
            Login::Basic {
                username,
                expires_at,
                ..
            } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .field("expires_at", expires_at)
                .finish(),
        }
    }
}

/// A raw token as `GetAuthorizationToken` returns it.
#[derive(Clone)]
pub struct AuthorizationToken {
    /// base64 of `user:password` (secret).
    pub token: SecretString,
    /// Expiry, if the API gave one.
    pub expires_at: Option<SystemTime>,
}

impl fmt::Debug for AuthorizationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationToken")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Where tokens come from: the real API ([`SdkTokenSource`]) or a test double.
pub trait TokenSource: Send + Sync {
    /// Fetches a token for a private registry.
    fn fetch(
        &self,
        registry: &EcrRegistry,
    ) -> impl Future<Output = Result<AuthorizationToken, Error>> + Send;
}

/// The time, injectable for tests.
pub trait Clock: Send + Sync {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to (tests).
#[derive(Debug)]
pub struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn new(at: SystemTime) -> Self {
        ManualClock(Mutex::new(at))
    }

    /// Sets the time.
    pub fn set(&self, at: SystemTime) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }

    /// Moves the time forward.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.0.lock().map(|t| *t).unwrap_or(SystemTime::UNIX_EPOCH)
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

impl<S: TokenSource + ?Sized> TokenSource for std::sync::Arc<S> {
    fn fetch(
        &self,
        registry: &EcrRegistry,
    ) -> impl Future<Output = Result<AuthorizationToken, Error>> + Send {
        (**self).fetch(registry)
    }
}

/// `GetAuthorizationToken` through `aws-sdk-ecr` with the default `aws-config`
/// chain, in the registry's region.
///
/// The endpoint is the SDK's default for the region (FIPS and dual-stack
/// variants follow the host), unless [`SdkTokenSource::endpoint_url`] is set
/// or `AWS_ENDPOINT_URL_ECR` / `AWS_ENDPOINT_URL` are in the environment
/// (aws-config honours them) — how tests point it at moto.
#[derive(Debug, Clone)]
pub struct SdkTokenSource {
    endpoint_url: Option<String>,
    timeout: Duration,
    /// Explicit credentials instead of the default chain (`Debug` redacts the secret).
    credentials: Option<aws_sdk_ecr::config::Credentials>,
}

impl Default for SdkTokenSource {
    fn default() -> Self {
        SdkTokenSource {
            endpoint_url: None,
            timeout: Duration::from_secs(30),
            credentials: None,
        }
    }
}

impl SdkTokenSource {
    /// Overrides the ECR API endpoint (e.g. `http://127.0.0.1:PORT`).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Uses these static credentials instead of the default chain (tests,
    /// or callers that resolved credentials themselves).
    pub fn static_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.credentials = Some(aws_sdk_ecr::config::Credentials::new(
            access_key_id,
            secret_access_key,
            None,
            None,
            "weir-static",
        ));
        self
    }

    /// Bounds the whole call (credential resolution included); default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn call(&self, registry: &EcrRegistry) -> Result<AuthorizationToken, Error> {
        use aws_config::BehaviorVersion;
        use aws_config::timeout::TimeoutConfig;
        let failed = |source: SdkError| Error::GetAuthorizationToken {
            registry: registry.host.clone(),
            region: registry.region.clone(),
            source,
        };
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .operation_timeout(self.timeout)
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new(registry.region.clone()))
            .timeout_config(timeouts);
        if let Some(creds) = &self.credentials {
            loader = loader.credentials_provider(creds.clone());
        }
        let shared = loader.load().await;
        let mut conf = aws_sdk_ecr::config::Builder::from(&shared);
        if let Some(url) = &self.endpoint_url {
            conf = conf.endpoint_url(url);
        } else if !endpoint_in_environment() {
            // The SDK refuses FIPS / dual-stack together with a custom endpoint.
            conf = conf
                .use_fips(registry.fips)
                .use_dual_stack(registry.dual_stack);
        }
        let client = aws_sdk_ecr::Client::from_conf(conf.build());
        let out = client
            .get_authorization_token()
            .send()
            .await
            .map_err(|e| failed(Box::new(e)))?;
        let data = out
            .authorization_data()
            .first()
            .ok_or_else(|| Error::NoAuthorizationData {
                registry: registry.host.clone(),
            })?;
        let token = data
            .authorization_token()
            .ok_or_else(|| Error::NoAuthorizationData {
                registry: registry.host.clone(),
            })?;
        Ok(AuthorizationToken {
            token: SecretString::from(token.to_owned()),
            expires_at: data
                .expires_at()
                .and_then(|t| SystemTime::try_from(*t).ok()),
        })
    }
}

/// Whether aws-config will take the ECR endpoint from the environment.
fn endpoint_in_environment() -> bool {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    let ignored = std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    !ignored && (set("AWS_ENDPOINT_URL_ECR") || set("AWS_ENDPOINT_URL"))
}

impl TokenSource for SdkTokenSource {
    fn fetch(
        &self,
        registry: &EcrRegistry,
    ) -> impl Future<Output = Result<AuthorizationToken, Error>> + Send {
        use tracing::instrument::WithSubscriber as _;
        // The SDK traces raw responses (the token included) at TRACE level:
        // run the call with logging off so no subscriber can record them.
        let fut = self.call(registry);
        async move {
            let started = std::time::Instant::now();
            let result = fut
                .with_subscriber(tracing::subscriber::NoSubscriber::default())
                .await;
            tracing::debug!(
                registry = %registry,
                ok = result.is_ok(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "ECR GetAuthorizationToken"
            );
            result
        }
    }
}

#[derive(Clone)]
struct Cached {
    username: String,
    password: SecretString,
    expires_at: Option<SystemTime>,
    refresh_at: SystemTime,
}

/// ECR logins with a per-registry token cache.
pub struct EcrAuth<S = SdkTokenSource, C = SystemClock> {
    source: S,
    clock: C,
    max_cache: Duration,
    cache: Mutex<HashMap<String, Cached>>,
}

impl<S, C> fmt::Debug for EcrAuth<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.cache.lock().map(|c| c.len()).unwrap_or(0);
        f.debug_struct("EcrAuth")
            .field("max_cache", &self.max_cache)
            .field("cached_registries", &cached)
            .finish_non_exhaustive()
    }
}

impl EcrAuth {
    /// Real tokens from the AWS API, system clock.
    pub fn new() -> Self {
        Self::with_source(SdkTokenSource::default(), SystemClock)
    }
}

impl Default for EcrAuth {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: TokenSource, C: Clock> EcrAuth<S, C> {
    /// Flux's cap on how long a token is cached (`--token-cache-max-duration`).
    pub const DEFAULT_MAX_CACHE: Duration = Duration::from_secs(3600);

    /// A cache over any token source and clock.
    pub fn with_source(source: S, clock: C) -> Self {
        EcrAuth {
            source,
            clock,
            max_cache: Self::DEFAULT_MAX_CACHE,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Changes the cap on how long a token is cached.
    pub fn max_cache_duration(mut self, max: Duration) -> Self {
        self.max_cache = max;
        self
    }

    /// The token source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// Logs in to an ECR registry host (`host` or `host:port`): a cached
    /// token while it is fresh, otherwise a new `GetAuthorizationToken`.
    pub async fn login(&self, host: &str) -> Result<Login, Error> {
        let registry = match parse_host(host) {
            Some(EcrHost::Private(r)) => r,
            Some(EcrHost::Public) => return Ok(Login::Anonymous),
            None => {
                return Err(Error::NotEcr {
                    host: host.to_owned(),
                });
            }
        };
        let now = self.clock.now();
        if let Some(hit) = self.cached(&registry.host, now) {
            tracing::debug!(registry = %registry, "ECR token from cache");
            return Ok(hit);
        }
        let raw = self.source.fetch(&registry).await?;
        let (username, password) = decode_token(&raw.token).ok_or_else(|| Error::TokenFormat {
            registry: registry.host.clone(),
        })?;
        let now = self.clock.now();
        if let Some(refresh_at) = refresh_time(now, raw.expires_at, self.max_cache) {
            if let Ok(mut cache) = self.cache.lock() {
                cache.insert(
                    registry.host.clone(),
                    Cached {
                        username: username.clone(),
                        password: password.clone(),
                        expires_at: raw.expires_at,
                        refresh_at,
                    },
                );
            }
        } else {
            tracing::debug!(registry = %registry, "ECR token already expired on arrival; not cached");
        }
        Ok(Login::Basic {
            username,
            password,
            expires_at: raw.expires_at,
        })
    }

    fn cached(&self, host: &str, now: SystemTime) -> Option<Login> {
        let mut cache = self.cache.lock().ok()?;
        let entry = cache.get(host)?;
        if now < entry.refresh_at {
            return Some(Login::Basic {
                username: entry.username.clone(),
                password: entry.password.clone(),
                expires_at: entry.expires_at,
            });
        }
        cache.remove(host);
        None
    }
}

/// When a token fetched at `now` should be replaced: after 80 % of its
/// remaining validity, at most `max` from now. `None`: do not cache.
fn refresh_time(
    now: SystemTime,
    expires_at: Option<SystemTime>,
    max: Duration,
) -> Option<SystemTime> {
    let lifetime = match expires_at {
        Some(exp) => exp.duration_since(now).ok()?.mul_f64(0.8).min(max),
        None => max,
    };
    (!lifetime.is_zero()).then(|| now + lifetime)
}

/// base64 `user:password` → (`user`, password).
fn decode_token(token: &SecretString) -> Option<(String, SecretString)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token.expose_secret().trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, pass) = text.split_once(':')?;
    if user.is_empty() || pass.is_empty() {
        return None;
    }
    Some((user.to_owned(), SecretString::from(pass.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Fake {
        calls: AtomicUsize,
        token: String,
        expires_at: Option<SystemTime>,
    }

    impl TokenSource for Fake {
        fn fetch(
            &self,
            _registry: &EcrRegistry,
        ) -> impl Future<Output = Result<AuthorizationToken, Error>> + Send {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let t = AuthorizationToken {
                token: SecretString::from(self.token.clone()),
                expires_at: self.expires_at,
            };
            async move { Ok(t) }
        }
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    const HOST: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    #[tokio::test]
    async fn caches_until_80_percent_capped_at_an_hour() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let clock = Arc::new(ManualClock::new(t0));
        let fake = Arc::new(Fake {
            calls: AtomicUsize::new(0),
            token: b64("AWS:pw-planted"),
            expires_at: Some(t0 + Duration::from_secs(12 * 3600)),
        });
        let auth = EcrAuth::with_source(fake.clone(), clock.clone());
        let Login::Basic {
            username, password, ..
        } = auth.login(HOST).await.unwrap()
        else {
            panic!("basic")
        };
        assert_eq!(
            (username.as_str(), password.expose_secret()),
            ("AWS", "pw-planted")
        );
        clock.advance(Duration::from_secs(59 * 60));
        auth.login(HOST).await.unwrap();
        assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
        clock.advance(Duration::from_secs(2 * 60));
        auth.login(HOST).await.unwrap();
        assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
        // Another registry has its own entry.
        auth.login("123456789012.dkr.ecr.us-east-1.amazonaws.com")
            .await
            .unwrap();
        assert_eq!(fake.calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn short_lived_and_expired_tokens() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let clock = Arc::new(ManualClock::new(t0));
        let fake = Arc::new(Fake {
            calls: AtomicUsize::new(0),
            token: b64("AWS:pw"),
            expires_at: Some(t0 + Duration::from_secs(100)),
        });
        let auth = EcrAuth::with_source(fake.clone(), clock.clone());
        auth.login(HOST).await.unwrap();
        clock.advance(Duration::from_secs(79));
        auth.login(HOST).await.unwrap();
        assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
        clock.advance(Duration::from_secs(2));
        auth.login(HOST).await.unwrap();
        assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
        // Expired on arrival: used, never cached.
        clock.set(t0 + Duration::from_secs(1000));
        auth.login(HOST).await.unwrap();
        auth.login(HOST).await.unwrap();
        assert_eq!(fake.calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn public_and_non_ecr_hosts_make_no_call() {
        let fake = Arc::new(Fake {
            calls: AtomicUsize::new(0),
            token: b64("AWS:pw"),
            expires_at: None,
        });
        let auth = EcrAuth::with_source(fake.clone(), SystemClock);
        assert!(matches!(
            auth.login("public.ecr.aws").await,
            Ok(Login::Anonymous)
        ));
        let e = auth.login("ghcr.io").await.unwrap_err();
        insta::assert_snapshot!(e.to_string(), @r#"invalid AWS registry "ghcr.io": provider aws needs an ECR host (<account>.dkr.ecr.<region>.amazonaws.com or public.ecr.aws)"#);
        assert_eq!(fake.calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn bad_tokens_and_redaction() {
        for bad in ["not base64!", &b64("nocolon"), &b64(":pw"), &b64("AWS:")] {
            let fake = Fake {
                calls: AtomicUsize::new(0),
                token: bad.to_owned(),
                expires_at: None,
            };
            let e = EcrAuth::with_source(fake, SystemClock)
                .login(HOST)
                .await
                .unwrap_err();
            assert!(matches!(e, Error::TokenFormat { .. }), "{bad}: {e:?}");
        }
        let login = Login::Basic {
            username: "AWS".into(),
            password: SecretString::from("pw-planted".to_owned()),
            expires_at: None,
        };
        let token = AuthorizationToken {
            token: SecretString::from(b64("AWS:pw-planted")),
            expires_at: None,
        };
        let text = format!("{login:?} {login:#?} {token:?}");
        assert!(
            !text.contains("pw-planted") && !text.contains(&b64("AWS:pw-planted")),
            "{text}"
        );
    }
}
