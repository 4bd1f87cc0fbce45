//! Byte-preserving rewriting of Flux `$imagepolicy` setter markers.
//!
//! **Layer 0 (pure):** no network, no async runtime. It walks, reads and
//! (atomically) writes files, nothing else.
//!
//! Flux's image automation marks fields with a comment such as
//! `# {"$imagepolicy": "flux-system:app:tag"}` and rewrites them with the
//! image a policy selected. Flux re-serialises every file it touches; this
//! crate changes **only the bytes of the marked scalar** and keeps
//! everything else (comments, indentation, quotes, CRLF, BOM, anchors, a
//! missing final newline) exactly.
//!
//! - [`scan`] finds markers with a real YAML parser (`saphyr-parser`) plus
//!   local lexing for exact byte spans, so text inside block scalars and
//!   quoted strings never counts as a marker.
//! - [`Setters`] holds the resolved policies (`"NS:NAME"` → [`ImageRef`]) and
//!   applies them to bytes ([`Setters::apply_to_bytes`]) or to a directory
//!   tree ([`Setters::apply_to_tree`], then [`write`]).
//! - Every marker is reported ([`Change`], unchanged ones included) and every
//!   comment that mentions `$imagepolicy` but cannot be used is a [`Problem`]
//!   with the reason.
//!
//! Marker forms: `NS:NAME` (full reference `name:tag[@digest]`),
//! `NS:NAME:name` (repository), `NS:NAME:tag`, `NS:NAME:digest` (the
//! digest, or an empty string, written `""`, when the image has none: Flux's
//! behaviour and `flux-compat.md` §6.3).
//!
//! # Which comments are markers (as Flux/kyaml read them)
//!
//! The comment, after stripping all leading `#`, must be exactly a JSON object
//! whose values are all strings, with a non-empty `"$imagepolicy"` (extra
//! keys allowed, any JSON spacing). It marks the scalar it trails on the same
//! line (go-yaml's *line comment*; inside a flow collection `value, # m`
//! counts), or, on a line of its own, the scalar value or sequence item that
//! starts the next line (its *head comment*; a line comment on that scalar
//! wins, and a two-line comment block is not JSON). A comment above
//! `key: value` belongs to the key; a comment after `}`/`]` belongs to the
//! collection; neither is a marker. A new value that would read as a number,
//! bool, null or timestamp (YAML 1.1 or 1.2) is written double-quoted when the
//! old scalar was plain; quoted scalars keep their quotes.
//!
//! # Deliberate differences from Flux
//!
//! - Only the marked scalar's bytes change (Flux re-serialises the file).
//! - A symlinked file is read only when it resolves to a file inside the
//!   tree (Flux reads it wherever it points); the file it points to is
//!   rewritten and the link kept. Symlinked directories are not followed
//!   (as in Flux). `.git/` is skipped (Flux walks it; nothing there is a
//!   manifest).
//! - Unusable markers are reported as [`Problem`]s (Flux ignores them
//!   silently): unknown policy, malformed JSON or reference, not on a scalar.
//! - A marker on a block scalar header (`key: | # marker`) replaces the
//!   scalar's value, as in Flux, but Weir writes it as a one-line `|-`/`>-`
//!   block under the same header comment (Flux re-emits the whole file). A
//!   marker *above* a block scalar (a head comment) is a problem, not
//!   rewritten.
//! - YAML is parsed with saphyr-parser, not go-yaml; a file one accepts and
//!   the other rejects (rare edge cases) is a problem file here.
//!
//! ```
//! use std::path::Path;
//! use weir_setters::{ImageRef, Setters};
//!
//! let image: ImageRef = "ghcr.io/acme/app:1.4.0".parse()?;
//! let setters = Setters::new([("flux-system:app".to_owned(), image)]);
//! let yaml = b"images:\n- name: app\n  newTag: 1.3.9 # {\"$imagepolicy\": \"flux-system:app:tag\"}\n";
//! let result = setters.apply_to_bytes(Path::new("kustomization.yaml"), yaml);
//! assert_eq!(
//!     result.new_bytes.as_deref(),
//!     Some(&b"images:\n- name: app\n  newTag: 1.4.0 # {\"$imagepolicy\": \"flux-system:app:tag\"}\n"[..])
//! );
//! assert_eq!(result.changes[0].old, "1.3.9");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod image;
mod problem;
mod render;
mod scan;
mod tree;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use image::{ImageRef, ImageRefError};
pub use problem::{Problem, ProblemKind};
pub use render::ScalarStyle;
pub use scan::{BlockHeader, MarkerSite, ObjectId, Scan, scan};
pub use tree::{Error, Report, Summary, write};

/// Which part of the policy's image a marker receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Field {
    /// `NS:NAME`: `name:tag`, plus `@digest` when known.
    Full,
    /// `NS:NAME:name`: the repository, without tag.
    Name,
    /// `NS:NAME:tag`: the tag.
    Tag,
    /// `NS:NAME:digest`: the digest.
    Digest,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Full => "full",
            Field::Name => "name",
            Field::Tag => "tag",
            Field::Digest => "digest",
        })
    }
}

/// One usable marker and what it does: `old == new` means it was already up
/// to date ([`Change::is_change`] is false).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// 1-based line of the scalar.
    pub line: usize,
    /// 1-based column (characters) of the scalar.
    pub column: usize,
    /// The marker's value, e.g. `flux-system:app:tag` (Flux's `Change.Setter`).
    pub setter: String,
    /// The policy, `NS:NAME`.
    pub policy: String,
    /// Which part of the image is written.
    pub field: Field,
    /// The scalar's value before.
    pub old: String,
    /// The scalar's value after.
    pub new: String,
    /// The object (YAML document) holding the scalar.
    pub object: ObjectId,
}

impl Change {
    /// Whether the value actually changes.
    #[must_use]
    pub fn is_change(&self) -> bool {
        self.old != self.new
    }
}

/// The outcome for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileResult {
    /// The file (relative to the tree root in a [`Report`]).
    pub path: PathBuf,
    /// The rewritten file, or `None` when nothing changes.
    #[serde(skip)]
    pub new_bytes: Option<Vec<u8>>,
    /// Every usable marker, in file order.
    pub changes: Vec<Change>,
    /// Unusable markers and file-level problems.
    pub problems: Vec<Problem>,
}

/// Why a `NS:NAME=IMAGE_REF` assignment was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssignmentError {
    /// No `=` between policy and image.
    #[error("{input:?} is not NS:NAME=IMAGE_REF (no '=')")]
    MissingEquals {
        /// The assignment as given.
        input: String,
    },
    /// The policy is not `NS:NAME` with lowercase DNS-style parts.
    #[error(
        "{input:?}: policy {policy:?} is not NS:NAME (namespace and name: lowercase letters, digits, '-' and '.')"
    )]
    InvalidPolicy {
        /// The assignment as given.
        input: String,
        /// The policy part.
        policy: String,
    },
    /// The image reference is malformed.
    #[error("{input:?}: invalid image reference")]
    InvalidImage {
        /// The assignment as given.
        input: String,
        /// Why the image was rejected.
        #[source]
        source: ImageRefError,
    },
}

/// The resolved image policies to apply, keyed by `NS:NAME`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Setters {
    policies: BTreeMap<String, ImageRef>,
}

impl Setters {
    /// Builds setters from `("NS:NAME", image)` pairs (a later pair for the
    /// same policy wins).
    pub fn new(policies: impl IntoIterator<Item = (String, ImageRef)>) -> Self {
        Setters {
            policies: policies.into_iter().collect(),
        }
    }

    /// Parses a command-line style assignment `NS:NAME=IMAGE_REF`.
    ///
    /// # Errors
    /// [`AssignmentError`] naming the part that is malformed.
    pub fn parse_assignment(input: &str) -> Result<(String, ImageRef), AssignmentError> {
        let Some((policy, image)) = input.split_once('=') else {
            return Err(AssignmentError::MissingEquals {
                input: input.to_owned(),
            });
        };
        let dns = |s: &str| {
            !s.is_empty()
                && s.len() <= 253
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
                && !s.starts_with(['-', '.'])
                && !s.ends_with(['-', '.'])
        };
        match policy.split_once(':') {
            Some((ns, name)) if dns(ns) && dns(name) => {}
            _ => {
                return Err(AssignmentError::InvalidPolicy {
                    input: input.to_owned(),
                    policy: policy.to_owned(),
                });
            }
        }
        let image = image
            .parse()
            .map_err(|source| AssignmentError::InvalidImage {
                input: input.to_owned(),
                source,
            })?;
        Ok((policy.to_owned(), image))
    }

    /// The policies, in name order.
    pub fn policies(&self) -> impl Iterator<Item = (&str, &ImageRef)> {
        self.policies.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Resolves a marker value to `(policy, field, new value)`.
    fn resolve(&self, setter: &str) -> Result<(String, Field, String), ProblemKind> {
        let parts: Vec<&str> = setter.split(':').collect();
        let (ns, name, field) = match parts.as_slice() {
            [ns, name] => (ns, name, Field::Full),
            [ns, name, "tag"] => (ns, name, Field::Tag),
            [ns, name, "name"] => (ns, name, Field::Name),
            [ns, name, "digest"] => (ns, name, Field::Digest),
            _ => {
                return Err(ProblemKind::MalformedReference {
                    setter: setter.to_owned(),
                });
            }
        };
        if ns.is_empty() || name.is_empty() {
            return Err(ProblemKind::MalformedReference {
                setter: setter.to_owned(),
            });
        }
        let policy = format!("{ns}:{name}");
        let Some(image) = self.policies.get(&policy) else {
            return Err(ProblemKind::UnknownPolicy {
                setter: setter.to_owned(),
            });
        };
        let value = match field {
            Field::Full => image.to_string(),
            Field::Name => image.name().to_owned(),
            Field::Tag => image.tag().to_owned(),
            // flux-compat.md §6.3: `latestRef.digest`, an empty string when
            // the policy reflects no digest (as Flux writes it).
            Field::Digest => image.digest().unwrap_or_default().to_owned(),
        };
        Ok((policy, field, value))
    }

    /// Applies the setters to one file's bytes. Never fails: unusable
    /// markers and unparsable files are reported in [`FileResult::problems`].
    /// Files without the `"$imagepolicy"` token are not parsed at all.
    #[must_use]
    pub fn apply_to_bytes(&self, path: &Path, bytes: &[u8]) -> FileResult {
        let found = scan(bytes);
        let mut result = FileResult {
            path: path.to_owned(),
            new_bytes: None,
            changes: Vec::with_capacity(found.markers.len()),
            problems: found.problems,
        };
        let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        for site in found.markers {
            let (policy, field, new) = match self.resolve(&site.setter) {
                Ok(resolved) => resolved,
                Err(kind) => {
                    result.problems.push(Problem {
                        line: Some(site.comment_line),
                        kind,
                    });
                    continue;
                }
            };
            if site.old != new {
                let text = match &site.block {
                    Some(header) => header.render(&new),
                    None => render::render(&new, site.style, site.in_flow),
                };
                edits.push((site.range.clone(), text));
            }
            result.changes.push(Change {
                line: site.line,
                column: site.column,
                setter: site.setter,
                policy,
                field,
                old: site.old,
                new,
                object: site.object,
            });
        }
        result.problems.sort_by_key(|p| p.line);
        if !edits.is_empty() {
            let mut out = Vec::with_capacity(bytes.len() + 64);
            let mut at = 0;
            for (range, text) in edits {
                out.extend_from_slice(bytes.get(at..range.start).unwrap_or_default());
                out.extend_from_slice(text.as_bytes());
                at = range.end;
            }
            out.extend_from_slice(bytes.get(at..).unwrap_or_default());
            if out != bytes {
                result.new_bytes = Some(out);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setters() -> Setters {
        Setters::new([
            (
                "ns:app".to_owned(),
                "localhost:5000/team/app:20240101".parse().unwrap(),
            ),
            (
                "ns:dig".to_owned(),
                "ghcr.io/x/dig:v2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                    .parse()
                    .unwrap(),
            ),
        ])
    }

    fn apply(src: &str) -> (String, FileResult) {
        let r = setters().apply_to_bytes(Path::new("f.yaml"), src.as_bytes());
        let out = r
            .new_bytes
            .clone()
            .map_or_else(|| src.to_owned(), |b| String::from_utf8(b).unwrap());
        (out, r)
    }

    #[test]
    fn numeric_tag_gets_double_quoted_and_second_run_is_a_no_op() {
        let src = "tag: 1.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n";
        let (out, r) = apply(src);
        assert_eq!(
            out,
            "tag: \"20240101\" # {\"$imagepolicy\": \"ns:app:tag\"}\n"
        );
        assert!(r.changes[0].is_change());
        let (again, r2) = apply(&out);
        assert_eq!(again, out);
        assert!(r2.new_bytes.is_none());
        assert!(!r2.changes[0].is_change());
    }

    #[test]
    fn name_keeps_registry_port_and_quotes() {
        let src = "a: 'old/app' # {\"$imagepolicy\": \"ns:app:name\"}\nb: \"x:1\" # {\"$imagepolicy\": \"ns:app\"}\n";
        let (out, _) = apply(src);
        assert_eq!(
            out,
            "a: 'localhost:5000/team/app' # {\"$imagepolicy\": \"ns:app:name\"}\nb: \"localhost:5000/team/app:20240101\" # {\"$imagepolicy\": \"ns:app\"}\n"
        );
    }

    #[test]
    fn digest_forms() {
        let src = "a: x # {\"$imagepolicy\": \"ns:dig\"}\nb: y # {\"$imagepolicy\": \"ns:dig:digest\"}\nc: z # {\"$imagepolicy\": \"ns:app:digest\"}\n";
        let (out, r) = apply(src);
        let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(
            out,
            format!(
                "a: ghcr.io/x/dig:v2@{d} # {{\"$imagepolicy\": \"ns:dig\"}}\nb: {d} # {{\"$imagepolicy\": \"ns:dig:digest\"}}\nc: \"\" # {{\"$imagepolicy\": \"ns:app:digest\"}}\n"
            )
        );
        // flux-compat.md §6.3: `:digest` gets an empty string when the image
        // has no digest; a plain scalar becomes `""` to stay a string.
        assert!(r.problems.is_empty());
        assert_eq!(r.changes[2].new, "");
        let (out, _) = apply("c: 'sha256:1' # {\"$imagepolicy\": \"ns:app:digest\"}\n");
        assert_eq!(out, "c: '' # {\"$imagepolicy\": \"ns:app:digest\"}\n");
    }

    /// flux-compat §6.3: a block scalar is a scalar node; its value is
    /// replaced (written as a one-line `|-`/`>-` block, so it has no final
    /// line break, as Flux sets it), keeping the marker comment.
    #[test]
    fn block_scalar_headers_are_rewritten() {
        let m = "# {\"$imagepolicy\": \"ns:app\"}";
        let new = "localhost:5000/team/app:20240101";
        for (src, want) in [
            (
                format!("a: | {m}\n  old:1\nb: c\n"),
                format!("a: |- {m}\n  {new}\nb: c\n"),
            ),
            (
                format!("a: >+   {m}\n  x\n  y\n\nb: c\n"),
                format!("a: >-   {m}\n  {new}\n\nb: c\n"),
            ),
            (
                format!("- | {m}\n  x\n- y\n"),
                format!("- |- {m}\n  {new}\n- y\n"),
            ),
            (
                format!("a: | {m}\nb: c\n"),
                format!("a: |- {m}\n  {new}\nb: c\n"),
            ),
            (
                format!("a: | {m}\r\n  x\r\nb: c\r\n"),
                format!("a: |- {m}\r\n  {new}\r\nb: c\r\n"),
            ),
            (
                format!("a: &x | {m}\n  x:1\n"),
                format!("a: &x |- {m}\n  {new}\n"),
            ),
            (
                format!("a:\n  b: |2 {m}\n     x\n  c: d\n"),
                format!("a:\n  b: |- {m}\n     {new}\n  c: d\n"),
            ),
            (format!("a: | {m}\n  x"), format!("a: |- {m}\n  {new}")),
        ] {
            let (out, r) = apply(&src);
            assert_eq!(out, want, "{src:?}");
            assert!(r.problems.is_empty(), "{src:?}: {:?}", r.problems);
            assert!(r.changes[0].is_change());
            // The new block reads back as the new value: a second run changes nothing.
            let (again, r2) = apply(&out);
            assert_eq!(again, out);
            assert_eq!(r2.changes[0].old, new, "{out:?}");
        }
    }

    #[test]
    fn unknown_and_malformed_references_are_problems() {
        let src = "a: x # {\"$imagepolicy\": \"ns:nope\"}\nb: y # {\"$imagepolicy\": \"ns/app\"}\nc: z # {\"$imagepolicy\": \"ns:app:bogus\"}\n";
        let (out, r) = apply(src);
        assert_eq!(out, src);
        let kinds: Vec<_> = r.problems.iter().map(|p| p.kind.name()).collect();
        assert_eq!(
            kinds,
            [
                "unknown-policy",
                "malformed-reference",
                "malformed-reference"
            ]
        );
    }

    #[test]
    fn assignments() {
        let (p, i) = Setters::parse_assignment("flux-system:app=ghcr.io/a/b:1").unwrap();
        assert_eq!((p.as_str(), i.tag()), ("flux-system:app", "1"));
        assert!(matches!(
            Setters::parse_assignment("flux-system:app"),
            Err(AssignmentError::MissingEquals { .. })
        ));
        assert!(matches!(
            Setters::parse_assignment("app=ghcr.io/a/b:1"),
            Err(AssignmentError::InvalidPolicy { .. })
        ));
        assert!(matches!(
            Setters::parse_assignment("ns:App=ghcr.io/a/b:1"),
            Err(AssignmentError::InvalidPolicy { .. })
        ));
        assert!(matches!(
            Setters::parse_assignment("ns:app=ghcr.io/a/b"),
            Err(AssignmentError::InvalidImage { .. })
        ));
    }
}
