//! The parser: saphyr-parser events folded into `serde_json::Value` trees
//! with an explicit stack (no recursion, so nesting depth costs heap, not
//! call stack), go-yaml v3 scalar resolution, anchors and aliases expanded
//! under a node budget, merge keys and duplicate-key checks.

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine as _;
use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

use crate::Decoder;
use crate::number::float_as_integer;
use crate::resolve::{Scalar, resolve_v2, resolve_v3};
use crate::{Error, ParseOptions, PathStep};

/// Per document (aligned with the parsed values), the paths of mapping
/// values written with no value text (see [`crate::Document`]).
pub(crate) type EmptyMarks = Vec<Vec<Vec<PathStep>>>;

/// A key/value pair of a mapping being built, with the key's position.
struct Entry {
    key: String,
    value: Value,
    line: usize,
    column: usize,
}

enum Key {
    Str(String),
    /// A plain `<<`: the value is merged into the mapping.
    Merge,
    /// A quoted `"<<"` key: kustomize drops it together with its value.
    Dropped,
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        nodes: usize,
        /// Inside a flow collection (`[…]` / `{…}`).
        flow: bool,
    },
    Map {
        entries: Vec<Entry>,
        merges: Vec<(Value, usize, usize)>,
        pending: Option<(Key, usize, usize)>,
        anchor: usize,
        nodes: usize,
        /// Inside a flow collection (`[…]` / `{…}`).
        flow: bool,
    },
}

impl Frame {
    fn flow(&self) -> bool {
        match self {
            Frame::Seq { flow, .. } | Frame::Map { flow, .. } => *flow,
        }
    }
}

/// The source text with a forward-moving cursor that turns saphyr's
/// character offsets into byte offsets (amortised linear; constant time
/// for ASCII input).
struct Source<'s> {
    text: &'s str,
    ascii: bool,
    /// [`Source::slash_escape`], once computed.
    slash_escape: Option<bool>,
    chars: usize,
    bytes: usize,
}

impl<'s> Source<'s> {
    fn new(text: &'s str) -> Self {
        let ascii = text.is_ascii();
        Source {
            text,
            ascii,
            slash_escape: None,
            chars: 0,
            bytes: 0,
        }
    }

    /// Whether the text holds `\\/` anywhere (looked up once).
    fn slash_escape(&mut self) -> bool {
        *self
            .slash_escape
            .get_or_insert_with(|| memchr::memmem::find(self.text.as_bytes(), b"\\/").is_some())
    }

    /// Byte offset of the `chars`-th character (or the text's length).
    fn byte(&mut self, chars: usize) -> usize {
        if self.ascii {
            return chars.min(self.text.len());
        }
        if chars < self.chars {
            self.chars = 0;
            self.bytes = 0;
        }
        let b = self.text.as_bytes();
        while self.chars < chars && self.bytes < b.len() {
            // A run of ASCII moves one byte per character.
            let end = (self.bytes + (chars - self.chars)).min(b.len());
            let run = b[self.bytes..end]
                .iter()
                .position(|c| !c.is_ascii())
                .unwrap_or(end - self.bytes);
            self.bytes += run;
            self.chars += run;
            if self.chars < chars && self.bytes < b.len() {
                // One multi-byte character: its lead byte and continuations.
                self.bytes += 1;
                while b.get(self.bytes).is_some_and(|c| c & 0xC0 == 0x80) {
                    self.bytes += 1;
                }
                self.chars += 1;
            }
        }
        self.bytes
    }
}

struct Builder<'o, 's> {
    opts: &'o ParseOptions,
    src: Source<'s>,
    stack: Vec<Frame>,
    /// Anchors of the current document: id → (value, node count).
    anchors: HashMap<usize, (Value, usize)>,
    expanded: usize,
    root: Option<Value>,
    /// Emptied entry buffers of finished mappings, reused for new ones.
    entry_pool: Vec<Vec<Entry>>,
    /// go-yaml read `!tag,` in a flow sequence as a tag (with the comma)
    /// on the next node: that node gets an application tag.
    tag_next: bool,
    /// go-yaml v2 decoding (kustomization files) instead of go-yaml v3
    /// plus kustomize's JSON round trip (resources).
    v2: bool,
    /// When tracking empty values: the paths found in the current document.
    empties: Option<Vec<Vec<PathStep>>>,
    /// Anchors (of the current document) set on an empty value.
    empty_anchors: Vec<usize>,
    /// Anchored collections being read: (anchor, first of their empties).
    anchor_starts: Vec<(usize, usize)>,
    /// Empty-value paths inside anchored collections, relative to them.
    anchor_empties: Vec<(usize, Vec<Vec<PathStep>>)>,
}

fn pos(span: &Span) -> (usize, usize) {
    (span.start.line(), span.start.col() + 1)
}

/// go-yaml's reader refuses raw characters outside YAML's printable set
/// (C0 controls other than tab, LF and CR; DEL; C1 controls other than
/// NEL; U+FFFE and U+FFFF) anywhere in the stream, even in comments.
fn check_raw_characters(src: &str) -> Result<(), Error> {
    let b = src.as_bytes();
    let bad = b.iter().enumerate().position(|(i, &c)| match c {
        0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F => true,
        0xC2 => matches!(b.get(i + 1), Some(0x80..=0x84 | 0x86..=0x9F)),
        0xEF => b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)),
        _ => false,
    });
    let Some(at) = bad else {
        return Ok(());
    };
    let before = &src[..at];
    let line = before.bytes().filter(|&c| c == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let column = src[line_start..at].chars().count() + 1;
    let code = src[at..].chars().next().map_or(0, u32::from);
    Err(Error::ControlCharacter { line, column, code })
}

/// saphyr's message for a quoted scalar whose continuation line is
/// indented less than the enclosing block (YAML 1.2 forbids it).
const UNDER_INDENTED_QUOTE: &str = "invalid indentation in quoted scalar";

/// saphyr's message for `key:<TAB>value`, which go-yaml accepts.
const TAB_AFTER_COLON: &str = "':' must be followed by a valid YAML whitespace";

/// saphyr's message for an escape it does not know; go-yaml also takes
/// `\'` (an apostrophe) in double-quoted scalars.
const UNKNOWN_ESCAPE: &str = "while parsing a quoted scalar, found unknown escape character";

/// saphyr's message for `[-]`, a plain `-` go-yaml reads as a string.
const DASH_IN_FLOW: &str = "plain scalar cannot start with '-' followed by ,[]{}";

/// Quotes the lone `-` saphyr complained about (`'-'` means the same).
fn quote_dash(src: &str, line: usize, col: usize) -> Option<String> {
    let at = offset_of(src, line, col)?;
    if src.as_bytes().get(at) != Some(&b'-') {
        return None;
    }
    Some(format!("{}'-'{}", &src[..at], &src[at + 1..]))
}

/// Byte offset of (1-based `line`, 0-based char `col`).
fn offset_of(src: &str, line: usize, col: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        src.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)?
    };
    Some(line_start + src[line_start..].char_indices().nth(col)?.0)
}

/// Replaces the tabs between a `:` and the position saphyr complained
/// about with spaces (same meaning for go-yaml).
fn tab_after_colon(src: &str, line: usize, col: usize) -> Option<String> {
    let at = offset_of(src, line, col)?;
    let tabs = src[..at].bytes().rev().take_while(|&b| b == b'\t').count();
    if tabs == 0 || !src[..at - tabs].ends_with(':') {
        return None;
    }
    let mut out = String::with_capacity(src.len());
    out.push_str(&src[..at - tabs]);
    out.extend(std::iter::repeat_n(' ', tabs));
    out.push_str(&src[at..]);
    Some(out)
}

/// Rewrites `\'` as `'` in the double-quoted scalar starting at the
/// position saphyr complained about. `None` if there is none (the unknown
/// escape is another one, an error for go-yaml too).
fn escaped_single_quote(src: &str, line: usize, col: usize) -> Option<String> {
    let start = offset_of(src, line, col)?;
    let b = src.as_bytes();
    if b.get(start) != Some(&b'"') {
        return None;
    }
    let mut i = start + 1;
    let mut out = String::with_capacity(src.len());
    let mut copied = 0;
    let mut changed = false;
    while i < b.len() {
        match b[i] {
            b'"' => break,
            b'\\' if b.get(i + 1) == Some(&b'\'') => {
                out.push_str(&src[copied..i]);
                copied = i + 1;
                changed = true;
                i += 2;
            }
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&src[copied..]);
    Some(out)
}

/// [`parse`], but accepting what go-yaml accepts and YAML 1.2 does not:
/// continuation lines of a quoted scalar indented less than its block.
/// Leading white space of those lines is not part of the value, so such a
/// scalar is re-indented (its own lines only) and the text parsed again, a
/// bounded number of times.
///
/// With `marks`, it is filled with the empty-value paths of each returned
/// document.
pub(crate) fn parse_lenient(
    src: &str,
    opts: &ParseOptions,
    first_only: bool,
    mut marks: Option<&mut EmptyMarks>,
) -> Result<Vec<Value>, Error> {
    match parse_adjusting(src, opts, first_only, marks.as_deref_mut()) {
        Err(Error::Syntax { message, .. }) if message == BOM_IN_DOCUMENT => {
            let (hidden, bom) = hide_inner_boms(src);
            let mut docs = parse_adjusting(
                hidden.as_deref().unwrap_or(src),
                opts,
                first_only,
                marks.as_deref_mut(),
            )?;
            if let Some(sentinel) = bom {
                restore_boms(&mut docs, sentinel);
                if let Some(marks) = marks {
                    restore_mark_boms(marks, sentinel);
                }
            }
            Ok(docs)
        }
        other => other,
    }
}

/// [`restore_boms`] for the keys of empty-value paths.
fn restore_mark_boms(marks: &mut EmptyMarks, sentinel: char) {
    for step in marks.iter_mut().flatten().flatten() {
        if let PathStep::Key(k) = step
            && k.contains(sentinel)
        {
            *k = k.replace(sentinel, "\u{FEFF}");
        }
    }
}

/// saphyr's message for a U+FEFF inside a document.
const BOM_IN_DOCUMENT: &str = "a byte order mark must not appear inside a document";

/// saphyr refuses a U+FEFF inside a document; go-yaml reads it as
/// content (even at the start of a line). So each one past the start of
/// the text is swapped for a noncharacter the text does not hold, put back
/// by [`restore_boms`] after parsing. `(None, None)` when there is none.
fn hide_inner_boms(src: &str) -> (Option<String>, Option<char>) {
    const BOM: &[u8] = "\u{FEFF}".as_bytes();
    let b = src.as_bytes();
    if memchr::memmem::find(b.get(1..).unwrap_or_default(), BOM).is_none() {
        return (None, None);
    }
    let Some(sentinel) = ('\u{FDD0}'..='\u{FDEF}').find(|&c| !src.contains(c)) else {
        return (None, None);
    };
    let mut out = String::with_capacity(src.len());
    for (i, c) in src.char_indices() {
        out.push(if c == '\u{FEFF}' && i > 0 {
            sentinel
        } else {
            c
        });
    }
    (Some(out), Some(sentinel))
}

/// Puts back the U+FEFF that [`hide_inner_boms`] swapped for `sentinel`,
/// in keys and strings (without recursion).
fn restore_boms(docs: &mut [Value], sentinel: char) {
    let mut stack: Vec<&mut Value> = docs.iter_mut().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if s.contains(sentinel) => {
                *s = s.replace(sentinel, "\u{FEFF}");
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(m) => {
                if m.keys().any(|k| k.contains(sentinel)) {
                    let old = std::mem::take(m);
                    *m = old
                        .into_iter()
                        .map(|(k, v)| (k.replace(sentinel, "\u{FEFF}"), v))
                        .collect();
                }
                stack.extend(m.values_mut());
            }
            _ => {}
        }
    }
}

/// [`parse`] with the bounded re-parses of [`parse_lenient`].
fn parse_adjusting(
    src: &str,
    opts: &ParseOptions,
    first_only: bool,
    mut marks: Option<&mut EmptyMarks>,
) -> Result<Vec<Value>, Error> {
    let mut text = Cow::Borrowed(src);
    let mut first_error = None;
    for _ in 0..16 {
        match parse(&text, opts, first_only, marks.as_deref_mut()) {
            Err(Error::Syntax {
                line,
                column,
                message,
            }) if message == UNDER_INDENTED_QUOTE
                || message == TAB_AFTER_COLON
                || message == UNKNOWN_ESCAPE
                || message == DASH_IN_FLOW =>
            {
                let col = column.saturating_sub(1);
                let fixed = if message == TAB_AFTER_COLON {
                    tab_after_colon(&text, line, col)
                } else if message == UNKNOWN_ESCAPE {
                    escaped_single_quote(&text, line, col)
                } else if message == DASH_IN_FLOW {
                    quote_dash(&text, line, col)
                } else {
                    reindent_quoted(&text, line, col)
                };
                let err = Error::Syntax {
                    line,
                    column,
                    message,
                };
                let first = first_error.get_or_insert(err).clone();
                match fixed {
                    Some(fixed) => text = Cow::Owned(fixed),
                    None => return Err(first),
                }
            }
            other => return other,
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => parse(&text, opts, first_only, marks),
    }
}

/// Indents every continuation line of the quoted scalar that starts at
/// (`line`, `col`) (1-based line, 0-based char column) to at least the
/// column of its opening quote. `None` if no quoted scalar starts there or
/// nothing needed indenting.
fn reindent_quoted(src: &str, line: usize, col: usize) -> Option<String> {
    let start = offset_of(src, line, col)?;
    let quote = src[start..].chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let b = src.as_bytes();
    let q = quote as u8;
    let mut i = start + 1;
    let mut out = String::with_capacity(src.len() + 64);
    out.push_str(&src[..=start]);
    let mut changed = false;
    while i < b.len() {
        let c = b[i];
        if q == b'"' && c == b'\\' && matches!(b.get(i + 1), Some(&n) if n == b'"' || n == b'\\') {
            // An escaped quote or backslash.
            out.push_str(&src[i..i + 2]);
            i += 2;
            continue;
        }
        if c == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                out.push_str("''");
                i += 2;
                continue;
            }
            out.push_str(&src[i..]);
            return changed.then_some(out);
        }
        if c == b'\n' {
            out.push('\n');
            i += 1;
            let spaces = b[i..].iter().take_while(|&&s| s == b' ').count();
            if spaces < col && b.get(i + spaces).is_some_and(|&n| n != b'\n' && n != b'\r') {
                out.extend(std::iter::repeat_n(' ', col - spaces));
                changed = true;
            }
            continue;
        }
        let ch_len = src[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&src[i..i + ch_len]);
        i += ch_len;
    }
    None
}

pub(crate) fn parse(
    src: &str,
    opts: &ParseOptions,
    first_only: bool,
    mut marks: Option<&mut EmptyMarks>,
) -> Result<Vec<Value>, Error> {
    if let Some(m) = marks.as_deref_mut() {
        m.clear();
    }
    if !first_only {
        check_raw_characters(src)?;
    }
    let mut parser = Parser::new_from_str(src);
    let mut docs = Vec::new();
    let mut b = Builder {
        opts,
        src: Source::new(src),
        stack: Vec::new(),
        anchors: HashMap::new(),
        expanded: 0,
        root: None,
        entry_pool: Vec::new(),
        tag_next: false,
        v2: opts.decoder == Decoder::Kustomization,
        empties: marks.is_some().then(Vec::new),
        empty_anchors: Vec::new(),
        anchor_starts: Vec::new(),
        anchor_empties: Vec::new(),
    };
    // A document ended: kustomize reads only the first document of each
    // `---`-separated chunk, so directives after it are never looked at.
    let mut seen_end = false;
    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev.map_err(|e| Error::Syntax {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_owned(),
        })?;
        match ev {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(explicit) => {
                if explicit && !seen_end {
                    b.check_directives(&span)?;
                }
                b.anchors.clear();
                b.empty_anchors.clear();
                b.anchor_starts.clear();
                b.anchor_empties.clear();
                b.stack.clear();
                b.root = None;
                if let Some(e) = b.empties.as_mut() {
                    e.clear();
                }
            }
            Event::DocumentEnd => {
                seen_end = true;
                if let Some(v) = b.root.take()
                    && !v.is_null()
                {
                    docs.push(v);
                    if let (Some(m), Some(e)) = (marks.as_deref_mut(), b.empties.as_mut()) {
                        m.push(std::mem::take(e));
                    }
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                b.scalar(text, style, anchor, tag.as_deref(), &span)?
            }
            Event::SequenceStart(anchor, _tag) => {
                b.tag_next = false;
                b.check_start(&span)?;
                b.start_anchored(anchor);
                let flow = b.starts_flow(&span);
                b.stack.push(Frame::Seq {
                    items: Vec::new(),
                    anchor,
                    nodes: 1,
                    flow,
                });
            }
            Event::MappingStart(anchor, _tag) => {
                b.tag_next = false;
                b.check_start(&span)?;
                b.start_anchored(anchor);
                let flow = b.starts_flow(&span);
                b.stack.push(Frame::Map {
                    entries: b.entry_pool.pop().unwrap_or_default(),
                    merges: Vec::new(),
                    pending: None,
                    anchor,
                    nodes: 1,
                    flow,
                });
            }
            Event::SequenceEnd if b.tag_next => {
                let (line, column) = pos(&span);
                return Err(Error::Syntax {
                    line,
                    column,
                    message: "did not find expected node content (go-yaml reads `!tag,` as a tag)"
                        .to_owned(),
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    anchor,
                    nodes,
                    ..
                }) = b.stack.pop()
                {
                    let v = Value::Array(items);
                    b.end_anchored(anchor);
                    b.anchor(anchor, &v, nodes);
                    b.push(v, nodes, &span)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    entries,
                    merges,
                    anchor,
                    nodes,
                    ..
                }) = b.stack.pop()
                {
                    let mut entries = entries;
                    let map = build_map(&mut entries, merges, b.v2)?;
                    if b.entry_pool.len() < 64 {
                        b.entry_pool.push(entries);
                    }
                    let v = Value::Object(map);
                    b.end_anchored(anchor);
                    b.anchor(anchor, &v, nodes);
                    b.push(v, nodes, &span)?;
                }
            }
            Event::Alias(id) => {
                let (line, column) = pos(&span);
                let Some((v, nodes)) = b.anchors.get(&id) else {
                    return Err(Error::UnknownAnchor { line, column });
                };
                let nodes = *nodes;
                b.expanded = b.expanded.saturating_add(nodes);
                if b.expanded > b.opts.max_alias_nodes {
                    return Err(Error::AliasExpansion {
                        line,
                        column,
                        limit: b.opts.max_alias_nodes,
                    });
                }
                let v = v.clone();
                if b.empties.is_some() && !b.expecting_key() {
                    b.mark_alias(id);
                }
                if b.expecting_key() {
                    let key = match v {
                        Value::String(s) => Key::Str(s),
                        other => {
                            return Err(Error::NonStringKey {
                                line,
                                column,
                                key: other.to_string(),
                            });
                        }
                    };
                    b.set_key(key, line, column);
                } else {
                    b.push(v, nodes, &span)?;
                }
            }
        }
        if first_only && b.stack.is_empty() && b.root.is_some() {
            // go-yaml's Unmarshal reads the first document's root node and
            // never looks at the rest of the stream (saphyr would refuse
            // some trailing text before reporting the document's end).
            let end = char_to_byte(src, span.end.index());
            check_raw_characters(&src[..end])?;
            let docs: Vec<Value> = b.root.take().into_iter().filter(|v| !v.is_null()).collect();
            if let (Some(m), Some(e)) = (marks, b.empties.take())
                && !docs.is_empty()
            {
                m.push(e);
            }
            return Ok(docs);
        }
    }
    if first_only {
        check_raw_characters(src)?;
    }
    Ok(docs)
}

/// Builds a mapping from its entries (leaving `entries` empty, so its
/// buffer can be reused) and its merge sources.
fn build_map(
    entries: &mut Vec<Entry>,
    merges: Vec<(Value, usize, usize)>,
    last_key_wins: bool,
) -> Result<Map<String, Value>, Error> {
    if !last_key_wins {
        check_duplicates(entries)?;
    }
    let mut map = Map::new();
    for e in entries.drain(..) {
        map.insert(e.key, e.value);
    }
    if merges.len() > 1 && !last_key_wins {
        let (_, line, column) = merges[1];
        return Err(Error::DuplicateKey {
            line,
            column,
            key: "<<".to_owned(),
            first_line: merges[0].1,
        });
    }
    let merges = if last_key_wins {
        merges.into_iter().last().into_iter().collect()
    } else {
        merges
    };
    for (src, line, column) in merges {
        let sources = match src {
            Value::Object(m) => vec![m],
            Value::Array(items) => {
                let mut v = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::Object(m) => v.push(m),
                        _ => return Err(Error::InvalidMerge { line, column }),
                    }
                }
                v
            }
            _ => return Err(Error::InvalidMerge { line, column }),
        };
        for m in sources {
            for (k, v) in m {
                map.entry(k).or_insert(v);
            }
        }
    }
    Ok(map)
}

/// Rejects a mapping that has the same key twice, naming both lines.
fn check_duplicates(entries: &[Entry]) -> Result<(), Error> {
    let dup = |first: &Entry, second: &Entry| Error::DuplicateKey {
        line: second.line,
        column: second.column,
        key: second.key.clone(),
        first_line: first.line,
    };
    if entries.len() <= 16 {
        for (i, e) in entries.iter().enumerate() {
            if let Some(f) = entries[..i].iter().find(|f| f.key == e.key) {
                return Err(dup(f, e));
            }
        }
        return Ok(());
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].key.cmp(&entries[b].key).then(a.cmp(&b)));
    // The earliest second occurrence in the source is the one to report.
    let mut found: Option<(usize, usize)> = None;
    for w in order.windows(2) {
        if entries[w[0]].key == entries[w[1]].key && found.is_none_or(|(_, s)| w[1] < s) {
            found = Some((w[0], w[1]));
        }
    }
    match found {
        Some((f, s)) => {
            // The first occurrence of that key overall.
            let first = entries
                .iter()
                .find(|e| e.key == entries[s].key)
                .unwrap_or(&entries[f]);
            Err(dup(first, &entries[s]))
        }
        None => Ok(()),
    }
}

impl Builder<'_, '_> {
    fn check_start(&mut self, span: &Span) -> Result<(), Error> {
        let (line, column) = pos(span);
        if self.expecting_key() {
            return Err(Error::ComplexKey { line, column });
        }
        if self.stack.len() >= self.opts.max_depth {
            return Err(Error::TooDeep {
                line,
                column,
                limit: self.opts.max_depth,
            });
        }
        Ok(())
    }

    /// Whether a collection starting at `span` is in a flow context: its
    /// parent is, or its span ends at a `[` / `{` (block collections have
    /// empty spans; flow ones end at their opening bracket).
    fn starts_flow(&mut self, span: &Span) -> bool {
        if self.stack.last().is_some_and(Frame::flow) {
            return true;
        }
        if span.end.index() <= span.start.index() {
            return false;
        }
        let at = self.src.byte(span.end.index() - 1);
        matches!(self.src.text.as_bytes().get(at), Some(b'[' | b'{'))
    }

    /// go-yaml checks on a block scalar that saphyr does not make: while
    /// the indentation is still being detected (leading blank lines and the
    /// first content line, without an explicit indentation indicator), a
    /// tab after the indentation spaces is an error. Also tells how the
    /// scalar ends if it runs to the end of the input.
    fn block_scalar_at_eof(&mut self, span: &Span) -> Result<Eof, Error> {
        let start = self.src.byte(span.start.index());
        let end = self.src.byte(span.end.index());
        let text = self.src.text;
        let spaced_tab = |line: &str| line.trim_start_matches(' ').starts_with('\t');
        let content_line = text[..start].rfind('\n').map_or(0, |p| p + 1);
        let mut tab_line = spaced_tab(&text[content_line..]).then_some(content_line);
        let mut line_start = content_line;
        let mut explicit = false;
        while line_start > 0 {
            let prev_end = line_start - 1;
            let prev_start = text[..prev_end].rfind('\n').map_or(0, |p| p + 1);
            let line = text[prev_start..prev_end].trim_end_matches('\r');
            if line.bytes().all(|b| b == b' ' || b == b'\t') {
                if spaced_tab(line) {
                    tab_line = Some(prev_start);
                }
                line_start = prev_start;
                continue;
            }
            explicit = has_indentation_indicator(line);
            break;
        }
        if let Some(at) = tab_line
            && !explicit
        {
            let above = text[at..content_line]
                .bytes()
                .filter(|&b| b == b'\n')
                .count();
            return Err(Error::Syntax {
                line: span.start.line().saturating_sub(above),
                column: text[at..].bytes().take_while(|&b| b == b' ').count() + 1,
                message: "found a tab character where an indentation space is expected".to_owned(),
            });
        }
        if end < text.len() || text.ends_with(['\n', '\r']) {
            return Ok(Eof::No);
        }
        let last_line = &text[text.rfind('\n').map_or(0, |p| p + 1)..];
        if !last_line.bytes().all(|b| b == b' ' || b == b'\t') {
            return Ok(Eof::NoFinalBreak);
        }
        let blanks = last_line.bytes().take_while(|&b| b == b' ').count();
        Ok(if blanks >= span.start.col() {
            Eof::BlankLastLine
        } else {
            Eof::No
        })
    }

    /// Directives before the first document, as kustomize sees them:
    /// go-yaml refuses `%YAML` other than 1.1 and unknown directives, and
    /// kustomize splits a stream at each `---` line (alone or with a
    /// comment) before parsing, which leaves the directives without their
    /// document; with anything else after `---` it refuses the separator.
    fn check_directives(&mut self, span: &Span) -> Result<(), Error> {
        let dashes = self.src.byte(span.start.index());
        let text = self.src.text;
        let mut found = false;
        for line in text[..dashes].lines() {
            let Some(directive) = line.strip_prefix('%') else {
                continue;
            };
            let mut words = directive.split([' ', '\t']).filter(|w| !w.is_empty());
            let message = match (words.next(), words.next()) {
                (Some("YAML"), Some("1.1")) | (Some("TAG"), _) => None,
                (Some("YAML"), _) => Some("found incompatible YAML document"),
                _ => Some("found unknown directive name"),
            };
            if let Some(message) = message {
                return Err(Error::Syntax {
                    line: span.start.line(),
                    column: 1,
                    message: message.to_owned(),
                });
            }
            found = true;
        }
        if !found {
            return Ok(());
        }
        let rest = text[dashes..].lines().next().unwrap_or_default();
        let after = rest
            .get(3..)
            .unwrap_or_default()
            .trim_start_matches([' ', '\t']);
        let message = if after.is_empty() || after.starts_with('#') {
            "did not find expected <document start> (kustomize splits the stream at `---` lines, which leaves the directives before it without a document)"
        } else {
            "invalid document separator (kustomize accepts `---` followed by a comment only)"
        };
        Err(Error::Syntax {
            line: span.start.line(),
            column: 1,
            message: message.to_owned(),
        })
    }

    /// go-yaml (YAML 1.1) has no `\/` escape; saphyr (YAML 1.2) accepts it.
    fn check_escapes(&mut self, span: &Span) -> Result<(), Error> {
        let start = self.src.byte(span.start.index());
        let end = self.src.byte(span.end.index());
        let raw = self.src.text.as_bytes().get(start..end).unwrap_or_default();
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'\\' {
                if raw.get(i + 1) == Some(&b'/') {
                    let (line, column) = pos(span);
                    return Err(Error::Syntax {
                        line,
                        column,
                        message: "while parsing a quoted scalar, found unknown escape character"
                            .to_owned(),
                    });
                }
                i += 2;
            } else {
                i += 1;
            }
        }
        Ok(())
    }

    /// A raw U+2028, U+2029 or NEL is a line break for go-yaml (content for
    /// saphyr). In a plain scalar that ends the line: what follows is the
    /// next line, a continuation only if indented more than the mapping's
    /// keys (NEL then folds to a space, U+2028/U+2029 stay), else an error;
    /// a plain or quoted key cannot hold one; in a quoted scalar the
    /// blanks around U+2028/U+2029 are dropped. (Block scalars: not done.)
    fn unicode_breaks<'t>(
        &mut self,
        text: Cow<'t, str>,
        style: ScalarStyle,
        span: &Span,
    ) -> Result<Cow<'t, str>, Error> {
        let is_ub = |c: char| matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}');
        let (line, column) = pos(span);
        if style != ScalarStyle::Plain {
            // A quoted key cannot span lines either.
            let start = self.src.byte(span.start.index());
            let end = self.src.byte(span.end.index());
            let raw = self.src.text.get(start..end).unwrap_or_default();
            if self.expecting_key() && raw.contains(is_ub) {
                return Err(Error::Syntax {
                    line,
                    column,
                    message: "a mapping key cannot hold a raw U+2028, U+2029 or NEL (a line break for go-yaml)".to_owned(),
                });
            }
            let raw_ls = raw.contains(['\u{2028}', '\u{2029}']);
            let escaped = ["\\L", "\\P", "\\u2028", "\\u2029"];
            if !matches!(style, ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted)
                || !raw_ls
                || (style == ScalarStyle::DoubleQuoted && escaped.iter().any(|e| raw.contains(e)))
            {
                return Ok(text);
            }
            // In a quoted scalar the raw blanks around such a break are
            // folding white space (dropped); the break itself stays. The
            // k-th break of the text is the k-th raw one.
            let is_blank = |c: &char| *c == ' ' || *c == '\t';
            let raw_chars: Vec<char> = raw.chars().collect();
            let mut around = Vec::new();
            for (i, c) in raw_chars.iter().enumerate() {
                if matches!(c, '\u{2028}' | '\u{2029}') {
                    let before = raw_chars[..i]
                        .iter()
                        .rev()
                        .take_while(|c| is_blank(c))
                        .count();
                    let after = raw_chars[i + 1..]
                        .iter()
                        .take_while(|c| is_blank(c))
                        .count();
                    around.push((before, after));
                }
            }
            let mut out = String::with_capacity(text.len());
            let mut chars = text.chars().peekable();
            let mut k = 0;
            while let Some(c) = chars.next() {
                if matches!(c, '\u{2028}' | '\u{2029}') {
                    let (before, after) = around.get(k).copied().unwrap_or((0, 0));
                    k += 1;
                    for _ in 0..before {
                        if out.ends_with([' ', '\t']) {
                            out.pop();
                        }
                    }
                    out.push(c);
                    for _ in 0..after {
                        if chars.peek().is_some_and(is_blank) {
                            chars.next();
                        }
                    }
                } else {
                    out.push(c);
                }
            }
            return Ok(Cow::Owned(out));
        }
        let refuse = || {
            Error::Syntax {
            line,
            column,
            message: "could not find expected ':' (a raw U+2028, U+2029 or NEL is a line break for go-yaml)".to_owned(),
        }
        };
        if self.expecting_key() {
            return Err(refuse());
        }
        // Continuation lines must be indented past the key of the mapping
        // the value belongs to; elsewhere (sequences, flow) refuse them.
        let indent = match self.stack.last() {
            Some(Frame::Map {
                pending: Some((_, _, key_column)),
                flow: false,
                ..
            }) => Some(key_column.saturating_sub(1)),
            _ => None,
        };
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if !is_ub(c) {
                out.push(c);
                continue;
            }
            let kept = out.trim_end_matches([' ', '\t']).len();
            out.truncate(kept);
            let mut blanks = 0;
            while chars.peek().is_some_and(|&n| n == ' ' || n == '\t') {
                blanks += 1;
                chars.next();
            }
            if chars.peek().is_none() {
                break;
            }
            if chars.peek().copied().is_some_and(is_ub) {
                continue;
            }
            if indent.is_none_or(|i| blanks <= i) {
                return Err(refuse());
            }
            out.push(if c == '\u{85}' { ' ' } else { c });
        }
        Ok(Cow::Owned(out))
    }

    /// The byte right after `span`.
    fn char_after(&mut self, span: &Span) -> Option<u8> {
        let end = self.src.byte(span.end.index());
        self.src.text.as_bytes().get(end).copied()
    }

    /// Whether `span` is followed by a blank, a line break or the end.
    fn blank_after(&mut self, span: &Span) -> bool {
        matches!(
            self.char_after(span),
            None | Some(b' ' | b'\t' | b'\n' | b'\r')
        )
    }

    /// Whether the last non-blank character before `span` is a `?`.
    fn after_question_mark(&mut self, span: &Span) -> bool {
        let start = self.src.byte(span.start.index());
        self.src.text[..start]
            .trim_end_matches([' ', '\t', '\r', '\n'])
            .ends_with('?')
    }

    fn in_flow(&self) -> bool {
        self.stack.last().is_some_and(Frame::flow)
    }

    /// Whether the value being read is `metadata.annotations.<key>` of the
    /// document: kustomize reads (and rewrites) annotations as a string map,
    /// so a non-string scalar there becomes its text as written and a
    /// collection becomes "".
    ///
    /// The same holds for the items of a top-level `kind: List` document
    /// (`items[i].metadata.annotations.<key>`, when `kind` comes before
    /// `items`): kustomize turns each item into a resource of its own
    /// without re-reading it (other `…List` kinds go through JSON first,
    /// which resolves the scalars).
    fn at_annotation_value(&self) -> bool {
        let pending_is = |f: &Frame, k: &str| matches!(f, Frame::Map { pending: Some((Key::Str(s), ..)), .. } if s == k);
        let annotation_tail = |frames: &[Frame]| {
            matches!(frames, [meta, ann, Frame::Map { pending: Some((Key::Str(_), ..)), .. }]
                if pending_is(meta, "metadata") && pending_is(ann, "annotations"))
        };
        match self.stack.as_slice() {
            [_, _, _] => annotation_tail(&self.stack),
            [doc, Frame::Seq { .. }, rest @ ..] if rest.len() == 3 => {
                pending_is(doc, "items")
                    && matches!(doc, Frame::Map { entries, .. } if entries.iter().any(|e| {
                        e.key == "kind" && matches!(&e.value, Value::String(k) if k == "List")
                    }))
                    && annotation_tail(rest)
            }
            _ => false,
        }
    }

    /// The path of the value about to be pushed, if it is reached through
    /// string keys and list items only (not inside a merge source or a
    /// dropped key).
    fn value_path(&self) -> Option<Vec<PathStep>> {
        let mut path = Vec::with_capacity(self.stack.len());
        for f in &self.stack {
            match f {
                Frame::Seq { items, .. } => path.push(PathStep::Index(items.len())),
                Frame::Map {
                    pending: Some((Key::Str(k), ..)),
                    ..
                } => path.push(PathStep::Key(k.clone())),
                Frame::Map { .. } => return None,
            }
        }
        Some(path)
    }

    /// Records the path of the value about to be pushed as written empty,
    /// when it is a mapping value (list items are not recorded).
    fn mark_empty(&mut self) {
        if self.empties.is_none()
            || !matches!(
                self.stack.last(),
                Some(Frame::Map {
                    pending: Some((Key::Str(_), ..)),
                    ..
                })
            )
        {
            return;
        }
        if let (Some(path), Some(empties)) = (self.value_path(), self.empties.as_mut()) {
            empties.push(path);
        }
    }

    /// An alias about to be pushed as a value: its anchor's empty values.
    fn mark_alias(&mut self, id: usize) {
        if self.empty_anchors.contains(&id) {
            self.mark_empty();
        }
        let Some(at) = self.anchor_empties.iter().rposition(|(a, _)| *a == id) else {
            return;
        };
        let Some(prefix) = self.value_path() else {
            return;
        };
        if let Some(empties) = self.empties.as_mut() {
            for rel in &self.anchor_empties[at].1 {
                let mut path = prefix.clone();
                path.extend(rel.iter().cloned());
                empties.push(path);
            }
        }
    }

    /// An anchored collection starts (when tracking empty values).
    fn start_anchored(&mut self, anchor: usize) {
        if anchor > 0
            && let Some(empties) = &self.empties
        {
            self.anchor_starts.push((anchor, empties.len()));
        }
    }

    /// An anchored collection ended (and was popped): keeps the empty
    /// values found inside it, relative to it, for its aliases.
    fn end_anchored(&mut self, anchor: usize) {
        if anchor == 0 {
            return;
        }
        let (Some(empties), Some(&(a, start))) = (&self.empties, self.anchor_starts.last()) else {
            return;
        };
        if a != anchor {
            return;
        }
        self.anchor_starts.pop();
        let depth = self.stack.len();
        let rel: Vec<Vec<PathStep>> = empties
            .get(start..)
            .unwrap_or_default()
            .iter()
            .filter(|p| p.len() > depth)
            .map(|p| p[depth..].to_vec())
            .collect();
        if !rel.is_empty() {
            self.anchor_empties.push((anchor, rel));
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }))
    }

    fn set_key(&mut self, key: Key, line: usize, column: usize) {
        if let Some(Frame::Map { pending, .. }) = self.stack.last_mut() {
            *pending = Some((key, line, column));
        }
    }

    fn anchor(&mut self, anchor: usize, v: &Value, nodes: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (v.clone(), nodes));
        }
    }

    /// Adds a finished value to the collection being built (or makes it the
    /// document root).
    fn push(&mut self, v: Value, nodes: usize, span: &Span) -> Result<(), Error> {
        let v = if matches!(v, Value::Array(_) | Value::Object(_))
            && !self.v2
            && self.at_annotation_value()
        {
            // An annotation that is a collection reads as "" for kustomize.
            Value::String(String::new())
        } else {
            v
        };
        match self.stack.last_mut() {
            None => {
                self.root = Some(v);
            }
            Some(Frame::Seq {
                items, nodes: n, ..
            }) => {
                items.push(v);
                *n = n.saturating_add(nodes);
            }
            Some(Frame::Map {
                entries,
                merges,
                pending,
                nodes: n,
                ..
            }) => {
                *n = n.saturating_add(nodes);
                match pending.take() {
                    Some((Key::Str(key), line, column)) => entries.push(Entry {
                        key,
                        value: v,
                        line,
                        column,
                    }),
                    Some((Key::Merge, line, column)) => merges.push((v, line, column)),
                    Some((Key::Dropped, _, _)) => {}
                    None => {
                        // A collection where a key was expected; scalars
                        // and aliases are handled before getting here.
                        let (line, column) = pos(span);
                        return Err(Error::ComplexKey { line, column });
                    }
                }
            }
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: &Span,
    ) -> Result<(), Error> {
        let (line, column) = pos(span);
        let v2 = self.v2;
        if std::mem::take(&mut self.tag_next) {
            // The node after `!tag,`: an application tag keeps it a string.
            let v = Value::String(text.into_owned());
            self.anchor(anchor, &v, 1);
            return self.push(v, 1, span);
        }
        if style == ScalarStyle::Plain
            && text.is_empty()
            && tag.is_some()
            && self.in_flow()
            && matches!(self.stack.last(), Some(Frame::Seq { .. }))
            && self.char_after(span) == Some(b',')
        {
            self.tag_next = true;
            return Ok(());
        }
        if style == ScalarStyle::Plain
            && self.in_flow()
            && (text.starts_with(['|', '>'])
                || text.contains('?')
                || (text.is_empty() && tag.is_some() && !self.blank_after(span)))
        {
            // Inside flow collections go-yaml ends a plain scalar at `?`,
            // cannot start one with `|` or `>`, and wants a blank after a
            // tag (`[!a]` is an error).
            return Err(Error::Syntax {
                line,
                column,
                message: "did not find expected ',', ']' or '}' in a flow collection".to_owned(),
            });
        }
        // Only non-ASCII text can hold them (0xE2: U+2028/9, 0xC2: NEL).
        let text = if !self.src.ascii
            && memchr::memchr2(0xE2, 0xC2, text.as_bytes()).is_some()
            && text.contains(['\u{2028}', '\u{2029}', '\u{85}'])
        {
            self.unicode_breaks(text, style, span)?
        } else {
            text
        };
        if self.expecting_key() {
            if !v2 && text.contains('\u{85}') {
                return Err(Error::ControlCharacter {
                    line,
                    column,
                    code: 0x85,
                });
            }
            let plain = style == ScalarStyle::Plain;
            let core = tag.and_then(core_suffix);
            let key = if text == "<<" && matches!(core, None | Some("merge" | "str")) {
                // `!!str <<` is dropped like a quoted `"<<"`.
                if (plain && core.is_none()) || core == Some("merge") {
                    Key::Merge
                } else {
                    Key::Dropped
                }
            } else if plain && tag.is_none() && !v2 && text.is_empty() {
                // No key text at all (`: v`) is an error for go-yaml; an
                // explicit empty key (`? ` or an anchor alone) is null,
                // which kustomize's go-yaml v3 re-encoding writes as `''`:
                // the empty string.
                if anchor == 0 && !self.after_question_mark(span) {
                    return Err(Error::Syntax {
                        line,
                        column,
                        message: "did not find expected key".to_owned(),
                    });
                }
                Key::Str(String::new())
            } else if plain
                && tag.is_none()
                && !v2
                && self.in_flow()
                && text.contains(':')
                && matches!(resolve_v3(&text), Scalar::Timestamp(_))
            {
                // In that re-encoding a plain scalar with a `:` inside a
                // flow collection is quoted, so it reads back as a string.
                Key::Str(text.into_owned())
            } else {
                if core == Some("binary") && !v2 {
                    // go-yaml decodes it as a []byte key.
                    return Err(Error::NonStringKey {
                        line,
                        column,
                        key: format!("!!binary {text}"),
                    });
                }
                if plain
                    && tag.is_none()
                    && !v2
                    && let Scalar::Timestamp(ts) = resolve_v3(&text)
                {
                    // go-yaml decodes it as a time.Time key, which JSON
                    // cannot encode.
                    return Err(Error::NonStringKey {
                        line,
                        column,
                        key: Value::String(ts).to_string(),
                    });
                }
                match scalar_value(text, style, tag, line, column, v2)? {
                    Value::String(s) => Key::Str(s),
                    // sigs.k8s.io/yaml turns boolean and integer keys into
                    // their text.
                    Value::Bool(b) if v2 => Key::Str(b.to_string()),
                    Value::Number(n) if v2 && (n.is_i64() || n.is_u64()) => Key::Str(n.to_string()),
                    other => {
                        return Err(Error::NonStringKey {
                            line,
                            column,
                            key: other.to_string(),
                        });
                    }
                }
            };
            if let Key::Str(s) = &key
                && !v2
            {
                check_json_key(s, line, column)?;
            }
            if anchor > 0
                && let Key::Str(s) = &key
            {
                self.anchors.insert(anchor, (Value::String(s.clone()), 1));
            }
            self.set_key(key, line, column);
            return Ok(());
        }
        if self.empties.is_some()
            && text.is_empty()
            && match tag {
                None => style == ScalarStyle::Plain,
                Some(t) => core_suffix(t) == Some("null"),
            }
        {
            self.mark_empty();
            if anchor > 0 {
                self.empty_anchors.push(anchor);
            }
        }
        let mut text = text;
        match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let pop = match self.block_scalar_at_eof(span)? {
                    // go-yaml keeps no line break the input does not have.
                    Eof::NoFinalBreak => self.opts.go_eof_block_scalars && text.ends_with('\n'),
                    // saphyr counts a last blank line without a line break
                    // as one more line break; go-yaml does not.
                    Eof::BlankLastLine => text.ends_with("\n\n"),
                    Eof::No => false,
                };
                if pop {
                    text.to_mut().pop();
                }
                if !v2 && text.starts_with('\t') && crate::emit::analyze_v3(&text).block_allowed {
                    // go-yaml v3 writes it back as a block scalar without an
                    // indentation indicator, which it then cannot read.
                    let (line, column) = pos(span);
                    return Err(Error::Syntax {
                        line,
                        column,
                        message: "found a tab character where an indentation space is expected"
                            .to_owned(),
                    });
                }
            }
            // `\/` reads as `/`: only then is the source looked at.
            ScalarStyle::DoubleQuoted
                if memchr::memchr(b'/', text.as_bytes()).is_some() && self.src.slash_escape() =>
            {
                self.check_escapes(span)?;
            }
            ScalarStyle::Plain
                if !v2
                    && tag.is_none()
                    && self.in_flow()
                    && (text.is_empty()
                        || (text.contains(':')
                            && matches!(resolve_v3(&text), Scalar::Timestamp(_)))) =>
            {
                // kustomize's go-yaml v3 re-encoding writes these inside a
                // flow collection quoted (`''`, `'2001-12-14 21:59:43'`), so
                // they read back as strings, the timestamp as written.
                let v = Value::String(text.into_owned());
                self.anchor(anchor, &v, 1);
                return self.push(v, 1, span);
            }
            _ => {}
        }
        let text = if style == ScalarStyle::Folded && !v2 {
            Cow::Owned(crate::folded::v3_folded_round_trip(&text))
        } else {
            text
        };
        // kustomize reads annotations as strings: the scalar as written
        // (even `.inf`, which has no JSON value).
        let v = if !v2 && style == ScalarStyle::Plain && self.at_annotation_value() {
            Value::String(json_reread(text.into_owned(), line, column)?)
        } else {
            scalar_value(text, style, tag, line, column, v2)?
        };
        self.anchor(anchor, &v, 1);
        self.push(v, 1, span)
    }
}

fn number_value(s: Scalar, text: &str, line: usize, column: usize) -> Result<Value, Error> {
    Ok(match s {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Int(i) => Value::Number(Number::from(i)),
        Scalar::Uint(u) => Value::Number(Number::from(u)),
        Scalar::Float(f) => {
            if !f.is_finite() {
                return Err(Error::UnsupportedFloat {
                    line,
                    column,
                    value: text.to_owned(),
                });
            }
            match float_as_integer(f) {
                Some(n) => Value::Number(n),
                None => Number::from_f64(f).map_or(Value::Null, Value::Number),
            }
        }
        Scalar::Timestamp(t) => Value::String(t),
        Scalar::Merge | Scalar::Str => Value::String(text.to_owned()),
    })
}

fn scalar_value(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
    line: usize,
    column: usize,
    v2: bool,
) -> Result<Value, Error> {
    match raw_scalar_value(text, style, tag, line, column, v2)? {
        Value::String(s) if !v2 => Ok(Value::String(json_reread(s, line, column)?)),
        other => Ok(other),
    }
}

/// What happens to a string in kustomize's JSON → go-yaml v2 step: go-yaml
/// v2 refuses some raw characters that Go's JSON encoder leaves unescaped
/// (DEL, C1 controls other than NEL, U+FFFE, U+FFFF), and it reads a raw
/// NEL inside the JSON string as a line break and folds it like any line
/// break in a double-quoted scalar.
fn json_reread(s: String, line: usize, column: usize) -> Result<String, Error> {
    let suspicious = s.bytes().any(|b| b == 0x7F || b == 0xC2 || b == 0xEF);
    if !suspicious {
        return Ok(s);
    }
    if let Some(c) = s.chars().find(|&c| {
        let c = c as u32;
        c == 0x7F || ((0x80..=0x9F).contains(&c) && c != 0x85) || c == 0xFFFE || c == 0xFFFF
    }) {
        return Err(Error::ControlCharacter {
            line,
            column,
            code: c as u32,
        });
    }
    if !s.contains('\u{85}') {
        return Ok(s);
    }
    Ok(fold_nel(&s))
}

/// Keys that kustomize's JSON → YAML step cannot read back: a raw NEL is a
/// line break there, which ends the (single-line) key; and go-yaml gives up
/// on a key whose JSON form, quotes included, is over 1,024 characters.
fn check_json_key(key: &str, line: usize, column: usize) -> Result<(), Error> {
    if key.len() > 150 {
        let length = 2 + key.chars().map(go_json_escaped_len).sum::<usize>();
        if length > 1024 {
            return Err(Error::KeyTooLong {
                line,
                column,
                length,
            });
        }
    }
    Ok(())
}

/// Characters Go's `encoding/json` writes for `c` inside a string.
fn go_json_escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' => 2,
        '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
        c if (c as u32) < 0x20 => 6,
        _ => 1,
    }
}

/// Double-quoted line folding with NEL as the only raw line break: spaces
/// around a run of breaks are dropped, a single break becomes a space and
/// a run of n breaks becomes n-1 newlines. (Tabs are escaped in the JSON
/// text, so they are content, never foldable blanks.)
fn fold_nel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_blanks = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => pending_blanks.push(c),
            '\u{85}' => {
                pending_blanks.clear();
                let mut breaks = 0usize;
                while let Some(&n) = chars.peek() {
                    match n {
                        ' ' => {}
                        '\u{85}' => breaks += 1,
                        _ => break,
                    }
                    chars.next();
                }
                if breaks == 0 {
                    out.push(' ');
                } else {
                    for _ in 0..breaks {
                        out.push('\n');
                    }
                }
            }
            _ => {
                out.push_str(&pending_blanks);
                pending_blanks.clear();
                out.push(c);
            }
        }
    }
    out.push_str(&pending_blanks);
    out
}

fn raw_scalar_value(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
    line: usize,
    column: usize,
    v2: bool,
) -> Result<Value, Error> {
    let resolve = if v2 { resolve_v2 } else { resolve_v3 };
    // The non-specific tag `!` (saphyr: empty handle, suffix "!") resolves
    // like no tag in go-yaml v3.
    let tag = tag.filter(|t| !is_non_specific(t));
    let Some(tag) = tag else {
        if style != ScalarStyle::Plain {
            return Ok(Value::String(text.into_owned()));
        }
        return number_value(resolve(&text), &text, line, column);
    };
    let Some(suffix) = core_suffix(tag) else {
        // Application tags (`!foo`) leave the text as a string.
        return Ok(Value::String(text.into_owned()));
    };
    let mismatch = |resolved: &str| Error::TagMismatch {
        line,
        column,
        tag: format!("!!{suffix}"),
        resolved: resolved.to_owned(),
        value: text.to_string(),
    };
    match suffix {
        "str" => Ok(Value::String(text.into_owned())),
        "binary" => {
            let cleaned: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(cleaned.as_bytes())
                .map_err(|_| Error::InvalidBinary { line, column })?;
            Ok(Value::String(go_lossy_utf8(&bytes)))
        }
        // `!!null` only takes text that resolves to null: go-yaml refuses
        // `!!null true` like it refuses `!!int true`.
        "null" | "int" | "float" | "bool" | "timestamp" => {
            let want = suffix;
            let mut r = if want == "timestamp" {
                resolve_v3(&text)
            } else {
                resolve(&text)
            };
            // go-yaml only tries timestamps for untagged or !!timestamp.
            if want != "timestamp"
                && let Scalar::Timestamp(_) = r
            {
                r = crate::resolve::numeric(&text).unwrap_or(Scalar::Str);
            }
            let resolved_tag = match &r {
                Scalar::Null => "!!null",
                Scalar::Bool(_) => "!!bool",
                Scalar::Int(_) | Scalar::Uint(_) => "!!int",
                Scalar::Float(_) => "!!float",
                Scalar::Timestamp(_) => "!!timestamp",
                Scalar::Merge => "!!merge",
                Scalar::Str => "!!str",
            };
            let ok = match (want, &r) {
                ("int", Scalar::Int(_) | Scalar::Uint(_))
                | ("null", Scalar::Null)
                | ("float", Scalar::Float(_))
                | ("bool", Scalar::Bool(_))
                | ("timestamp", Scalar::Timestamp(_)) => true,
                ("float", Scalar::Int(i)) => {
                    #[allow(clippy::cast_precision_loss)]
                    let f = *i as f64;
                    r = Scalar::Float(f);
                    true
                }
                _ => false,
            };
            if !ok {
                return Err(mismatch(resolved_tag));
            }
            number_value(r, &text, line, column)
        }
        // !!map / !!seq / !!merge / unknown !! tags on a scalar: go-yaml
        // keeps the text.
        _ => Ok(Value::String(text.into_owned())),
    }
}

/// Go's JSON encoder replaces each invalid UTF-8 byte with U+FFFD.
fn go_lossy_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = &rest[good + 1..];
            }
        }
    }
    out
}

/// How a block scalar meets the end of the input.
enum Eof {
    /// It does not, or the input ends with a line break.
    No,
    /// Its last line has text and no line break.
    NoFinalBreak,
    /// The input ends with a line of blanks, at least as indented as the
    /// scalar, without a line break.
    BlankLastLine,
}

/// Whether a block scalar header line (`key: |2-  # comment`) has an
/// explicit indentation indicator.
fn has_indentation_indicator(line: &str) -> bool {
    for (i, _) in line.rmatch_indices(['|', '>']) {
        let rest = &line[i + 1..];
        let ind_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'+' || *b == b'-')
            .count();
        let after = &rest[ind_len..];
        if after.is_empty() || after.starts_with([' ', '\t']) {
            return rest[..ind_len].bytes().any(|b| b.is_ascii_digit());
        }
    }
    false
}

/// The core-schema name of a tag (`str` for `!!str` and for the verbatim
/// `!<tag:yaml.org,2002:str>`), or `None` for other tags.
fn core_suffix(t: &Tag) -> Option<&str> {
    if t.is_yaml_core_schema() {
        Some(t.suffix.as_str())
    } else if t.handle.is_empty() {
        t.suffix.strip_prefix("tag:yaml.org,2002:")
    } else {
        None
    }
}

fn is_non_specific(t: &Tag) -> bool {
    (t.handle.is_empty() && t.suffix == "!") || (t.handle == "!" && t.suffix.is_empty())
}

/// The byte offset of the `chars`-th character of `src` (or its length).
fn char_to_byte(src: &str, chars: usize) -> usize {
    src.char_indices().nth(chars).map_or(src.len(), |(i, _)| i)
}
