//! The async transport: a thin layer that sends the requests the pure
//! modules build and feeds their parsers.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, HeaderValue, LINK, WWW_AUTHENTICATE};
use reqwest::{Method, Response, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};

use crate::challenge::{AuthScheme, parse_challenges, select_scheme};
use crate::pages::{PageError, TagPager, next_link, parse_tag_page};
use crate::request::{
    Endpoint, MANIFEST_ACCEPT, base_url, error_summary, manifest_url, parse_digest, parse_token,
    pull_scope, token_url,
};
use crate::{Credentials, ImageRef, Mirrors};

/// Errors from talking to a registry. Messages never include credentials or
/// tokens; URLs in them are built by us and carry none.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The registry host does not form a URL.
    #[error("registry {registry:?} does not form a valid URL")]
    Endpoint {
        /// The registry `host[:port]`.
        registry: String,
    },
    /// The request would go over plain HTTP, which needs `insecure`.
    #[error("refusing plain HTTP to {url} for {registry} (allow it with insecure / --insecure)")]
    PlainHttp {
        /// The registry `host[:port]`.
        registry: String,
        /// The plain-HTTP URL.
        url: String,
    },
    /// The extra CA certificate is not PEM.
    #[error("the CA certificate is not a valid PEM certificate bundle")]
    CaCertificate {
        /// The TLS error.
        #[source]
        source: reqwest::Error,
    },
    /// The client certificate and key (mutual TLS) are not a PEM
    /// certificate and private key. The cause is not kept: it could quote
    /// key material.
    #[error("the client certificate (tls.crt + tls.key) is not a PEM certificate and private key")]
    ClientCertificate,
    /// The HTTP client could not be built (TLS set-up).
    #[error("cannot set up the HTTP client")]
    ClientSetup {
        /// The builder error.
        #[source]
        source: reqwest::Error,
    },
    /// The connection failed (refused, DNS, TLS handshake).
    #[error("cannot connect to {url}")]
    Connect {
        /// The request URL.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The request did not complete in time.
    #[error("no answer from {url} within {after:?}")]
    Timeout {
        /// The request URL.
        url: String,
        /// The configured time limit.
        after: Duration,
    },
    /// Another transport failure (reset connection, bad HTTP).
    #[error("request to {url} failed")]
    Transport {
        /// The request URL.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The registry wants credentials and none were given.
    #[error(
        "registry {registry} requires authentication for {repository} and no credentials are configured for it (401 Unauthorized{})",
        detail_suffix(detail)
    )]
    AuthenticationRequired {
        /// The registry `host[:port]`.
        registry: String,
        /// The repository.
        repository: String,
        /// The registry's error summary, if any.
        detail: Option<String>,
    },
    /// The registry (or its token endpoint) refused the credentials.
    #[error(
        "registry {registry} refused the credentials of user {username:?} for {repository} (401 Unauthorized{})",
        detail_suffix(detail)
    )]
    Unauthorized {
        /// The registry `host[:port]`.
        registry: String,
        /// The repository.
        repository: String,
        /// The username that was tried.
        username: String,
        /// The registry's error summary, if any.
        detail: Option<String>,
    },
    /// The credentials are valid but lack access (403).
    #[error(
        "registry {registry} denied access to {repository} (403 Forbidden{})",
        detail_suffix(detail)
    )]
    Denied {
        /// The registry `host[:port]`.
        registry: String,
        /// The repository.
        repository: String,
        /// The registry's error summary, if any.
        detail: Option<String>,
    },
    /// The repository or manifest does not exist (404).
    #[error("{what} not found at {url} (404 Not Found{})", detail_suffix(detail))]
    NotFound {
        /// `repository app` or `manifest app:v1`.
        what: String,
        /// The request URL.
        url: String,
        /// The registry's error summary, if any.
        detail: Option<String>,
    },
    /// Any other unexpected status.
    #[error("{url} answered {status}{}", detail_suffix(detail))]
    Status {
        /// The request URL.
        url: String,
        /// The HTTP status.
        status: StatusCode,
        /// The registry's error summary, if any.
        detail: Option<String>,
    },
    /// A 401 came with no challenge we can answer.
    #[error("registry {registry} asks for an unsupported authentication scheme ({schemes})")]
    UnsupportedChallenge {
        /// The registry `host[:port]`.
        registry: String,
        /// The schemes it offered.
        schemes: String,
    },
    /// The token endpoint named by the registry is not a usable URL.
    #[error("registry {registry} names an invalid token endpoint {realm:?}")]
    TokenRealm {
        /// The registry `host[:port]`.
        registry: String,
        /// The realm.
        realm: String,
    },
    /// The token endpoint answered without a token.
    #[error("token endpoint {url} answered without a token")]
    TokenResponse {
        /// The token URL.
        url: String,
    },
    /// A body was larger than the configured limit.
    #[error("{url} sent more than {limit} bytes")]
    BodyTooLarge {
        /// The request URL.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// A tag page could not be used.
    #[error("bad tag list from {url}")]
    Page {
        /// The request URL.
        url: String,
        /// The parse error.
        #[source]
        source: PageError,
    },
    /// A manifest answer carried no usable `Docker-Content-Digest`.
    #[error("{url} answered without a valid Docker-Content-Digest")]
    MissingDigest {
        /// The request URL.
        url: String,
    },
}

fn detail_suffix(detail: &Option<String>) -> String {
    detail
        .as_ref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}

/// Knobs of a [`Client`]. Start from `ClientOptions::default()` and set fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// Allow plain HTTP (registries and mirrors with `http://` URLs).
    pub insecure: bool,
    /// Extra CA certificates (PEM), added to the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// A client certificate chain and its private key in one PEM bundle, for
    /// registries that require mutual TLS (Flux `certSecretRef` `tls.crt` +
    /// `tls.key`).
    pub client_identity_pem: Option<SecretString>,
    /// Registry mirrors.
    pub mirrors: Mirrors,
    /// Time limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Time limit for one whole request, body included.
    pub request_timeout: Duration,
    /// Tags per page requested with `n` (Flux uses 1,000).
    pub page_size: u32,
    /// Largest response body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure: false,
            ca_pem: None,
            client_identity_pem: None,
            mirrors: Mirrors::new(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            page_size: 1000,
            max_body_bytes: 64 << 20,
        }
    }
}

/// An OCI distribution client. Cheap to share; one per process is enough.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    options: ClientOptions,
}

impl Client {
    /// Builds a client (rustls with the aws-lc-rs provider; system roots plus
    /// the optional extra CA).
    pub fn new(options: ClientOptions) -> Result<Self, Error> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("weir/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout);
        if let Some(pem) = &options.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|source| Error::CaCertificate { source })?;
            builder = builder.tls_certs_merge(certs);
        }
        if let Some(pem) = &options.client_identity_pem {
            let identity = reqwest::Identity::from_pem(pem.expose_secret().as_bytes())
                .map_err(|_| Error::ClientCertificate)?;
            builder = builder.identity(identity);
        }
        let http = builder
            .build()
            .map_err(|source| Error::ClientSetup { source })?;
        Ok(Client { http, options })
    }

    /// The options the client was built with.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// A handle on one repository with its credentials. Tokens obtained by
    /// the handle are reused by its later requests (tag listing, then the
    /// digest of the selected tag), so keep the handle rather than asking for
    /// a new one. The handle owns a clone of the client (cheap: the HTTP
    /// connection pool is shared).
    pub fn repository(
        &self,
        image: &ImageRef,
        credentials: Credentials,
    ) -> Result<Repository, Error> {
        let registry = image.registry();
        let base = match base_url(registry, &self.options.mirrors, self.options.insecure) {
            Endpoint::Url(u) => u,
            Endpoint::PlainHttpRefused(u) => {
                return Err(Error::PlainHttp {
                    registry: registry.to_owned(),
                    url: u.to_string(),
                });
            }
            Endpoint::Invalid => {
                return Err(Error::Endpoint {
                    registry: registry.to_owned(),
                });
            }
        };
        Ok(Repository {
            client: self.clone(),
            image: image.clone(),
            base,
            credentials,
            authorization: Mutex::new(None),
        })
    }
}

/// One repository of one registry, with credentials and a cached
/// `Authorization` header.
#[derive(Debug)]
pub struct Repository {
    client: Client,
    image: ImageRef,
    base: Url,
    credentials: Credentials,
    authorization: Mutex<Option<SecretString>>,
}

impl Repository {
    /// The repository reference.
    pub fn image(&self) -> &ImageRef {
        &self.image
    }

    /// The base URL requests go to (the mirror, if one is configured).
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Lists every tag, following pagination.
    pub async fn list_tags(&self) -> Result<Vec<String>, Error> {
        let mut all = Vec::new();
        self.list_tags_with(&mut |page| all.extend(page)).await?;
        Ok(all)
    }

    /// Lists every tag, handing each page to `sink` as it arrives (so a caller
    /// can filter without holding excluded tags). Returns the number of tags.
    pub async fn list_tags_with(
        &self,
        sink: &mut (dyn FnMut(Vec<String>) + Send),
    ) -> Result<usize, Error> {
        let page_size = self.client.options.page_size.max(1);
        let mut pager =
            TagPager::new(&self.base, self.image.repository(), page_size).ok_or_else(|| {
                Error::Endpoint {
                    registry: self.image.registry().to_owned(),
                }
            })?;
        while let Some(url) = pager.next_url().cloned() {
            let resp = self.send(Method::GET, &url, "application/json").await?;
            let link = next_link(
                resp.headers()
                    .get_all(LINK)
                    .iter()
                    .filter_map(|v| v.to_str().ok()),
                &url,
            );
            let body = self.read_body(resp, &url).await?;
            let tags = parse_tag_page(&body).map_err(|source| Error::Page {
                url: url.to_string(),
                source,
            })?;
            drop(body);
            pager
                .accept(tags, link, sink)
                .map_err(|source| Error::Page {
                    url: url.to_string(),
                    source,
                })?;
        }
        tracing::debug!(
            image = %self.image,
            tags = pager.tags(),
            pages = pager.pages(),
            "listed tags"
        );
        Ok(pager.tags())
    }

    /// The manifest digest of a tag (or digest): `HEAD` with the OCI and
    /// Docker manifest and index media types, read `Docker-Content-Digest`.
    /// When a registry omits that header, the manifest is fetched and hashed.
    pub async fn manifest_digest(&self, reference: &str) -> Result<String, Error> {
        let url =
            manifest_url(&self.base, self.image.repository(), reference).ok_or_else(|| {
                Error::Endpoint {
                    registry: self.image.registry().to_owned(),
                }
            })?;
        let resp = self.send(Method::HEAD, &url, MANIFEST_ACCEPT).await?;
        if let Some(d) = header_digest(&resp) {
            return Ok(d);
        }
        let resp = self.send(Method::GET, &url, MANIFEST_ACCEPT).await?;
        if let Some(d) = header_digest(&resp) {
            return Ok(d);
        }
        let body = self.read_body(resp, &url).await?;
        if body.is_empty() {
            return Err(Error::MissingDigest {
                url: url.to_string(),
            });
        }
        use sha2::Digest as _;
        Ok(format!(
            "sha256:{}",
            hex::encode(sha2::Sha256::digest(&body))
        ))
    }

    /// Sends a request, answering one 401 challenge (Basic or Bearer token
    /// flow) and retrying once. Non-success statuses become errors.
    async fn send(&self, method: Method, url: &Url, accept: &str) -> Result<Response, Error> {
        let mut authenticated = false;
        loop {
            let mut req = self
                .client
                .http
                .request(method.clone(), url.clone())
                .header(ACCEPT, accept);
            if url.origin() == self.base.origin()
                && let Some(value) = self.current_authorization()
            {
                req = req.header(AUTHORIZATION, value);
            }
            let resp = req.send().await.map_err(|e| self.transport_error(url, e))?;
            let status = resp.status();
            tracing::debug!(method = %method, url = %url, status = status.as_u16(), "registry request");
            if status.is_success() {
                return Ok(resp);
            }
            if status == StatusCode::UNAUTHORIZED && !authenticated {
                let challenges = parse_challenges(
                    resp.headers()
                        .get_all(WWW_AUTHENTICATE)
                        .iter()
                        .filter_map(|v| v.to_str().ok()),
                );
                let Some(scheme) = select_scheme(&challenges) else {
                    let detail = self.error_detail(resp, url).await;
                    if challenges.is_empty() {
                        return Err(self.unauthorized(detail));
                    }
                    let schemes: Vec<&str> = challenges.iter().map(|c| c.scheme.as_str()).collect();
                    return Err(Error::UnsupportedChallenge {
                        registry: self.image.registry().to_owned(),
                        schemes: schemes.join(", "),
                    });
                };
                self.authenticate(scheme).await?;
                authenticated = true;
                continue;
            }
            let detail = self.error_detail(resp, url).await;
            return Err(match status {
                StatusCode::UNAUTHORIZED => self.unauthorized(detail),
                StatusCode::FORBIDDEN => Error::Denied {
                    registry: self.image.registry().to_owned(),
                    repository: self.image.repository().to_owned(),
                    detail,
                },
                StatusCode::NOT_FOUND => Error::NotFound {
                    what: if url.path().contains("/manifests/") {
                        format!("manifest of {}", self.image)
                    } else {
                        format!("repository {}", self.image)
                    },
                    url: url.to_string(),
                    detail,
                },
                _ => Error::Status {
                    url: url.to_string(),
                    status,
                    detail,
                },
            });
        }
    }

    /// Works out the `Authorization` header for a challenge and stores it.
    async fn authenticate(&self, scheme: AuthScheme) -> Result<(), Error> {
        let value = match scheme {
            AuthScheme::Basic => match self.credentials.basic_header() {
                Some(h) => h,
                None => return Err(self.unauthorized(None)),
            },
            AuthScheme::Bearer {
                realm,
                service,
                scope,
            } => {
                let ours = pull_scope(self.image.repository());
                let mut scopes: Vec<&str> = Vec::new();
                if let Some(s) = scope.as_deref() {
                    scopes.push(s);
                }
                scopes.push(&ours);
                let url = token_url(&realm, service.as_deref(), &scopes).ok_or_else(|| {
                    Error::TokenRealm {
                        registry: self.image.registry().to_owned(),
                        realm: realm.clone(),
                    }
                })?;
                if url.scheme() == "http" && !self.client.options.insecure {
                    return Err(Error::PlainHttp {
                        registry: self.image.registry().to_owned(),
                        url: url.to_string(),
                    });
                }
                let mut req = self.client.http.get(url.clone());
                if let Some(basic) = self.credentials.basic_header() {
                    req = req.header(AUTHORIZATION, secret_header(&basic));
                }
                let resp = req
                    .send()
                    .await
                    .map_err(|e| self.transport_error(&url, e))?;
                let status = resp.status();
                tracing::debug!(url = %url, status = status.as_u16(), "token request");
                if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                    let detail = self.error_detail(resp, &url).await;
                    return Err(self.unauthorized(detail));
                }
                if !status.is_success() {
                    let detail = self.error_detail(resp, &url).await;
                    return Err(Error::Status {
                        url: url.to_string(),
                        status,
                        detail,
                    });
                }
                let body = self.read_body(resp, &url).await?;
                let token = parse_token(&body).ok_or_else(|| Error::TokenResponse {
                    url: url.to_string(),
                })?;
                SecretString::from(format!("Bearer {}", token.expose_secret()))
            }
        };
        if let Ok(mut slot) = self.authorization.lock() {
            *slot = Some(value);
        }
        Ok(())
    }

    fn current_authorization(&self) -> Option<HeaderValue> {
        let slot = self.authorization.lock().ok()?;
        slot.as_ref().map(secret_header)
    }

    fn unauthorized(&self, detail: Option<String>) -> Error {
        let registry = self.image.registry().to_owned();
        let repository = self.image.repository().to_owned();
        match self.credentials.username() {
            Some(username) => Error::Unauthorized {
                registry,
                repository,
                username: username.to_owned(),
                detail,
            },
            None => Error::AuthenticationRequired {
                registry,
                repository,
                detail,
            },
        }
    }

    fn transport_error(&self, url: &Url, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            let after = if e.is_connect() {
                self.client.options.connect_timeout
            } else {
                self.client.options.request_timeout
            };
            Error::Timeout {
                url: url.to_string(),
                after,
            }
        } else if e.is_connect() {
            Error::Connect {
                url: url.to_string(),
                source: e.without_url(),
            }
        } else {
            Error::Transport {
                url: url.to_string(),
                source: e.without_url(),
            }
        }
    }

    /// Reads a body up to the configured limit.
    async fn read_body(&self, mut resp: Response, url: &Url) -> Result<Vec<u8>, Error> {
        let limit = self.client.options.max_body_bytes;
        let too_large = || Error::BodyTooLarge {
            url: url.to_string(),
            limit,
        };
        let declared = resp
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(declared.unwrap_or(0).min(limit));
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| self.transport_error(url, e))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// A short summary of an error body (best effort, bounded).
    async fn error_detail(&self, resp: Response, url: &Url) -> Option<String> {
        let body = self.read_body(resp, url).await.ok()?;
        error_summary(&body)
    }
}

fn header_digest(resp: &Response) -> Option<String> {
    resp.headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_digest)
}

/// A header value marked sensitive (hyper then keeps it out of its own debug logs).
fn secret_header(value: &SecretString) -> HeaderValue {
    match HeaderValue::from_str(value.expose_secret()) {
        Ok(mut v) => {
            v.set_sensitive(true);
            v
        }
        Err(_) => HeaderValue::from_static(""),
    }
}
