//! Machinery shared by every kind: metadata, references, durations.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

/// The namespace of an object that names none (what `kubectl apply` uses
/// without `-n`).
pub const DEFAULT_NAMESPACE: &str = "default";

/// `metadata`: the fields Weir reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectMeta {
    /// `metadata.name`.
    #[serde(default)]
    pub name: String,
    /// `metadata.namespace`; see [`ObjectMeta::namespace`].
    #[serde(default)]
    pub namespace: Option<String>,
    /// `metadata.labels`.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl ObjectMeta {
    /// Metadata with a name and a namespace.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        ObjectMeta {
            name: name.into(),
            namespace: Some(namespace.into()),
            labels: BTreeMap::new(),
        }
    }

    /// The namespace, [`DEFAULT_NAMESPACE`] when unset or empty.
    pub fn namespace(&self) -> &str {
        match self.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => ns,
            _ => DEFAULT_NAMESPACE,
        }
    }
}

/// A reference to an object in the same namespace (`secretRef` and friends).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct LocalObjectReference {
    /// The object's name.
    #[serde(default)]
    pub name: String,
}

/// A reference to an object, in the referrer's namespace unless given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct NamespacedObjectReference {
    /// The object's name.
    #[serde(default)]
    pub name: String,
    /// The namespace; the referrer's when unset.
    #[serde(default)]
    pub namespace: Option<String>,
}

impl NamespacedObjectReference {
    /// The namespace the reference points into, given the referrer's.
    pub fn namespace_or<'a>(&'a self, own: &'a str) -> &'a str {
        match self.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => ns,
            _ => own,
        }
    }
}

/// Parses a Flux duration (`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`, e.g. `1m`,
/// `10m0s`, `1.5h`). With `allow_hours` false the `h` unit is refused (the
/// grammar of `spec.timeout` fields). Returns `None` for anything else.
///
/// ```
/// use std::time::Duration;
/// use weir_api::parse_duration;
/// assert_eq!(parse_duration("1m30s", true), Some(Duration::from_secs(90)));
/// assert_eq!(parse_duration("1500ms", true), Some(Duration::from_millis(1500)));
/// assert_eq!(parse_duration("1h", false), None);
/// assert_eq!(parse_duration("5d", true), None);
/// ```
pub fn parse_duration(text: &str, allow_hours: bool) -> Option<Duration> {
    let mut rest = text;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let int_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if int_end == 0 {
            return None;
        }
        let mut num_end = int_end;
        if rest[int_end..].starts_with('.') {
            let frac = &rest[int_end + 1..];
            let frac_len = frac
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(frac.len());
            if frac_len == 0 {
                return None;
            }
            num_end = int_end + 1 + frac_len;
        }
        let number: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let (unit, factor) = if rest.starts_with("ms") {
            ("ms", 0.001)
        } else if rest.starts_with('s') {
            ("s", 1.0)
        } else if rest.starts_with('m') {
            ("m", 60.0)
        } else if rest.starts_with('h') && allow_hours {
            ("h", 3600.0)
        } else {
            return None;
        };
        rest = &rest[unit.len()..];
        total += number * factor;
    }
    if total.is_finite() && total < 1e12 {
        Some(Duration::from_secs_f64(total))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_the_crd_grammar() {
        assert_eq!(
            parse_duration("10m0s", true),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            parse_duration("1.5h", true),
            Some(Duration::from_secs(5400))
        );
        assert_eq!(parse_duration("60s", false), Some(Duration::from_secs(60)));
        for bad in [
            "", "1", "m", "1.m", "-1s", "1 s", "1us", "1ns", "1d", "1s ", ".5s",
        ] {
            assert_eq!(parse_duration(bad, true), None, "{bad:?}");
        }
    }

    #[test]
    fn namespace_defaults() {
        let mut meta = ObjectMeta::new("flux-system", "a");
        assert_eq!(meta.namespace(), "flux-system");
        meta.namespace = None;
        assert_eq!(meta.namespace(), DEFAULT_NAMESPACE);
        let r = NamespacedObjectReference {
            name: "x".into(),
            namespace: None,
        };
        assert_eq!(r.namespace_or("team"), "team");
    }
}
