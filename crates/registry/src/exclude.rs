//! Flux's `ImageRepository.spec.exclusionList`: tags matching any of these
//! regular expressions are dropped before they are stored or evaluated.
//!
//! The patterns are Go regexps (flux-compat.md §4.1), compiled through
//! [`weir_imagepolicy::compile_go_regex`]'s translation so Go-only syntax
//! (`\Q…\E`, `&&` as literal text inside a class, ASCII-only `\d`, …)
//! means what it means to Flux.

use regex::{RegexSet, RegexSetBuilder};
use weir_imagepolicy::RegexError;

/// Why an exclusion pattern was rejected.
#[derive(Debug, thiserror::Error)]
#[error("exclusion pattern {pattern:?} is not a valid Go regular expression")]
pub struct ExclusionError {
    /// The pattern.
    pub pattern: String,
    /// What Go (or the translation) refuses.
    #[source]
    pub source: RegexError,
}

/// A compiled exclusion list. Patterns are unanchored, as in Flux, and read
/// with Go `regexp` syntax and semantics.
#[derive(Debug, Clone)]
pub struct Exclusions {
    set: RegexSet,
    patterns: Vec<String>,
}

impl Exclusions {
    /// Flux's default list: cosign signature tags.
    pub const DEFAULT: &'static str = r"^.*\.sig$";

    /// Compiles a list of Go patterns. An empty list excludes nothing.
    pub fn new<I, S>(patterns: I) -> Result<Self, ExclusionError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let patterns: Vec<String> = patterns.into_iter().map(Into::into).collect();
        // Translate one by one so the error names the bad pattern.
        let mut translated = Vec::with_capacity(patterns.len());
        for p in &patterns {
            let t = weir_imagepolicy::translate_go_regex(p).map_err(|source| ExclusionError {
                pattern: p.clone(),
                source,
            })?;
            translated.push(t);
        }
        // Octal escapes on, as `compile_go_regex` builds them.
        let set = RegexSetBuilder::new(&translated)
            .octal(true)
            .build()
            .map_err(|source| ExclusionError {
                pattern: patterns.join(" | "),
                source: RegexError::Compile(source),
            })?;
        Ok(Exclusions { set, patterns })
    }

    /// Flux's default (`^.*\.sig$`).
    pub fn flux_default() -> Self {
        Exclusions::new([Self::DEFAULT]).unwrap_or_else(|_| Exclusions::none())
    }

    /// No exclusions.
    pub fn none() -> Self {
        Exclusions {
            set: RegexSet::empty(),
            patterns: Vec::new(),
        }
    }

    /// The patterns, as given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether a tag is excluded.
    pub fn is_excluded(&self, tag: &str) -> bool {
        self.set.is_match(tag)
    }

    /// Drops the excluded tags from a list, in place.
    ///
    /// ```
    /// let ex = weir_registry::Exclusions::flux_default();
    /// let mut tags = vec!["v1".to_string(), "sha256-abc.sig".to_string()];
    /// ex.retain(&mut tags);
    /// assert_eq!(tags, ["v1"]);
    /// ```
    pub fn retain(&self, tags: &mut Vec<String>) {
        if !self.patterns.is_empty() {
            tags.retain(|t| !self.is_excluded(t));
        }
    }
}

impl Default for Exclusions {
    fn default() -> Self {
        Self::flux_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_custom() {
        let d = Exclusions::default();
        assert!(d.is_excluded("sha256-0123.sig"));
        assert!(!d.is_excluded("v1.0.0"));
        assert!(!d.is_excluded("v1.sig.old"));
        let c = Exclusions::new(["rc", "^dev-"]).unwrap();
        assert!(c.is_excluded("1.0.0-rc.1"));
        assert!(c.is_excluded("dev-123"));
        assert!(!c.is_excluded("x.sig"));
        let mut tags = vec!["a".to_string(), "x.sig".to_string()];
        Exclusions::none().retain(&mut tags);
        assert_eq!(tags.len(), 2);
        let e = Exclusions::new(["ok", "(unclosed"]).unwrap_err();
        assert_eq!(e.pattern, "(unclosed");
    }

    /// flux-compat.md §4.1: the patterns are Go regexps, so Go-only syntax
    /// means what Go says, and what Go refuses is refused.
    #[test]
    fn patterns_are_go_regexps() {
        // `\Q…\E` quotes literal text (Rust's `regex` has no `\Q`).
        let quoted = Exclusions::new([r"\Q.sig\E$"]).unwrap();
        assert!(quoted.is_excluded("sha256-abc.sig"));
        assert!(!quoted.is_excluded("v1-xsig"), "the dot is literal");
        // In a Go class `&&` is literal text; Rust reads it as an
        // intersection (`[a&&b]` would match nothing).
        let class = Exclusions::new([r"^v[0-9&&]+$"]).unwrap();
        assert!(class.is_excluded("v1&&2"));
        assert!(class.is_excluded("v12"));
        assert!(!class.is_excluded("v1-2"));
        let amp = Exclusions::new([r"^[a&&b]$"]).unwrap();
        assert!(amp.is_excluded("&") && amp.is_excluded("a") && amp.is_excluded("b"));
        // Go's `\d` is ASCII only.
        let digits = Exclusions::new([r"^\d+$"]).unwrap();
        assert!(digits.is_excluded("123"));
        assert!(!digits.is_excluded("١٢٣"), "Arabic-Indic digits");
        // Rust-only syntax Go refuses is an error naming the pattern.
        let e = Exclusions::new(["ok", r"(?x) a "]).unwrap_err();
        assert_eq!(e.pattern, "(?x) a ");
        assert!(e.to_string().contains("Go regular expression"), "{e}");
    }
}
