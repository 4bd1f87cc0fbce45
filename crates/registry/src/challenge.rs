//! `WWW-Authenticate` challenges (RFC 7235) as registries send them.
//!
//! A header may hold several challenges separated by commas, and a response
//! may carry several headers: `Bearer realm="https://auth.example/token",
//! service="registry.example",scope="repository:app:pull", Basic realm="x"`.

/// One parsed challenge: a scheme (lower-cased) and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The auth scheme, lower-cased (`bearer`, `basic`).
    pub scheme: String,
    /// `name=value` parameters; names lower-cased, values unquoted.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of a parameter (case-insensitive name).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the registry asks for, picked from its challenges.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthScheme {
    /// Get a token from `realm` (with `service` and `scope` query parameters).
    Bearer {
        /// The token endpoint URL.
        realm: String,
        /// The `service` parameter, passed through to the token endpoint.
        service: Option<String>,
        /// The `scope` the registry asked for, if any.
        scope: Option<String>,
    },
    /// Send the credentials as HTTP basic auth.
    Basic,
}

/// Parses all challenges of one or more `WWW-Authenticate` header values.
/// Malformed pieces are skipped rather than failing the whole header.
pub fn parse_challenges<'a>(headers: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    let mut out = Vec::new();
    for header in headers {
        parse_header(header, &mut out);
    }
    out
}

/// Picks the scheme to use: Bearer with a realm first, then Basic.
pub fn select_scheme(challenges: &[Challenge]) -> Option<AuthScheme> {
    let bearer = challenges.iter().find_map(|c| {
        (c.scheme == "bearer")
            .then(|| c.param("realm"))
            .flatten()
            .filter(|r| !r.is_empty())
            .map(|realm| AuthScheme::Bearer {
                realm: realm.to_owned(),
                service: c.param("service").map(str::to_owned),
                scope: c.param("scope").map(str::to_owned),
            })
    });
    bearer.or_else(|| {
        challenges
            .iter()
            .any(|c| c.scheme == "basic")
            .then_some(AuthScheme::Basic)
    })
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] == b' ' || self.s[self.i] == b'\t') {
            self.i += 1;
        }
    }
    fn skip_ws_commas(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b',') {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn token(&mut self) -> &'a str {
        let start = self.i;
        while self.i < self.s.len() && is_tchar(self.s[self.i]) {
            self.i += 1;
        }
        // Only ASCII tchars were consumed, so this slice is valid UTF-8.
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default()
    }
    /// A token68 may end with `=` padding; the caller decides whether a
    /// token is a parameter name by looking for a following `=` + value.
    fn quoted(&mut self) -> String {
        // Assumes the opening quote is at self.i.
        self.i += 1;
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    if let Some(n) = self.peek() {
                        out.push(n);
                        self.i += 1;
                    }
                }
                _ => out.push(b),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

fn parse_header(header: &str, out: &mut Vec<Challenge>) {
    let mut c = Cursor {
        s: header.as_bytes(),
        i: 0,
    };
    loop {
        c.skip_ws_commas();
        if c.peek().is_none() {
            return;
        }
        let scheme = c.token();
        if scheme.is_empty() {
            // Garbage: skip one byte and try again.
            c.i += 1;
            continue;
        }
        let mut challenge = Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params: Vec::new(),
        };
        // Parameters: name = (token | quoted-string), separated by commas. A
        // token not followed by `=` starts the next challenge.
        loop {
            c.skip_ws_commas();
            let save = c.i;
            let name = c.token();
            if name.is_empty() {
                break;
            }
            c.skip_ws();
            if c.peek() != Some(b'=') {
                c.i = save;
                break;
            }
            c.i += 1;
            c.skip_ws();
            let value = if c.peek() == Some(b'"') {
                c.quoted()
            } else {
                let v = c.token();
                // token68 padding after a bare token (`abc==`) is not a param.
                if v.is_empty() && c.peek() == Some(b'=') {
                    while c.peek() == Some(b'=') {
                        c.i += 1;
                    }
                    continue;
                }
                v.to_owned()
            };
            challenge.params.push((name.to_ascii_lowercase(), value));
        }
        out.push(challenge);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_style_bearer() {
        let cs = parse_challenges([
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull""#,
        ]);
        assert_eq!(cs.len(), 1);
        assert_eq!(
            select_scheme(&cs),
            Some(AuthScheme::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/nginx:pull".into()),
            })
        );
    }

    #[test]
    fn several_challenges_and_odd_spacing() {
        let cs = parse_challenges([
            r#"Basic realm="Registry Realm", BEARER  Realm = "http://127.0.0.1:1/token" , Service=svc"#,
            "Negotiate abc==",
        ]);
        let schemes: Vec<&str> = cs.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["basic", "bearer", "negotiate"]);
        assert_eq!(cs[1].param("realm"), Some("http://127.0.0.1:1/token"));
        assert_eq!(cs[1].param("SERVICE"), Some("svc"));
        assert!(matches!(
            select_scheme(&cs),
            Some(AuthScheme::Bearer { .. })
        ));
    }

    #[test]
    fn basic_only_and_escapes() {
        let cs = parse_challenges([r#"Basic realm="a \"quoted\" realm""#]);
        assert_eq!(cs[0].param("realm"), Some(r#"a "quoted" realm"#));
        assert_eq!(select_scheme(&cs), Some(AuthScheme::Basic));
        // A Bearer challenge without a realm is unusable.
        assert_eq!(select_scheme(&parse_challenges(["Bearer service=x"])), None);
        assert_eq!(select_scheme(&parse_challenges([""])), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,120}") {
            let _ = select_scheme(&parse_challenges([s.as_str()]));
        }
    }
}
