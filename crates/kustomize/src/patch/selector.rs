//! Patch targets: kustomize's `target:` selector.
//!
//! A selector matches a resource when every field it sets matches:
//! `group`, `version`, `kind`, `name` and `namespace` are regular expressions
//! anchored at both ends (`name: web` does not match `web-2`; `name: web.*`
//! does); `name` matches the resource's original *or* current name (before or
//! after `namePrefix`/`nameSuffix`), `namespace` its original or current
//! effective namespace (`default` for namespaced objects without one);
//! `labelSelector`/`annotationSelector` use Kubernetes label-selector syntax
//! (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`,
//! `a<1`, joined by `,`) against the current labels/annotations.

use regex::Regex;
use serde_json::{Map, Value};

/// Why a selector could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `group`/`version`/`kind`/`name`/`namespace` is not a valid regex.
    #[error("invalid {field} regex `{pattern}` in patch target")]
    InvalidRegex {
        /// The selector field.
        field: &'static str,
        /// The pattern as written.
        pattern: String,
        /// The regex error.
        #[source]
        source: Box<regex::Error>,
    },
    /// A label or annotation selector does not parse.
    #[error("invalid {field} `{selector}` in patch target: {reason}")]
    InvalidSelector {
        /// `labelSelector` or `annotationSelector`.
        field: &'static str,
        /// The selector as written.
        selector: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The `target:` value is not a map of strings with known keys.
    #[error("invalid patch target field `{field}`: {reason}")]
    InvalidField {
        /// The offending key.
        field: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The fields of a `target:` entry, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectorSpec {
    /// API group (regex).
    pub group: String,
    /// API version (regex).
    pub version: String,
    /// Kind (regex).
    pub kind: String,
    /// Name (regex).
    pub name: String,
    /// Namespace (regex).
    pub namespace: String,
    /// Label selector expression.
    pub label_selector: String,
    /// Annotation selector expression.
    pub annotation_selector: String,
}

impl SelectorSpec {
    /// Reads a `target:` map (`group`, `version`, `kind`, `name`,
    /// `namespace`, `labelSelector`, `annotationSelector`; unknown keys are
    /// an error, as in kustomize's strict decoding).
    pub fn from_value(v: &Value) -> Result<SelectorSpec, Error> {
        let Value::Object(map) = v else {
            return Err(Error::InvalidField {
                field: "target".to_string(),
                reason: "must be a map",
            });
        };
        let mut spec = SelectorSpec::default();
        for (k, val) in map {
            let slot = match k.as_str() {
                "group" => &mut spec.group,
                "version" => &mut spec.version,
                "kind" => &mut spec.kind,
                "name" => &mut spec.name,
                "namespace" => &mut spec.namespace,
                "labelSelector" => &mut spec.label_selector,
                "annotationSelector" => &mut spec.annotation_selector,
                _ => {
                    return Err(Error::InvalidField {
                        field: k.clone(),
                        reason: "unknown field",
                    });
                }
            };
            *slot = match val {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(Error::InvalidField {
                        field: k.clone(),
                        reason: "must be a string",
                    });
                }
            };
        }
        Ok(spec)
    }
}

/// What a selector looks at in a resource.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// API group (`""` for core).
    pub group: &'a str,
    /// API version.
    pub version: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Name as first loaded (before prefixes/suffixes).
    pub original_name: &'a str,
    /// Current name.
    pub current_name: &'a str,
    /// Effective namespace as first loaded (`default` when unset, kustomize's
    /// `_non_namespaceable_` for cluster-scoped kinds).
    pub original_namespace: &'a str,
    /// Current effective namespace.
    pub current_namespace: &'a str,
    /// The current object, for `metadata.labels` and `metadata.annotations`.
    pub object: &'a Value,
}

/// A compiled patch target.
#[derive(Debug, Clone)]
pub struct Selector {
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: LabelSelector,
    annotations: LabelSelector,
}

impl Selector {
    /// Compiles a selector.
    ///
    /// ```
    /// use serde_json::json;
    /// use weir_kustomize::patch::{Candidate, Selector, SelectorSpec};
    ///
    /// let spec = SelectorSpec::from_value(&json!({"kind": "Deployment", "labelSelector": "tier in (web,api)"})).unwrap();
    /// let sel = Selector::new(&spec).unwrap();
    /// let obj = json!({"metadata": {"name": "web", "labels": {"tier": "web"}}});
    /// let c = Candidate {
    ///     group: "apps", version: "v1", kind: "Deployment",
    ///     original_name: "web", current_name: "prod-web",
    ///     original_namespace: "default", current_namespace: "default",
    ///     object: &obj,
    /// };
    /// assert!(sel.matches(&c));
    /// ```
    pub fn new(spec: &SelectorSpec) -> Result<Selector, Error> {
        Ok(Selector {
            group: anchored("group", &spec.group)?,
            version: anchored("version", &spec.version)?,
            kind: anchored("kind", &spec.kind)?,
            name: anchored("name", &spec.name)?,
            namespace: anchored("namespace", &spec.namespace)?,
            labels: LabelSelector::parse(&spec.label_selector).map_err(|reason| {
                Error::InvalidSelector {
                    field: "labelSelector",
                    selector: spec.label_selector.clone(),
                    reason,
                }
            })?,
            annotations: LabelSelector::parse(&spec.annotation_selector).map_err(|reason| {
                Error::InvalidSelector {
                    field: "annotationSelector",
                    selector: spec.annotation_selector.clone(),
                    reason,
                }
            })?,
        })
    }

    /// Whether the resource is selected.
    pub fn matches(&self, c: &Candidate<'_>) -> bool {
        let is = |re: &Option<Regex>, s: &str| re.as_ref().is_none_or(|re| re.is_match(s));
        (is(&self.namespace, c.original_namespace) || is(&self.namespace, c.current_namespace))
            && (is(&self.name, c.original_name) || is(&self.name, c.current_name))
            && is(&self.group, c.group)
            && is(&self.version, c.version)
            && is(&self.kind, c.kind)
            && self.labels.matches(metadata_map(c.object, "labels"))
            && self
                .annotations
                .matches(metadata_map(c.object, "annotations"))
    }
}

fn anchored(field: &'static str, pattern: &str) -> Result<Option<Regex>, Error> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{pattern})$"))
        .map(Some)
        .map_err(|source| Error::InvalidRegex {
            field,
            pattern: pattern.to_string(),
            source: Box::new(source),
        })
}

fn metadata_map<'a>(object: &'a Value, field: &str) -> Option<&'a Map<String, Value>> {
    object.get("metadata")?.get(field)?.as_object()
}

/// A parsed Kubernetes label selector (apimachinery `labels.Parse` syntax).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    DoesNotExist,
    Equals,
    DoubleEquals,
    NotEquals,
    GreaterThan,
    LessThan,
    In,
    NotIn,
    OpenPar,
    ClosePar,
    Comma,
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Ident(s) => s.clone(),
            Token::DoesNotExist => "!".into(),
            Token::Equals => "=".into(),
            Token::DoubleEquals => "==".into(),
            Token::NotEquals => "!=".into(),
            Token::GreaterThan => ">".into(),
            Token::LessThan => "<".into(),
            Token::In => "in".into(),
            Token::NotIn => "notin".into(),
            Token::OpenPar => "(".into(),
            Token::ClosePar => ")".into(),
            Token::Comma => ",".into(),
            Token::End => "end of string".into(),
        }
    }
}

fn is_special(c: char) -> bool {
    matches!(c, '=' | '!' | '(' | ')' | ',' | '>' | '<')
}

fn lex(input: &str) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if is_special(c) {
            let next = chars.get(i + 1).copied();
            let (tok, len) = match (c, next) {
                ('=', Some('=')) => (Token::DoubleEquals, 2),
                ('!', Some('=')) => (Token::NotEquals, 2),
                ('=', _) => (Token::Equals, 1),
                ('!', _) => (Token::DoesNotExist, 1),
                ('(', _) => (Token::OpenPar, 1),
                (')', _) => (Token::ClosePar, 1),
                (',', _) => (Token::Comma, 1),
                ('>', _) => (Token::GreaterThan, 1),
                _ => (Token::LessThan, 1),
            };
            out.push(tok);
            i += len;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !is_special(chars[i]) {
            i += 1;
        }
        out.push(Token::Ident(chars[start..i].iter().collect()));
    }
    out.push(Token::End);
    out
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    /// The next token; `in`/`notin` are operators only where an operator
    /// is expected, identifiers elsewhere.
    fn peek(&self, operators: bool) -> Token {
        let t = self.tokens.get(self.pos).cloned().unwrap_or(Token::End);
        match t {
            Token::Ident(s) if operators && s == "in" => Token::In,
            Token::Ident(s) if operators && s == "notin" => Token::NotIn,
            other => other,
        }
    }

    fn next(&mut self, operators: bool) -> Token {
        let t = self.peek(operators);
        self.pos += 1;
        t
    }
}

fn unexpected(found: &Token, expected: &str) -> String {
    format!("found '{}', expected: {expected}", found.describe())
}

impl LabelSelector {
    /// Parses a selector; the empty selector matches everything.
    pub fn parse(input: &str) -> Result<LabelSelector, String> {
        let mut p = Parser {
            tokens: lex(input),
            pos: 0,
        };
        let mut requirements = Vec::new();
        loop {
            match p.peek(false) {
                Token::Ident(_) | Token::DoesNotExist => {
                    requirements.push(parse_requirement(&mut p)?);
                    match p.next(false) {
                        Token::End => break,
                        Token::Comma => match p.peek(false) {
                            Token::Ident(_) | Token::DoesNotExist => {}
                            t => return Err(unexpected(&t, "identifier after ','")),
                        },
                        t => return Err(unexpected(&t, "',' or 'end of string'")),
                    }
                }
                Token::End => break,
                t => return Err(unexpected(&t, "!, identifier, or 'end of string'")),
            }
        }
        Ok(LabelSelector { requirements })
    }

    /// Whether a label (or annotation) map satisfies every requirement.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
}

fn parse_requirement(p: &mut Parser) -> Result<Requirement, String> {
    let mut op = None;
    let mut tok = p.next(false);
    if tok == Token::DoesNotExist {
        op = Some(Op::DoesNotExist);
        tok = p.next(false);
    }
    let Token::Ident(key) = tok else {
        return Err(unexpected(&tok, "identifier"));
    };
    validate_key(&key)?;
    if matches!(p.peek(false), Token::End | Token::Comma) {
        let op = op.unwrap_or(Op::Exists);
        return Ok(Requirement {
            key,
            op,
            values: Vec::new(),
        });
    }
    if op == Some(Op::DoesNotExist) {
        let t = p.peek(true);
        return Err(unexpected(&t, "',' or 'end of string'"));
    }
    let op = match p.next(true) {
        Token::Equals | Token::DoubleEquals => Op::Equals,
        Token::NotEquals => Op::NotEquals,
        Token::In => Op::In,
        Token::NotIn => Op::NotIn,
        Token::GreaterThan => Op::GreaterThan,
        Token::LessThan => Op::LessThan,
        t => return Err(unexpected(&t, "[!=, ==, =, gt, in, lt, notin]")),
    };
    let values = match op {
        Op::In | Op::NotIn => parse_values(p)?,
        _ => parse_exact_value(p)?,
    };
    for v in &values {
        validate_value(v)?;
    }
    if matches!(op, Op::In | Op::NotIn) && values.is_empty() {
        return Err(format!(
            "for 'in', 'notin' operators, values set can't be empty (key {key})"
        ));
    }
    if matches!(op, Op::GreaterThan | Op::LessThan)
        && values.first().and_then(|v| v.parse::<i64>().ok()).is_none()
    {
        return Err(format!(
            "for 'Gt', 'Lt' operators, the value must be an integer (key {key})"
        ));
    }
    Ok(Requirement { key, op, values })
}

fn parse_values(p: &mut Parser) -> Result<Vec<String>, String> {
    let t = p.next(false);
    if t != Token::OpenPar {
        return Err(unexpected(&t, "'('"));
    }
    match p.peek(false) {
        Token::ClosePar => {
            p.next(false);
            return Ok(vec![String::new()]);
        }
        Token::Ident(_) | Token::Comma => {}
        t => return Err(unexpected(&t, "',', ')' or identifier")),
    }
    let set = parse_identifiers(p)?;
    match p.next(false) {
        Token::ClosePar => Ok(set),
        t => Err(unexpected(&t, "')'")),
    }
}

/// The values of `(a, b, c)` up to (not including) the `)`; empty entries
/// (`(,a)`, `(a,)`) are the empty string.
fn parse_identifiers(p: &mut Parser) -> Result<Vec<String>, String> {
    let mut set: Vec<String> = Vec::new();
    let insert = |set: &mut Vec<String>, s: String| {
        if !set.contains(&s) {
            set.push(s);
        }
    };
    loop {
        match p.next(false) {
            Token::Ident(s) => {
                insert(&mut set, s);
                match p.peek(false) {
                    Token::Comma => {}
                    Token::ClosePar => return Ok(set),
                    t => return Err(unexpected(&t, "',' or ')'")),
                }
            }
            Token::Comma => {
                if set.is_empty() {
                    insert(&mut set, String::new());
                }
                match p.peek(false) {
                    Token::ClosePar => {
                        insert(&mut set, String::new());
                        return Ok(set);
                    }
                    Token::Comma => {
                        p.next(false);
                        insert(&mut set, String::new());
                    }
                    _ => {}
                }
            }
            t => return Err(unexpected(&t, "',', or identifier")),
        }
    }
}

fn parse_exact_value(p: &mut Parser) -> Result<Vec<String>, String> {
    match p.peek(false) {
        Token::End | Token::Comma => Ok(vec![String::new()]),
        _ => match p.next(false) {
            Token::Ident(s) => Ok(vec![s]),
            t => Err(unexpected(&t, "identifier")),
        },
    }
}

fn is_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
                && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// A label key: an optional DNS-subdomain prefix and `/`, then a name of at
/// most 63 characters.
fn validate_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let ok = prefix.is_none_or(is_dns_subdomain) && is_name_part(name);
    if ok {
        Ok(())
    } else {
        Err(format!("invalid label key \"{key}\""))
    }
}

/// A label value: empty, or at most 63 alphanumerics, `-`, `_` and `.`,
/// starting and ending with an alphanumeric.
fn validate_value(v: &str) -> Result<(), String> {
    if v.is_empty() || is_name_part(v) {
        Ok(())
    } else {
        Err(format!("invalid label value: \"{v}\""))
    }
}

fn label_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

impl Requirement {
    fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let value = labels.and_then(|l| l.get(&self.key)).and_then(label_text);
        match self.op {
            Op::Exists => value.is_some(),
            Op::DoesNotExist => value.is_none(),
            Op::Equals | Op::In => value.is_some_and(|v| self.values.contains(&v)),
            Op::NotEquals | Op::NotIn => value.is_none_or(|v| !self.values.contains(&v)),
            Op::GreaterThan | Op::LessThan => {
                let (Some(have), Some(want)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    self.values.first().and_then(|v| v.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.op == Op::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn labels(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn label_selector_operators() {
        let l = labels(json!({"tier": "web", "env": "prod", "n": "5"}));
        let cases = [
            ("", true),
            ("tier=web", true),
            ("tier==web", true),
            ("tier = web", true),
            ("tier=api", false),
            ("tier!=api", true),
            ("tier!=web", false),
            ("missing!=x", true),
            ("tier in (api, web)", true),
            ("tier in (api)", false),
            ("tier notin (api)", true),
            ("tier notin (web)", false),
            ("missing notin (web)", true),
            ("missing in (web)", false),
            ("tier", true),
            ("missing", false),
            ("!missing", true),
            ("!tier", false),
            ("tier=web,env=prod", true),
            ("tier=web,env=dev", false),
            ("n>4", true),
            ("n>5", false),
            ("n<6", true),
            ("tier>1", false),
            ("missing=", false),
            ("example.com/app", false),
        ];
        for (sel, want) in cases {
            let s = LabelSelector::parse(sel).unwrap_or_else(|e| panic!("{sel}: {e}"));
            assert_eq!(s.matches(Some(&l)), want, "{sel}");
        }
        assert!(LabelSelector::parse("!x").unwrap().matches(None));
        assert!(!LabelSelector::parse("x").unwrap().matches(None));
    }

    #[test]
    fn empty_value_matches_empty_label() {
        let l = labels(json!({"a": ""}));
        assert!(LabelSelector::parse("a=").unwrap().matches(Some(&l)));
        assert!(LabelSelector::parse("a in (,x)").unwrap().matches(Some(&l)));
    }

    #[test]
    fn invalid_label_selectors_are_rejected() {
        for sel in [
            "a=b=c", "a in b", "a in (b", "=a", "a,", "!a=b", "a notin", "a>b", "in (a)x", "a b",
            "bad key!", "a=-bad", "_a=b",
        ] {
            assert!(
                LabelSelector::parse(sel).is_err(),
                "{sel} should be invalid"
            );
        }
    }

    fn candidate<'a>(obj: &'a Value, cur: &'a str) -> Candidate<'a> {
        Candidate {
            group: "apps",
            version: "v1",
            kind: "Deployment",
            original_name: "web",
            current_name: cur,
            original_namespace: "default",
            current_namespace: "prod",
            object: obj,
        }
    }

    fn sel(v: Value) -> Selector {
        Selector::new(&SelectorSpec::from_value(&v).unwrap()).unwrap()
    }

    #[test]
    fn regex_fields_are_anchored_and_match_original_or_current_ids() {
        let obj = json!({"metadata": {"name": "dev-web"}});
        let c = candidate(&obj, "dev-web");
        let cases = [
            (json!({}), true),
            (json!({"name": "web"}), true),
            (json!({"name": "dev-web"}), true),
            (json!({"name": "we"}), false),
            (json!({"name": "web|api"}), true),
            (json!({"name": ".*-web"}), true),
            (json!({"kind": "Deploy"}), false),
            (json!({"kind": "Deployment"}), true),
            (json!({"kind": "Deployment|Service"}), true),
            (json!({"group": "apps", "version": "v1"}), true),
            (json!({"group": ""}), true),
            (json!({"version": "v1beta1"}), false),
            (json!({"namespace": "default"}), true),
            (json!({"namespace": "prod"}), true),
            (json!({"namespace": "staging"}), false),
        ];
        for (spec, want) in cases {
            assert_eq!(sel(spec.clone()).matches(&c), want, "{spec}");
        }
    }

    #[test]
    fn label_and_annotation_selectors_read_current_metadata() {
        let obj = json!({"metadata": {"name": "web", "labels": {"tier": "front", "n": 1},
            "annotations": {"patch-me": "true"}}});
        let c = candidate(&obj, "web");
        assert!(sel(json!({"labelSelector": "tier=front"})).matches(&c));
        assert!(sel(json!({"labelSelector": "n=1"})).matches(&c));
        assert!(!sel(json!({"labelSelector": "tier=back"})).matches(&c));
        assert!(sel(json!({"annotationSelector": "patch-me=true"})).matches(&c));
        assert!(!sel(json!({"annotationSelector": "patch-me=false"})).matches(&c));
    }

    #[test]
    fn bad_targets_are_errors_naming_the_field() {
        let err = Selector::new(&SelectorSpec {
            name: "(".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "invalid name regex `(` in patch target");
        let err = Selector::new(&SelectorSpec {
            label_selector: "a in b".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid labelSelector `a in b` in patch target: found 'b', expected: '('"
        );
        assert!(SelectorSpec::from_value(&json!({"labelSelectors": "a"})).is_err());
        assert!(SelectorSpec::from_value(&json!({"name": ["a"]})).is_err());
    }
}
