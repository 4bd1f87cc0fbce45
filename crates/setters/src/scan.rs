//! Finding `$imagepolicy` markers and the exact bytes of the scalars they mark.
//!
//! `saphyr-parser` supplies the YAML structure: which scalars are mapping
//! keys, values or sequence items, which are block scalars, and where each
//! starts. Its events carry no comments and its end positions for quoted
//! scalars are not exact, so this module lexes locally from each start
//! position: it skips node properties (`&anchor`, `!tag`), finds the closing
//! quote of quoted scalars, and then looks for `#` comments on the lines that
//! mention `$imagepolicy`, outside every scalar's bytes. Text inside block
//! scalars and quoted strings is therefore never mistaken for a comment.

use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle};
use serde::Serialize;

use crate::problem::{Problem, ProblemKind};
use crate::render::ScalarStyle;

/// The token a file must contain to be examined at all (Flux's screen,
/// quotes included).
pub(crate) const SCREEN_TOKEN: &[u8] = b"\"$imagepolicy\"";
/// The token that makes a comment worth a look (and a report if unusable).
const COMMENT_TOKEN: &[u8] = b"$imagepolicy";
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The Kubernetes object a marker sits in: the YAML document's `apiVersion`,
/// `kind`, `metadata.namespace` and `metadata.name` (any may be absent, e.g.
/// in a Helm values file).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectId {
    /// `apiVersion`.
    pub api_version: Option<String>,
    /// `kind`.
    pub kind: Option<String>,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: Option<String>,
}

/// A well-formed marker attached to a scalar value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerSite {
    /// The marker's value, e.g. `flux-system:app:tag`.
    pub setter: String,
    /// The scalar's bytes in the input (quotes included, node properties excluded).
    pub range: Range<usize>,
    /// How the scalar is written.
    pub style: ScalarStyle,
    /// Whether the scalar sits inside a flow collection.
    pub in_flow: bool,
    /// The scalar's current value (unescaped, folded).
    pub old: String,
    /// 1-based line of the scalar's first byte.
    pub line: usize,
    /// 1-based column (in characters) of the scalar's first byte.
    pub column: usize,
    /// 1-based line of the marker comment.
    pub comment_line: usize,
    /// The object (YAML document) the scalar belongs to.
    pub object: ObjectId,
    /// Set when the marker is on a block scalar's header (`key: | # m`):
    /// `range` then runs from the indicator to the end of the last content
    /// line, and the new value is written as a one-line `|-`/`>-` block.
    pub block: Option<BlockHeader>,
}

/// The parts of a block scalar's header that a rewrite keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHeader {
    /// `|` (literal) or `>` (folded).
    pub indicator: char,
    /// The header after its indicators, up to the line break (the marker
    /// comment and the blanks before it).
    pub rest: String,
    /// The header's line break (`\n` or `\r\n`).
    pub line_break: String,
    /// The content indentation (that of the first content line, else the
    /// header line's plus two).
    pub indent: usize,
}

impl BlockHeader {
    /// The block scalar text for `value` (one line, strip chomping, so the
    /// value has no final line break, as Flux sets it).
    #[must_use]
    pub fn render(&self, value: &str) -> String {
        let mut out = format!("{}-{}", self.indicator, self.rest);
        if !value.is_empty() {
            out.push_str(&self.line_break);
            out.extend(std::iter::repeat_n(' ', self.indent));
            out.push_str(value);
        }
        out
    }
}

/// What [`scan`] found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Usable markers, in file order.
    pub markers: Vec<MarkerSite>,
    /// Comments that mention `$imagepolicy` but cannot be used, and file-level problems.
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Key,
    Value,
    Item,
    Root,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Scalar(ScalarStyle),
    Block,
    Alias,
}

#[derive(Debug, Clone)]
struct Node {
    kind: NodeKind,
    /// Where the node's properties (or the node itself) start.
    prop_start: usize,
    /// The scalar's bytes (quotes included) or the alias.
    range: Range<usize>,
    role: Role,
    in_flow: bool,
    doc: usize,
    value: String,
}

enum Frame {
    Map {
        flow: bool,
        expect_key: bool,
        last_key: Option<String>,
    },
    Seq {
        flow: bool,
    },
}

/// Finds every marker in a YAML file's bytes. Never panics; problems with the
/// file or with individual comments are reported in [`Scan::problems`].
///
/// Files without the `"$imagepolicy"` token are not examined (an empty
/// [`Scan`] is returned), exactly like Flux's screening reader.
#[must_use]
pub fn scan(bytes: &[u8]) -> Scan {
    let mut out = Scan::default();
    if memchr::memmem::find(bytes, SCREEN_TOKEN).is_none() {
        return out;
    }
    let offset = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let Ok(text) = std::str::from_utf8(&bytes[offset..]) else {
        out.problems.push(Problem {
            line: None,
            kind: ProblemKind::NotUtf8,
        });
        return out;
    };
    let file = match Parsed::new(text) {
        Ok(file) => file,
        Err(problem) => {
            out.problems.push(problem);
            return out;
        }
    };
    file.find_markers(&mut out);
    for m in &mut out.markers {
        m.range = m.range.start + offset..m.range.end + offset;
    }
    out
}

struct Parsed<'a> {
    text: &'a str,
    nodes: Vec<Node>,
    docs: Vec<ObjectId>,
    line_starts: Vec<usize>,
}

impl<'a> Parsed<'a> {
    fn new(text: &'a str) -> Result<Self, Problem> {
        // saphyr positions are character indices; map them to byte offsets.
        let char_bytes: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(text.len()))
            .collect();
        // YAML line breaks are LF, CRLF and a lone CR.
        let bytes = text.as_bytes();
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(
                memchr::memchr2_iter(b'\n', b'\r', bytes)
                    .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
                    .map(|i| i + 1),
            )
            .collect();
        let mut parsed = Parsed {
            text,
            nodes: Vec::new(),
            docs: Vec::new(),
            line_starts,
        };
        match parsed.read_events(text, &char_bytes) {
            Ok(()) => Ok(parsed),
            Err(problem) if text.contains(":\t") => {
                // saphyr 0.3.4 rejects a tab after `:` before a plain scalar
                // (`key:<TAB>value`), which YAML 1.2 and go-yaml accept. Parse
                // a copy with those tabs as spaces (same byte positions) and
                // take plain values from the original text.
                let patched = tabs_after_colons_as_spaces(text);
                if parsed.read_events(&patched, &char_bytes).is_err() {
                    return Err(problem);
                }
                for node in &mut parsed.nodes {
                    if node.kind == NodeKind::Scalar(ScalarStyle::Plain)
                        && let Some(raw) = text.get(node.range.clone())
                        && !raw.contains(['\n', '\r'])
                    {
                        raw.clone_into(&mut node.value);
                    }
                }
                Ok(parsed)
            }
            Err(problem) => Err(problem),
        }
    }

    /// Runs saphyr over `parser_text` (the file, or a copy with the same
    /// byte positions) and records nodes and document identities.
    fn read_events(&mut self, parser_text: &str, char_bytes: &[usize]) -> Result<(), Problem> {
        let text = self.text;
        let parsed = self;
        parsed.nodes.clear();
        parsed.docs.clear();
        let mut stack: Vec<Frame> = Vec::new();
        let mut parser = Parser::new_from_str(parser_text);
        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(ev) => ev,
                Err(e) => {
                    return Err(Problem {
                        line: Some(e.marker().line()),
                        kind: ProblemKind::InvalidYaml {
                            message: e.info().to_owned(),
                        },
                    });
                }
            };
            let start = char_bytes.get(span.start.index()).copied();
            let end = char_bytes.get(span.end.index()).copied();
            let (Some(start), Some(end)) = (start, end) else {
                continue;
            };
            match event {
                Event::DocumentStart(_) => {
                    parsed.docs.push(ObjectId::default());
                    stack.clear();
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    stack.pop();
                }
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    let is_seq = matches!(event, Event::SequenceStart(..));
                    let (role, _) = next_role(&mut stack);
                    if role == Role::Key
                        && let Some(Frame::Map { last_key, .. }) = stack.last_mut()
                    {
                        *last_key = None;
                    }
                    let bracket = if is_seq { b'[' } else { b'{' };
                    let flow = end > start && text.as_bytes().get(start) == Some(&bracket);
                    stack.push(if is_seq {
                        Frame::Seq { flow }
                    } else {
                        Frame::Map {
                            flow,
                            expect_key: true,
                            last_key: None,
                        }
                    });
                }
                Event::Alias(_) => {
                    let (role, in_flow) = next_role(&mut stack);
                    if role == Role::Key
                        && let Some(Frame::Map { last_key, .. }) = stack.last_mut()
                    {
                        *last_key = None;
                    }
                    parsed.push_node(Node {
                        kind: NodeKind::Alias,
                        prop_start: start,
                        range: start..end.max(start),
                        role,
                        in_flow,
                        doc: parsed.docs.len().saturating_sub(1),
                        value: String::new(),
                    });
                }
                Event::Scalar(value, style, _, _) => {
                    let (role, in_flow) = next_role(&mut stack);
                    let value = value.into_owned();
                    match role {
                        Role::Key => {
                            if let Some(Frame::Map { last_key, .. }) = stack.last_mut() {
                                *last_key = Some(value.clone());
                            }
                        }
                        Role::Value => parsed.note_identity(&stack, &value),
                        Role::Item | Role::Root => {}
                    }
                    let doc = parsed.docs.len().saturating_sub(1);
                    let node = match style {
                        SaphyrStyle::Literal | SaphyrStyle::Folded => Some(Node {
                            kind: NodeKind::Block,
                            prop_start: start,
                            range: block_content_start(text, start)..end.max(start),
                            role,
                            in_flow,
                            doc,
                            value,
                        }),
                        SaphyrStyle::SingleQuoted | SaphyrStyle::DoubleQuoted => {
                            let quote = if style == SaphyrStyle::SingleQuoted {
                                b'\''
                            } else {
                                b'"'
                            };
                            locate_quoted(text.as_bytes(), start, quote).map(|range| Node {
                                kind: NodeKind::Scalar(if quote == b'"' {
                                    ScalarStyle::DoubleQuoted
                                } else {
                                    ScalarStyle::SingleQuoted
                                }),
                                prop_start: start,
                                range,
                                role,
                                in_flow,
                                doc,
                                value,
                            })
                        }
                        // Plain (and any future style): saphyr's end is exact for plain scalars.
                        _ => {
                            let s = skip_properties(text.as_bytes(), start, end);
                            (end > s).then_some(Node {
                                kind: NodeKind::Scalar(ScalarStyle::Plain),
                                prop_start: start,
                                range: s..end,
                                role,
                                in_flow,
                                doc,
                                value,
                            })
                        }
                    };
                    if let Some(node) = node {
                        parsed.push_node(node);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Keeps `nodes` sorted and non-overlapping (defensive: positions come
    /// from another crate).
    fn push_node(&mut self, node: Node) {
        if self.nodes.last().is_none_or(|last| {
            node.range.start >= last.range.end && node.range.start >= last.prop_start
        }) {
            self.nodes.push(node);
        }
    }

    /// Records `apiVersion`, `kind`, `metadata.name` and `metadata.namespace`
    /// of the current document.
    fn note_identity(&mut self, stack: &[Frame], value: &str) {
        let Some(doc) = self.docs.last_mut() else {
            return;
        };
        fn key(f: &Frame) -> Option<&str> {
            match f {
                Frame::Map { last_key, .. } => last_key.as_deref(),
                Frame::Seq { .. } => None,
            }
        }
        match stack {
            [top] => match key(top) {
                Some("apiVersion") => doc.api_version = Some(value.to_owned()),
                Some("kind") => doc.kind = Some(value.to_owned()),
                _ => {}
            },
            [root, meta] if key(root) == Some("metadata") => match key(meta) {
                Some("name") => doc.name = Some(value.to_owned()),
                Some("namespace") => doc.namespace = Some(value.to_owned()),
                _ => {}
            },
            _ => {}
        }
    }

    fn line_of(&self, pos: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= pos)
    }

    /// The byte range of the line (without its `\n`) holding `pos`.
    fn line_range(&self, line: usize) -> Range<usize> {
        let start = self
            .line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(0);
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        start..end.max(start)
    }

    fn column_of(&self, pos: usize) -> usize {
        let line = self.line_range(self.line_of(pos));
        self.text
            .get(line.start..pos)
            .map_or(1, |prefix| prefix.chars().count() + 1)
    }

    /// Whether `pos` lies inside a scalar's bytes.
    fn masked(&self, pos: usize) -> bool {
        let i = self.nodes.partition_point(|n| n.range.start <= pos);
        i > 0
            && self
                .nodes
                .get(i - 1)
                .is_some_and(|n| n.kind != NodeKind::Alias && pos < n.range.end)
    }

    /// The first `#` on `line` that starts a comment (outside scalars,
    /// preceded by a blank or the line start), if any.
    fn comment_start(&self, line: Range<usize>) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let slice = bytes.get(line.clone())?;
        memchr::memchr_iter(b'#', slice)
            .map(|i| line.start + i)
            .find(|&h| {
                (h == line.start || matches!(bytes.get(h - 1), Some(b' ' | b'\t')))
                    && !self.masked(h)
            })
    }

    fn is_comment_line(&self, line: usize) -> bool {
        let r = self.line_range(line);
        let bytes = self.text.as_bytes();
        let Some(slice) = bytes.get(r.clone()) else {
            return false;
        };
        match slice.iter().position(|b| !matches!(b, b' ' | b'\t')) {
            Some(i) => slice[i] == b'#' && !self.masked(r.start + i),
            None => false,
        }
    }

    fn find_markers(&self, out: &mut Scan) {
        let bytes = self.text.as_bytes();
        let mut seen_lines: Vec<usize> = Vec::new();
        for hit in memchr::memmem::find_iter(bytes, COMMENT_TOKEN) {
            let line = self.line_of(hit);
            if seen_lines.last() == Some(&line) {
                continue;
            }
            let range = self.line_range(line);
            let Some(hash) = self.comment_start(range.clone()) else {
                continue;
            };
            if hash > hit {
                continue;
            }
            seen_lines.push(line);
            let comment = self.text.get(hash..range.end).unwrap_or_default();
            let comment = comment.strip_suffix('\r').unwrap_or(comment);
            let setter = match parse_marker(comment) {
                Ok(setter) => setter,
                Err(kind) => {
                    out.problems.push(Problem {
                        line: Some(line),
                        kind,
                    });
                    continue;
                }
            };
            if let Some(site) = self.attach_block_header(line, range.clone(), hash, &setter) {
                out.markers.push(site);
                continue;
            }
            match self.attach(line, range, hash) {
                Ok(node) => out.markers.push(MarkerSite {
                    setter,
                    range: node.range.clone(),
                    style: match node.kind {
                        NodeKind::Scalar(style) => style,
                        _ => ScalarStyle::Plain,
                    },
                    in_flow: node.in_flow,
                    old: node.value.clone(),
                    line: self.line_of(node.range.start),
                    column: self.column_of(node.range.start),
                    comment_line: line,
                    object: self.docs.get(node.doc).cloned().unwrap_or_default(),
                    block: None,
                }),
                Err(Unattached::Block) => out.problems.push(Problem {
                    line: Some(line),
                    kind: ProblemKind::BlockScalar { setter },
                }),
                Err(Unattached::Why(why)) => out.problems.push(Problem {
                    line: Some(line),
                    kind: ProblemKind::NotOnScalar { setter, why },
                }),
            }
        }
    }

    /// A marker trailing a block scalar header (`key: | # m`, `- >- # m`) is
    /// go-yaml's line comment of that scalar (flux-compat §6.3: the scalar's
    /// value is replaced). Returns the site covering the indicator through
    /// the last content line, or `None` when the line is no such header.
    fn attach_block_header(
        &self,
        line: usize,
        range: Range<usize>,
        hash: usize,
        setter: &str,
    ) -> Option<MarkerSite> {
        let text = self.text;
        let before = text.get(range.start..hash)?;
        let trimmed = before.trim_end();
        let header = trimmed.trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
        let indicator = header.chars().last().filter(|c| matches!(c, '|' | '>'))?;
        let ind_start = range.start + header.len() - 1;
        let ind_end = range.start + trimmed.len();
        // The block scalar node: its span ends after the header (content,
        // possibly empty) and, with an anchor or tag, starts before it.
        let i = self.nodes.partition_point(|n| n.range.end <= hash);
        let node = self
            .nodes
            .get(i)
            .filter(|n| n.kind == NodeKind::Block && n.role != Role::Key)?;
        let content_start = self.line_starts.get(line).copied().unwrap_or(text.len());
        let after_header = text.get(ind_end..content_start)?;
        let rest = after_header
            .strip_suffix("\r\n")
            .or_else(|| after_header.strip_suffix('\n'))
            .or_else(|| after_header.strip_suffix('\r'))
            .unwrap_or(after_header);
        let line_break = &after_header[rest.len()..];
        let content = text
            .get(content_start.max(node.range.start)..node.range.end.max(content_start))
            .unwrap_or_default();
        let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        let (end, indent) = match content.bytes().rposition(|b| !blank(b)) {
            Some(last) => {
                let base = content_start.max(node.range.start);
                let last = base + last;
                let end = text[last..]
                    .find(['\n', '\r'])
                    .map_or(text.len(), |e| last + e);
                let first = base + content.bytes().position(|b| !blank(b)).unwrap_or(0);
                let first_line = self.line_range(self.line_of(first));
                (end, first - first_line.start)
            }
            None => {
                let lead = before.len() - before.trim_start_matches(' ').len();
                (ind_end + rest.len(), lead + 2)
            }
        };
        let line_break = if line_break.is_empty() {
            "\n"
        } else {
            line_break
        };
        Some(MarkerSite {
            setter: setter.to_owned(),
            range: ind_start..end,
            style: ScalarStyle::Block,
            in_flow: false,
            old: node.value.clone(),
            line: self.line_of(ind_start),
            column: self.column_of(ind_start),
            comment_line: line,
            object: self.docs.get(node.doc).cloned().unwrap_or_default(),
            block: Some(BlockHeader {
                indicator,
                rest: rest.to_owned(),
                line_break: line_break.to_owned(),
                indent,
            }),
        })
    }

    /// Finds the scalar a marker comment belongs to: the value it trails on
    /// the same line, or the sequence item on the next line for a comment on
    /// its own line (go-yaml's line and head comments, as kyaml reads them).
    fn attach(&self, line: usize, range: Range<usize>, hash: usize) -> Result<&Node, Unattached> {
        let bytes = self.text.as_bytes();
        let before = self.text.get(range.start..hash).unwrap_or_default();
        if before.trim().is_empty() {
            return self.attach_head(line);
        }
        // Trailing comment: the node ending last before the `#`.
        let i = self.nodes.partition_point(|n| n.range.end <= hash);
        let prev = i.checked_sub(1).and_then(|i| self.nodes.get(i));
        let trimmed = before.trim_end();
        if let Some(node) = prev
            && node.range.end >= range.start
            && bytes
                .get(node.range.end..hash)
                .is_some_and(|gap| trailing_gap(gap, node.in_flow))
        {
            return match (node.kind, node.role) {
                (NodeKind::Alias, _) => Err(Unattached::Why(
                    "it follows an alias; only a scalar value can carry a marker",
                )),
                (NodeKind::Block, _) => Err(Unattached::Block),
                (_, Role::Key) => Err(Unattached::Why("it follows a mapping key, not a value")),
                _ => Ok(node),
            };
        }
        if trimmed.trim_start() == "-" {
            // `- # marker` with the item on the next line: its head comment.
            return self.node_starting_line(line + 1, false);
        }
        let header = trimmed.trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
        if header.ends_with('|') || header.ends_with('>') {
            return Err(Unattached::Block);
        }
        Err(Unattached::Why(if trimmed.ends_with(':') {
            "it follows a mapping key with no value on the same line"
        } else if trimmed.ends_with(']') || trimmed.ends_with('}') {
            "it follows a flow collection; only a scalar value can carry a marker"
        } else if trimmed.ends_with("---") {
            "it is on a document start line"
        } else if trimmed.ends_with('-') {
            "it follows a sequence dash with no value on the same line"
        } else {
            "it does not directly follow a scalar value"
        }))
    }

    /// A comment on its own line is go-yaml's head comment of the node that
    /// starts the next line; kyaml reads it when that node is a scalar value
    /// or sequence item (`key:\n  # m\n  value`, `# m\n- item`).
    fn attach_head(&self, line: usize) -> Result<&Node, Unattached> {
        if line >= self.line_starts.len() {
            return Err(Unattached::Why(NOT_ABOVE_VALUE));
        }
        let node = self.node_starting_line(line + 1, true)?;
        if line > 1 && self.is_comment_line(line - 1) {
            return Err(Unattached::Why(
                "it is part of a multi-line comment block; the marker must be the only comment line above the value",
            ));
        }
        let end_line = self.line_range(self.line_of(node.range.end.saturating_sub(1)));
        if let Some(h) = self.comment_start(node.range.end.max(end_line.start)..end_line.end)
            && h >= node.range.end
        {
            return Err(Unattached::Why(
                "the value below has its own line comment, which takes precedence",
            ));
        }
        Ok(node)
    }

    /// The scalar value or sequence item that is the first node on `line`,
    /// preceded only by blanks (or by one `- ` when `allow_dash`).
    fn node_starting_line(&self, line: usize, allow_dash: bool) -> Result<&Node, Unattached> {
        let bytes = self.text.as_bytes();
        let next = self.line_range(line);
        let i = self.nodes.partition_point(|n| n.prop_start < next.start);
        let Some(node) = self.nodes.get(i).filter(|n| n.prop_start <= next.end) else {
            return Err(Unattached::Why(NOT_ABOVE_VALUE));
        };
        let lead = trim_ascii_blank(bytes.get(next.start..node.prop_start).unwrap_or_default());
        let lead_ok = lead.is_empty() || (allow_dash && lead == b"-");
        if !lead_ok || node.role == Role::Key {
            return Err(Unattached::Why(NOT_ABOVE_VALUE));
        }
        match node.kind {
            NodeKind::Alias => Err(Unattached::Why(
                "the node below is an alias; only a scalar value can carry a marker",
            )),
            NodeKind::Block => Err(Unattached::Block),
            NodeKind::Scalar(_) => Ok(node),
        }
    }
}

const NOT_ABOVE_VALUE: &str = "a comment on its own line marks only a scalar value or sequence item starting the next line (a comment above `key: value` belongs to the key)";

enum Unattached {
    Block,
    Why(&'static str),
}

/// What may sit between a scalar and its line comment: blanks, and in a flow
/// collection one `,` (go-yaml attaches `a, # c` to `a`).
fn trailing_gap(gap: &[u8], in_flow: bool) -> bool {
    let gap = trim_ascii_blank(gap);
    gap.is_empty() || (in_flow && gap == b",")
}

fn trim_ascii_blank(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |e| e + 1);
    s.get(start..end).unwrap_or_default()
}

/// `text` with every tab that directly follows a `:` (and the tabs after
/// it) replaced by a space.
fn tabs_after_colons_as_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_colon = false;
    for c in text.chars() {
        if c == '\t' && after_colon {
            out.push(' ');
            continue;
        }
        after_colon = c == ':';
        out.push(c);
    }
    out
}

/// Where a block scalar's content starts. saphyr's span starts at the
/// content, except with node properties (`&a |`, `!!str |`) where it starts
/// at the first property, on the header line: then the content starts on the
/// next line, and the header (with its comment) is not part of the scalar.
fn block_content_start(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let line_end = text[start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |e| start + e);
    let at = skip_properties(bytes, start, line_end);
    if matches!(bytes.get(at), Some(b'|' | b'>')) {
        let next = match bytes.get(line_end) {
            Some(b'\r') if bytes.get(line_end + 1) == Some(&b'\n') => line_end + 2,
            Some(_) => line_end + 1,
            None => line_end,
        };
        next.max(start)
    } else {
        start
    }
}

/// Works out which node the next event belongs to, and advances the
/// enclosing mapping between key and value.
fn next_role(stack: &mut [Frame]) -> (Role, bool) {
    match stack.last_mut() {
        Some(Frame::Map {
            flow, expect_key, ..
        }) => {
            let role = if *expect_key { Role::Key } else { Role::Value };
            *expect_key = !*expect_key;
            (role, *flow)
        }
        Some(Frame::Seq { flow }) => (Role::Item, *flow),
        None => (Role::Root, false),
    }
}

/// Skips node properties (`&anchor`, `!tag`, `!<verbatim>`) and blanks
/// between `start` and `limit`.
fn skip_properties(bytes: &[u8], start: usize, limit: usize) -> usize {
    let mut i = start;
    let stop = |b: u8| {
        matches!(
            b,
            b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
        )
    };
    while i < limit {
        match bytes.get(i) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
            Some(b'&') => {
                while i < limit && bytes.get(i).is_some_and(|&b| !stop(b)) {
                    i += 1;
                }
            }
            Some(b'!') if bytes.get(i + 1) == Some(&b'<') => {
                while i < limit && bytes.get(i) != Some(&b'>') {
                    i += 1;
                }
                i += 1;
            }
            Some(b'!') => {
                while i < limit && bytes.get(i).is_some_and(|&b| !stop(b)) {
                    i += 1;
                }
            }
            Some(b'#') if i > start && matches!(bytes.get(i - 1), Some(b' ' | b'\t')) => {
                while i < limit && bytes.get(i) != Some(&b'\n') {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    i
}

/// The bytes of a quoted scalar starting at (or after the properties at) `start`.
fn locate_quoted(bytes: &[u8], start: usize, quote: u8) -> Option<Range<usize>> {
    let open = skip_properties(bytes, start, bytes.len());
    if bytes.get(open) != Some(&quote) {
        return None;
    }
    let mut i = open + 1;
    while let Some(&b) = bytes.get(i) {
        if quote == b'"' && b == b'\\' {
            i += 2;
        } else if b == quote {
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
            } else {
                return Some(open..i + 1);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// Reads a comment (leading `#`s included) as a marker, the way kyaml's
/// `fieldmeta` does: strip every leading `#`, then the rest must decode as a
/// JSON object of strings with a non-empty `"$imagepolicy"`. Extra keys are
/// allowed; anything else in the comment means it is not a marker.
pub(crate) fn parse_marker(comment: &str) -> Result<String, ProblemKind> {
    let body = comment.trim_start_matches('#');
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| ProblemKind::BadJson {
            detail: format!("invalid JSON ({})", json_error_class(&e)),
        })?;
    let serde_json::Value::Object(map) = value else {
        return Err(ProblemKind::BadJson {
            detail: "the JSON is not an object".to_owned(),
        });
    };
    let mut setter = None;
    for (key, v) in &map {
        match v {
            serde_json::Value::String(s) => {
                if key == "$imagepolicy" {
                    setter = Some(s.clone());
                }
            }
            // Go decodes null into a map[string]string as "".
            serde_json::Value::Null => {}
            _ => {
                return Err(ProblemKind::BadJson {
                    detail: format!("the value of {key:?} is not a string"),
                });
            }
        }
    }
    match setter {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ProblemKind::MissingReference),
    }
}

fn json_error_class(e: &serde_json::Error) -> String {
    // serde_json's message ends with "at line L column C", which refers to the
    // comment text, not the file; keep only the description.
    let msg = e.to_string();
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markers(src: &str) -> Vec<(String, String, usize)> {
        scan(src.as_bytes())
            .markers
            .into_iter()
            .map(|m| (m.setter, src[m.range].to_owned(), m.line))
            .collect()
    }

    fn problems(src: &str) -> Vec<String> {
        scan(src.as_bytes())
            .problems
            .into_iter()
            .map(|p| format!("{}: {}", p.line.unwrap_or(0), p.kind.name()))
            .collect()
    }

    #[test]
    fn finds_line_comment_on_value() {
        let src = "a:\n  image: ghcr.io/x/app:1.0 # {\"$imagepolicy\": \"ns:app\"}\n";
        assert_eq!(
            markers(src),
            vec![("ns:app".into(), "ghcr.io/x/app:1.0".into(), 2)]
        );
    }

    #[test]
    fn quoted_scalars_keep_their_quotes_and_hashes() {
        let src = "a: \"x # y\" # {\"$imagepolicy\": \"ns:app:tag\"}\nb: 'it''s # z'  #{\"$imagepolicy\":\"ns:b:tag\"}\n";
        assert_eq!(
            markers(src),
            vec![
                ("ns:app:tag".into(), "\"x # y\"".into(), 1),
                ("ns:b:tag".into(), "'it''s # z'".into(), 2)
            ]
        );
    }

    #[test]
    fn block_scalar_text_is_not_a_comment() {
        let src = "a: |\n  image: x:1 # {\"$imagepolicy\": \"ns:app\"}\nb: c\n";
        assert!(markers(src).is_empty());
        assert!(problems(src).is_empty());
    }

    #[test]
    fn marker_inside_a_quoted_string_is_not_a_comment() {
        let src = "a: \"x # {\\\"$imagepolicy\\\": \\\"ns:app\\\"}\"\n";
        assert!(markers(src).is_empty());
        assert!(problems(src).is_empty());
    }

    #[test]
    fn head_comment_marks_the_sequence_item_below() {
        let src = "args:\n# {\"$imagepolicy\": \"ns:app\"}\n- &x !!str app:1\n- other\n";
        assert_eq!(markers(src), vec![("ns:app".into(), "app:1".into(), 3)]);
    }

    #[test]
    fn head_comment_marks_a_value_on_its_own_line_and_lone_dash_items() {
        let src = "k:\n  # {\"$imagepolicy\": \"ns:a\"}\n  &x !!str a:1\nl:\n- # {\"$imagepolicy\": \"ns:b\"}\n  b:1\nf: [\n  # {\"$imagepolicy\": \"ns:c\"}\n  c:1, d]\n";
        assert_eq!(
            markers(src),
            vec![
                ("ns:a".into(), "a:1".into(), 3),
                ("ns:b".into(), "b:1".into(), 6),
                ("ns:c".into(), "c:1".into(), 9)
            ]
        );
    }

    #[test]
    fn head_comment_above_key_is_a_problem() {
        let src = "# {\"$imagepolicy\": \"ns:app\"}\nimage: app:1\n";
        assert!(markers(src).is_empty());
        assert_eq!(problems(src), vec!["1: not-on-scalar"]);
    }

    #[test]
    fn two_line_head_comment_is_not_a_marker() {
        let src = "l:\n# note\n# {\"$imagepolicy\": \"ns:app\"}\n- app:1\n";
        assert!(markers(src).is_empty());
        assert_eq!(problems(src), vec!["3: not-on-scalar"]);
    }

    #[test]
    fn line_comment_wins_over_head_comment() {
        let src = "l:\n# {\"$imagepolicy\": \"ns:app\"}\n- app:1 # keep\n";
        assert!(markers(src).is_empty());
        assert_eq!(problems(src), vec!["2: not-on-scalar"]);
    }

    #[test]
    fn comment_after_key_alias_and_flow_are_problems() {
        let src = "a: # {\"$imagepolicy\": \"ns:a\"}\n  x\nb: *y # {\"$imagepolicy\": \"ns:b\"}\nc: {d: 1} # {\"$imagepolicy\": \"ns:c\"}\ne: | # {\"$imagepolicy\": \"ns:e\"}\n  t\n";
        let src = format!("y: &y 1\n{src}");
        assert_eq!(
            problems(&src),
            vec!["2: not-on-scalar", "4: not-on-scalar", "5: not-on-scalar",]
        );
        // A marker on a block scalar header marks that scalar (§6.3).
        let found = markers(&src);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "ns:e");
        assert_eq!(&src[src.find("| #").unwrap_or(0)..][..1], "|");
    }

    #[test]
    fn flow_values_carry_markers() {
        let src = "image: {repository: ghcr.io/x/app, tag: 1.0.0} \n  # nothing\nl: [a, b] \nv: {tag: 1.0.0 # {\"$imagepolicy\": \"ns:a:tag\"}\n  }\nw: [\n  x:1, # {\"$imagepolicy\": \"ns:x\"}\n  y]\n";
        assert_eq!(
            markers(src),
            vec![
                ("ns:a:tag".into(), "1.0.0".into(), 4),
                ("ns:x".into(), "x:1".into(), 7)
            ]
        );
    }

    #[test]
    fn marker_grammar() {
        assert_eq!(
            parse_marker("# {\"$imagepolicy\": \"a:b\"}").unwrap(),
            "a:b"
        );
        assert_eq!(
            parse_marker("##{\"$imagepolicy\":\"a:b\"}  ").unwrap(),
            "a:b"
        );
        assert_eq!(
            parse_marker("# {\"$imagepolicy\": \"a:b\", \"other\": \"x\"}").unwrap(),
            "a:b"
        );
        assert!(matches!(
            parse_marker("# see {\"$imagepolicy\": \"a:b\"}"),
            Err(ProblemKind::BadJson { .. })
        ));
        assert!(matches!(
            parse_marker("# {\"$imagepolicy\": a:b}"),
            Err(ProblemKind::BadJson { .. })
        ));
        assert!(matches!(
            parse_marker("# {\"$imagepolicy\": \"a:b\", \"n\": 1}"),
            Err(ProblemKind::BadJson { .. })
        ));
        assert!(matches!(
            parse_marker("# {\"$imagepolicy\": \"\"}"),
            Err(ProblemKind::MissingReference)
        ));
        assert!(matches!(
            parse_marker("# [\"$imagepolicy\"]"),
            Err(ProblemKind::BadJson { .. })
        ));
    }

    #[test]
    fn crlf_bom_and_unicode_positions() {
        let src = "\u{feff}a: x\r\nname: \"é\" # {\"$imagepolicy\": \"ns:app:tag\"}\r\n";
        let s = scan(src.as_bytes());
        assert_eq!(s.markers.len(), 1);
        let m = &s.markers[0];
        assert_eq!(&src[m.range.clone()], "\"é\"");
        assert_eq!((m.line, m.column), (2, 7));
    }

    #[test]
    fn a_tab_after_a_colon_is_accepted() {
        let src = "k: v\na:\tx:1 # {\"$imagepolicy\": \"ns:a\"}\nb:\t\"q\"\n";
        let s = scan(src.as_bytes());
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.markers[0].old, "x:1");
        assert_eq!(&src[s.markers[0].range.clone()], "x:1");
    }

    #[test]
    fn a_lone_cr_ends_a_line() {
        let src = "# note\ra: x:1 # {\"$imagepolicy\": \"ns:a\"}\n";
        assert_eq!(markers(src), vec![("ns:a".into(), "x:1".into(), 2)]);
    }

    #[test]
    fn invalid_yaml_and_utf8_are_problems() {
        assert_eq!(problems("a: [\n\"$imagepolicy\""), vec!["2: invalid-yaml"]);
        let mut bytes = b"a: \"$imagepolicy\" \xff".to_vec();
        bytes.push(b'\n');
        assert_eq!(scan(&bytes).problems[0].kind, ProblemKind::NotUtf8);
    }

    #[test]
    fn object_identity() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  image: a:1 # {\"$imagepolicy\": \"ns:a\"}\n---\nkind: X\nv: b:1 # {\"$imagepolicy\": \"ns:b\"}\n";
        let s = scan(src.as_bytes());
        assert_eq!(s.markers[0].object.name.as_deref(), Some("web"));
        assert_eq!(s.markers[0].object.namespace.as_deref(), Some("prod"));
        assert_eq!(s.markers[0].object.kind.as_deref(), Some("Deployment"));
        assert_eq!(s.markers[1].object.kind.as_deref(), Some("X"));
        assert_eq!(s.markers[1].object.name, None);
    }
}
