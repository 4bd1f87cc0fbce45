//! Repository URLs: parsing, scp-style normalisation, redaction and cache keys.

use std::fmt;

use sha2::{Digest, Sha256};

/// The transport a [`RepoUrl`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transport {
    /// `http://` (basic or bearer auth).
    Http,
    /// `https://` (basic or bearer auth).
    Https,
    /// `ssh://` (scp-style `user@host:path` is normalised to this).
    Ssh,
    /// `file://` or an absolute local path.
    File,
}

/// Why a URL was refused.
///
/// The offending input is kept only in redacted form: a password embedded in
/// the URL is never echoed back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// The URL could not be parsed at all.
    #[error("invalid repository URL {url:?}")]
    Invalid {
        /// The input with any `user:password@` part redacted.
        url: String,
    },
    /// The scheme is not one of http, https, ssh or file.
    #[error(
        "unsupported scheme in repository URL {url:?}: use https://, http://, ssh:// or file://"
    )]
    UnsupportedScheme {
        /// The input with any `user:password@` part redacted.
        url: String,
    },
    /// The URL carries a password; credentials must come from a secret.
    #[error("repository URL {url:?} embeds a password; pass credentials with a secret instead")]
    EmbeddedPassword {
        /// The URL with the password replaced by `***`.
        url: String,
    },
    /// A relative local path was given where only absolute paths are accepted.
    #[error("local repository path {url:?} must be absolute (or use file://)")]
    RelativePath {
        /// The input.
        url: String,
    },
}

/// A parsed, normalised repository URL that never contains a password.
///
/// `Display` and `Debug` print the normalised form (scp-style addresses become
/// `ssh://user@host/path`).
#[derive(Clone, PartialEq, Eq)]
pub struct RepoUrl {
    url: gix::Url,
    text: String,
    transport: Transport,
}

impl RepoUrl {
    /// Parses `https://`, `http://`, `ssh://`, scp-style `user@host:path`,
    /// `file://` URLs and absolute local paths.
    pub fn parse(input: &str) -> Result<Self, UrlError> {
        let trimmed = input.trim();
        let redacted = redact_userinfo(trimmed);
        if trimmed.is_empty() {
            return Err(UrlError::Invalid { url: redacted });
        }
        let normalised = normalise_scp(trimmed);
        let mut url = gix::url::parse(gix::bstr::BStr::new(normalised.as_str())).map_err(|_| {
            UrlError::Invalid {
                url: redacted.clone(),
            }
        })?;
        if url.password.is_some() {
            return Err(UrlError::EmbeddedPassword { url: redacted });
        }
        let transport = match url.scheme {
            gix::url::Scheme::Http => Transport::Http,
            gix::url::Scheme::Https => Transport::Https,
            gix::url::Scheme::Ssh => Transport::Ssh,
            gix::url::Scheme::File => {
                let path = std::path::Path::new(std::str::from_utf8(&url.path).unwrap_or(""));
                if !path.is_absolute() {
                    return Err(UrlError::RelativePath { url: redacted });
                }
                Transport::File
            }
            _ => return Err(UrlError::UnsupportedScheme { url: redacted }),
        };
        if matches!(
            transport,
            Transport::Http | Transport::Https | Transport::Ssh
        ) && url.host().is_none_or(str::is_empty)
        {
            return Err(UrlError::Invalid { url: redacted });
        }
        url = url.with_request_alternate_form(false);
        let text = url.to_bstring().to_string();
        Ok(RepoUrl {
            url,
            text,
            transport,
        })
    }

    /// The transport this URL uses.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The normalised URL text (never contains a password).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The user name in the URL, if any (`git` in `ssh://git@host/x`).
    pub fn user(&self) -> Option<&str> {
        self.url.user()
    }

    /// The gix form of the URL.
    pub(crate) fn gix_url(&self) -> &gix::Url {
        &self.url
    }

    /// A stable, filesystem-safe key for this URL (hex of a SHA-256 prefix),
    /// used to name the per-URL cache directory.
    pub fn cache_key(&self) -> String {
        let digest = Sha256::digest(self.text.as_bytes());
        hex::encode(&digest[..16])
    }
}

impl fmt::Display for RepoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for RepoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RepoUrl").field(&self.text).finish()
    }
}

impl std::str::FromStr for RepoUrl {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RepoUrl::parse(s)
    }
}

/// Rewrites scp-style `user@host:path` into `ssh://user@host/path`.
///
/// Like git, the scp form is recognised only when there is no `://` and the
/// colon comes before any slash. A relative scp path (`org/repo.git`) becomes
/// the absolute URL path `/org/repo.git`, which is what Git hosts serve;
/// `~/repo` becomes `/~/repo`.
fn normalise_scp(input: &str) -> String {
    if input.contains("://") || input.starts_with('/') {
        return input.to_owned();
    }
    let Some(colon) = input.find(':') else {
        return input.to_owned();
    };
    if input[..colon].contains('/') || colon == 0 {
        return input.to_owned();
    }
    let (authority, path) = (&input[..colon], &input[colon + 1..]);
    let path = path.strip_prefix('/').unwrap_or(path);
    let authority = if authority.contains(':') && !authority.starts_with('[') {
        format!("[{authority}]")
    } else {
        authority.to_owned()
    };
    format!("ssh://{authority}/{path}")
}

/// Replaces the userinfo of a URL-looking string (`user:pass@`) with `***@`,
/// and a password alone with `user:***@`, for error messages.
pub(crate) fn redact_userinfo(input: &str) -> String {
    let Some(scheme_end) = input.find("://") else {
        return input.to_owned();
    };
    let rest = &input[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{}://{}@{}", &input[..scheme_end], masked, &rest[at + 1..])
        }
        None => input.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_kept() {
        let u =
            RepoUrl::parse("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app").unwrap();
        assert_eq!(u.transport(), Transport::Https);
        assert_eq!(
            u.as_str(),
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app"
        );
    }

    #[test]
    fn scp_is_normalised_to_ssh() {
        let u = RepoUrl::parse("git@github.com:org/repo.git").unwrap();
        assert_eq!(u.transport(), Transport::Ssh);
        assert_eq!(u.as_str(), "ssh://git@github.com/org/repo.git");
        assert_eq!(u.user(), Some("git"));
        let same = RepoUrl::parse("ssh://git@github.com/org/repo.git").unwrap();
        assert_eq!(u.cache_key(), same.cache_key());
    }

    #[test]
    fn ssh_with_port() {
        let u = RepoUrl::parse("ssh://root@127.0.0.1:2222/srv/repos/app.git").unwrap();
        assert_eq!(u.as_str(), "ssh://root@127.0.0.1:2222/srv/repos/app.git");
    }

    #[test]
    fn absolute_path_becomes_file() {
        let u = RepoUrl::parse("/srv/repos/app.git").unwrap();
        assert_eq!(u.transport(), Transport::File);
        assert!(matches!(
            RepoUrl::parse("repos/app.git"),
            Err(UrlError::RelativePath { .. }) | Err(UrlError::Invalid { .. })
        ));
    }

    #[test]
    fn embedded_password_is_refused_and_redacted() {
        let err = RepoUrl::parse("https://alice:hunter2@example.com/repo.git").unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("alice:***@example.com"), "{text}");
    }

    #[test]
    fn unsupported_schemes() {
        for bad in ["git://example.com/x.git", "ftp://example.com/x"] {
            assert!(
                matches!(
                    RepoUrl::parse(bad),
                    Err(UrlError::UnsupportedScheme { .. }) | Err(UrlError::Invalid { .. })
                ),
                "{bad}"
            );
        }
        assert!(RepoUrl::parse("").is_err());
    }

    #[test]
    fn redaction() {
        assert_eq!(redact_userinfo("https://u:p@h/x"), "https://u:***@h/x");
        assert_eq!(redact_userinfo("https://u@h/x"), "https://u@h/x");
        assert_eq!(redact_userinfo("https://h/x"), "https://h/x");
    }
}
