//! Registry mirrors: `HOST=URL` sends every request for `HOST` to `URL`.
//!
//! Credentials and ECR detection keep using `HOST`; only the transport goes
//! to `URL`. That is what pull-through caches need, and how tests serve an
//! ECR host name from a loopback registry.
//!
//! The file form has one `HOST=URL` per line; blank lines and lines starting
//! with `#` are ignored:
//!
//! ```text
//! # pull-through cache for Docker Hub
//! docker.io=https://mirror.internal.example
//! 123456789012.dkr.ecr.eu-west-1.amazonaws.com=https://ecr-cache.internal.example/prefix
//! ```

use std::collections::BTreeMap;

use reqwest::Url;

use crate::reference::canonical_registry;

/// Why a mirror specification was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MirrorError {
    /// Not of the form `HOST=URL`.
    #[error("{origin}: expected HOST=URL, got {spec:?}")]
    Syntax {
        /// Where the spec came from (`--registry-mirror`, `FILE:LINE`).
        origin: String,
        /// The spec.
        spec: String,
    },
    /// The URL does not parse, is not http(s), or has credentials, a query or a fragment.
    #[error(
        "{origin}: mirror URL for {host} must be http(s)://host[:port][/path] without credentials, query or fragment"
    )]
    Url {
        /// Where the spec came from.
        origin: String,
        /// The mirrored host.
        host: String,
    },
}

/// Mirror table: registry host → base URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mirrors {
    map: BTreeMap<String, Url>,
}

impl Mirrors {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one `HOST=URL` spec; `origin` names where it came from, for errors.
    ///
    /// ```
    /// let mut m = weir_registry::Mirrors::new();
    /// m.add_spec("docker.io=http://127.0.0.1:5000", "--registry-mirror")?;
    /// assert_eq!(m.get("index.docker.io").map(|u| u.as_str()), Some("http://127.0.0.1:5000/"));
    /// # Ok::<(), weir_registry::MirrorError>(())
    /// ```
    pub fn add_spec(&mut self, spec: &str, origin: &str) -> Result<(), MirrorError> {
        let syntax = || MirrorError::Syntax {
            origin: origin.to_owned(),
            spec: spec.to_owned(),
        };
        let (host, url) = spec.split_once('=').ok_or_else(syntax)?;
        let (host, url) = (host.trim(), url.trim());
        if host.is_empty() || host.contains('/') || url.is_empty() {
            return Err(syntax());
        }
        let host = canonical_registry(&host.to_ascii_lowercase()).to_owned();
        let bad_url = || MirrorError::Url {
            origin: origin.to_owned(),
            host: host.clone(),
        };
        let mut parsed = Url::parse(url).map_err(|_| bad_url())?;
        let ok = matches!(parsed.scheme(), "http" | "https")
            && parsed.host_str().is_some()
            && parsed.username().is_empty()
            && parsed.password().is_none()
            && parsed.query().is_none()
            && parsed.fragment().is_none();
        if !ok {
            return Err(bad_url());
        }
        // The base must end in `/` so that `v2/…` joins below its path.
        if !parsed.path().ends_with('/') {
            let path = format!("{}/", parsed.path());
            parsed.set_path(&path);
        }
        self.map.insert(host, parsed);
        Ok(())
    }

    /// Reads the file form (one `HOST=URL` per line); `name` is used in errors.
    pub fn add_file(&mut self, text: &str, name: &str) -> Result<(), MirrorError> {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            self.add_spec(line, &format!("{name}:{}", i + 1))?;
        }
        Ok(())
    }

    /// The mirror base URL for a registry (`host[:port]`), if any.
    pub fn get(&self, registry: &str) -> Option<&Url> {
        self.map
            .get(canonical_registry(&registry.to_ascii_lowercase()))
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_and_files() {
        let mut m = Mirrors::new();
        m.add_file(
            "# comment\n\n123.dkr.ecr.us-east-1.amazonaws.com = http://127.0.0.1:9/pre\nghcr.io=https://cache.example/\n",
            "mirrors.txt",
        )
        .unwrap();
        assert_eq!(
            m.get("123.dkr.ecr.us-east-1.amazonaws.com")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/pre/"
        );
        assert_eq!(m.get("GHCR.io").unwrap().as_str(), "https://cache.example/");
        assert!(m.get("quay.io").is_none());
    }

    #[test]
    fn rejects_bad_specs_without_echoing_credentials() {
        let mut m = Mirrors::new();
        let e = m.add_spec("nohost", "--registry-mirror").unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"--registry-mirror: expected HOST=URL, got "nohost""#
        );
        let e = m
            .add_spec("ghcr.io=https://user:hunter2@cache.example", "m.txt:3")
            .unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(matches!(e, MirrorError::Url { .. }));
        assert!(m.add_spec("ghcr.io=ftp://x", "f").is_err());
        assert!(m.add_spec("ghcr.io=http://x/?a=b", "f").is_err());
        assert!(
            m.add_file("ok.io=http://x\nbad line\n", "m.txt")
                .unwrap_err()
                .to_string()
                .starts_with("m.txt:2:")
        );
    }
}
