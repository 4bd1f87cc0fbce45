//! Docker `config.json` credentials, and Flux's `kubernetes.io/dockerconfigjson` Secrets.
//!
//! Accepted inputs (all end up as a map from registry host to [`Credentials`]):
//!
//! * a Docker `config.json`: `{"auths": {"ghcr.io": {"auth": "<base64 user:pass>"}}}`, where an
//!   entry has `auth` or `username` + `password` (`auth` wins when both are present);
//! * a Kubernetes Secret of type `kubernetes.io/dockerconfigjson` with the config under
//!   `data[".dockerconfigjson"]` (base64) or `stringData[".dockerconfigjson"]` — what Flux's
//!   `ImageRepository.spec.secretRef` names;
//! * the legacy `kubernetes.io/dockercfg` form (`.dockercfg`: the `auths` map itself).
//!
//! Keys may be written as URLs (`https://index.docker.io/v1/`): the scheme and path are
//! dropped, and Docker Hub's aliases all mean `index.docker.io`. Credential helpers
//! (`credsStore`, `credHelpers`) and identity tokens are not supported.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

use crate::Credentials;
use crate::reference::canonical_registry;

/// Why a Docker config or Secret could not be read. Messages name the field
/// and never include credential values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DockerConfigError {
    /// The bytes were not JSON.
    #[error("not valid JSON")]
    Json {
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The document is neither a Docker config nor a dockerconfigjson Secret.
    #[error("neither a Docker config (no \"auths\") nor a Secret with data[\".dockerconfigjson\"]")]
    UnknownShape,
    /// A Secret of a type that does not hold registry credentials.
    #[error("Secret has type {secret_type:?}; expected kubernetes.io/dockerconfigjson")]
    SecretType {
        /// The Secret's `type`.
        secret_type: String,
    },
    /// A Secret field that should be base64 was not.
    #[error("{field} is not valid base64")]
    SecretBase64 {
        /// The field path, e.g. `data[".dockerconfigjson"]`.
        field: String,
        /// The decode error.
        #[source]
        source: base64::DecodeError,
    },
    /// The config embedded in a Secret was not JSON.
    #[error("{field} does not hold JSON")]
    SecretJson {
        /// The field path.
        field: String,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// A field had the wrong JSON type.
    #[error("{field} must be {expected}")]
    FieldType {
        /// The field path, e.g. `auths["ghcr.io"].auth`.
        field: String,
        /// What it should be.
        expected: &'static str,
    },
    /// An `auth` value is not base64 of `username:password`.
    #[error("auths[{registry:?}].auth is not base64 of \"username:password\"")]
    Auth {
        /// The registry key of the entry.
        registry: String,
    },
}

/// Registry credentials read from a Docker config or dockerconfigjson Secret.
#[derive(Debug, Clone, Default)]
pub struct DockerConfig {
    auths: BTreeMap<String, Credentials>,
}

impl DockerConfig {
    /// Reads a Docker `config.json` or a JSON dockerconfigjson Secret.
    ///
    /// ```
    /// let cfg = weir_registry::DockerConfig::from_json(
    ///     br#"{"auths": {"https://index.docker.io/v1/": {"username": "me", "password": "pw"}}}"#,
    /// )?;
    /// let creds = cfg.credentials_for("docker.io").expect("an entry");
    /// assert_eq!(creds.username(), Some("me"));
    /// # Ok::<(), weir_registry::DockerConfigError>(())
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Self, DockerConfigError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|source| DockerConfigError::Json { source })?;
        Self::from_value(&value)
    }

    /// Reads an already parsed document (e.g. YAML parsed into a JSON tree):
    /// a Docker config or a dockerconfigjson Secret.
    pub fn from_value(value: &Value) -> Result<Self, DockerConfigError> {
        if value.get("auths").is_some() {
            return Self::from_auths(value.get("auths"), "auths");
        }
        if value.get("kind").and_then(Value::as_str) == Some("Secret")
            || value.get("data").is_some()
            || value.get("stringData").is_some()
        {
            return Self::from_secret(value);
        }
        // An empty `{}` config (or only credsStore etc.) means "no credentials".
        match value.as_object() {
            Some(map) if !map.contains_key("kind") => Ok(Self::default()),
            _ => Err(DockerConfigError::UnknownShape),
        }
    }

    fn from_secret(secret: &Value) -> Result<Self, DockerConfigError> {
        let secret_type = secret
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("kubernetes.io/dockerconfigjson");
        let (key, legacy) = match secret_type {
            "kubernetes.io/dockerconfigjson" => (".dockerconfigjson", false),
            "kubernetes.io/dockercfg" => (".dockercfg", true),
            other => {
                return Err(DockerConfigError::SecretType {
                    secret_type: other.to_owned(),
                });
            }
        };
        let raw: Vec<u8> = if let Some(v) = secret.get("stringData").and_then(|d| d.get(key)) {
            let field = format!("stringData[{key:?}]");
            v.as_str()
                .ok_or(DockerConfigError::FieldType {
                    field,
                    expected: "a string",
                })?
                .as_bytes()
                .to_vec()
        } else if let Some(v) = secret.get("data").and_then(|d| d.get(key)) {
            let field = format!("data[{key:?}]");
            let text = v.as_str().ok_or_else(|| DockerConfigError::FieldType {
                field: field.clone(),
                expected: "a base64 string",
            })?;
            let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|source| DockerConfigError::SecretBase64 { field, source })?
        } else {
            return Err(DockerConfigError::UnknownShape);
        };
        let field = format!("{key} in the Secret");
        let inner: Value = serde_json::from_slice(&raw)
            .map_err(|source| DockerConfigError::SecretJson { field, source })?;
        if legacy {
            Self::from_auths(Some(&inner), key)
        } else {
            Self::from_auths(inner.get("auths"), "auths")
        }
    }

    fn from_auths(auths: Option<&Value>, field: &str) -> Result<Self, DockerConfigError> {
        let mut out = DockerConfig::default();
        let Some(auths) = auths else {
            return Ok(out);
        };
        let map = auths
            .as_object()
            .ok_or_else(|| DockerConfigError::FieldType {
                field: field.to_owned(),
                expected: "an object",
            })?;
        for (key, entry) in map {
            let str_field = |name: &str| -> Result<Option<&str>, DockerConfigError> {
                match entry.get(name) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.as_str())),
                    Some(_) => Err(DockerConfigError::FieldType {
                        field: format!("{field}[{key:?}].{name}"),
                        expected: "a string",
                    }),
                }
            };
            let creds = if let Some(auth) = str_field("auth")?.filter(|a| !a.is_empty()) {
                decode_auth(auth).ok_or_else(|| DockerConfigError::Auth {
                    registry: key.clone(),
                })?
            } else {
                match (str_field("username")?, str_field("password")?) {
                    (Some(u), Some(p)) if !u.is_empty() => Credentials::basic(u, p),
                    // No usable credentials (identity tokens, empty entries): skip.
                    _ => continue,
                }
            };
            out.auths.insert(normalize_key(key), creds);
        }
        Ok(out)
    }

    /// Adds or replaces the credentials for a registry host.
    pub fn insert(&mut self, registry: &str, credentials: Credentials) {
        self.auths.insert(normalize_key(registry), credentials);
    }

    /// The credentials for a registry (`host[:port]`), if the config has them.
    pub fn credentials_for(&self, registry: &str) -> Option<&Credentials> {
        self.auths.get(&normalize_key(registry))
    }

    /// The registry hosts that have credentials.
    pub fn registries(&self) -> impl Iterator<Item = &str> {
        self.auths.keys().map(String::as_str)
    }
}

/// `https://index.docker.io/v1/` → `index.docker.io`; `GHCR.io` → `ghcr.io`.
fn normalize_key(key: &str) -> String {
    let without_scheme = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = without_scheme.split('/').next().unwrap_or_default();
    canonical_registry(&host.to_ascii_lowercase()).to_owned()
}

/// base64 `username:password` → credentials (the password may contain `:`).
fn decode_auth(auth: &str) -> Option<Credentials> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, pass) = text.split_once(':')?;
    (!user.is_empty()).then(|| Credentials::basic(user, pass))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn password(c: &Credentials) -> String {
        match c {
            Credentials::Basic { password, .. } => password.expose_secret().to_owned(),
            Credentials::Anonymous => String::new(),
        }
    }

    #[test]
    fn auth_and_username_password_entries() {
        let cfg = DockerConfig::from_json(
            br#"{"auths": {
                "ghcr.io": {"auth": "dXNlcjpwYTpzcw=="},
                "https://index.docker.io/v1/": {"username": "hub", "password": "hubpw"},
                "localhost:5000": {"auth": "dTpw", "username": "ignored", "password": "ignored"},
                "quay.io": {"identitytoken": "x"}
            }, "credsStore": "desktop"}"#,
        )
        .unwrap();
        let ghcr = cfg.credentials_for("ghcr.io").unwrap();
        assert_eq!(
            (ghcr.username(), password(ghcr).as_str()),
            (Some("user"), "pa:ss")
        );
        let hub = cfg.credentials_for("index.docker.io").unwrap();
        assert_eq!(hub.username(), Some("hub"));
        assert!(cfg.credentials_for("registry-1.docker.io").is_some());
        assert_eq!(
            cfg.credentials_for("localhost:5000").unwrap().username(),
            Some("u")
        );
        assert!(cfg.credentials_for("quay.io").is_none());
        assert!(cfg.credentials_for("localhost").is_none());
    }

    #[test]
    fn flux_secret_forms() {
        let inner =
            r#"{"auths":{"123456789012.dkr.ecr.eu-west-1.amazonaws.com":{"auth":"QVdTOnRva2Vu"}}}"#;
        let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
        let secret = serde_json::json!({
            "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "metadata": {"name": "regcred"},
            "data": {".dockerconfigjson": b64},
        });
        let cfg = DockerConfig::from_value(&secret).unwrap();
        let c = cfg
            .credentials_for("123456789012.dkr.ecr.eu-west-1.amazonaws.com")
            .unwrap();
        assert_eq!((c.username(), password(c).as_str()), (Some("AWS"), "token"));

        let string_data = serde_json::json!({
            "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "stringData": {".dockerconfigjson": inner},
        });
        assert!(
            DockerConfig::from_value(&string_data)
                .unwrap()
                .credentials_for("123456789012.dkr.ecr.eu-west-1.amazonaws.com")
                .is_some()
        );

        let legacy = serde_json::json!({
            "kind": "Secret", "type": "kubernetes.io/dockercfg",
            "stringData": {".dockercfg": r#"{"ghcr.io":{"auth":"dTpw"}}"#},
        });
        assert!(
            DockerConfig::from_value(&legacy)
                .unwrap()
                .credentials_for("ghcr.io")
                .is_some()
        );
    }

    #[test]
    fn errors_name_the_field_not_the_secret() {
        let e = DockerConfig::from_json(
            br#"{"auths": {"ghcr.io": {"auth": "%%%not-base64-hunter2"}}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"auths["ghcr.io"].auth is not base64 of "username:password""#
        );
        assert!(!format!("{e:?}").contains("hunter2"));
        let e = DockerConfig::from_json(br#"{"auths": {"ghcr.io": {"password": 7}}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"auths["ghcr.io"].password must be a string"#
        );
        let e = DockerConfig::from_value(
            &serde_json::json!({"kind": "Secret", "type": "Opaque", "data": {}}),
        )
        .unwrap_err();
        assert!(matches!(e, DockerConfigError::SecretType { .. }));
        let e = DockerConfig::from_value(&serde_json::json!({"kind": "ConfigMap"})).unwrap_err();
        assert!(matches!(e, DockerConfigError::UnknownShape));
        assert!(
            DockerConfig::from_json(b"{}")
                .unwrap()
                .registries()
                .next()
                .is_none()
        );
        assert!(matches!(
            DockerConfig::from_json(b"nope"),
            Err(DockerConfigError::Json { .. })
        ));
    }
}
