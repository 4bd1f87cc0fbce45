//! Flux's `ImageRepository.spec.exclusionList`: tags matching any of these
//! regular expressions are dropped before they are stored or evaluated.

use regex::RegexSet;

/// Why an exclusion pattern was rejected.
#[derive(Debug, thiserror::Error)]
#[error("exclusion pattern {pattern:?} is not a valid regular expression")]
pub struct ExclusionError {
    /// The pattern.
    pub pattern: String,
    /// The regex error.
    #[source]
    pub source: regex::Error,
}

/// A compiled exclusion list. Patterns are unanchored, as in Flux (Go `regexp`
/// syntax, which the `regex` crate shares for everything Flux users write).
#[derive(Debug, Clone)]
pub struct Exclusions {
    set: RegexSet,
    patterns: Vec<String>,
}

impl Exclusions {
    /// Flux's default list: cosign signature tags.
    pub const DEFAULT: &'static str = r"^.*\.sig$";

    /// Compiles a list of patterns. An empty list excludes nothing.
    pub fn new<I, S>(patterns: I) -> Result<Self, ExclusionError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let patterns: Vec<String> = patterns.into_iter().map(Into::into).collect();
        // Compile one by one first so the error names the bad pattern.
        for p in &patterns {
            regex::Regex::new(p).map_err(|source| ExclusionError {
                pattern: p.clone(),
                source,
            })?;
        }
        let set = RegexSet::new(&patterns).map_err(|source| ExclusionError {
            pattern: patterns.join(" | "),
            source,
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
}
