//! Request building and small response helpers, kept free of I/O so tests
//! drive them without a server.

use reqwest::Url;

use crate::Mirrors;

/// The `Accept` header for manifest requests: OCI and Docker images and indexes.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// Where requests for a registry go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// The base URL (ends in `/`; requests join `v2/…` onto it).
    Url(Url),
    /// The endpoint would be plain HTTP, which needs `insecure`.
    PlainHttpRefused(Url),
    /// `host[:port]` does not form a URL.
    Invalid,
}

/// The base URL for a registry: its mirror if one is configured, otherwise
/// `https://<registry>/` (or `http://` when `insecure`). A plain-HTTP mirror
/// also needs `insecure`: credentials would travel in clear text.
///
/// ```
/// use weir_registry::request::{base_url, Endpoint};
/// let mirrors = weir_registry::Mirrors::new();
/// assert!(matches!(base_url("ghcr.io", &mirrors, false), Endpoint::Url(u) if u.as_str() == "https://ghcr.io/"));
/// ```
pub fn base_url(registry: &str, mirrors: &Mirrors, insecure: bool) -> Endpoint {
    let url = match mirrors.get(registry) {
        Some(mirror) => mirror.clone(),
        None => {
            let scheme = if insecure { "http" } else { "https" };
            match Url::parse(&format!("{scheme}://{registry}/")) {
                Ok(u) => u,
                Err(_) => return Endpoint::Invalid,
            }
        }
    };
    if url.scheme() == "http" && !insecure {
        Endpoint::PlainHttpRefused(url)
    } else {
        Endpoint::Url(url)
    }
}

/// `<base>v2/<repository>/manifests/<reference>`.
pub fn manifest_url(base: &Url, repository: &str, reference: &str) -> Option<Url> {
    base.join(&format!("v2/{repository}/manifests/{reference}"))
        .ok()
}

/// The token endpoint URL: the realm with `service` and one `scope` parameter
/// per scope (the registry's own scope first, then ours if different).
pub fn token_url(realm: &str, service: Option<&str>, scopes: &[&str]) -> Option<Url> {
    let mut url = Url::parse(realm).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    {
        let mut q = url.query_pairs_mut();
        if let Some(service) = service {
            q.append_pair("service", service);
        }
        let mut seen: Vec<&str> = Vec::new();
        for scope in scopes {
            if !scope.is_empty() && !seen.contains(scope) {
                q.append_pair("scope", scope);
                seen.push(scope);
            }
        }
    }
    Some(url)
}

/// The pull scope of a repository: `repository:<name>:pull`.
pub fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

/// A token endpoint answer: `token` or (OAuth2 style) `access_token`.
#[derive(serde::Deserialize)]
struct TokenBody {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// Extracts the bearer token from a token endpoint's JSON answer.
pub fn parse_token(body: &[u8]) -> Option<secrecy::SecretString> {
    let parsed: TokenBody = serde_json::from_slice(body).ok()?;
    parsed
        .token
        .filter(|t| !t.is_empty())
        .or(parsed.access_token.filter(|t| !t.is_empty()))
        .map(secrecy::SecretString::from)
}

/// Checks a `Docker-Content-Digest` value: `sha256:<64 hex>` (or sha384/sha512).
pub fn parse_digest(value: &str) -> Option<String> {
    let (algo, hex) = value.trim().split_once(':')?;
    let len = match algo {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return None,
    };
    let ok = hex.len() == len
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ok.then(|| format!("{algo}:{hex}"))
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(serde::Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Summarises a distribution error body (`{"errors":[{"code","message"}]}`)
/// as `CODE: message; …`, at most 300 characters. Non-JSON bodies give `None`.
pub fn error_summary(body: &[u8]) -> Option<String> {
    let parsed: ErrorBody = serde_json::from_slice(body).ok()?;
    let mut out = String::new();
    for e in parsed.errors {
        if !out.is_empty() {
            out.push_str("; ");
        }
        match (e.code.is_empty(), e.message.is_empty()) {
            (false, false) => out.push_str(&format!("{}: {}", e.code, e.message)),
            (false, true) => out.push_str(&e.code),
            (true, false) => out.push_str(&e.message),
            (true, true) => {}
        }
    }
    if out.chars().count() > 300 {
        out = out.chars().take(300).collect::<String>() + "…";
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn base_urls_mirrors_and_insecure() {
        let mut m = Mirrors::new();
        assert_eq!(
            base_url("localhost:5000", &m, true),
            Endpoint::Url(Url::parse("http://localhost:5000/").unwrap())
        );
        assert_eq!(
            base_url("ghcr.io", &m, false),
            Endpoint::Url(Url::parse("https://ghcr.io/").unwrap())
        );
        m.add_spec(
            "123.dkr.ecr.us-east-1.amazonaws.com=http://127.0.0.1:9/p",
            "t",
        )
        .unwrap();
        assert!(matches!(
            base_url("123.dkr.ecr.us-east-1.amazonaws.com", &m, false),
            Endpoint::PlainHttpRefused(_)
        ));
        let Endpoint::Url(base) = base_url("123.dkr.ecr.us-east-1.amazonaws.com", &m, true) else {
            panic!("mirror")
        };
        assert_eq!(
            manifest_url(&base, "team/app", "v1").unwrap().as_str(),
            "http://127.0.0.1:9/p/v2/team/app/manifests/v1"
        );
        assert_eq!(base_url("bad host", &m, false), Endpoint::Invalid);
    }

    #[test]
    fn token_urls() {
        let u = token_url(
            "https://auth.example/token?x=1",
            Some("registry.example"),
            &["repository:a/b:pull", "repository:a/b:pull", "aws"],
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "https://auth.example/token?x=1&service=registry.example&scope=repository%3Aa%2Fb%3Apull&scope=aws"
        );
        assert!(token_url("file:///etc/passwd", None, &[]).is_none());
        assert!(token_url("not a url", None, &[]).is_none());
    }

    #[test]
    fn tokens_digests_errors() {
        assert_eq!(
            parse_token(br#"{"token":"t1","access_token":"t2"}"#)
                .unwrap()
                .expose_secret(),
            "t1"
        );
        assert_eq!(
            parse_token(br#"{"access_token":"t2"}"#)
                .unwrap()
                .expose_secret(),
            "t2"
        );
        assert!(parse_token(br#"{"token":""}"#).is_none());
        assert!(parse_token(b"nope").is_none());
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(parse_digest(&d), Some(d.clone()));
        assert_eq!(parse_digest(&format!("sha256:{}", "A".repeat(64))), None);
        assert_eq!(parse_digest("sha256:abc"), None);
        assert_eq!(parse_digest("md5:abc"), None);
        assert_eq!(
            error_summary(br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[]}]}"#),
            Some("UNAUTHORIZED: authentication required".into())
        );
        assert_eq!(error_summary(b"<html>"), None);
        assert_eq!(error_summary(br#"{"errors":[]}"#), None);
    }
}
