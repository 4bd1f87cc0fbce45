//! Masterminds/semver v3 compatible version constraints and Flux's strict tag versions.
//!
//! Layer 0 (pure): no I/O, no async, no printing. Shared by image policies
//! (`weir-imagepolicy`) and Git `semver` references (`weir-source`).
//!
//! Two things live here:
//!
//! * [`parse_tag`]: how Flux reads a tag as a version (`fluxcd/pkg/version.ParseVersion`):
//!   remove one leading `v`, then the rest must be a *strict* SemVer 2.0 version
//!   (`MAJOR.MINOR.PATCH`, no leading zeros, optional `-prerelease` and `+build`).
//!   `1.2`, `v1`, `01.2.3` and `latest` are not versions.
//! * [`Constraints`]: the range grammar and matching rules of
//!   `github.com/Masterminds/semver/v3` (`NewConstraint` + `Check`): `=`, `!=`, `>`, `<`,
//!   `>=`, `<=`, `~`, `~>`, `^`, the `x`/`X`/`*` wildcards, partial versions, hyphen
//!   ranges (`1.2 - 1.4.5`), AND by space or comma, OR by `||`. A prerelease version
//!   only matches an AND group in which at least one comparator names a prerelease
//!   (`>=1.0.0-0`), and then prereleases of *any* `major.minor.patch` are eligible.
//!
//! Versions are [`semver::Version`] values; comparisons use SemVer precedence
//! (build metadata ignored).
//!
//! ```
//! use weir_semver::{Constraints, parse_tag};
//!
//! let range = Constraints::parse(">=1.2 <2.0 || ^3.1").unwrap();
//! assert!(range.matches(&parse_tag("v1.4.0").unwrap()));
//! assert!(range.matches(&parse_tag("3.9.1").unwrap()));
//! assert!(!range.matches(&parse_tag("2.0.0").unwrap()));
//! // Prereleases need a prerelease in the constraint.
//! assert!(!range.matches(&parse_tag("1.5.0-rc.1").unwrap()));
//! assert!(Constraints::parse(">=1.2.0-0").unwrap().matches(&parse_tag("1.5.0-rc.1").unwrap()));
//! // Flux's tag parsing is strict.
//! assert!(parse_tag("1.2").is_none());
//! ```

use std::cmp::Ordering;
use std::fmt;

pub use semver::Version;

/// The longest constraint string Masterminds accepts (bytes).
pub const MAX_CONSTRAINT_LEN: usize = 512;
/// The most `||` groups Masterminds accepts in one constraint string.
pub const MAX_CONSTRAINT_GROUPS: usize = 32;

/// Parses a tag the way Flux does: one leading `v` removed, then strict SemVer 2.0.
///
/// Returns `None` when the tag is not a version (Flux skips such tags silently).
pub fn parse_tag(tag: &str) -> Option<Version> {
    let text = tag.strip_prefix('v').unwrap_or(tag);
    // `semver::Version::parse` is the strict SemVer 2.0 grammar: three numeric
    // parts without leading zeros that fit in u64, prerelease identifiers that are
    // non-empty and (when numeric) without leading zeros, non-empty build ids.
    Version::parse(text).ok()
}

/// Compares two versions by SemVer precedence (build metadata ignored).
pub fn cmp_precedence(a: &Version, b: &Version) -> Ordering {
    a.cmp_precedence(b)
}

/// Why a constraint string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The whole string is longer than [`MAX_CONSTRAINT_LEN`].
    #[error("constraint is {len} bytes long (at most {MAX_CONSTRAINT_LEN})")]
    TooLong {
        /// Length of the string in bytes.
        len: usize,
    },
    /// More `||` groups than [`MAX_CONSTRAINT_GROUPS`].
    #[error("constraint has {groups} `||` groups (at most {MAX_CONSTRAINT_GROUPS})")]
    TooManyGroups {
        /// Number of groups.
        groups: usize,
    },
    /// An `||` group is empty or only whitespace.
    #[error("empty constraint group {group:?}")]
    EmptyGroup {
        /// The group text.
        group: String,
    },
    /// A comparator could not be read.
    #[error("improper constraint {text:?}")]
    Improper {
        /// The text from the failing comparator to the end of its group.
        text: String,
    },
    /// A comparator has the right shape but its version is not valid
    /// (a segment that is not a number or overflows, a bad prerelease).
    #[error("invalid version {version:?} in constraint")]
    InvalidVersion {
        /// The version text of the comparator.
        version: String,
    },
}

/// A comparison operator of one comparator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `=` or no operator: equality, or tilde semantics when wildcarded.
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=` or `=>`
    Ge,
    /// `<=` or `=<`
    Le,
    /// `~` or `~>`
    Tilde,
    /// `^`
    Caret,
}

/// One comparator such as `>=1.2` or `~1.x`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Comparator {
    op: Op,
    /// The version with wildcards and missing parts set to zero.
    con: Version,
    /// Some part was a wildcard or missing (`1.x`, `1.2`, `*`).
    dirty: bool,
    /// The minor part was a wildcard or missing (`1`, `1.x`).
    minor_dirty: bool,
    /// The patch part was a wildcard or missing (`1.2`, `1.2.x`).
    patch_dirty: bool,
}

/// A parsed Masterminds v3 constraint: OR of AND groups of comparators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraints {
    original: String,
    groups: Vec<Group>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    comparators: Vec<Comparator>,
    /// Some comparator in the group names a prerelease, so prerelease versions
    /// are eligible for the whole group.
    has_prerelease: bool,
}

impl fmt::Display for Constraints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

impl std::str::FromStr for Constraints {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Constraints::parse(s)
    }
}

/// Masterminds' `\s`: Go's ASCII whitespace class.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')
}

fn skip_space(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8))
}

/// Characters of a numeric segment in a constraint version: digits, the
/// wildcards, and `|` (kept by Masterminds for compatibility; a segment holding
/// it is rejected later as not numeric).
fn is_seg_char(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'x' | b'X' | b'*' | b'|')
}

/// Characters of prerelease and build identifiers.
fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn is_wildcard(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Constraints {
    /// Parses a constraint string with Masterminds v3 `NewConstraint` rules.
    pub fn parse(text: &str) -> Result<Constraints, ParseError> {
        if text.len() > MAX_CONSTRAINT_LEN {
            return Err(ParseError::TooLong { len: text.len() });
        }
        let rewritten = rewrite_hyphen_ranges(text);
        let parts: Vec<&str> = rewritten.split("||").collect();
        if parts.len() > MAX_CONSTRAINT_GROUPS {
            return Err(ParseError::TooManyGroups {
                groups: parts.len(),
            });
        }
        let mut groups = Vec::with_capacity(parts.len());
        for part in parts {
            let comparators = parse_group(part)?;
            let has_prerelease = comparators.iter().any(|c| !c.con.pre.is_empty());
            groups.push(Group {
                comparators,
                has_prerelease,
            });
        }
        Ok(Constraints {
            original: text.to_owned(),
            groups,
        })
    }

    /// The constraint text as given.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Whether the version satisfies the constraint (Masterminds `Check`,
    /// `IncludePrerelease` unset).
    pub fn matches(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .any(|g| g.comparators.iter().all(|c| c.matches(v, g.has_prerelease)))
    }

    /// Whether any AND group names a prerelease (so some prereleases can match).
    pub fn admits_prereleases(&self) -> bool {
        self.groups.iter().any(|g| g.has_prerelease)
    }
}

/// Rewrites hyphen ranges `A - B` into `>= A, <= B ` the way Masterminds does:
/// an unanchored search over the whole string (before the `||` split), each
/// match replaced at its first occurrence. The spaces around `-` are required.
fn rewrite_hyphen_ranges(text: &str) -> String {
    if !text.contains('-') {
        return text.to_owned();
    }
    // Masterminds' version shape in constraints; `\s` is Go's ASCII class.
    const CV: &str = r"v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?";
    let pattern = format!(r"[\t\n\x0C\r ]*({CV})[\t\n\x0C\r ]+-[\t\n\x0C\r ]+({CV})[\t\n\x0C\r ]*");
    let Ok(re) = regex::Regex::new(&pattern) else {
        // The pattern is a constant that compiles; leave the text unchanged if not.
        return text.to_owned();
    };
    let mut out = text.to_owned();
    for caps in re.captures_iter(text) {
        let (Some(all), Some(lo), Some(hi)) = (caps.get(0), caps.get(1), caps.get(11)) else {
            continue;
        };
        let replacement = format!(">= {}, <= {} ", lo.as_str(), hi.as_str());
        out = out.replacen(all.as_str(), &replacement, 1);
    }
    out
}

/// Parses one AND group: comparators separated by whitespace or a comma.
fn parse_group(group: &str) -> Result<Vec<Comparator>, ParseError> {
    let mut s = skip_space(group);
    if s.is_empty() {
        return Err(ParseError::EmptyGroup {
            group: group.to_owned(),
        });
    }
    let mut out = Vec::with_capacity(2);
    loop {
        let (comparator, rest) = scan_comparator(s)?;
        out.push(comparator);
        let trimmed = skip_space(rest);
        if trimmed.is_empty() {
            return Ok(out);
        }
        let next = if let Some(after_comma) = trimmed.strip_prefix(',') {
            skip_space(after_comma)
        } else if trimmed.len() == rest.len() {
            // Neither whitespace nor a comma after the comparator.
            return Err(ParseError::Improper { text: s.to_owned() });
        } else {
            trimmed
        };
        if next.is_empty() {
            return Err(ParseError::Improper {
                text: group.to_owned(),
            });
        }
        s = next;
    }
}

/// Reads one comparator from the front of `s` (no leading whitespace) and
/// returns it with the unread rest.
fn scan_comparator(s: &str) -> Result<(Comparator, &str), ParseError> {
    let (op, rest) = scan_op(s);
    let rest = skip_space(rest);
    let Some((scan, after)) = scan_version(rest) else {
        return Err(ParseError::Improper { text: s.to_owned() });
    };
    let version_text = &rest[..rest.len() - after.len()];
    let comparator = build_comparator(op, version_text, &scan)?;
    Ok((comparator, after))
}

fn scan_op(s: &str) -> (Op, &str) {
    for (text, op) in [
        ("!=", Op::Ne),
        (">=", Op::Ge),
        ("=>", Op::Ge),
        ("<=", Op::Le),
        ("=<", Op::Le),
        ("~>", Op::Tilde),
    ] {
        if let Some(rest) = s.strip_prefix(text) {
            return (op, rest);
        }
    }
    for (text, op) in [
        ('=', Op::Eq),
        ('>', Op::Gt),
        ('<', Op::Lt),
        ('~', Op::Tilde),
        ('^', Op::Caret),
    ] {
        if let Some(rest) = s.strip_prefix(text) {
            return (op, rest);
        }
    }
    (Op::Eq, s)
}

/// The pieces of a constraint version as scanned.
struct VersionScan<'a> {
    segs: Vec<&'a str>,
    pre: &'a str,
}

/// Scans `v?SEG(.SEG){0,2}(-IDS)?(+IDS)?` from the front of `s`. A dot is only a
/// separator when a segment follows; whatever does not belong is left in rest.
fn scan_version(s: &str) -> Option<(VersionScan<'_>, &str)> {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'v'));
    let mut segs = Vec::with_capacity(3);
    loop {
        let start = i;
        while i < b.len() && is_seg_char(b[i]) {
            i += 1;
        }
        if i == start {
            return None;
        }
        segs.push(&s[start..i]);
        if segs.len() == 3 || i + 1 >= b.len() || b[i] != b'.' || !is_seg_char(b[i + 1]) {
            break;
        }
        i += 1;
    }
    let mut pre = "";
    if i < b.len() && b[i] == b'-' {
        let end = scan_identifiers(b, i + 1);
        if end > i + 1 {
            pre = &s[i + 1..end];
            i = end;
        }
    }
    if i < b.len() && b[i] == b'+' {
        let end = scan_identifiers(b, i + 1);
        if end > i + 1 {
            i = end;
        }
    }
    Some((VersionScan { segs, pre }, &s[i..]))
}

/// Index just past the dot-separated identifiers starting at `i`.
fn scan_identifiers(b: &[u8], i: usize) -> usize {
    let mut end = i;
    loop {
        let start = end;
        while end < b.len() && is_ident_char(b[end]) {
            end += 1;
        }
        if end == start {
            return start;
        }
        if end + 1 < b.len() && b[end] == b'.' && is_ident_char(b[end + 1]) {
            end += 1;
            continue;
        }
        return end;
    }
}

fn build_comparator(op: Op, text: &str, scan: &VersionScan<'_>) -> Result<Comparator, ParseError> {
    let invalid = || ParseError::InvalidVersion {
        version: text.to_owned(),
    };
    // Masterminds coerces leading zeros in constraint segments (CoerceNewVersion).
    let number = |s: &str| -> Result<u64, ParseError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        s.parse::<u64>().map_err(|_| invalid())
    };
    let seg = |i: usize| scan.segs.get(i).copied();
    let mut con = Version::new(0, 0, 0);
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    match (seg(0), seg(1), seg(2)) {
        (Some(major), _, _) if is_wildcard(major) => dirty = true,
        (Some(major), minor, _) if minor.is_none_or(is_wildcard) => {
            dirty = true;
            minor_dirty = true;
            con.major = number(major)?;
        }
        (Some(major), Some(minor), patch) if patch.is_none_or(is_wildcard) => {
            dirty = true;
            patch_dirty = true;
            con.major = number(major)?;
            con.minor = number(minor)?;
        }
        (Some(major), Some(minor), Some(patch)) => {
            con.major = number(major)?;
            con.minor = number(minor)?;
            con.patch = number(patch)?;
        }
        _ => return Err(invalid()),
    }
    if !scan.pre.is_empty() {
        con.pre = semver::Prerelease::new(scan.pre).map_err(|_| invalid())?;
    }
    Ok(Comparator {
        op,
        con,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

impl Comparator {
    fn matches(&self, v: &Version, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        let cmp = v.cmp_precedence(c);
        match self.op {
            Op::Eq => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    cmp == Ordering::Equal
                }
            }
            Op::Ne => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        // Same major.minor: only a different prerelease differs.
                        return v.pre != c.pre;
                    }
                }
                cmp != Ordering::Equal
            }
            Op::Gt => {
                if !self.dirty {
                    return cmp == Ordering::Greater;
                }
                match v.major.cmp(&c.major) {
                    Ordering::Greater => true,
                    Ordering::Less => false,
                    Ordering::Equal if self.minor_dirty => false,
                    Ordering::Equal if self.patch_dirty => v.minor > c.minor,
                    Ordering::Equal => cmp == Ordering::Greater,
                }
            }
            Op::Lt => cmp == Ordering::Less,
            Op::Ge => cmp != Ordering::Less,
            Op::Le => {
                if !self.dirty {
                    return cmp != Ordering::Greater;
                }
                if v.major > c.major {
                    false
                } else {
                    !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
                }
            }
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.cmp_precedence(c) == Ordering::Less {
            return false;
        }
        // `~0.0.0` and `*` accept everything from 0.0.0 up.
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.cmp_precedence(c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        v.patch == c.patch
    }
}

#[cfg(test)]
mod tests;
