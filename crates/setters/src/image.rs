//! Image references: what a resolved policy writes into marked fields.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The image a policy resolved to (Flux's `status.latestRef`): repository
/// name, tag and, when the policy reflects digests, the digest.
///
/// `name` is the repository exactly as the `ImageRepository` names it,
/// registry host and port included (`registry.local:5000/team/app`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ImageRef {
    name: String,
    tag: String,
    digest: Option<String>,
}

/// Why an image reference was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageRefError {
    /// The reference has no tag after the repository name.
    #[error("{input:?} has no tag (expected repo[:port]/path:tag[@sha256:<hex>])")]
    MissingTag {
        /// The reference as given.
        input: String,
    },
    /// The repository name is empty or contains characters an image name cannot.
    #[error("{input:?} has an invalid repository name {name:?}: {reason}")]
    InvalidName {
        /// The reference as given.
        input: String,
        /// The repository part.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The tag is not `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    #[error(
        "{input:?} has an invalid tag {tag:?} (tags are 1-128 of A-Z a-z 0-9 _ . -, not starting with . or -)"
    )]
    InvalidTag {
        /// The reference as given.
        input: String,
        /// The tag part.
        tag: String,
    },
    /// The digest is not `algorithm:hex` (e.g. `sha256:` and 64 hex digits).
    #[error("{input:?} has an invalid digest {digest:?} (expected sha256:<64 hex digits>)")]
    InvalidDigest {
        /// The reference as given.
        input: String,
        /// The digest part.
        digest: String,
    },
}

impl ImageRef {
    /// Builds a reference from its parts, validating each like [`FromStr`] does.
    ///
    /// # Errors
    /// [`ImageRefError`] when a part is malformed.
    pub fn new(
        name: impl Into<String>,
        tag: impl Into<String>,
        digest: Option<String>,
    ) -> Result<Self, ImageRefError> {
        let (name, tag) = (name.into(), tag.into());
        let input = match &digest {
            Some(d) => format!("{name}:{tag}@{d}"),
            None => format!("{name}:{tag}"),
        };
        check_name(&input, &name)?;
        check_tag(&input, &tag)?;
        if let Some(d) = &digest {
            check_digest(&input, d)?;
        }
        Ok(ImageRef { name, tag, digest })
    }

    /// The repository, registry host and port included, without tag or digest.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tag.
    #[must_use]
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The digest (`sha256:…`), when known.
    #[must_use]
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }
}

/// `name:tag`, or `name:tag@digest` when a digest is known: the value a
/// full-reference marker (`NS:NAME`) receives.
impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.tag)?;
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// Parses `repo[:port]/path:tag[@sha256:<hex>]`. The tag is the part after
/// the last `:` that follows the last `/`, so registry ports are kept in the
/// name.
impl FromStr for ImageRef {
    type Err = ImageRefError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let (rest, digest) = match input.split_once('@') {
            Some((rest, d)) => (rest, Some(d.to_owned())),
            None => (input, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let Some(colon) = rest[last_slash..].rfind(':').map(|i| i + last_slash) else {
            return Err(ImageRefError::MissingTag {
                input: input.to_owned(),
            });
        };
        let (name, tag) = (&rest[..colon], &rest[colon + 1..]);
        check_name(input, name)?;
        check_tag(input, tag)?;
        if let Some(d) = &digest {
            check_digest(input, d)?;
        }
        Ok(ImageRef {
            name: name.to_owned(),
            tag: tag.to_owned(),
            digest,
        })
    }
}

fn check_name(input: &str, name: &str) -> Result<(), ImageRefError> {
    let fail = |reason| {
        Err(ImageRefError::InvalidName {
            input: input.to_owned(),
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return fail("it is empty");
    }
    if name.len() > 255 {
        return fail("it is longer than 255 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/' | b':'))
    {
        return fail("only letters, digits and . _ - / : are allowed");
    }
    if name.split('/').any(str::is_empty) {
        return fail("it has an empty path component");
    }
    Ok(())
}

fn check_tag(input: &str, tag: &str) -> Result<(), ImageRefError> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && !tag.starts_with(['.', '-']);
    if ok {
        Ok(())
    } else {
        Err(ImageRefError::InvalidTag {
            input: input.to_owned(),
            tag: tag.to_owned(),
        })
    }
}

fn check_digest(input: &str, digest: &str) -> Result<(), ImageRefError> {
    let ok = match digest.split_once(':') {
        Some((algo, hex)) => {
            !algo.is_empty()
                && algo
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b))
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
                && (algo != "sha256" || hex.len() == 64)
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ImageRefError::InvalidDigest {
            input: input.to_owned(),
            digest: digest.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_name_tag_and_keeps_registry_port() {
        let r: ImageRef = "localhost:5000/team/app:1.2.3".parse().unwrap();
        assert_eq!(r.name(), "localhost:5000/team/app");
        assert_eq!(r.tag(), "1.2.3");
        assert_eq!(r.digest(), None);
        assert_eq!(r.to_string(), "localhost:5000/team/app:1.2.3");
    }

    #[test]
    fn parses_digest() {
        let r: ImageRef = format!("ghcr.io/org/app:v1@{D}").parse().unwrap();
        assert_eq!(r.digest(), Some(D));
        assert_eq!(r.to_string(), format!("ghcr.io/org/app:v1@{D}"));
    }

    #[test]
    fn rejects_missing_tag_even_with_port() {
        assert!(matches!(
            "localhost:5000/app".parse::<ImageRef>(),
            Err(ImageRefError::MissingTag { .. })
        ));
        assert!(matches!(
            "app".parse::<ImageRef>(),
            Err(ImageRefError::MissingTag { .. })
        ));
    }

    #[test]
    fn rejects_bad_parts() {
        assert!(matches!(
            "app:".parse::<ImageRef>(),
            Err(ImageRefError::InvalidTag { .. })
        ));
        assert!(matches!(
            "a b:1".parse::<ImageRef>(),
            Err(ImageRefError::InvalidName { .. })
        ));
        assert!(matches!(
            "a//b:1".parse::<ImageRef>(),
            Err(ImageRefError::InvalidName { .. })
        ));
        assert!(matches!(
            "app:1@sha256:abc".parse::<ImageRef>(),
            Err(ImageRefError::InvalidDigest { .. })
        ));
        assert!(matches!(
            ":1".parse::<ImageRef>(),
            Err(ImageRefError::InvalidName { .. })
        ));
    }

    #[test]
    fn new_validates() {
        assert!(ImageRef::new("app", "1", None).is_ok());
        assert!(ImageRef::new("app", "", None).is_err());
        assert!(ImageRef::new("app", "1", Some("md5".into())).is_err());
    }
}
