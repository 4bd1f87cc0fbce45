//! Registry credentials, redacted in every `Debug` output.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// How to authenticate to a registry.
///
/// The password is a [`SecretString`]: it is never printed, and `Debug`
/// shows only the username.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Credentials {
    /// No credentials: public repositories, or registries whose token
    /// endpoint hands out anonymous pull tokens.
    #[default]
    Anonymous,
    /// A username and password, used for HTTP basic auth and at Bearer token
    /// endpoints.
    Basic {
        /// The username (not secret; printed in messages).
        username: String,
        /// The password or access token.
        password: SecretString,
    },
}

impl Credentials {
    /// Basic credentials from a username and password.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials::Basic {
            username: username.into(),
            password: SecretString::from(password.into()),
        }
    }

    /// The username, when there is one.
    pub fn username(&self) -> Option<&str> {
        match self {
            Credentials::Anonymous => None,
            Credentials::Basic { username, .. } => Some(username),
        }
    }

    /// The `Authorization: Basic …` header value, when there are credentials.
    pub(crate) fn basic_header(&self) -> Option<SecretString> {
        use base64::Engine as _;
        match self {
            Credentials::Anonymous => None,
            Credentials::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose_secret());
                let encoded = base64::engine::general_purpose::STANDARD.encode(raw.as_bytes());
                Some(SecretString::from(format!("Basic {encoded}")))
            }
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let c = Credentials::basic("robot", "s3cr3t-planted");
        let dbg = format!("{c:?} {c:#?}");
        assert!(!dbg.contains("s3cr3t-planted"), "{dbg}");
        assert!(dbg.contains("robot"));
        let header = c.basic_header().unwrap();
        assert_eq!(header.expose_secret(), "Basic cm9ib3Q6czNjcjN0LXBsYW50ZWQ=");
        assert!(!format!("{header:?}").contains("cm9ib3Q6"));
    }
}
