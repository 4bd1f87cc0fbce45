//! The lexer: Go `text/template` tokens with `{{` `}}` delimiters, trim markers and comments.

use crate::error::ParseErrorKind;

/// Keywords inside actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kw {
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
}

impl Kw {
    fn from_word(w: &str) -> Option<Kw> {
        Some(match w {
            "block" => Kw::Block,
            "break" => Kw::Break,
            "continue" => Kw::Continue,
            "define" => Kw::Define,
            "else" => Kw::Else,
            "end" => Kw::End,
            "if" => Kw::If,
            "range" => Kw::Range,
            "template" => Kw::Template,
            "with" => Kw::With,
            _ => return None,
        })
    }

    pub(crate) fn word(self) -> &'static str {
        match self {
            Kw::Block => "block",
            Kw::Break => "break",
            Kw::Continue => "continue",
            Kw::Define => "define",
            Kw::Else => "else",
            Kw::End => "end",
            Kw::If => "if",
            Kw::Range => "range",
            Kw::Template => "template",
            Kw::With => "with",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Text(String),
    LeftDelim,
    RightDelim,
    Space,
    Assign,
    Declare,
    Pipe,
    LeftParen,
    RightParen,
    /// Other printable ASCII punctuation, e.g. `,`.
    Char(char),
    /// A quoted string, already unquoted.
    Str(String),
    /// A character constant, as its code point.
    CharConst(u32),
    /// A number as written.
    Number(String),
    Bool(bool),
    Dot,
    /// `.Name`, stored without the dot.
    Field(String),
    /// `$` or `$name`, with the `$`.
    Variable(String),
    Ident(String),
    Keyword(Kw),
    Nil,
    Eof,
    Error(ParseErrorKind),
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) pos: usize,
    pub(crate) end: usize,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn has_left_trim(s: &[u8]) -> bool {
    s.len() >= 2 && s[0] == b'-' && is_space(s[1])
}

fn has_right_trim(s: &[u8]) -> bool {
    s.len() >= 2 && is_space(s[0]) && s[1] == b'-'
}

/// Tokenizes the whole input. Lexing stops at the first error, which becomes the last token.
pub(crate) fn lex(input: &str) -> Vec<Token> {
    let mut l = Lexer {
        src: input,
        b: input.as_bytes(),
        pos: 0,
        out: Vec::new(),
        paren_depth: 0,
    };
    l.run();
    l.out
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    out: Vec<Token>,
    paren_depth: usize,
}

impl Lexer<'_> {
    fn emit(&mut self, tok: Tok, start: usize) {
        self.out.push(Token {
            tok,
            pos: start,
            end: self.pos,
        });
    }

    fn fail(&mut self, kind: ParseErrorKind, at: usize) {
        self.out.push(Token {
            tok: Tok::Error(kind),
            pos: at,
            end: at,
        });
    }

    fn rest(&self) -> &[u8] {
        &self.b[self.pos.min(self.b.len())..]
    }

    /// Whether the input at `pos` is a right delimiter: (is delimiter, has trim marker).
    fn at_right_delim(&self) -> (bool, bool) {
        let r = self.rest();
        if has_right_trim(r) && r[2..].starts_with(RIGHT.as_bytes()) {
            return (true, true);
        }
        (r.starts_with(RIGHT.as_bytes()), false)
    }

    fn peek_char(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn run(&mut self) {
        loop {
            // Text up to the next left delimiter.
            let start = self.pos;
            let Some(x) = self.src[start..].find(LEFT) else {
                if start < self.b.len() {
                    self.pos = self.b.len();
                    self.emit(Tok::Text(self.src[start..].to_string()), start);
                }
                self.emit(Tok::Eof, self.b.len());
                return;
            };
            let delim = start + x;
            let after = delim + LEFT.len();
            let trim_left = has_left_trim(&self.b[after..]);
            let mut text_end = delim;
            if trim_left {
                while text_end > start && is_space(self.b[text_end - 1]) {
                    text_end -= 1;
                }
            }
            if text_end > start {
                self.out.push(Token {
                    tok: Tok::Text(self.src[start..text_end].to_string()),
                    pos: start,
                    end: text_end,
                });
            }
            let after_marker = if trim_left { after + 2 } else { after };
            if self.b[after_marker..].starts_with(b"/*") {
                // A comment: it must end right at the closing delimiter.
                self.pos = after_marker + 2;
                let Some(close) = self.src[self.pos..].find("*/") else {
                    self.fail(ParseErrorKind::UnclosedComment, delim);
                    return;
                };
                self.pos += close + 2;
                let (is_delim, trim) = self.at_right_delim();
                if !is_delim {
                    self.fail(ParseErrorKind::CommentNotAtDelimiter, delim);
                    return;
                }
                self.pos += if trim { 2 } else { 0 } + RIGHT.len();
                if trim {
                    self.skip_spaces();
                }
                continue;
            }
            self.pos = after;
            self.emit(Tok::LeftDelim, delim);
            self.pos = after_marker;
            self.paren_depth = 0;
            if !self.inside_action() {
                return;
            }
        }
    }

    fn skip_spaces(&mut self) {
        while self.pos < self.b.len() && is_space(self.b[self.pos]) {
            self.pos += 1;
        }
    }

    /// Lexes one action after its left delimiter; false when an error was emitted.
    fn inside_action(&mut self) -> bool {
        loop {
            let (is_delim, trim) = self.at_right_delim();
            if is_delim {
                if self.paren_depth > 0 {
                    self.fail(ParseErrorKind::UnclosedLeftParen, self.pos);
                    return false;
                }
                if trim {
                    self.pos += 2;
                }
                let start = self.pos;
                self.pos += RIGHT.len();
                self.emit(Tok::RightDelim, start);
                if trim {
                    self.skip_spaces();
                }
                return true;
            }
            let start = self.pos;
            let Some(c) = self.peek_char() else {
                self.fail(ParseErrorKind::UnclosedAction, start);
                return false;
            };
            let ok = match c {
                ' ' | '\t' | '\r' | '\n' => {
                    self.lex_space();
                    true
                }
                '=' => {
                    self.pos += 1;
                    self.emit(Tok::Assign, start);
                    true
                }
                ':' => {
                    if self.b.get(start + 1) == Some(&b'=') {
                        self.pos += 2;
                        self.emit(Tok::Declare, start);
                        true
                    } else {
                        self.fail(ParseErrorKind::ExpectedDeclare, start);
                        false
                    }
                }
                '|' => {
                    self.pos += 1;
                    self.emit(Tok::Pipe, start);
                    true
                }
                '"' => self.lex_quote(),
                '`' => self.lex_raw_quote(),
                '$' => {
                    self.pos += 1;
                    self.lex_field_or_variable(start, true)
                }
                '\'' => self.lex_char(),
                '.' if !self.b.get(start + 1).is_some_and(u8::is_ascii_digit) => {
                    self.pos += 1;
                    self.lex_field_or_variable(start, false)
                }
                '.' | '+' | '-' | '0'..='9' => self.lex_number(),
                c if is_alnum(c) => self.lex_identifier(),
                '(' => {
                    self.pos += 1;
                    self.paren_depth += 1;
                    self.emit(Tok::LeftParen, start);
                    true
                }
                ')' => {
                    if self.paren_depth == 0 {
                        self.fail(ParseErrorKind::UnexpectedRightParen, start);
                        false
                    } else {
                        self.paren_depth -= 1;
                        self.pos += 1;
                        self.emit(Tok::RightParen, start);
                        true
                    }
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.pos += 1;
                    self.emit(Tok::Char(c), start);
                    true
                }
                c => {
                    self.fail(ParseErrorKind::UnrecognizedCharacter { found: c }, start);
                    false
                }
            };
            if !ok {
                return false;
            }
        }
    }

    fn lex_space(&mut self) {
        let start = self.pos;
        let mut n = 0;
        while self.pos < self.b.len() && is_space(self.b[self.pos]) {
            self.pos += 1;
            n += 1;
        }
        // A space followed by `-}}` belongs to the trim marker of the closing delimiter.
        let last = self.pos - 1;
        if has_right_trim(&self.b[last..]) && self.b[last + 2..].starts_with(RIGHT.as_bytes()) {
            self.pos = last;
            if n == 1 {
                return;
            }
        }
        self.emit(Tok::Space, start);
    }

    /// Whether the next character ends a word.
    fn at_terminator(&self) -> bool {
        match self.peek_char() {
            None => true,
            Some(c) if c.is_ascii() && is_space(c as u8) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.rest().starts_with(RIGHT.as_bytes()),
        }
    }

    fn take_alnum(&mut self) {
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn bad_char(&mut self) -> bool {
        let c = self.peek_char().unwrap_or('\0');
        let at = self.pos;
        self.fail(ParseErrorKind::BadCharacter { found: c }, at);
        false
    }

    fn lex_field_or_variable(&mut self, start: usize, variable: bool) -> bool {
        if self.at_terminator() {
            let tok = if variable {
                Tok::Variable("$".to_string())
            } else {
                Tok::Dot
            };
            self.emit(tok, start);
            return true;
        }
        self.take_alnum();
        if !self.at_terminator() {
            return self.bad_char();
        }
        let word = &self.src[start..self.pos];
        let tok = if variable {
            Tok::Variable(word.to_string())
        } else {
            Tok::Field(word[1..].to_string())
        };
        self.emit(tok, start);
        true
    }

    fn lex_identifier(&mut self) -> bool {
        let start = self.pos;
        self.take_alnum();
        if !self.at_terminator() {
            return self.bad_char();
        }
        let word = &self.src[start..self.pos];
        let tok = if let Some(kw) = Kw::from_word(word) {
            Tok::Keyword(kw)
        } else {
            match word {
                "true" => Tok::Bool(true),
                "false" => Tok::Bool(false),
                "nil" => Tok::Nil,
                _ => Tok::Ident(word.to_string()),
            }
        };
        self.emit(tok, start);
        true
    }

    fn accept(&mut self, set: &[u8]) -> bool {
        if self.pos < self.b.len() && set.contains(&self.b[self.pos]) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn accept_run(&mut self, set: &[u8]) {
        while self.accept(set) {}
    }

    fn lex_number(&mut self) -> bool {
        let start = self.pos;
        self.accept(b"+-");
        let mut digits: &[u8] = b"0123456789_";
        if self.accept(b"0") {
            if self.accept(b"xX") {
                digits = b"0123456789abcdefABCDEF_";
            } else if self.accept(b"oO") {
                digits = b"01234567_";
            } else if self.accept(b"bB") {
                digits = b"01_";
            }
        }
        self.accept_run(digits);
        if self.accept(b".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept(b"eE") {
            self.accept(b"+-");
            self.accept_run(b"0123456789_");
        }
        if digits.len() == 23 && self.accept(b"pP") {
            self.accept(b"+-");
            self.accept_run(b"0123456789_");
        }
        self.accept(b"i");
        if self.peek_char().is_some_and(is_alnum) {
            if let Some(c) = self.peek_char() {
                self.pos += c.len_utf8();
            }
            let text = self.src[start..self.pos].to_string();
            self.fail(ParseErrorKind::BadNumber { text }, start);
            return false;
        }
        let text = self.src[start..self.pos].to_string();
        self.emit(Tok::Number(text), start);
        true
    }

    fn lex_quote(&mut self) -> bool {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.b.get(self.pos) {
                None | Some(b'\n') => {
                    self.fail(ParseErrorKind::UnterminatedString, start);
                    return false;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.b.get(self.pos) {
                        None | Some(b'\n') => {
                            self.fail(ParseErrorKind::UnterminatedString, start);
                            return false;
                        }
                        Some(_) => self.pos += 1,
                    }
                }
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => self.pos += 1,
            }
        }
        let raw = &self.src[start + 1..self.pos - 1];
        match unquote(raw, '"') {
            Some(s) => {
                self.emit(Tok::Str(s), start);
                true
            }
            None => {
                let text = self.src[start..self.pos].to_string();
                self.fail(ParseErrorKind::BadQuoted { text }, start);
                false
            }
        }
    }

    fn lex_raw_quote(&mut self) -> bool {
        let start = self.pos;
        match self.src[start + 1..].find('`') {
            None => {
                self.fail(ParseErrorKind::UnterminatedRawString, start);
                false
            }
            Some(n) => {
                self.pos = start + 1 + n + 1;
                // Go drops carriage returns from raw strings.
                let s = self.src[start + 1..start + 1 + n].replace('\r', "");
                self.emit(Tok::Str(s), start);
                true
            }
        }
    }

    fn lex_char(&mut self) -> bool {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.b.get(self.pos) {
                None | Some(b'\n') => {
                    self.fail(ParseErrorKind::UnterminatedChar, start);
                    return false;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.b.get(self.pos) {
                        None | Some(b'\n') => {
                            self.fail(ParseErrorKind::UnterminatedChar, start);
                            return false;
                        }
                        Some(_) => self.pos += 1,
                    }
                }
                Some(b'\'') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => self.pos += 1,
            }
        }
        let raw = &self.src[start + 1..self.pos - 1];
        let value = unquote_char_literal(raw);
        match value {
            Some(cp) => {
                self.emit(Tok::CharConst(cp), start);
                true
            }
            None => {
                let text = self.src[start..self.pos].to_string();
                self.fail(ParseErrorKind::BadQuoted { text }, start);
                false
            }
        }
    }
}

fn unquote_char_literal(raw: &str) -> Option<u32> {
    let mut bytes = Vec::new();
    let mut chars = raw.chars().peekable();
    let first = chars.next()?;
    let cp = if first == '\\' {
        let cp = unescape(&mut chars, '\'', &mut bytes)?;
        if !bytes.is_empty() {
            // A byte escape (\x41, \101): its value is the byte.
            let b = *bytes.first()?;
            if bytes.len() != 1 {
                return None;
            }
            u32::from(b)
        } else {
            cp?
        }
    } else {
        u32::from(first)
    };
    if chars.next().is_some() {
        return None;
    }
    Some(cp)
}

/// Reads one escape sequence after a backslash. Returns `Some(Some(cp))` for a code point,
/// `Some(None)` after pushing a raw byte (\x, octal) into `bytes`.
fn unescape(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    quote: char,
    bytes: &mut Vec<u8>,
) -> Option<Option<u32>> {
    let c = chars.next()?;
    let simple = match c {
        'a' => Some(7),
        'b' => Some(8),
        'f' => Some(12),
        'n' => Some(10),
        'r' => Some(13),
        't' => Some(9),
        'v' => Some(11),
        '\\' => Some(u32::from('\\')),
        c if c == quote => Some(u32::from(c)),
        _ => None,
    };
    if let Some(cp) = simple {
        return Some(Some(cp));
    }
    let hex = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            v = v.checked_mul(16)? + chars.next()?.to_digit(16)?;
        }
        Some(v)
    };
    match c {
        'x' => {
            let v = hex(chars, 2)?;
            bytes.push(u8::try_from(v).ok()?);
            Some(None)
        }
        'u' => {
            let v = hex(chars, 4)?;
            char::from_u32(v)?;
            Some(Some(v))
        }
        'U' => {
            let v = hex(chars, 8)?;
            char::from_u32(v)?;
            Some(Some(v))
        }
        '0'..='7' => {
            let mut v = c.to_digit(8)?;
            for _ in 0..2 {
                v = v * 8 + chars.next()?.to_digit(8)?;
            }
            bytes.push(u8::try_from(v).ok()?);
            Some(None)
        }
        _ => None,
    }
}

/// Interprets Go escapes in a double-quoted string body.
fn unquote(raw: &str, quote: char) -> Option<String> {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let mut bytes = Vec::new();
            match unescape(&mut chars, quote, &mut bytes)? {
                Some(cp) => {
                    let ch = char::from_u32(cp)?;
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                None => out.extend_from_slice(&bytes),
            }
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn text_and_action() {
        assert_eq!(
            kinds("a {{ .B }} c"),
            vec![
                Tok::Text("a ".into()),
                Tok::LeftDelim,
                Tok::Space,
                Tok::Field("B".into()),
                Tok::Space,
                Tok::RightDelim,
                Tok::Text(" c".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn trim_markers_need_a_space() {
        assert_eq!(
            kinds("a  {{- 1 -}}  b"),
            vec![
                Tok::Text("a".into()),
                Tok::LeftDelim,
                Tok::Number("1".into()),
                Tok::RightDelim,
                Tok::Text("b".into()),
                Tok::Eof
            ]
        );
        // `{{-3}}` is the number -3, not a trim marker.
        assert_eq!(
            kinds("a {{-3}}"),
            vec![
                Tok::Text("a ".into()),
                Tok::LeftDelim,
                Tok::Number("-3".into()),
                Tok::RightDelim,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn comments_vanish() {
        assert_eq!(
            kinds("a {{/* x */}} b {{- /* y */ -}} c"),
            vec![
                Tok::Text("a ".into()),
                Tok::Text(" b".into()),
                Tok::Text("c".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn strings_and_chars() {
        assert_eq!(
            kinds(r#"{{"a\tb\u00e9" `r\n` 'x' '\n'}}"#)[1..8].to_vec(),
            vec![
                Tok::Str("a\tb\u{e9}".into()),
                Tok::Space,
                Tok::Str("r\\n".into()),
                Tok::Space,
                Tok::CharConst(u32::from('x')),
                Tok::Space,
                Tok::CharConst(10),
            ]
        );
    }

    #[test]
    fn errors_end_the_stream() {
        assert!(matches!(
            kinds("{{ .a").last(),
            Some(Tok::Error(ParseErrorKind::UnclosedAction))
        ));
        assert!(matches!(
            kinds("{{ \"abc }}").last(),
            Some(Tok::Error(ParseErrorKind::UnterminatedString))
        ));
        assert!(matches!(
            kinds("{{/* abc }}").last(),
            Some(Tok::Error(ParseErrorKind::UnclosedComment))
        ));
        assert!(matches!(
            kinds("{{ .a-b }}").last(),
            Some(Tok::Error(ParseErrorKind::BadCharacter { found: '-' }))
        ));
    }
}
