//! `Secret` (`v1`): credentials for Git and registries. Values are held as
//! [`SecretString`]s and never reach `Debug` output or errors.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use secrecy::{ExposeSecret as _, SecretString};

use crate::meta::ObjectMeta;
use crate::{ApiError, Kind};

/// A Kubernetes Secret with its `data` decoded and `stringData` merged in
/// (`stringData` wins for a key in both, as in Kubernetes).
#[derive(Clone)]
#[non_exhaustive]
pub struct Secret {
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `type`, e.g. `kubernetes.io/dockerconfigjson`; `Opaque` when unset.
    pub secret_type: String,
    values: BTreeMap<String, SecretString>,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("metadata", &self.metadata)
            .field("type", &self.secret_type)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Secret {
    /// A secret from plain values (tests, generated configs).
    pub fn from_values(
        metadata: ObjectMeta,
        secret_type: impl Into<String>,
        values: impl IntoIterator<Item = (String, String)>,
    ) -> Secret {
        Secret {
            metadata,
            secret_type: secret_type.into(),
            values: values
                .into_iter()
                .map(|(k, v)| (k, SecretString::from(v)))
                .collect(),
        }
    }

    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.metadata.namespace(), self.metadata.name)
    }

    /// Reads a Secret document.
    pub(crate) fn from_value(
        value: &serde_json::Value,
        metadata: ObjectMeta,
    ) -> Result<Secret, ApiError> {
        let id = format!("{}/{}", metadata.namespace(), metadata.name);
        let invalid = |field: String, reason: &str| ApiError::Invalid {
            kind: Kind::Secret,
            id: id.clone(),
            field,
            reason: reason.to_owned(),
        };
        let secret_type = match value.get("type") {
            None | Some(serde_json::Value::Null) => "Opaque".to_owned(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(_) => return Err(invalid("type".into(), "must be a string")),
        };
        let mut values = BTreeMap::new();
        if let Some(data) = value.get("data").filter(|d| !d.is_null()) {
            let map = data
                .as_object()
                .ok_or_else(|| invalid("data".into(), "must be a mapping"))?;
            for (key, v) in map {
                let text = v
                    .as_str()
                    .ok_or_else(|| invalid(format!("data.{key}"), "must be a string"))?;
                let compact: String = text.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(compact.as_bytes())
                    .map_err(|_| invalid(format!("data.{key}"), "is not valid base64"))?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| invalid(format!("data.{key}"), "is not UTF-8 text"))?;
                values.insert(key.clone(), SecretString::from(text));
            }
        }
        if let Some(data) = value.get("stringData").filter(|d| !d.is_null()) {
            let map = data
                .as_object()
                .ok_or_else(|| invalid("stringData".into(), "must be a mapping"))?;
            for (key, v) in map {
                let text = v
                    .as_str()
                    .ok_or_else(|| invalid(format!("stringData.{key}"), "must be a string"))?;
                values.insert(key.clone(), SecretString::from(text.to_owned()));
            }
        }
        Ok(Secret {
            metadata,
            secret_type,
            values,
        })
    }

    /// The keys present.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// One value.
    pub fn get(&self, key: &str) -> Option<&SecretString> {
        self.values.get(key)
    }

    /// The Git credentials (flux-compat §2.3: `username`, `password`,
    /// `bearerToken`, `identity`, `known_hosts`, `ca.crt`/`caFile`, and
    /// `tls.crt` + `tls.key` for mutual TLS, both or neither). The password,
    /// token, SSH key and TLS key stay [`SecretString`]s; errors name keys,
    /// never values.
    pub fn git_credentials(&self) -> Result<weir_source::Credentials, ApiError> {
        let mut c = weir_source::Credentials::none();
        let text = |k: &str| self.get(k).map(|v| v.expose_secret().to_owned());
        c.username = text("username");
        c.password = self.get("password").cloned();
        c.bearer_token = self.get("bearerToken").cloned();
        c.identity = self.get("identity").cloned();
        c.known_hosts = text("known_hosts");
        c.ca_cert = text("ca.crt").or_else(|| text("caFile"));
        c.tls_cert = text("tls.crt");
        c.tls_key = self.get("tls.key").cloned();
        if c.tls_cert.is_some() != c.tls_key.is_some() {
            let missing = if c.tls_cert.is_none() {
                "tls.crt"
            } else {
                "tls.key"
            };
            return Err(ApiError::Invalid {
                kind: Kind::Secret,
                id: self.id(),
                field: format!("data.{missing}"),
                reason: "is required with the other half of the client certificate (tls.crt and tls.key go together)".into(),
            });
        }
        if c.identity.is_some() && c.known_hosts.is_none() {
            return Err(ApiError::Invalid {
                kind: Kind::Secret,
                id: self.id(),
                field: "data.known_hosts".into(),
                reason: "is required with identity (host key checking is mandatory)".into(),
            });
        }
        Ok(c)
    }

    /// The registry credentials of a `kubernetes.io/dockerconfigjson` (or
    /// legacy `dockercfg`) Secret.
    pub fn docker_config(&self) -> Result<weir_registry::DockerConfig, ApiError> {
        let (key, ty) = if self.values.contains_key(".dockerconfigjson") {
            (".dockerconfigjson", "kubernetes.io/dockerconfigjson")
        } else {
            (".dockercfg", "kubernetes.io/dockercfg")
        };
        let Some(value) = self.get(key) else {
            return Err(ApiError::Invalid {
                kind: Kind::Secret,
                id: self.id(),
                field: "data".into(),
                reason: "has no .dockerconfigjson key".into(),
            });
        };
        let doc = serde_json::json!({
            "kind": "Secret",
            "type": ty,
            "stringData": { key: value.expose_secret() },
        });
        weir_registry::DockerConfig::from_value(&doc).map_err(|source| ApiError::DockerConfig {
            id: self.id(),
            source,
        })
    }
}
