//! Credentials for Git remotes, shaped like Flux's GitRepository `secretRef`
//! (flux-compat.md §2.3: basic, bearer, `ca.crt`/`caFile`, `tls.crt` +
//! `tls.key` for mutual TLS, SSH `identity` + `known_hosts`).
//!
//! Secret values are [`SecretString`]s from the moment they are read: they
//! have no `Display`, their `Debug` prints `[REDACTED]`, and no error of this
//! crate ever carries them.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use saphyr_parser::{Event, Parser};
use secrecy::{ExposeSecret as _, SecretString};

/// Credentials for one remote, mirroring the keys of a Flux Git secret.
///
/// Which fields are used depends on the transport: `username`/`password` or
/// `bearer_token` over HTTP(S), `identity` + `known_hosts` over SSH.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Credentials {
    /// Basic-auth user name (`username`). Not secret.
    pub username: Option<String>,
    /// Basic-auth password or token (`password`); the SSH key passphrase for SSH.
    pub password: Option<SecretString>,
    /// HTTP bearer token (`bearerToken`); takes precedence over basic auth.
    pub bearer_token: Option<SecretString>,
    /// SSH private key, PEM or OpenSSH format (`identity`).
    pub identity: Option<SecretString>,
    /// SSH known_hosts lines (`known_hosts`). Required with `identity`.
    pub known_hosts: Option<String>,
    /// Extra CA certificate(s) in PEM for HTTPS (`ca.crt`, or legacy `caFile`).
    pub ca_cert: Option<String>,
    /// HTTPS client certificate chain in PEM (`tls.crt`), for mutual TLS.
    /// Only used together with [`Credentials::tls_key`].
    pub tls_cert: Option<String>,
    /// The private key of [`Credentials::tls_cert`] in PEM (`tls.key`).
    pub tls_key: Option<SecretString>,
}

/// Why a secret manifest could not be used.
///
/// Messages name the file and the key, never a value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The file could not be read.
    #[error("reading secret manifest {path}")]
    Read {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The YAML could not be parsed.
    #[error("secret manifest {path}: invalid YAML at line {line}")]
    Yaml {
        /// The manifest path.
        path: PathBuf,
        /// The 1-based line of the syntax error.
        line: usize,
    },
    /// The document is not a `kind: Secret` mapping.
    #[error("secret manifest {path}: not a Kubernetes Secret (kind: {kind:?})")]
    NotASecret {
        /// The manifest path.
        path: PathBuf,
        /// The `kind` found, if any.
        kind: Option<String>,
    },
    /// A `data` value is not valid base64.
    #[error("secret manifest {path}: data.{key} is not valid base64")]
    Base64 {
        /// The manifest path.
        path: PathBuf,
        /// The key under `data`.
        key: String,
    },
    /// A value is not valid UTF-8 after base64 decoding.
    #[error("secret manifest {path}: data.{key} is not UTF-8 text")]
    NotUtf8 {
        /// The manifest path.
        path: PathBuf,
        /// The key under `data`.
        key: String,
    },
    /// Only one of `tls.crt` and `tls.key` was given (Flux needs both or
    /// neither).
    #[error("secret manifest {path}: tls.crt and tls.key must be given together (mutual TLS)")]
    IncompleteClientCertificate {
        /// The manifest path.
        path: PathBuf,
    },
    /// `identity` was given without `known_hosts` (Flux requires both).
    #[error(
        "secret manifest {path}: identity requires known_hosts (host key checking is mandatory)"
    )]
    MissingKnownHosts {
        /// The manifest path.
        path: PathBuf,
    },
}

impl Credentials {
    /// No credentials (anonymous access).
    pub fn none() -> Self {
        Self::default()
    }

    /// Basic auth with a user name and password (CodeCommit "HTTPS Git credentials").
    pub fn basic(username: impl Into<String>, password: SecretString) -> Self {
        Credentials {
            username: Some(username.into()),
            password: Some(password),
            ..Self::default()
        }
    }

    /// An HTTP bearer token.
    pub fn bearer(token: SecretString) -> Self {
        Credentials {
            bearer_token: Some(token),
            ..Self::default()
        }
    }

    /// An SSH private key with the known_hosts lines used to check the server.
    pub fn ssh(identity: SecretString, known_hosts: impl Into<String>) -> Self {
        Credentials {
            identity: Some(identity),
            known_hosts: Some(known_hosts.into()),
            ..Self::default()
        }
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.username.is_none()
            && self.password.is_none()
            && self.bearer_token.is_none()
            && self.identity.is_none()
            && self.known_hosts.is_none()
            && self.ca_cert.is_none()
            && self.tls_cert.is_none()
            && self.tls_key.is_none()
    }

    /// The client certificate and key as one PEM bundle, when both are set.
    pub(crate) fn client_identity_pem(&self) -> Option<SecretString> {
        let (cert, key) = (self.tls_cert.as_ref()?, self.tls_key.as_ref()?);
        Some(SecretString::from(format!(
            "{}\n{}",
            cert.trim_end(),
            key.expose_secret()
        )))
    }

    /// Reads a Flux-style Git secret manifest (`kind: Secret`, keys under
    /// `data` in base64 and/or `stringData` in plain text; `stringData` wins
    /// for a key present in both, as in Kubernetes).
    pub fn from_secret_file(path: &Path) -> Result<Self, SecretError> {
        let text = std::fs::read_to_string(path).map_err(|source| SecretError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_secret_yaml(&text, path)
    }

    /// Like [`Credentials::from_secret_file`] for manifest text; `path` is
    /// only used in error messages.
    pub fn from_secret_yaml(text: &str, path: &Path) -> Result<Self, SecretError> {
        let doc = parse_secret(text).map_err(|line| SecretError::Yaml {
            path: path.to_owned(),
            line,
        })?;
        if doc.kind.as_deref() != Some("Secret") {
            return Err(SecretError::NotASecret {
                path: path.to_owned(),
                kind: doc.kind,
            });
        }
        let mut values: Vec<(String, SecretString)> = Vec::new();
        for (key, encoded) in doc.data {
            let compact: String = encoded.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .map_err(|_| SecretError::Base64 {
                    path: path.to_owned(),
                    key: key.clone(),
                })?;
            let text = String::from_utf8(bytes).map_err(|_| SecretError::NotUtf8 {
                path: path.to_owned(),
                key: key.clone(),
            })?;
            values.push((key, SecretString::from(text)));
        }
        for (key, value) in doc.string_data {
            values.retain(|(k, _)| *k != key);
            values.push((key, SecretString::from(value)));
        }
        let mut creds = Credentials::default();
        for (key, value) in values {
            match key.as_str() {
                "username" => creds.username = Some(value.expose_secret().to_owned()),
                "password" => creds.password = Some(value),
                "bearerToken" => creds.bearer_token = Some(value),
                "identity" => creds.identity = Some(value),
                "known_hosts" => creds.known_hosts = Some(value.expose_secret().to_owned()),
                "ca.crt" => creds.ca_cert = Some(value.expose_secret().to_owned()),
                "caFile" if creds.ca_cert.is_none() => {
                    creds.ca_cert = Some(value.expose_secret().to_owned());
                }
                "tls.crt" => creds.tls_cert = Some(value.expose_secret().to_owned()),
                "tls.key" => creds.tls_key = Some(value),
                _ => {}
            }
        }
        if creds.tls_cert.is_some() != creds.tls_key.is_some() {
            return Err(SecretError::IncompleteClientCertificate {
                path: path.to_owned(),
            });
        }
        if creds.identity.is_some() && creds.known_hosts.is_none() {
            return Err(SecretError::MissingKnownHosts {
                path: path.to_owned(),
            });
        }
        Ok(creds)
    }
}

/// The parts of a Secret manifest we need.
#[derive(Default)]
struct SecretDoc {
    kind: Option<String>,
    data: Vec<(String, String)>,
    string_data: Vec<(String, String)>,
}

/// Walks the parser events of the first document: top-level `kind`, and the
/// scalar entries of the top-level `data` and `stringData` mappings.
/// Returns the 1-based line of a syntax error.
fn parse_secret(text: &str) -> Result<SecretDoc, usize> {
    let mut doc = SecretDoc::default();
    let mut depth = 0usize;
    // At depth 1: the pending top-level key; at depth 2 inside data/stringData:
    // the pending entry key.
    let mut top_key: Option<String> = None;
    let mut section: Option<String> = None;
    let mut entry_key: Option<String> = None;
    let mut started = false;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| e.marker().line())?;
        let _ = span;
        match event {
            Event::DocumentStart(_) => {
                if started {
                    break;
                }
                started = true;
            }
            Event::DocumentEnd => break,
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if depth == 1 {
                    section = top_key.take();
                    entry_key = None;
                } else if depth == 2 {
                    entry_key = None;
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    section = None;
                }
            }
            Event::Scalar(value, ..) => match depth {
                1 => match top_key.take() {
                    None => top_key = Some(value.into_owned()),
                    Some(key) => {
                        if key == "kind" {
                            doc.kind = Some(value.into_owned());
                        }
                    }
                },
                2 => match entry_key.take() {
                    None => entry_key = Some(value.into_owned()),
                    Some(key) => match section.as_deref() {
                        Some("data") => doc.data.push((key, value.into_owned())),
                        Some("stringData") => doc.string_data.push((key, value.into_owned())),
                        _ => {}
                    },
                },
                _ => {}
            },
            _ => {}
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> &'static Path {
        Path::new("secret.yaml")
    }

    #[test]
    fn reads_data_and_string_data() {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: git\n  labels: {a: b}\ntype: Opaque\ndata:\n  username: YWxpY2U=\n  password: czNjcjN0\nstringData:\n  password: override\n";
        let c = Credentials::from_secret_yaml(yaml, path()).unwrap();
        assert_eq!(c.username.as_deref(), Some("alice"));
        assert_eq!(c.password.as_ref().unwrap().expose_secret(), "override");
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("override") && !debug.contains("s3cr3t"),
            "{debug}"
        );
    }

    #[test]
    fn reads_ssh_keys_with_block_scalars() {
        let yaml = "kind: Secret\nstringData:\n  identity: |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n    abc\n    -----END OPENSSH PRIVATE KEY-----\n  known_hosts: \"[127.0.0.1]:22 ssh-ed25519 AAAA\"\n";
        let c = Credentials::from_secret_yaml(yaml, path()).unwrap();
        assert!(c.identity.unwrap().expose_secret().contains("abc\n"));
        assert_eq!(
            c.known_hosts.as_deref(),
            Some("[127.0.0.1]:22 ssh-ed25519 AAAA")
        );
    }

    /// flux-compat.md §2.3: `tls.crt` + `tls.key`, both or neither.
    #[test]
    fn client_certificate_needs_cert_and_key() {
        let both =
            "kind: Secret\nstringData:\n  tls.crt: CERT\n  tls.key: KEY-CANARY\n  ca.crt: CA\n";
        let c = Credentials::from_secret_yaml(both, path()).unwrap();
        assert_eq!(c.tls_cert.as_deref(), Some("CERT"));
        assert_eq!(
            c.client_identity_pem().unwrap().expose_secret(),
            "CERT\nKEY-CANARY"
        );
        assert!(!format!("{c:?}").contains("KEY-CANARY"));
        for one in [
            "kind: Secret\nstringData:\n  tls.crt: CERT\n",
            "kind: Secret\nstringData:\n  tls.key: KEY-CANARY\n",
        ] {
            let err = Credentials::from_secret_yaml(one, path()).unwrap_err();
            assert!(
                matches!(err, SecretError::IncompleteClientCertificate { .. }),
                "{err:?}"
            );
            assert!(!format!("{err} {err:?}").contains("KEY-CANARY"));
        }
    }

    #[test]
    fn identity_needs_known_hosts() {
        let yaml = "kind: Secret\nstringData:\n  identity: key\n";
        assert!(matches!(
            Credentials::from_secret_yaml(yaml, path()),
            Err(SecretError::MissingKnownHosts { .. })
        ));
    }

    #[test]
    fn errors_never_show_values() {
        let yaml = "kind: Secret\ndata:\n  password: not*base64*canary\n";
        let err = Credentials::from_secret_yaml(yaml, path()).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(text.contains("data.password"), "{text}");
        assert!(!text.contains("canary"), "{text}");
    }

    #[test]
    fn other_kinds_and_bad_yaml() {
        assert!(matches!(
            Credentials::from_secret_yaml("kind: ConfigMap\n", path()),
            Err(SecretError::NotASecret { .. })
        ));
        assert!(matches!(
            Credentials::from_secret_yaml("kind: [Secret\n", path()),
            Err(SecretError::Yaml { .. })
        ));
    }
}
