//! Image repository references (`ghcr.io/org/app`, `nginx`, `localhost:5000/app`).
//!
//! A reference names a *repository*: registry host (with an optional port) and
//! a path, with no scheme, tag or digest — the form Flux's
//! `ImageRepository.spec.image` accepts. Docker Hub short names get Docker's
//! defaults: `nginx` is `index.docker.io/library/nginx`.

use std::fmt;
use std::str::FromStr;

/// The canonical host of Docker Hub (what Flux reports in `canonicalImageName`).
pub const DOCKER_HUB: &str = "index.docker.io";

/// Longest repository path the distribution spec allows (name ≤ 255 chars).
const MAX_PATH_LEN: usize = 255;

/// Why a repository reference was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReferenceError {
    /// The reference was empty.
    #[error("image reference is empty")]
    Empty,
    /// The reference had a URL scheme (`https://…`).
    #[error(
        "image reference {input:?} must not have a scheme (write host/path, e.g. ghcr.io/org/app)"
    )]
    Scheme {
        /// The whole input.
        input: String,
    },
    /// The reference carried a tag (`app:1.0`).
    #[error("image reference {input:?} must name a repository, not a tag (drop {tag:?})")]
    Tag {
        /// The whole input.
        input: String,
        /// The tag part.
        tag: String,
    },
    /// The reference carried a digest (`app@sha256:…`).
    #[error("image reference {input:?} must name a repository, not a digest")]
    Digest {
        /// The whole input.
        input: String,
    },
    /// The registry host part is not a valid `host[:port]`.
    #[error("image reference {input:?}: invalid registry host {host:?}")]
    Host {
        /// The whole input.
        input: String,
        /// The host part.
        host: String,
    },
    /// A path component is not lower-case alphanumerics with `.`, `_`, `__` or `-` separators.
    #[error("image reference {input:?}: invalid path component {component:?}")]
    PathComponent {
        /// The whole input.
        input: String,
        /// The offending component.
        component: String,
    },
    /// The repository path is longer than 255 characters.
    #[error("image reference {input:?}: repository path longer than {MAX_PATH_LEN} characters")]
    TooLong {
        /// The whole input.
        input: String,
    },
}

/// A repository in a registry: `registry/repository`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    registry: String,
    repository: String,
}

impl ImageRef {
    /// Parses a repository reference, applying Docker Hub defaults.
    ///
    /// ```
    /// use weir_registry::ImageRef;
    /// let r = ImageRef::parse("nginx")?;
    /// assert_eq!(r.to_string(), "index.docker.io/library/nginx");
    /// let r = ImageRef::parse("localhost:5000/team/app")?;
    /// assert_eq!((r.registry(), r.repository()), ("localhost:5000", "team/app"));
    /// # Ok::<(), weir_registry::ReferenceError>(())
    /// ```
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        if input.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if input.contains("://") {
            return Err(ReferenceError::Scheme {
                input: input.to_owned(),
            });
        }
        if input.contains('@') {
            return Err(ReferenceError::Digest {
                input: input.to_owned(),
            });
        }
        let (host, path) = match input.split_once('/') {
            Some((first, rest)) if looks_like_host(first) => (first.to_ascii_lowercase(), rest),
            _ => (DOCKER_HUB.to_owned(), input),
        };
        if let Some((_, tag)) = path
            .rsplit('/')
            .next()
            .and_then(|last| last.split_once(':'))
        {
            return Err(ReferenceError::Tag {
                input: input.to_owned(),
                tag: tag.to_owned(),
            });
        }
        if !valid_host(&host) {
            return Err(ReferenceError::Host {
                input: input.to_owned(),
                host,
            });
        }
        for component in path.split('/') {
            if !valid_component(component) {
                return Err(ReferenceError::PathComponent {
                    input: input.to_owned(),
                    component: component.to_owned(),
                });
            }
        }
        let registry = canonical_registry(&host).to_owned();
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_owned()
        };
        if repository.len() > MAX_PATH_LEN {
            return Err(ReferenceError::TooLong {
                input: input.to_owned(),
            });
        }
        Ok(ImageRef {
            registry,
            repository,
        })
    }

    /// The registry as `host[:port]`, lower-case; Docker Hub is `index.docker.io`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The registry host without its port.
    pub fn host(&self) -> &str {
        host_without_port(&self.registry)
    }

    /// The repository path inside the registry (`library/nginx`).
    pub fn repository(&self) -> &str {
        &self.repository
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)
    }
}

impl FromStr for ImageRef {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

/// Docker's rule: the first component is a registry host when it has a `.` or
/// a `:` or is `localhost`.
fn looks_like_host(first: &str) -> bool {
    first.contains('.') || first.contains(':') || first == "localhost"
}

/// Maps Docker Hub's aliases to [`DOCKER_HUB`]; other hosts are returned as is.
pub(crate) fn canonical_registry(host: &str) -> &str {
    match host {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            DOCKER_HUB
        }
        other => other,
    }
}

/// `host:port` → `host`; `[::1]:5000` → `[::1]`.
pub(crate) fn host_without_port(registry: &str) -> &str {
    if registry.starts_with('[') {
        return match registry.find(']') {
            Some(end) => &registry[..=end],
            None => registry,
        };
    }
    match registry.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => registry,
    }
}

/// `host[:port]` where host is a DNS name, IPv4 address or bracketed IPv6 address.
fn valid_host(registry: &str) -> bool {
    let host = host_without_port(registry);
    let port = &registry[host.len()..];
    let port_ok = port.is_empty()
        || (port.len() > 1
            && port.len() <= 6
            && port[1..].bytes().all(|b| b.is_ascii_digit())
            && port.starts_with(':'));
    let host_ok = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        inner.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    host_ok && port_ok
}

/// One path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator run: ".", "_", "__" or one or more "-".
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> (String, String) {
        let r = ImageRef::parse(s).unwrap();
        (r.registry().to_owned(), r.repository().to_owned())
    }

    #[test]
    fn docker_hub_defaults() {
        assert_eq!(
            parts("nginx"),
            ("index.docker.io".into(), "library/nginx".into())
        );
        assert_eq!(
            parts("fluxcd/flux"),
            ("index.docker.io".into(), "fluxcd/flux".into())
        );
        assert_eq!(
            parts("docker.io/nginx"),
            ("index.docker.io".into(), "library/nginx".into())
        );
        assert_eq!(
            parts("registry-1.docker.io/library/alpine"),
            ("index.docker.io".into(), "library/alpine".into())
        );
    }

    #[test]
    fn hosts_and_ports() {
        assert_eq!(
            parts("ghcr.io/org/app"),
            ("ghcr.io".into(), "org/app".into())
        );
        assert_eq!(parts("localhost/app"), ("localhost".into(), "app".into()));
        assert_eq!(
            parts("localhost:5000/a/b/c"),
            ("localhost:5000".into(), "a/b/c".into())
        );
        assert_eq!(
            parts("127.0.0.1:38001/demo/app"),
            ("127.0.0.1:38001".into(), "demo/app".into())
        );
        assert_eq!(parts("[::1]:5000/app"), ("[::1]:5000".into(), "app".into()));
        assert_eq!(
            parts("GHCR.IO/org/app"),
            ("ghcr.io".into(), "org/app".into())
        );
        let r = ImageRef::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app").unwrap();
        assert_eq!(r.host(), "123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        assert_eq!(
            ImageRef::parse("localhost:5000/app").unwrap().host(),
            "localhost"
        );
        assert_eq!(ImageRef::parse("[::1]:5000/app").unwrap().host(), "[::1]");
    }

    #[test]
    fn path_components() {
        assert!(ImageRef::parse("a/b.c_d__e---f").is_ok());
        for bad in [
            "Upper/app",
            "a//b",
            "a/-b",
            "a/b-",
            "a/b___c",
            "a/b._c",
            "a/",
        ] {
            assert!(
                matches!(
                    ImageRef::parse(bad),
                    Err(ReferenceError::PathComponent { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn rejects_tags_digests_schemes() {
        assert!(matches!(ImageRef::parse(""), Err(ReferenceError::Empty)));
        assert!(matches!(
            ImageRef::parse("https://ghcr.io/org/app"),
            Err(ReferenceError::Scheme { .. })
        ));
        assert_eq!(
            ImageRef::parse("ghcr.io/org/app:1.0"),
            Err(ReferenceError::Tag {
                input: "ghcr.io/org/app:1.0".into(),
                tag: "1.0".into()
            })
        );
        assert!(matches!(
            ImageRef::parse("nginx:latest"),
            Err(ReferenceError::Tag { .. })
        ));
        assert!(matches!(
            ImageRef::parse("ghcr.io/app@sha256:abcd"),
            Err(ReferenceError::Digest { .. })
        ));
        assert!(matches!(
            ImageRef::parse("bad_host.io:99999999/app"),
            Err(ReferenceError::Host { .. })
        ));
        let long = format!("ghcr.io/{}", "a".repeat(300));
        assert!(matches!(
            ImageRef::parse(&long),
            Err(ReferenceError::TooLong { .. })
        ));
    }

    #[test]
    fn error_messages() {
        insta::assert_snapshot!(
            ImageRef::parse("ghcr.io/org/app:1.0").unwrap_err().to_string(),
            @r#"image reference "ghcr.io/org/app:1.0" must name a repository, not a tag (drop "1.0")"#
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let _ = ImageRef::parse(&s);
        }

        #[test]
        fn display_round_trips(host in "[a-z]{1,8}\\.[a-z]{2,3}(:[0-9]{1,5})?", path in "[a-z0-9]{1,6}(/[a-z0-9]{1,6}){0,3}") {
            let r = ImageRef::parse(&format!("{host}/{path}")).unwrap();
            let again = ImageRef::parse(&r.to_string()).unwrap();
            proptest::prop_assert_eq!(r, again);
        }
    }
}
