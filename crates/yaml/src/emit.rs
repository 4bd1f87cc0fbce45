//! The emitter: `serde_json::Value` trees printed byte-for-byte the way
//! kustomize prints resources (JSON marshal, then the go-yaml v2 encoder
//! with its libyaml-derived emitter: 2-space indent, indentless block
//! sequences under mapping keys, best width 80).
//!
//! The structure follows the emitter's state machine closely because the
//! exact bytes depend on its bookkeeping: the current column, whether the
//! last thing written was whitespace or indentation, and the indent stack.

use serde_json::{Map, Value};

use crate::number::write_number;
use crate::resolve::v2_needs_quotes;
use crate::sort::sort_keys;

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: usize = 80;
/// Longest key (in bytes) the emitter writes as a simple `key: value`.
const MAX_SIMPLE_KEY: usize = 128;

/// Emits documents joined by `---` lines, the way `kubectl kustomize`
/// prints a resource list.
pub fn emit_documents(docs: &[Value]) -> String {
    let mut out = String::with_capacity(docs.len() * 512);
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        emit_document(doc, &mut out);
    }
    out
}

/// Appends one document (no `---` separator) to `out`, ending with a
/// newline.
pub fn emit_document(doc: &Value, out: &mut String) {
    let mut e = Emitter {
        out,
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
        open_ended: false,
        scratch: String::new(),
    };
    e.node(doc, Ctx::Root);
    // Document end (implicit).
    e.write_indent();
    // Stream end.
    if e.open_ended {
        e.write_indicator("...", true, false, false);
        e.write_indent();
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Root,
    Sequence,
    MappingValue,
    SimpleKey,
    /// A key written after an explicit `? ` indicator.
    ComplexKey,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Emitter<'a> {
    out: &'a mut String,
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
    /// Reused buffer for formatting numbers.
    scratch: String,
}

/// What the emitter learns from looking at a scalar before writing it.
#[derive(Default)]
pub(crate) struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    pub(crate) block_allowed: bool,
}

fn is_printable(c: char) -> bool {
    let c = c as u32;
    c == 0x0A
        || (0x20..=0x7E).contains(&c)
        || (0xA0..=0xD7FF).contains(&c)
        || ((0xE000..=0xFFFD).contains(&c) && c != 0xFEFF)
}

pub(crate) fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: Option<char>) -> bool {
    matches!(c, Some(' ' | '\t'))
}

pub(crate) fn is_blankz(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\0') || is_break(c)
}

pub(crate) fn analyze(value: &str) -> Analysis {
    analyze_with(value, false)
}

/// go-yaml v3's variant of the analysis: a tab is not a special character
/// (it still rules out plain and single-quoted styles, which only the v2
/// emitter here chooses, but a block scalar may hold it).
pub(crate) fn analyze_v3(value: &str) -> Analysis {
    analyze_with(value, true)
}

fn analyze_with(value: &str, tab_ok: bool) -> Analysis {
    if value.is_ascii() {
        analyze_units(value.as_bytes(), char::from, tab_ok)
    } else {
        let chars: Vec<char> = value.chars().collect();
        analyze_units(&chars, |c| c, tab_ok)
    }
}

/// go-yaml's scalar analysis over the characters of `value` (bytes for
/// ASCII text, chars otherwise). Only the block-context verdicts are kept:
/// scalars are never written inside flow collections here (only empty
/// collections use flow style).
fn analyze_units<T: Copy>(value: &[T], ch: impl Fn(T) -> char, tab_ok: bool) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;

    let starts_with3 = |c: char| value.len() >= 3 && value[..3].iter().all(|&u| ch(u) == c);
    if starts_with3('-') || starts_with3('.') {
        block_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let n = value.len();
    for i in 0..n {
        let c = ch(value[i]);
        let next = if i + 1 < n {
            Some(ch(value[i + 1]))
        } else {
            None
        };
        let followed_by_whitespace = next.is_none() || is_blank(next);
        let last = next.is_none();
        let first = i == 0;
        let indicator = if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => true,
                '?' | ':' | '-' => followed_by_whitespace,
                _ => false,
            }
        } else {
            match c {
                ':' => followed_by_whitespace,
                '#' => preceded_by_whitespace,
                _ => false,
            }
        };
        block_indicators |= indicator;
        if !(is_printable(c) || (tab_ok && c == '\t')) {
            special_characters = true;
        }
        if c == ' ' {
            leading_space |= first;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= first;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(c);
    }

    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space
        || leading_break
        || trailing_space
        || trailing_break
        || line_breaks
        || block_indicators
    {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    a
}

impl Emitter<'_> {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Writes a character of scalar content (one column).
    fn write(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = usize::try_from(self.indent.max(0)).unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.write(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn node(&mut self, v: &Value, ctx: Ctx) {
        match v {
            Value::Null => self.plain_token("null", ctx),
            Value::Bool(b) => self.plain_token(if *b { "true" } else { "false" }, ctx),
            Value::Number(n) => {
                let mut s = std::mem::take(&mut self.scratch);
                s.clear();
                write_number(n, &mut s);
                self.plain_token(&s, ctx);
                self.scratch = s;
            }
            Value::String(s) => {
                let style = if s.contains('\n') {
                    Style::Literal
                } else if v2_needs_quotes(s) {
                    Style::Double
                } else {
                    Style::Plain
                };
                self.scalar(s, style, ctx);
            }
            Value::Array(items) => {
                if items.is_empty() {
                    self.empty_flow("[", "]");
                } else {
                    self.block_sequence(items, ctx);
                }
            }
            Value::Object(map) => {
                if map.is_empty() {
                    self.empty_flow("{", "}");
                } else {
                    self.block_mapping(map);
                }
            }
        }
    }

    /// Writes `null`, `true`, `false` or a number: always plain, no spaces,
    /// no indicators, so the scalar analysis can be skipped.
    fn plain_token(&mut self, token: &str, ctx: Ctx) {
        self.increase_indent(true, false);
        self.write_plain(token, ctx != Ctx::SimpleKey, ctx == Ctx::Root);
        self.pop_indent();
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        // Only empty collections use flow style, so nothing is written at
        // flow level > 0 and the level itself need not be tracked.
        self.increase_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Value], ctx: Ctx) {
        let mapping_context = matches!(ctx, Ctx::MappingValue | Ctx::SimpleKey | Ctx::ComplexKey);
        self.increase_indent(false, mapping_context && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Ctx::Sequence);
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, map: &Map<String, Value>) {
        self.increase_indent(false, false);
        let mut keys: Vec<&String> = map.keys().collect();
        sort_keys(&mut keys);
        for key in keys {
            let Some(value) = map.get(key) else { continue };
            self.write_indent();
            let simple = key.len() <= MAX_SIMPLE_KEY && !key.contains(is_break);
            if simple {
                self.string_scalar(key, Ctx::SimpleKey);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.string_scalar(key, Ctx::ComplexKey);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, Ctx::MappingValue);
        }
        self.pop_indent();
    }

    fn string_scalar(&mut self, s: &str, ctx: Ctx) {
        let style = if s.contains('\n') {
            Style::Literal
        } else if v2_needs_quotes(s) {
            Style::Double
        } else {
            Style::Plain
        };
        self.scalar(s, style, ctx);
    }

    fn scalar(&mut self, value: &str, requested: Style, ctx: Ctx) {
        let a = analyze(value);
        let simple_key = ctx == Ctx::SimpleKey;
        let mut style = requested;
        if simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            if !a.block_plain_allowed {
                style = Style::Single;
            }
            if value.is_empty() && simple_key {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || simple_key) {
            style = Style::Double;
        }

        self.increase_indent(true, false);
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks, ctx == Ctx::Root),
            Style::Single => self.write_single(value, allow_breaks),
            Style::Double => self.write_double(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    /// Whether writing `value` from the current column cannot reach a
    /// folding point (a space past the best width). Columns count chars and
    /// byte offsets are never smaller, so this is conservative.
    fn fits_unfolded(&self, value: &str, allow_breaks: bool) -> bool {
        !allow_breaks
            || memchr::memrchr(b' ', value.as_bytes()).is_none_or(|i| self.column + i <= BEST_WIDTH)
    }

    fn push_run(&mut self, value: &str) {
        self.out.push_str(value);
        self.column += if value.is_ascii() {
            value.len()
        } else {
            value.chars().count()
        };
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool, root: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        // Plain style is never chosen for text with line breaks.
        if self.fits_unfolded(value, allow_breaks) && !value.contains(is_break) {
            self.push_run(value);
            self.whitespace = false;
            self.indention = false;
            if root {
                self.open_ended = true;
            }
            return;
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut it = value.chars().peekable();
        while let Some(c) = it.next() {
            if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && it.peek() != Some(&' ') {
                    self.write_indent();
                } else {
                    self.write(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
        if root {
            self.open_ended = true;
        }
    }

    fn write_single(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        if self.fits_unfolded(value, allow_breaks) && !value.contains(|c| c == '\'' || is_break(c))
        {
            self.push_run(value);
            self.write_indicator("'", false, false, false);
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut it = value.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if c == ' ' {
                let next = it.peek().map(|&(_, n)| n);
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < value.len() - 1
                    && next != Some(' ')
                {
                    self.write_indent();
                } else {
                    self.write(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.write(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // go-yaml's BOM test looks at the start of the value, not at the
        // current character, so a value that starts with U+FEFF has every
        // character escaped.
        let escape_all = value.starts_with('\u{FEFF}');
        if !escape_all
            && self.fits_unfolded(value, allow_breaks)
            && value
                .bytes()
                .all(|b| (0x20..=0x7E).contains(&b) && b != b'"' && b != b'\\')
        {
            self.push_run(value);
            self.write_indicator("\"", false, false, false);
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let mut spaces = false;
        let mut it = value.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if escape_all
                || !is_printable(c)
                || c == '\u{FEFF}'
                || is_break(c)
                || c == '"'
                || c == '\\'
            {
                self.put('\\');
                let cp = c as u32;
                match cp {
                    0x00 => self.put('0'),
                    0x07 => self.put('a'),
                    0x08 => self.put('b'),
                    0x09 => self.put('t'),
                    0x0A => self.put('n'),
                    0x0B => self.put('v'),
                    0x0C => self.put('f'),
                    0x0D => self.put('r'),
                    0x1B => self.put('e'),
                    0x22 => self.put('"'),
                    0x5C => self.put('\\'),
                    0x85 => self.put('N'),
                    0xA0 => self.put('_'),
                    0x2028 => self.put('L'),
                    0x2029 => self.put('P'),
                    _ => {
                        let (ind, width) = if cp <= 0xFF {
                            ('x', 2)
                        } else if cp <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(ind);
                        for k in (0..width).rev() {
                            let digit = (cp >> (k * 4)) & 0xF;
                            let d = char::from_digit(digit, 16)
                                .unwrap_or('0')
                                .to_ascii_uppercase();
                            self.put(d);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                let next = it.peek().map(|&(_, n)| n);
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < value.len() - 1
                {
                    self.write_indent();
                    if next == Some(' ') {
                        self.put('\\');
                    }
                } else {
                    self.write(c);
                }
                spaces = true;
            } else {
                self.write(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints.
        let first = value.chars().next();
        if first == Some(' ') || first.is_some_and(is_break) {
            let hint = char::from(b'0' + u8::try_from(BEST_INDENT).unwrap_or(2));
            let mut buf = [0u8; 4];
            self.write_indicator(hint.encode_utf8(&mut buf), false, false, false);
        }
        self.open_ended = false;
        let mut rev = value.chars().rev();
        let chomp = match rev.next() {
            None => Some("-"),
            Some(last) if !is_break(last) => Some("-"),
            Some(_) => match rev.next() {
                None => {
                    self.open_ended = true;
                    Some("+")
                }
                Some(prev) if is_break(prev) => {
                    self.open_ended = true;
                    Some("+")
                }
                Some(_) => None,
            },
        };
        if let Some(ch) = chomp {
            // Writing the indicator clears `open_ended` again, so a `|+`
            // block at the end of a document is not followed by `...`.
            self.write_indicator(ch, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}
