//! YAML for Weir: parse documents into [`serde_json::Value`] trees with
//! go-yaml v3 scalar resolution, and emit them byte-for-byte the way
//! `kubectl kustomize` (kustomize v5.5.0) prints resources.
//!
//! Layer 0 (pure): no I/O, no printing. The kustomize engine and the
//! setters build on it.
//!
//! # What "the way kustomize sees it" means
//!
//! kustomize reads YAML with go-yaml v3, and prints each resource by
//! marshalling it to JSON and handing the JSON to the go-yaml v2 encoder.
//! So values are rewritten on the way through: plain `1.0` becomes `1`,
//! `0755` becomes `493`, `2001-12-14` becomes the string
//! `"2001-12-14T00:00:00Z"`, `yes`/`on` stay strings, comments and
//! anchors disappear, and map keys come out in go-yaml v2's natural order.
//! [`parse_documents`] returns the values after that round trip, and
//! [`emit_documents`] prints them with go-yaml v2's layout and quoting.
//!
//! Kustomization files are read differently by kustomize (sigs.k8s.io/yaml,
//! i.e. go-yaml v2, first document only, duplicate keys allowed):
//! [`Decoder::Kustomization`] with [`parse_first_document_with`] reproduces
//! that.
//!
//! # Why no existing YAML crate
//!
//! No Rust YAML crate emits kustomize's bytes: serde_yaml and its forks
//! (libyaml-based) choose other quoting, never fold long lines, and leave
//! YAML 1.1 booleans bare; saphyr and yaml-rust2 indent sequences and quote
//! differently (measured in the project's dependency notes). Their serde
//! layers also resolve scalar types their own way, while we must copy
//! go-yaml v3's resolver exactly. So parsing uses `saphyr-parser` only for
//! its event stream (raw scalar text, style, tags, anchors, positions) and
//! this crate does resolution, tree building and emitting itself.
//!
//! # Example
//!
//! ```
//! let docs = weir_yaml::parse_documents(
//!     "kind: ConfigMap\napiVersion: v1\ndata:\n  mode: 0755\n  enabled: yes\n",
//! )?;
//! assert_eq!(docs[0]["data"]["mode"], 493);
//! assert_eq!(
//!     weir_yaml::emit_documents(&docs),
//!     "apiVersion: v1\ndata:\n  enabled: \"yes\"\n  mode: 493\nkind: ConfigMap\n",
//! );
//! # Ok::<(), weir_yaml::Error>(())
//! ```
//!
//! # Known differences from kustomize
//!
//! - **Key order for some digit-bearing key sets.** go-yaml v2 compares digit
//!   runs as numbers and letters after non-letters, which is not a total
//!   order: keys such as `x10a`, `x1b` and `x2` (or `0755`, `0b11`, `1e3`,
//!   `9`) sort in a cycle, and runs of more than 18 digits overflow. For such
//!   maps kustomize's own output changes from run to run (Go map iteration
//!   feeds its sort); ours is deterministic. Key sets without such a cycle
//!   sort exactly as kustomize sorts them.
//! - **YAML 1.1 vs 1.2 syntax corners.** The parser is `saphyr-parser`
//!   (YAML 1.2); go-yaml is libyaml-based. Where the two disagree this crate
//!   follows go-yaml: quoted scalars whose continuation lines are indented
//!   less than their key, `key:<TAB>value`, `"\'"` and a plain `-` in a
//!   flow collection are accepted (the text is adjusted and parsed again,
//!   a bounded number of times); `\/` escapes, tabs where a block
//!   scalar's indentation is detected, `?` inside (or `|`, `>` at the start
//!   of) a plain scalar in a flow collection, a tag directly followed by
//!   `]`/`}`/`,`, and directives before the first document are refused.
//!   A raw U+FEFF inside a document is content, as for go-yaml. Still
//!   different: a lone CR line break inside a quoted scalar is refused
//!   here; a raw U+2028, U+2029 or
//!   NEL is a line break for go-yaml: in plain and quoted scalars and in
//!   keys this crate treats it so, in block scalars it stays content;
//!   go-yaml's anchor names are letters, digits, `-` and `_` only (so
//!   `&a: v` is an anchored empty key and `&a.b` an error there); in flow
//!   collections go-yaml reads `?x` as a key and `[a:]` as the string
//!   `a:`; `|#c` (a comment without a blank) is accepted by go-yaml. A
//!   block scalar ending a text that has no final line break gets none
//!   only with [`ParseOptions::go_eof_block_scalars`].
//! - **kustomize's go-yaml v3 round trip** (it writes each resource back
//!   out before reading it as JSON) is reproduced where it changes values:
//!   folded scalars, empty values and keys inside flow collections (`""`),
//!   timestamps with a `:` inside flow collections (kept as written). An
//!   alias to an empty node used inside a flow collection is not.
//! - **Annotations as written.** kustomize reads and rewrites a resource's
//!   `metadata.annotations` as a string map, so there [`parse_documents`]
//!   keeps a plain scalar's text as written (`True`, `0x1F`, `~`, `1e3`,
//!   `.inf` stay as strings) and turns a collection into `""`; so do the
//!   items of a `kind: List` document (when `kind` precedes `items`). Labels keep their
//!   resolved values, as kustomize prints them.
//! - What kustomize's *engine* does (dropping an empty `metadata.labels` or
//!   `metadata.annotations` map, document order) is not this crate's job.
//!
//! # Hostile input
//!
//! Parsing never recurses on the input's structure: nesting deeper than
//! [`ParseOptions::max_depth`] is an error, and aliases may expand to at
//! most [`ParseOptions::max_alias_nodes`] nodes in total, so a "billion
//! laughs" document fails fast instead of exhausting memory.

mod emit;
mod folded;
mod number;
mod parse;
mod resolve;
mod sort;

pub use emit::{emit_document, emit_documents};
use serde_json::Value;

/// Which Go decoder's view of the YAML to reproduce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decoder {
    /// Resources: go-yaml v3, then kustomize's JSON round trip (the
    /// crate-level docs list what that rewrites). Duplicate keys are errors.
    #[default]
    Resource,
    /// Kustomization files, which kustomize reads with sigs.k8s.io/yaml
    /// (go-yaml v2 into JSON): YAML 1.1 booleans (`yes`, `on`, `n`, …) are
    /// booleans, timestamps stay strings as written, the last of duplicate
    /// keys wins, and no JSON re-read happens (so no NEL folding, no
    /// folded-scalar round trip). Pair it with [`parse_first_document_with`]:
    /// that decoder reads only the first document.
    Kustomization,
}

/// Limits and decoding mode applied while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Whose view of the values to reproduce (default [`Decoder::Resource`]).
    pub decoder: Decoder,
    /// Deepest nesting of sequences and mappings accepted (default 1,000).
    /// Flow collections (`[`, `{`) are also limited to 255 levels by
    /// saphyr-parser itself.
    pub max_depth: usize,
    /// Most nodes that alias expansion may produce in one stream, counting
    /// every node of every copied anchor (default 250,000; a "billion laughs"
    /// document hits it in well under a second and about 30 MB).
    pub max_alias_nodes: usize,
    /// A block scalar (`|`, `>`) that runs to the end of a text without a
    /// final line break gets no line break, as go-yaml reads it (default
    /// `false`: saphyr's reading, which adds one). Off by default only
    /// because weir-kustomize still trims `path:` patch files, which
    /// kustomize does not (it trims inline `patch:` text only); with that
    /// fixed this should become the default.
    pub go_eof_block_scalars: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            decoder: Decoder::Resource,
            max_depth: 1_000,
            max_alias_nodes: 250_000,
            go_eof_block_scalars: false,
        }
    }
}

impl ParseOptions {
    /// Sets [`ParseOptions::decoder`].
    #[must_use]
    pub fn with_decoder(mut self, decoder: Decoder) -> Self {
        self.decoder = decoder;
        self
    }

    /// Sets [`ParseOptions::max_depth`].
    #[must_use]
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Sets [`ParseOptions::go_eof_block_scalars`].
    #[must_use]
    pub fn with_go_eof_block_scalars(mut self, on: bool) -> Self {
        self.go_eof_block_scalars = on;
        self
    }

    /// Sets [`ParseOptions::max_alias_nodes`].
    #[must_use]
    pub fn with_max_alias_nodes(mut self, max_alias_nodes: usize) -> Self {
        self.max_alias_nodes = max_alias_nodes;
        self
    }
}

/// Errors from parsing YAML. Every variant carries the 1-based line and
/// column where the problem was found; the caller adds the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not well-formed YAML.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// Line (1-based).
        line: usize,
        /// Column (1-based, in characters).
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// A mapping has the same key twice.
    #[error(
        "line {line}, column {column}: mapping key {key:?} already defined at line {first_line}"
    )]
    DuplicateKey {
        /// Line (1-based) of the second occurrence.
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The key.
        key: String,
        /// Line of the first occurrence.
        first_line: usize,
    },
    /// A mapping key is a number, boolean, null or timestamp; kustomize
    /// cannot turn such a mapping into JSON.
    #[error("line {line}, column {column}: mapping key {key} is not a string (quote it)")]
    NonStringKey {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The key as resolved (JSON text).
        key: String,
    },
    /// A mapping key is itself a mapping or a sequence.
    #[error("line {line}, column {column}: mapping keys must be scalars, not collections")]
    ComplexKey {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
    },
    /// An alias names an anchor not defined earlier in the same document.
    #[error("line {line}, column {column}: alias to an unknown anchor")]
    UnknownAnchor {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
    },
    /// Aliases expanded to more nodes than allowed.
    #[error("line {line}, column {column}: aliases expand to more than {limit} nodes")]
    AliasExpansion {
        /// Line (1-based) of the alias that crossed the limit.
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The limit in force.
        limit: usize,
    },
    /// Sequences and mappings are nested deeper than allowed.
    #[error("line {line}, column {column}: nesting deeper than {limit} levels")]
    TooDeep {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The value of a `<<` merge key is not a mapping or a list of
    /// mappings.
    #[error("line {line}, column {column}: map merge requires a mapping or a list of mappings")]
    InvalidMerge {
        /// Line (1-based) of the `<<` key.
        line: usize,
        /// Column (1-based).
        column: usize,
    },
    /// `.inf` / `.nan`: kustomize's JSON step cannot represent them.
    #[error(
        "line {line}, column {column}: unsupported value {value} (infinity and NaN cannot be converted to JSON)"
    )]
    UnsupportedFloat {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The scalar text.
        value: String,
    },
    /// A scalar with an explicit tag does not resolve to that type.
    #[error("line {line}, column {column}: cannot decode {resolved} `{value}` as a {tag}")]
    TagMismatch {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The explicit tag (`!!int`, …).
        tag: String,
        /// The tag the text resolves to.
        resolved: String,
        /// The scalar text.
        value: String,
    },
    /// A string holds a character kustomize's JSON → YAML step refuses
    /// (DEL, a C1 control other than NEL, U+FFFE or U+FFFF).
    #[error("line {line}, column {column}: control character U+{code:04X} is not allowed")]
    ControlCharacter {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The character's code point.
        code: u32,
    },
    /// A mapping key is too long for kustomize's JSON → YAML step (over
    /// 1,024 characters once JSON-escaped, quotes included).
    #[error(
        "line {line}, column {column}: mapping key is {length} characters long as JSON; kustomize refuses keys over 1024"
    )]
    KeyTooLong {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// Length of the key's JSON form.
        length: usize,
    },
    /// A `!!binary` scalar is not valid base64.
    #[error("line {line}, column {column}: !!binary value contains invalid base64 data")]
    InvalidBinary {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
    },
}

impl Error {
    /// Line (1-based) where the problem was found.
    pub fn line(&self) -> usize {
        match self {
            Error::Syntax { line, .. }
            | Error::DuplicateKey { line, .. }
            | Error::NonStringKey { line, .. }
            | Error::ComplexKey { line, .. }
            | Error::UnknownAnchor { line, .. }
            | Error::AliasExpansion { line, .. }
            | Error::TooDeep { line, .. }
            | Error::InvalidMerge { line, .. }
            | Error::UnsupportedFloat { line, .. }
            | Error::TagMismatch { line, .. }
            | Error::ControlCharacter { line, .. }
            | Error::KeyTooLong { line, .. }
            | Error::InvalidBinary { line, .. } => *line,
        }
    }

    /// Column (1-based, in characters) where the problem was found.
    pub fn column(&self) -> usize {
        match self {
            Error::Syntax { column, .. }
            | Error::DuplicateKey { column, .. }
            | Error::NonStringKey { column, .. }
            | Error::ComplexKey { column, .. }
            | Error::UnknownAnchor { column, .. }
            | Error::AliasExpansion { column, .. }
            | Error::TooDeep { column, .. }
            | Error::InvalidMerge { column, .. }
            | Error::UnsupportedFloat { column, .. }
            | Error::TagMismatch { column, .. }
            | Error::ControlCharacter { column, .. }
            | Error::KeyTooLong { column, .. }
            | Error::InvalidBinary { column, .. } => *column,
        }
    }
}

/// Parses a multi-document YAML stream into one value per document, with
/// the default [`ParseOptions`].
///
/// Empty documents (and documents that are just `null`) are skipped.
pub fn parse_documents(src: &str) -> Result<Vec<Value>, Error> {
    parse_documents_with(src, &ParseOptions::default())
}

/// Parses a multi-document YAML stream with explicit limits.
pub fn parse_documents_with(src: &str, opts: &ParseOptions) -> Result<Vec<Value>, Error> {
    parse::parse_lenient(src, opts, false, None)
}

/// One step of a path into a parsed document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// A parsed document plus where it holds empty values.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Document {
    /// The document, as [`parse_documents_with`] returns it.
    pub value: Value,
    /// Paths (from the document root) of the mapping values written with no
    /// value text: `key:` with nothing after it, `{key: }` or `{key}` in a
    /// flow mapping, `!!null ""`, an anchor on such a value and its
    /// aliases, and the same values again under each alias of an anchored
    /// collection holding them. They read as `null` (as `""` inside a flow mapping or as an
    /// annotation value), like an explicit `null` or `~`, but go-yaml keeps
    /// their empty text and kustomize's strategic merge drops such fields
    /// while keeping explicit nulls. Empty sequence items (`- `) and values
    /// inside `<<` merge sources are not listed. Usually empty (no
    /// allocation).
    pub empty_values: Vec<Vec<PathStep>>,
}

impl From<Value> for Document {
    /// A document with no empty values.
    fn from(value: Value) -> Self {
        Document {
            value,
            empty_values: Vec::new(),
        }
    }
}

/// [`parse_documents_with`], also telling for each document which mapping
/// values were written empty (see [`Document::empty_values`]). The values
/// are the same as [`parse_documents_with`] returns.
///
/// ```
/// use weir_yaml::{ParseOptions, PathStep, parse_documents_tracking_empty};
///
/// let docs = parse_documents_tracking_empty("a:\n  b:\n  c: ~\n", &ParseOptions::default())?;
/// assert_eq!(docs[0].value, serde_json::json!({"a": {"b": null, "c": null}}));
/// let b = vec![PathStep::Key("a".into()), PathStep::Key("b".into())];
/// assert_eq!(docs[0].empty_values, vec![b]);
/// # Ok::<(), weir_yaml::Error>(())
/// ```
pub fn parse_documents_tracking_empty(
    src: &str,
    opts: &ParseOptions,
) -> Result<Vec<Document>, Error> {
    let mut marks = Vec::new();
    let docs = parse::parse_lenient(src, opts, false, Some(&mut marks))?;
    let mut marks = marks.into_iter();
    Ok(docs
        .into_iter()
        .map(|value| Document {
            value,
            empty_values: marks.next().unwrap_or_default(),
        })
        .collect())
}

/// Parses only the first document of a stream, the way go-yaml's
/// `Unmarshal` (and so kustomize reading a kustomization file) does:
/// anything after the end of the first document is never looked at, even
/// if it is not valid YAML. Returns `None` for an empty or `null` document.
///
/// ```
/// use weir_yaml::{Decoder, ParseOptions, parse_first_document_with};
///
/// let opts = ParseOptions::default().with_decoder(Decoder::Kustomization);
/// let k = parse_first_document_with("namePrefix: p-\nnamePrefix: q-\nx: yes\n", &opts)?;
/// assert_eq!(k, Some(serde_json::json!({"namePrefix": "q-", "x": true})));
/// # Ok::<(), weir_yaml::Error>(())
/// ```
pub fn parse_first_document_with(src: &str, opts: &ParseOptions) -> Result<Option<Value>, Error> {
    Ok(parse::parse_lenient(src, opts, true, None)?
        .into_iter()
        .next())
}
