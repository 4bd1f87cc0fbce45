//! Listing an ImageRepository's tags: the [`TagLister`] seam (tests plug in
//! doubles) and [`RegistryLister`], the real one over `weir-registry` and
//! `weir-ecr-auth`.

use std::time::Duration;

use secrecy::ExposeSecret as _;
use weir_registry::{Client, ClientOptions, Credentials, ImageRef, Mirrors};

/// How to log in for one scan.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Login {
    /// Fixed credentials (from a dockerconfigjson Secret), or anonymous.
    Credentials(Credentials),
    /// Amazon ECR: `GetAuthorizationToken` with the default AWS chain.
    Ecr,
}

/// One scan to perform.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScanRequest {
    /// The repository (`spec.image`, parsed).
    pub image: ImageRef,
    /// How to log in.
    pub login: Login,
    /// Whether plain HTTP is allowed.
    pub insecure: bool,
    /// The limit for login and listing together.
    pub timeout: Duration,
    /// Extra CA certificates (PEM) from `certSecretRef` (`ca.crt`), added
    /// to the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Client certificate and key (one PEM bundle) from `certSecretRef`
    /// (`tls.crt` + `tls.key`), for mutual TLS.
    pub client_identity_pem: Option<secrecy::SecretString>,
}

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The registry request failed.
    #[error("scanning {image}")]
    Registry {
        /// The repository.
        image: String,
        /// The registry error.
        #[source]
        source: weir_registry::Error,
    },
    /// The ECR login failed.
    #[error("logging in to {registry} (ECR)")]
    Ecr {
        /// The registry host.
        registry: String,
        /// The login error.
        #[source]
        source: weir_ecr_auth::Error,
    },
    /// Nothing within the timeout.
    #[error("scanning {image}: no result within {seconds} s")]
    Timeout {
        /// The repository.
        image: String,
        /// The limit.
        seconds: u64,
    },
    /// The async runtime could not start.
    #[error("starting the async runtime")]
    Runtime(#[source] std::io::Error),
    /// A test double's or other lister's failure.
    #[error("scanning {image}: {message}")]
    Other {
        /// The repository.
        image: String,
        /// What happened.
        message: String,
    },
}

/// Lists tags. `progress` is called with the running count of tags as
/// pages arrive (long scans show progress).
pub trait TagLister {
    /// Every tag of `request.image` (exclusions are applied by the caller).
    fn list_tags(
        &self,
        request: &ScanRequest,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<String>, ScanError>;
}

/// The real [`TagLister`]: OCI distribution tag listing with pagination,
/// registry mirrors, and ECR logins cached until expiry.
#[derive(Debug)]
pub struct RegistryLister {
    mirrors: Mirrors,
    runtime: tokio::runtime::Runtime,
    ecr: weir_ecr_auth::EcrAuth,
}

impl RegistryLister {
    /// A lister sending requests for mirrored registries to their mirrors.
    pub fn new(mirrors: Mirrors) -> Result<Self, ScanError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ScanError::Runtime)?;
        Ok(RegistryLister {
            mirrors,
            runtime,
            ecr: weir_ecr_auth::EcrAuth::new(),
        })
    }

    /// The mirrors.
    pub fn mirrors(&self) -> &Mirrors {
        &self.mirrors
    }

    async fn list(
        &self,
        request: &ScanRequest,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<String>, ScanError> {
        let image = &request.image;
        let credentials = match &request.login {
            Login::Credentials(c) => c.clone(),
            Login::Ecr => match self.ecr.login(image.registry()).await {
                Ok(weir_ecr_auth::Login::Basic {
                    username, password, ..
                }) => Credentials::basic(username, password.expose_secret()),
                Ok(_) => Credentials::Anonymous,
                Err(source) => {
                    return Err(ScanError::Ecr {
                        registry: image.registry().to_owned(),
                        source,
                    });
                }
            },
        };
        let mut options = ClientOptions::default();
        options.insecure = request.insecure;
        options.mirrors = self.mirrors.clone();
        options.request_timeout = request.timeout;
        options.connect_timeout = request.timeout.min(Duration::from_secs(10));
        options.ca_pem.clone_from(&request.ca_pem);
        options
            .client_identity_pem
            .clone_from(&request.client_identity_pem);
        let registry_error = |source| ScanError::Registry {
            image: image.to_string(),
            source,
        };
        let client = Client::new(options).map_err(registry_error)?;
        let repo = client
            .repository(image, credentials)
            .map_err(registry_error)?;
        let mut tags = Vec::new();
        let mut sink = |page: Vec<String>| {
            tags.extend(page);
            progress(tags.len());
        };
        repo.list_tags_with(&mut sink)
            .await
            .map_err(registry_error)?;
        Ok(tags)
    }
}

impl TagLister for RegistryLister {
    fn list_tags(
        &self,
        request: &ScanRequest,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<String>, ScanError> {
        let fut = self.list(request, progress);
        match self
            .runtime
            .block_on(async { tokio::time::timeout(request.timeout, fut).await })
        {
            Ok(result) => result,
            Err(_) => Err(ScanError::Timeout {
                image: request.image.to_string(),
                seconds: request.timeout.as_secs(),
            }),
        }
    }
}
