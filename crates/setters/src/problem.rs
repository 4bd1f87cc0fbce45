//! Markers that could not be used, and why.

use std::fmt;

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// A marker (or a comment that looks like one) that was not applied, or a
/// file that could not be examined. Nothing is skipped silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the comment; `None` for problems with the whole file.
    pub line: Option<usize>,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a marker or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file passed the `"$imagepolicy"` screen but is not UTF-8.
    NotUtf8,
    /// The file passed the screen but is not valid YAML (Flux's "problem files").
    InvalidYaml {
        /// The parser's message.
        message: String,
    },
    /// The comment mentions `$imagepolicy` but is not exactly a JSON object
    /// whose values are all strings.
    BadJson {
        /// What the JSON decoder or the shape check said.
        detail: String,
    },
    /// The JSON object has no non-empty string under `"$imagepolicy"`.
    MissingReference,
    /// The reference is not `NS:NAME`, `NS:NAME:tag`, `NS:NAME:name` or `NS:NAME:digest`.
    MalformedReference {
        /// The marker's value.
        setter: String,
    },
    /// No policy (no `--set`) with this namespace and name.
    UnknownPolicy {
        /// The marker's value.
        setter: String,
    },
    /// A valid marker that is not attached to a scalar value.
    NotOnScalar {
        /// The marker's value.
        setter: String,
        /// Where it sits instead.
        why: &'static str,
    },
    /// A valid marker in a head comment above a block scalar (`|` or `>`),
    /// which Weir does not rewrite (a marker on the header line is rewritten).
    BlockScalar {
        /// The marker's value.
        setter: String,
    },
}

impl ProblemKind {
    /// A stable kebab-case name for the kind (used in JSON reports).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            ProblemKind::NotUtf8 => "not-utf8",
            ProblemKind::InvalidYaml { .. } => "invalid-yaml",
            ProblemKind::BadJson { .. } => "bad-json",
            ProblemKind::MissingReference => "missing-reference",
            ProblemKind::MalformedReference { .. } => "malformed-reference",
            ProblemKind::UnknownPolicy { .. } => "unknown-policy",
            ProblemKind::NotOnScalar { .. } => "not-on-scalar",
            ProblemKind::BlockScalar { .. } => "block-scalar",
        }
    }

    /// The marker's value, when the comment was a well-formed marker.
    #[must_use]
    pub fn setter(&self) -> Option<&str> {
        match self {
            ProblemKind::MalformedReference { setter }
            | ProblemKind::UnknownPolicy { setter }
            | ProblemKind::NotOnScalar { setter, .. }
            | ProblemKind::BlockScalar { setter } => Some(setter),
            _ => None,
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::NotUtf8 => f.write_str("file mentions \"$imagepolicy\" but is not UTF-8"),
            ProblemKind::InvalidYaml { message } => {
                write!(
                    f,
                    "file mentions \"$imagepolicy\" but is not valid YAML: {message}"
                )
            }
            ProblemKind::BadJson { detail } => write!(
                f,
                "comment mentions $imagepolicy but is not a marker: {detail} (a marker is only a JSON object such as {{\"$imagepolicy\": \"NS:NAME:tag\"}})"
            ),
            ProblemKind::MissingReference => {
                f.write_str("comment is a JSON object but has no non-empty \"$imagepolicy\" string")
            }
            ProblemKind::MalformedReference { setter } => write!(
                f,
                "marker {setter:?} is not NS:NAME, NS:NAME:tag, NS:NAME:name or NS:NAME:digest"
            ),
            ProblemKind::UnknownPolicy { setter } => {
                write!(f, "marker {setter:?} names a policy that was not given")
            }
            ProblemKind::NotOnScalar { setter, why } => {
                write!(f, "marker {setter:?} is not on a scalar value: {why}")
            }
            ProblemKind::BlockScalar { setter } => write!(
                f,
                "marker {setter:?} is above a block scalar (| or >), which is not rewritten; put it on the header line"
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl Serialize for Problem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Problem", 4)?;
        st.serialize_field("line", &self.line)?;
        st.serialize_field("kind", self.kind.name())?;
        st.serialize_field("setter", &self.kind.setter())?;
        st.serialize_field("reason", &self.kind.to_string())?;
        st.end()
    }
}
