//! Go RE2 (`regexp.Compile`) patterns on top of Rust's `regex` crate.
//!
//! The two engines share most of their syntax and their leftmost-first match
//! semantics. Where they differ, this module makes the Rust pattern behave as
//! Go's does, or rejects the pattern with a clear reason:
//!
//! * Go's `\d \s \w` (and `\D \S \W`) are ASCII-only, Rust's are Unicode: they are
//!   rewritten to `[0-9]`, `[\t\n\f\r ]` and `[0-9A-Za-z_]` (also inside brackets).
//!   Go's `\b`/`\B` are ASCII word boundaries: rewritten to `(?-u:\b)`/`(?-u:\B)`.
//! * Go reads `\<`, `\>` as literal `<`, `>`, and `\b{start}` as `\b` followed by
//!   the text `{start}`; Rust reads them as word-start/end assertions. Rewritten
//!   to Go's meaning.
//! * Rejected because Go rejects them (Rust would accept): flags other than
//!   `i m s U` (Rust's `x`, `u`, `R`), nested repetition operators such as `a**`
//!   or `a*+`, repeat counts above 1000, `\u`/`\U` escapes, single-digit
//!   back-references like `\1` (Rust with octal enabled would read an octal),
//!   capture names outside `[A-Za-z0-9_]`.
//! * Rejected because the meaning would differ and Go's is rare: Rust's class
//!   set operators `&&`, `--`, `~~` (Go reads them as literal characters).
//! * Rejected by both: look-around, back-references, possessive quantifiers.

use std::fmt;

use regex_syntax::ast::{
    self, AssertionKind, Ast, ClassPerl, ClassPerlKind, ClassSetItem, Flag, FlagsItemKind,
    GroupKind, HexLiteralKind, LiteralKind, RepetitionKind, RepetitionRange,
};

/// Go's maximum repeat count in `{n,m}`.
const GO_MAX_REPEAT: u32 = 1000;

/// Why a pattern could not be compiled with Go semantics.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RegexError {
    /// The pattern is not valid regular expression syntax (for either engine).
    Syntax {
        /// What is wrong.
        message: String,
        /// Byte offset in the pattern.
        offset: usize,
    },
    /// Valid for Rust's `regex` but not accepted by Go, or accepted by Go with a
    /// different meaning that we do not reproduce.
    Unsupported {
        /// What construct.
        construct: &'static str,
        /// The offending text.
        text: String,
        /// Byte offset in the pattern.
        offset: usize,
    },
    /// The translated pattern did not compile (for example, it is too big).
    Compile(regex::Error),
}

impl fmt::Display for RegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegexError::Syntax { message, offset } => write!(f, "{message} (at byte {offset})"),
            RegexError::Unsupported {
                construct,
                text,
                offset,
            } => write!(
                f,
                "{construct} `{text}` is not supported by Go RE2 (at byte {offset})"
            ),
            RegexError::Compile(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RegexError {}

/// Compiles a Go RE2 pattern into a Rust regex with Go's semantics.
pub(crate) fn compile(pattern: &str) -> Result<regex::Regex, RegexError> {
    let translated = translate(pattern)?;
    regex::RegexBuilder::new(&translated)
        .octal(true)
        .build()
        .map_err(RegexError::Compile)
}

/// Rewrites a Go pattern into an equivalent Rust pattern (see the module docs).
pub(crate) fn translate(pattern: &str) -> Result<String, RegexError> {
    let ast = ast::parse::ParserBuilder::new()
        .octal(true)
        .build()
        .parse(pattern)
        .map_err(|e| RegexError::Syntax {
            message: e.kind().to_string(),
            offset: e.span().start.offset,
        })?;
    let mut edits = ast::visit(
        &ast,
        Translator {
            pattern,
            edits: Vec::new(),
        },
    )?;
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut at = 0;
    for (start, end, replacement) in edits {
        if start < at {
            continue; // Nested edits cannot happen, but never splice twice.
        }
        out.push_str(&pattern[at..start]);
        out.push_str(&replacement);
        at = end;
    }
    out.push_str(&pattern[at..]);
    Ok(out)
}

struct Translator<'p> {
    pattern: &'p str,
    edits: Vec<(usize, usize, String)>,
}

impl Translator<'_> {
    fn text(&self, span: &ast::Span) -> &str {
        self.pattern
            .get(span.start.offset..span.end.offset)
            .unwrap_or_default()
    }

    fn unsupported(&self, construct: &'static str, span: &ast::Span) -> RegexError {
        RegexError::Unsupported {
            construct,
            text: self.text(span).to_owned(),
            offset: span.start.offset,
        }
    }

    fn check_flags(&self, flags: &ast::Flags) -> Result<(), RegexError> {
        for item in &flags.items {
            if let FlagsItemKind::Flag(Flag::IgnoreWhitespace | Flag::Unicode | Flag::CRLF) =
                item.kind
            {
                return Err(self.unsupported("flag", &item.span));
            }
        }
        Ok(())
    }

    fn check_literal(&self, lit: &ast::Literal) -> Result<(), RegexError> {
        match &lit.kind {
            LiteralKind::HexFixed(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong)
            | LiteralKind::HexBrace(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong) => {
                Err(self.unsupported("escape", &lit.span))
            }
            LiteralKind::Octal => {
                // Go reads `\1`..`\7` alone as a back-reference (an error) and
                // `\0`, `\12`, `\123` as octal.
                let text = self.text(&lit.span);
                if text.len() == 2 && !text.ends_with('0') {
                    Err(self.unsupported("back-reference", &lit.span))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }
}

/// The ASCII class Go means by a Perl class, as a Rust bracket expression.
fn perl_class(class: &ClassPerl) -> String {
    let body = match class.kind {
        ClassPerlKind::Digit => "0-9",
        ClassPerlKind::Space => r"\t\n\x0C\r ",
        ClassPerlKind::Word => "0-9A-Za-z_",
    };
    if class.negated {
        format!("[^{body}]")
    } else {
        format!("[{body}]")
    }
}

fn escape_literal_text(s: &str) -> String {
    regex_syntax::escape(s)
}

impl ast::Visitor for Translator<'_> {
    type Output = Vec<(usize, usize, String)>;
    type Err = RegexError;

    fn finish(self) -> Result<Self::Output, RegexError> {
        Ok(self.edits)
    }

    fn visit_pre(&mut self, node: &Ast) -> Result<(), RegexError> {
        match node {
            Ast::ClassPerl(class) => {
                let (start, end) = (class.span.start.offset, class.span.end.offset);
                self.edits.push((start, end, perl_class(class)));
            }
            Ast::Assertion(assertion) => {
                let span = &assertion.span;
                let (start, end) = (span.start.offset, span.end.offset);
                let replacement = match assertion.kind {
                    AssertionKind::WordBoundary => Some(r"(?-u:\b)".to_owned()),
                    AssertionKind::NotWordBoundary => Some(r"(?-u:\B)".to_owned()),
                    AssertionKind::WordBoundaryStartAngle => Some("<".to_owned()),
                    AssertionKind::WordBoundaryEndAngle => Some(">".to_owned()),
                    AssertionKind::WordBoundaryStart
                    | AssertionKind::WordBoundaryEnd
                    | AssertionKind::WordBoundaryStartHalf
                    | AssertionKind::WordBoundaryEndHalf => {
                        // `\b{start}` and friends: Go sees `\b` then literal text.
                        let text = self.text(span);
                        let rest = text.get(2..).unwrap_or_default();
                        Some(format!(r"(?-u:\b){}", escape_literal_text(rest)))
                    }
                    _ => None,
                };
                if let Some(r) = replacement {
                    self.edits.push((start, end, r));
                }
            }
            Ast::Flags(set) => self.check_flags(&set.flags)?,
            Ast::Group(group) => match &group.kind {
                GroupKind::NonCapturing(flags) => self.check_flags(flags)?,
                GroupKind::CaptureName { name, .. } => {
                    if !name
                        .name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    {
                        return Err(self.unsupported("capture group name", &name.span));
                    }
                }
                GroupKind::CaptureIndex(_) => {}
            },
            Ast::Literal(lit) => self.check_literal(lit)?,
            Ast::Repetition(rep) => {
                if matches!(&*rep.ast, Ast::Repetition(_)) {
                    return Err(self.unsupported("nested repetition operator", &rep.span));
                }
                if let RepetitionKind::Range(range) = &rep.op.kind {
                    let too_big = match *range {
                        RepetitionRange::Exactly(n) | RepetitionRange::AtLeast(n) => {
                            n > GO_MAX_REPEAT
                        }
                        RepetitionRange::Bounded(a, b) => a > GO_MAX_REPEAT || b > GO_MAX_REPEAT,
                    };
                    if too_big {
                        return Err(self.unsupported("repeat count above 1000", &rep.op.span));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn visit_class_set_item_pre(&mut self, item: &ClassSetItem) -> Result<(), RegexError> {
        match item {
            ClassSetItem::Perl(class) => {
                let (start, end) = (class.span.start.offset, class.span.end.offset);
                self.edits.push((start, end, perl_class(class)));
            }
            ClassSetItem::Literal(lit) => self.check_literal(lit)?,
            ClassSetItem::Range(range) => {
                self.check_literal(&range.start)?;
                self.check_literal(&range.end)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn visit_class_set_binary_op_pre(
        &mut self,
        op: &ast::ClassSetBinaryOp,
    ) -> Result<(), RegexError> {
        Err(RegexError::Unsupported {
            construct: "character class set operation",
            text: self.text(&op.span).to_owned(),
            offset: op.span.start.offset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_match(pattern: &str, text: &str) -> bool {
        compile(pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
            .is_match(text)
    }

    #[test]
    fn perl_classes_are_ascii_like_go() {
        // Arabic-Indic digit five and a non-breaking space, Latin é.
        assert!(!is_match(r"^\d$", "٥"));
        assert!(is_match(r"^\D$", "٥"));
        assert!(is_match(r"^\d+$", "0123456789"));
        assert!(!is_match(r"^\s$", "\u{a0}"));
        assert!(!is_match(r"^\s$", "\u{0b}")); // Go's \s has no vertical tab
        assert!(is_match(r"^\s$", "\u{0c}"));
        assert!(!is_match(r"^\w$", "é"));
        assert!(is_match(r"^\W$", "é"));
        assert!(is_match(r"^[\d.]+$", "1.2"));
        assert!(!is_match(r"^[\d.]+$", "١.٢"));
        assert!(is_match(r"^[^\d]+$", "abc"));
        assert!(is_match(r"^[\D]+$", "é"));
        // Rust's own classes would accept these.
        assert!(regex::Regex::new(r"^\d$").unwrap().is_match("٥"));
        assert!(regex::Regex::new(r"^\w$").unwrap().is_match("é"));
    }

    #[test]
    fn word_boundaries_are_ascii_like_go() {
        // With Unicode \b, "é" is a word character and there is no boundary
        // between "é" and "x"; with Go's ASCII \b there is one.
        assert!(is_match(r"\bx", "éx"));
        assert!(!regex::Regex::new(r"\bx").unwrap().is_match("éx"));
        assert!(is_match(r"a\B", "ab"));
    }

    #[test]
    fn rust_only_assertions_read_as_go_does() {
        assert!(is_match(r"^\<x\>$", "<x>"));
        assert!(is_match(r"a\b{start}", "a{start}"));
        assert!(!is_match(r"a\b{start}", "a"));
    }

    #[test]
    fn named_groups_both_syntaxes() {
        let re = compile(r"^(?P<a>\d+)-(?<b>\w+)$").unwrap();
        let caps = re.captures("12-ab").unwrap();
        assert_eq!(&caps["a"], "12");
        assert_eq!(&caps["b"], "ab");
    }

    #[test]
    fn search_is_unanchored() {
        assert!(is_match(r"1\.0", "11.0.5"));
        assert!(is_match(r"1\.0", "v1.0-rc"));
    }

    #[test]
    fn octal_escapes_work_and_backreferences_do_not() {
        assert!(is_match(r"^\101$", "A"));
        assert!(is_match(r"^\0$", "\0"));
        for p in [r"(a)\1", r"(a)\2x"] {
            assert!(
                matches!(compile(p), Err(RegexError::Unsupported { .. })),
                "{p}"
            );
        }
    }

    #[test]
    fn go_rejections() {
        for p in [
            "(?=a)",
            "(?!a)",
            "(?<=a)a",
            "(?<!a)a",
            "a**",
            "a*+",
            "a++",
            "a{1001}",
            "a{2,1001}",
            "(?x)a b",
            "(?u)a",
            "(?R)a",
            r"\u0041",
            r"\U00000041",
            r"\u{41}",
            "(?P<a.b>x)",
            "(?P<é>x)",
            "[a-z&&b]",
            "[a--b]",
            "[a~~b]",
            "(",
            "[a",
            "a{2,1}",
            r"\p{Nope}",
        ] {
            assert!(compile(p).is_err(), "{p} should be rejected");
        }
        for p in [
            "a{1000}",
            "(a*)*",
            "a*?",
            "(?i)abc",
            "(?s).",
            "(?m)^a$",
            "(?U)a+",
            r"\x41",
            r"\x{41}",
            r"\pL",
            r"\p{Greek}",
            "[[:alpha:]]",
            "",
        ] {
            assert!(compile(p).is_ok(), "{p} should be accepted");
        }
    }

    #[test]
    fn error_text_names_the_construct() {
        let e = compile("a**").unwrap_err().to_string();
        assert_eq!(
            e,
            "nested repetition operator `a**` is not supported by Go RE2 (at byte 0)"
        );
        let e = compile("(?=x)").unwrap_err().to_string();
        assert!(e.contains("look-around"), "{e}");
    }
}
