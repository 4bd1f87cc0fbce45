//! Compiled policies: filter, extract, order, select, explain.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use crate::gofloat::{self, FloatError};
use crate::goregex::{self, RegexError};
use crate::template::{Shape, Template};

/// `spec.filterTags` of an ImagePolicy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterTags {
    /// Go RE2 pattern, searched anywhere in the tag (`""` matches every tag).
    pub pattern: String,
    /// Go `Regexp.Expand` template; `""` means the whole tag.
    pub extract: String,
}

/// `spec.policy` of an ImagePolicy, with its values as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// `semver.range`: a Masterminds v3 constraint.
    Semver {
        /// The range, e.g. `>=1.0.0 <2.0.0`.
        range: String,
    },
    /// `alphabetical.order`: `asc` (default) or `desc`, any case.
    Alphabetical {
        /// The order as written (`""` means `asc`).
        order: String,
    },
    /// `numerical.order`: `asc` (default) or `desc`, any case.
    Numerical {
        /// The order as written (`""` means `asc`).
        order: String,
    },
}

impl Choice {
    /// The policy's name as in the manifest (`semver`, `alphabetical`, `numerical`).
    pub fn kind(&self) -> &'static str {
        match self {
            Choice::Semver { .. } => "semver",
            Choice::Alphabetical { .. } => "alphabetical",
            Choice::Numerical { .. } => "numerical",
        }
    }
}

/// Everything needed to select a tag: the engine's input, free of CRD details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySpec {
    /// `spec.filterTags`, if present (even with an empty pattern).
    pub filter_tags: Option<FilterTags>,
    /// `spec.policy`.
    pub choice: Choice,
}

/// Which end of the order wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Flux `asc`: the greatest value wins.
    PickGreatest,
    /// Flux `desc`: the least value wins.
    PickLeast,
}

impl Order {
    /// Parses a Flux order value: `asc`/`desc` in any case, `""` = `asc`.
    pub fn parse(order: &str) -> Option<Order> {
        if order.is_empty() || order.eq_ignore_ascii_case("asc") {
            Some(Order::PickGreatest)
        } else if order.eq_ignore_ascii_case("desc") {
            Some(Order::PickLeast)
        } else {
            None
        }
    }
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Order::PickGreatest => "asc",
            Order::PickLeast => "desc",
        })
    }
}

/// Everything that can go wrong building or running a policy.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `filterTags.pattern` is not a Go RE2 pattern we can run.
    #[error("invalid filterTags.pattern {pattern:?}")]
    InvalidRegex {
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        #[source]
        source: RegexError,
    },
    /// `semver.range` is not a Masterminds v3 constraint.
    #[error("invalid semver range {range:?}")]
    InvalidRange {
        /// The range as written.
        range: String,
        /// What is wrong with it.
        #[source]
        source: weir_semver::ParseError,
    },
    /// `alphabetical.order` / `numerical.order` is neither `asc` nor `desc`.
    #[error("invalid {policy} order {order:?} (must be asc or desc)")]
    InvalidOrder {
        /// `alphabetical` or `numerical`.
        policy: &'static str,
        /// The value as written.
        order: String,
    },
    /// The tag list is empty.
    #[error("no tags to choose from")]
    NoTags,
    /// No tag matched `filterTags.pattern`.
    #[error("none of the {tags} tags matched filterTags.pattern {pattern:?}")]
    NoTagPassedFilter {
        /// The pattern.
        pattern: String,
        /// How many tags were tried.
        tags: usize,
    },
    /// A candidate is not a Go float64 (Flux fails the whole numerical policy).
    #[error("numerical policy: candidate {value:?} (from tag {tag:?}) is not a number")]
    NumericalParse {
        /// The candidate value (the extracted text, or the tag).
        value: String,
        /// The tag it came from.
        tag: String,
        /// Syntax or range.
        #[source]
        source: FloatError,
    },
    /// No candidate is a version inside the range.
    #[error(
        "no tag matches semver range {range:?} ({versions} of {candidates} candidates are versions)"
    )]
    NoSemverMatch {
        /// The range.
        range: String,
        /// Candidates that parsed as versions.
        versions: usize,
        /// All candidates.
        candidates: usize,
    },
}

impl Error {
    /// Whether the error is about the policy itself (bad input) rather than the
    /// tags it was run on (no selectable tag).
    pub fn is_invalid_policy(&self) -> bool {
        matches!(
            self,
            Error::InvalidRegex { .. } | Error::InvalidRange { .. } | Error::InvalidOrder { .. }
        )
    }
}

struct Filter {
    pattern: String,
    regex: regex::Regex,
    template: Option<Template>,
    shape: Shape,
}

enum Selector {
    Semver(weir_semver::Constraints),
    Alphabetical(Order),
    Numerical(Order),
}

/// A compiled ImagePolicy: build once with [`Policy::new`], run on many tag lists.
///
/// Selection is deterministic (see the crate docs for the tie rules): the
/// result never depends on the order of the input tags.
pub struct Policy {
    filter: Option<Filter>,
    selector: Selector,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("pattern", &self.filter.as_ref().map(|x| &x.pattern))
            .field("policy", &self.describe())
            .finish()
    }
}

/// A candidate's sort value.
enum Value {
    Text,
    Number(f64),
    Version(semver::Version),
}

impl Policy {
    /// Compiles a policy: the regex (Go semantics), the extract template, the
    /// range or order.
    pub fn new(spec: &PolicySpec) -> Result<Policy, Error> {
        let selector = match &spec.choice {
            Choice::Semver { range } => {
                Selector::Semver(weir_semver::Constraints::parse(range).map_err(|source| {
                    Error::InvalidRange {
                        range: range.clone(),
                        source,
                    }
                })?)
            }
            Choice::Alphabetical { order } => {
                Selector::Alphabetical(Order::parse(order).ok_or_else(|| Error::InvalidOrder {
                    policy: "alphabetical",
                    order: order.clone(),
                })?)
            }
            Choice::Numerical { order } => {
                Selector::Numerical(Order::parse(order).ok_or_else(|| Error::InvalidOrder {
                    policy: "numerical",
                    order: order.clone(),
                })?)
            }
        };
        let filter = match &spec.filter_tags {
            None => None,
            Some(ft) => {
                let regex =
                    goregex::compile(&ft.pattern).map_err(|source| Error::InvalidRegex {
                        pattern: ft.pattern.clone(),
                        source,
                    })?;
                let template =
                    (!ft.extract.is_empty()).then(|| Template::parse(&ft.extract, &regex));
                let shape = match &template {
                    Some(t) => t.shape(),
                    None => Shape::SingleGroup(0),
                };
                Some(Filter {
                    pattern: ft.pattern.clone(),
                    regex,
                    template,
                    shape,
                })
            }
        };
        Ok(Policy { filter, selector })
    }

    /// A short description such as `numerical asc` or `semver ">=1.0"`.
    pub fn describe(&self) -> String {
        match &self.selector {
            Selector::Semver(c) => format!("semver {:?}", c.as_str()),
            Selector::Alphabetical(o) => format!("alphabetical {o}"),
            Selector::Numerical(o) => format!("numerical {o}"),
        }
    }

    /// Selects the latest tag, returning the original tag text.
    pub fn latest<'t, I>(&self, tags: I) -> Result<&'t str, Error>
    where
        I: IntoIterator<Item = &'t str>,
    {
        let mut scanner = Scanner::new(self);
        let mut best: Option<Best<'t>> = None;
        let mut total = 0usize;
        let mut candidates = 0usize;
        let mut versions = 0usize;
        for tag in tags {
            total += 1;
            let Some(key) = scanner.key(tag) else {
                continue;
            };
            candidates += 1;
            let value = match &self.selector {
                Selector::Alphabetical(_) => Value::Text,
                Selector::Numerical(_) => match gofloat::parse_float(key) {
                    Ok(v) => Value::Number(v),
                    Err(source) => {
                        return Err(Error::NumericalParse {
                            value: key.to_owned(),
                            tag: tag.to_owned(),
                            source,
                        });
                    }
                },
                Selector::Semver(range) => {
                    let Some(v) = weir_semver::parse_tag(key) else {
                        continue;
                    };
                    versions += 1;
                    if !range.matches(&v) {
                        continue;
                    }
                    Value::Version(v)
                }
            };
            let Some(b) = &mut best else {
                best = Some(Best {
                    value,
                    key: key.to_owned(),
                    tag,
                    tied: HashMap::new(),
                });
                continue;
            };
            match self.cmp_value(&value, key, &b.value, &b.key) {
                Ordering::Less => {}
                Ordering::Greater => {
                    // Reuse the key buffer: a new best is common, ties are rare.
                    b.key.clear();
                    b.key.push_str(key);
                    b.value = value;
                    b.tag = tag;
                    b.tied.clear();
                }
                Ordering::Equal if key == b.key => b.tag = b.tag.min(tag),
                Ordering::Equal => {
                    b.tied
                        .entry(key.to_owned())
                        .and_modify(|t| *t = (*t).min(tag))
                        .or_insert(tag);
                }
            }
        }
        if let Some(b) = best {
            // Each tied value is represented by its smallest tag; the tie rule
            // picks among those.
            let winner = b.tied.values().fold(b.tag, |w, &t| {
                if self.cmp_tie(t, w) == Ordering::Greater {
                    t
                } else {
                    w
                }
            });
            return Ok(winner);
        }
        Err(self.no_selection(total, candidates, versions))
    }

    fn no_selection(&self, total: usize, candidates: usize, versions: usize) -> Error {
        if total == 0 {
            return Error::NoTags;
        }
        if let (0, Some(f)) = (candidates, &self.filter) {
            return Error::NoTagPassedFilter {
                pattern: f.pattern.clone(),
                tags: total,
            };
        }
        match &self.selector {
            Selector::Semver(range) => Error::NoSemverMatch {
                range: range.as_str().to_owned(),
                versions,
                candidates,
            },
            // Alphabetical and numerical always pick when there are candidates.
            _ => Error::NoTags,
        }
    }

    /// Compares two candidates by their sort value only: `Greater` means `a`
    /// ranks above `b` (with `asc`/`desc` applied). `Equal` is a tie.
    fn cmp_value(&self, a: &Value, a_key: &str, b: &Value, b_key: &str) -> Ordering {
        match (&self.selector, a, b) {
            (Selector::Alphabetical(order), _, _) => {
                let by_key = a_key.as_bytes().cmp(b_key.as_bytes());
                if *order == Order::PickGreatest {
                    by_key
                } else {
                    by_key.reverse()
                }
            }
            (Selector::Numerical(order), Value::Number(x), Value::Number(y)) => {
                match (x.is_nan(), y.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Less, // NaN never wins over a number
                    (false, true) => Ordering::Greater,
                    (false, false) => {
                        let o = x.partial_cmp(y).unwrap_or(Ordering::Equal);
                        if *order == Order::PickGreatest {
                            o
                        } else {
                            o.reverse()
                        }
                    }
                }
            }
            (Selector::Semver(_), Value::Version(x), Value::Version(y)) => x.cmp_precedence(y),
            _ => Ordering::Equal,
        }
    }

    /// Breaks a tie between two candidates with different values of equal
    /// rank (each the smallest tag of its extracted value): `Greater` means
    /// the tag `a` wins. See the crate docs, "Deterministic ties".
    fn cmp_tie(&self, a_tag: &str, b_tag: &str) -> Ordering {
        let greater_wins = self.filter.is_some() || matches!(self.selector, Selector::Semver(_));
        if greater_wins {
            a_tag.cmp(b_tag)
        } else {
            b_tag.cmp(a_tag)
        }
    }

    /// Explains a selection: the verdict for every input tag, in input order.
    pub fn explain<'t, I>(&self, tags: I) -> Explanation
    where
        I: IntoIterator<Item = &'t str>,
    {
        let mut scanner = Scanner::new(self);
        let mut entries: Vec<Entry> = Vec::new();
        // (entry index, value) of every ranked candidate.
        let mut ranked: Vec<(usize, Value)> = Vec::new();
        let mut first_error: Option<Error> = None;
        let (mut candidates, mut versions) = (0usize, 0usize);
        for tag in tags {
            let index = entries.len();
            let Some(key) = scanner.key(tag) else {
                entries.push(Entry {
                    tag: tag.to_owned(),
                    value: None,
                    verdict: Verdict::FilteredOut,
                });
                continue;
            };
            candidates += 1;
            let key = key.to_owned();
            let verdict = match &self.selector {
                Selector::Alphabetical(_) => {
                    ranked.push((index, Value::Text));
                    Verdict::Ranked { rank: 0, of: 0 }
                }
                Selector::Numerical(_) => match gofloat::parse_float(&key) {
                    Ok(v) => {
                        ranked.push((index, Value::Number(v)));
                        Verdict::Ranked { rank: 0, of: 0 }
                    }
                    Err(source) => {
                        if first_error.is_none() {
                            first_error = Some(Error::NumericalParse {
                                value: key.clone(),
                                tag: tag.to_owned(),
                                source,
                            });
                        }
                        Verdict::NotANumber(source)
                    }
                },
                Selector::Semver(range) => match weir_semver::parse_tag(&key) {
                    None => Verdict::NotAVersion,
                    Some(v) => {
                        versions += 1;
                        if range.matches(&v) {
                            ranked.push((index, Value::Version(v)));
                            Verdict::Ranked { rank: 0, of: 0 }
                        } else if !v.pre.is_empty() && !range.admits_prereleases() {
                            Verdict::Prerelease
                        } else {
                            Verdict::OutOfRange
                        }
                    }
                },
            };
            entries.push(Entry {
                tag: tag.to_owned(),
                value: Some(key),
                verdict,
            });
        }
        // Flux keeps one tag per extracted value (the smallest: the last one in
        // its descending store order); the others are shadowed by it.
        let mut kept_for_key: HashMap<String, usize> = HashMap::new();
        for (i, _) in &ranked {
            let key = entries[*i].value.clone().unwrap_or_default();
            kept_for_key
                .entry(key)
                .and_modify(|k| {
                    if entries[*i].tag < entries[*k].tag {
                        *k = *i;
                    }
                })
                .or_insert(*i);
        }
        let mut kept: Vec<(usize, Value)> = Vec::with_capacity(kept_for_key.len());
        for (i, value) in ranked {
            let key = entries[i].value.as_deref().unwrap_or_default();
            match kept_for_key.get(key) {
                Some(&k) if k != i => {
                    entries[i].verdict = Verdict::Shadowed {
                        by: entries[k].tag.clone(),
                    };
                }
                _ => kept.push((i, value)),
            }
        }
        // Best first: by value, then by the tie rule (a total order, since
        // the kept candidates have distinct values).
        kept.sort_by(|(i, a), (j, b)| {
            let (ea, eb) = (&entries[*i], &entries[*j]);
            self.cmp_value(
                b,
                eb.value.as_deref().unwrap_or_default(),
                a,
                ea.value.as_deref().unwrap_or_default(),
            )
            .then_with(|| self.cmp_tie(&eb.tag, &ea.tag))
        });
        let order: Vec<usize> = kept.iter().map(|(i, _)| *i).collect();
        let of = order.len();
        for (rank, i) in order.iter().enumerate() {
            entries[*i].verdict = Verdict::Ranked { rank: rank + 1, of };
        }
        let outcome = match first_error {
            Some(e) => Err(e),
            None => match order.first() {
                Some(&i) => Ok(i),
                None => Err(self.no_selection(entries.len(), candidates, versions)),
            },
        };
        Explanation {
            policy: self.describe(),
            pattern: self.filter.as_ref().map(|f| f.pattern.clone()),
            entries,
            outcome,
        }
    }
}

/// The best candidate so far (its value's smallest tag) and, when other
/// values tie with it, their smallest tags by value.
struct Best<'t> {
    value: Value,
    key: String,
    tag: &'t str,
    tied: HashMap<String, &'t str>,
}

/// Per-run scratch space: capture locations and an expansion buffer, reused for
/// every tag so that filtering allocates nothing per tag.
struct Scanner<'p> {
    filter: Option<&'p Filter>,
    locs: Option<regex::CaptureLocations>,
    buf: String,
}

impl<'p> Scanner<'p> {
    fn new(policy: &'p Policy) -> Self {
        Scanner {
            filter: policy.filter.as_ref(),
            locs: policy.filter.as_ref().map(|f| f.regex.capture_locations()),
            buf: String::new(),
        }
    }

    /// The candidate text of a tag, or `None` when the filter drops it.
    fn key<'s, 't: 's>(&'s mut self, tag: &'t str) -> Option<&'s str> {
        let (Some(filter), Some(locs)) = (self.filter, self.locs.as_mut()) else {
            return Some(tag);
        };
        filter.regex.captures_read(locs, tag)?;
        match (&filter.shape, &filter.template) {
            (_, None) => Some(tag),
            (Shape::SingleGroup(n), Some(_)) => Some(locs.get(*n).map_or("", |(s, e)| &tag[s..e])),
            (Shape::General, Some(t)) => {
                self.buf.clear();
                t.expand_into(tag, locs, &mut self.buf);
                Some(&self.buf)
            }
        }
    }
}

/// What happened to one input tag.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Verdict {
    /// `filterTags.pattern` did not match the tag.
    FilteredOut,
    /// Another tag has the same candidate value and won the tie (Flux keeps one
    /// tag per extracted value).
    Shadowed {
        /// The tag that was kept.
        by: String,
    },
    /// Semver policy: the candidate is not a strict SemVer version.
    NotAVersion,
    /// Semver policy: a version outside the range.
    OutOfRange,
    /// Semver policy: a prerelease, and no part of the range names a
    /// prerelease (so none can match; add `-0`, e.g. `>=1.0.0-0`, to allow them).
    Prerelease,
    /// Numerical policy: the candidate is not a Go float64 (fails the policy).
    NotANumber(FloatError),
    /// A ranked candidate; rank 1 is the selected tag.
    Ranked {
        /// 1-based rank.
        rank: usize,
        /// Number of ranked candidates.
        of: usize,
    },
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::FilteredOut => f.write_str("filtered out (pattern did not match)"),
            Verdict::Shadowed { by } => write!(f, "same value as {by}, which is kept"),
            Verdict::NotAVersion => f.write_str("rejected: not a strict semver version"),
            Verdict::OutOfRange => f.write_str("rejected: outside the range"),
            Verdict::Prerelease => f.write_str("rejected: prerelease (the range names none)"),
            Verdict::NotANumber(e) => write!(f, "rejected: {e}"),
            Verdict::Ranked { rank: 1, of } => write!(f, "selected (rank 1 of {of})"),
            Verdict::Ranked { rank, of } => write!(f, "rank {rank} of {of}"),
        }
    }
}

/// One row of an [`Explanation`].
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The input tag.
    pub tag: String,
    /// The candidate value (extracted text or the tag), if the filter kept it.
    pub value: Option<String>,
    /// What happened to it.
    pub verdict: Verdict,
}

/// The verdict for every input tag and the overall outcome.
#[derive(Debug)]
pub struct Explanation {
    /// The policy, e.g. `numerical asc`.
    pub policy: String,
    /// `filterTags.pattern`, if any.
    pub pattern: Option<String>,
    /// One entry per input tag, in input order.
    pub entries: Vec<Entry>,
    /// The index into `entries` of the selected tag, or why none was selected
    /// (the same result as [`Policy::latest`]).
    pub outcome: Result<usize, Error>,
}

impl Explanation {
    /// The selected tag, if any.
    pub fn selected(&self) -> Option<&str> {
        self.outcome
            .as_ref()
            .ok()
            .and_then(|&i| self.entries.get(i))
            .map(|e| e.tag.as_str())
    }
}
