//! Go RE2 (`regexp.Compile`) patterns on top of Rust's `regex` crate.
//!
//! The two engines share most of their syntax and their leftmost-first match
//! semantics. Where they differ, this module makes the Rust pattern behave as
//! Go's does, or rejects the pattern with a clear reason. A text pass first
//! rewrites the Go-only syntax (errors there carry offsets into the original
//! pattern):
//!
//! * bracket classes are re-read with Go's grammar: `[`, `&&`, `--`, `~~` inside
//!   a class are literal characters (`[[a]`, `[a&&b]`), `]` first is literal,
//!   `[\d-z]` is a class, a `-` and a literal; `[a--b]` is an invalid range
//!   in both;
//! * `\Q…\E` quotes literal text (to the end of the pattern without `\E`);
//! * a `{` that does not start `{n}`, `{n,}` or `{n,m}` is a literal `{`;
//! * an empty flag group `(?)` is dropped, and a repetition right after flag
//!   groups (`x(?i)+`) repeats the atom before them, as in Go (except when the
//!   groups set `U` or the atom is already repeated: Rust rejects those);
//! * `\p{…}`/`\pX` accept exactly Go's names (Go 1.25 rules: `Any`, `ASCII`,
//!   `Assigned`, general categories with their aliases such as `Letter`, `LC`,
//!   `Cn`, and script long names of Unicode 15; case, spaces, `_` and `-`
//!   ignored; `^` negates) and are spelled out for Rust as `gc=`/`sc=`, since
//!   Rust's bare `\p{Greek}` means Script_Extensions. Rust-only names
//!   (`\p{Alphabetic}`, `\p{sc=Greek}`, `\p{Grek}`) are rejected.
//!
//! Then, on the parsed pattern:
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
//! * Rejected by both: look-around, back-references, possessive quantifiers.
//!
//! Checked against Go's `regexp` on ~100k generated patterns (accept/reject and
//! matches): the only differences left are the two flag-group cases above.

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

/// Compiles a Go RE2 pattern (`regexp.Compile`) into a Rust regex with Go's
/// syntax and semantics (see the crate docs). Use it for any Flux field that
/// holds a Go regexp, such as `ImageRepository.spec.exclusionList`.
///
/// # Errors
/// [`RegexError`] when Go would reject the pattern, or when it uses a Go
/// construct Weir does not reproduce.
pub fn compile(pattern: &str) -> Result<regex::Regex, RegexError> {
    let translated = translate(pattern)?;
    regex::RegexBuilder::new(&translated)
        .octal(true)
        .build()
        .map_err(RegexError::Compile)
}

/// Rewrites a Go pattern into an equivalent Rust pattern, for callers that
/// build a `regex::RegexSet`: compile the result with octal escapes enabled
/// (`RegexSetBuilder::octal(true)`), as [`compile`] does.
///
/// # Errors
/// As [`compile`], for the syntax checks.
pub fn translate(pattern: &str) -> Result<String, RegexError> {
    let prepared = prepass(pattern)?;
    let pattern = prepared.as_str();
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

/// Rewrites the Go syntax that Rust's parser reads differently or not at all,
/// before the AST pass: `\Q…\E` quoting, bracket classes (Go reads `[`, `&&`,
/// `--`, `~~` inside a class as literal characters) and `\p{…}` names (Go's
/// list, not Rust's). Errors carry offsets into the original pattern.
fn prepass(pattern: &str) -> Result<String, RegexError> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    while let Some(c) = pattern[i..].chars().next() {
        match c {
            '\\' => {
                let rest = &pattern[i + 1..];
                match rest.chars().next() {
                    Some('Q') => {
                        // Go: everything up to `\E` (or the end) is literal text.
                        let body = &rest[1..];
                        let (lit, after) = match body.find(r"\E") {
                            Some(end) => (&body[..end], i + 2 + end + 2),
                            None => (body, pattern.len()),
                        };
                        for ch in lit.chars() {
                            push_literal(&mut out, ch);
                        }
                        i = after;
                    }
                    Some('p' | 'P') => {
                        let (class, len) = unicode_class(pattern, i)?;
                        out.push_str(&class);
                        i += len;
                    }
                    Some(next) => {
                        // Any other escape means the same to the AST pass.
                        out.push('\\');
                        out.push(next);
                        i += 1 + next.len_utf8();
                    }
                    None => {
                        out.push('\\');
                        i += 1;
                    }
                }
            }
            '[' => i = bracket_class(pattern, i, &mut out)?,
            '(' if flag_group_len(&pattern[i..]).is_some() => {
                // Go: an empty flag group `(?)` sets nothing, and a flag group
                // is not an operand, so `x(?i)+` repeats `x`. Rust rejects
                // both; emit the repetition first, then the flags. (With `U`
                // the move would change greediness: left for Rust to reject.)
                let mut groups = String::new();
                let mut j = i;
                while let Some(len) = flag_group_len(&pattern[j..]) {
                    let group = &pattern[j..j + len];
                    if group != "(?)" {
                        groups.push_str(group);
                    }
                    j += len;
                }
                match repetition_len(&pattern[j..]) {
                    Some(len) if !groups.contains('U') => {
                        out.push_str(&pattern[j..j + len]);
                        j += len;
                    }
                    _ => {}
                }
                out.push_str(&groups);
                i = j;
            }
            '{' if !is_go_repeat(&pattern[i..]) => {
                // Go reads a `{` that does not start `{n}`, `{n,}` or `{n,m}`
                // as a literal; Rust would reject it.
                out.push_str(r"\{");
                i += 1;
            }
            _ => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    Ok(out)
}

/// The length of a flag-only group such as `(?i)`, `(?s-m)` or `(?)` at the
/// start of `s`.
fn flag_group_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("(?")?;
    let n = body
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic() || *b == b'-')
        .count();
    body[n..].starts_with(')').then_some(2 + n + 1)
}

/// The length of a repetition operator (`*`, `+`, `?`, `{n,m}`, each with an
/// optional lazy `?`) at the start of `s`.
fn repetition_len(s: &str) -> Option<usize> {
    let len = match s.bytes().next()? {
        b'*' | b'+' | b'?' => 1,
        b'{' if is_go_repeat(s) => s.find('}')? + 1,
        _ => return None,
    };
    Some(len + usize::from(s[len..].starts_with('?')))
}

/// Whether `s` starts with a Go repeat count: `{n}`, `{n,}` or `{n,m}`.
fn is_go_repeat(s: &str) -> bool {
    let Some(body) = s.strip_prefix('{') else {
        return false;
    };
    let digits = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
    let n = digits(body);
    if n == 0 {
        return false;
    }
    let rest = &body[n..];
    if rest.starts_with('}') {
        return true;
    }
    let Some(rest) = rest.strip_prefix(',') else {
        return false;
    };
    let m = digits(rest);
    rest[m..].starts_with('}')
}

/// Appends one literal character so that Rust reads it as that character,
/// inside or outside a class.
fn push_literal(out: &mut String, c: char) {
    if c.is_ascii() && !c.is_ascii_alphanumeric() {
        out.push_str(&format!("\\x{{{:02X}}}", u32::from(c)));
    } else {
        out.push(c);
    }
}

fn syntax(message: &str, offset: usize) -> RegexError {
    RegexError::Syntax {
        message: message.to_owned(),
        offset,
    }
}

/// Translates a bracket class starting at `start` (`[`) with Go's grammar and
/// returns the offset just past its `]`.
fn bracket_class(pattern: &str, start: usize, out: &mut String) -> Result<usize, RegexError> {
    let missing = || syntax("missing closing ]", start);
    let mut i = start + 1;
    out.push('[');
    if pattern[i..].starts_with('^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let rest = &pattern[i..];
        if rest.is_empty() {
            return Err(missing());
        }
        if rest.starts_with(']') && !first {
            out.push(']');
            return Ok(i + 1);
        }
        first = false;
        // `[:alpha:]`: Go looks for the closing `:]` anywhere further on.
        if let Some(body) = rest.strip_prefix("[:")
            && let Some(end) = body.find(":]")
        {
            let name = body[..end].strip_prefix('^').unwrap_or(&body[..end]);
            if !POSIX_CLASSES.contains(&name) {
                return Err(RegexError::Syntax {
                    message: format!("invalid character class range `[:{}:]`", &body[..end]),
                    offset: i,
                });
            }
            out.push_str(&rest[..2 + end + 2]);
            i += 2 + end + 2;
            continue;
        }
        if rest.starts_with(r"\p") || rest.starts_with(r"\P") {
            let (class, len) = unicode_class(pattern, i)?;
            out.push_str(&class);
            i += len;
            continue;
        }
        if let Some(after) = rest.strip_prefix('\\')
            && after.starts_with(['d', 'D', 's', 'S', 'w', 'W'])
        {
            // Perl classes: rewritten to Go's ASCII sets by the AST pass.
            out.push_str(&rest[..2]);
            i += 2;
            continue;
        }
        let (lo, next) = class_char(pattern, i)?;
        i = next;
        let rest = &pattern[i..];
        if rest.starts_with('-') && rest.len() > 1 && !rest[1..].starts_with(']') {
            let (hi, next) = class_char(pattern, i + 1)?;
            if hi < lo {
                return Err(syntax("invalid character class range", i));
            }
            push_literal(out, lo);
            out.push('-');
            push_literal(out, hi);
            i = next;
        } else {
            push_literal(out, lo);
        }
    }
}

/// Go's (and Rust's) POSIX class names.
const POSIX_CLASSES: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// One character of a bracket class (a literal or a single-character escape)
/// as Go's `parseClassChar` reads it, and the offset after it.
fn class_char(pattern: &str, i: usize) -> Result<(char, usize), RegexError> {
    let rest = &pattern[i..];
    let Some(c) = rest.chars().next() else {
        return Err(syntax("missing closing ]", i));
    };
    if c != '\\' {
        return Ok((c, i + c.len_utf8()));
    }
    let invalid = || syntax("invalid escape sequence", i);
    let body = &rest[1..];
    let Some(e) = body.chars().next() else {
        return Err(syntax("trailing backslash at end of expression", i));
    };
    let octal = |s: &str| s.bytes().next().is_some_and(|b| (b'0'..=b'7').contains(&b));
    match e {
        '1'..='7' if !octal(&body[1..]) => Err(invalid()),
        '0'..='7' => {
            // Up to three octal digits.
            let digits = body
                .bytes()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(b));
            let (mut value, mut len) = (0u32, 0usize);
            for d in digits {
                value = value * 8 + u32::from(d - b'0');
                len += 1;
            }
            let ch = char::from_u32(value).ok_or_else(invalid)?;
            Ok((ch, i + 1 + len))
        }
        'x' => {
            let hex = &body[1..];
            let (digits, len) = if let Some(braced) = hex.strip_prefix('{') {
                let end = braced.find('}').ok_or_else(invalid)?;
                (&braced[..end], end + 2)
            } else {
                (hex.get(..2).ok_or_else(invalid)?, 2)
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid());
            }
            let ch = u32::from_str_radix(digits, 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(invalid)?;
            Ok((ch, i + 2 + len))
        }
        'a' => Ok(('\x07', i + 2)),
        'f' => Ok(('\x0C', i + 2)),
        'n' => Ok(('\n', i + 2)),
        'r' => Ok(('\r', i + 2)),
        't' => Ok(('\t', i + 2)),
        'v' => Ok(('\x0B', i + 2)),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c, i + 2)),
        _ => Err(invalid()),
    }
}

/// Go's (1.25+) `\p`/`\P` classes: `\pL` or `\p{Name}`, `^` negates, names
/// matched ignoring case, spaces, `_` and `-`: `Any`, `ASCII`, `Assigned`, the
/// general categories (short names and their aliases, `LC`, `Cn`) and the
/// scripts (long names). Returns the Rust spelling (`\p{gc=…}`, `\p{sc=…}`:
/// Rust's bare `\p{Greek}` would mean Script_Extensions, Go's means Script)
/// and the length read.
fn unicode_class(pattern: &str, i: usize) -> Result<(String, usize), RegexError> {
    let rest = &pattern[i..];
    let mut negated = rest.as_bytes().get(1) == Some(&b'P');
    let body = &rest[2..];
    let (name, len) = match body.chars().next() {
        None => return Err(syntax("invalid character class range", i)),
        Some('{') => {
            let end = body
                .find('}')
                .ok_or_else(|| syntax("invalid character class range", i))?;
            (&body[1..end], 2 + end + 1)
        }
        Some(c) => (&body[..c.len_utf8()], 2 + c.len_utf8()),
    };
    let name = match name.strip_prefix('^') {
        Some(n) => {
            negated = !negated;
            n
        }
        None => name,
    };
    let class = go_unicode_class(name).ok_or_else(|| RegexError::Syntax {
        message: format!("invalid character class range `{}`", &rest[..len]),
        offset: i,
    })?;
    let p = if negated { 'P' } else { 'p' };
    Ok((format!("\\{p}{{{class}}}"), len))
}

/// Loose matching of Unicode names (UAX #44 LM3 as Go 1.25 applies it).
fn loose(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The Rust class body for a Go Unicode class name, if Go knows the name.
fn go_unicode_class(name: &str) -> Option<String> {
    let key = loose(name);
    if key.is_empty() {
        return None;
    }
    match key.as_str() {
        "any" => return Some("Any".to_owned()),
        "ascii" => return Some("ASCII".to_owned()),
        "assigned" => return Some("Assigned".to_owned()),
        _ => {}
    }
    for (short, aliases) in GO_CATEGORIES {
        if loose(short) == key || aliases.iter().any(|a| loose(a) == key) {
            return Some(format!("gc={short}"));
        }
    }
    GO_SCRIPTS
        .iter()
        .find(|s| loose(s) == key)
        .map(|s| format!("sc={s}"))
}

/// Go's `unicode.Categories` keys plus `LC` and `Cn`, with the aliases of
/// `unicode.CategoryAliases` (Unicode's PropertyValueAliases, `gc`).
const GO_CATEGORIES: &[(&str, &[&str])] = &[
    ("C", &["Other"]),
    ("Cc", &["Control", "cntrl"]),
    ("Cf", &["Format"]),
    ("Cn", &["Unassigned"]),
    ("Co", &["Private_Use"]),
    ("Cs", &["Surrogate"]),
    ("L", &["Letter"]),
    ("LC", &["Cased_Letter"]),
    ("Ll", &["Lowercase_Letter"]),
    ("Lm", &["Modifier_Letter"]),
    ("Lo", &["Other_Letter"]),
    ("Lt", &["Titlecase_Letter"]),
    ("Lu", &["Uppercase_Letter"]),
    ("M", &["Mark", "Combining_Mark"]),
    ("Mc", &["Spacing_Mark"]),
    ("Me", &["Enclosing_Mark"]),
    ("Mn", &["Nonspacing_Mark"]),
    ("N", &["Number"]),
    ("Nd", &["Decimal_Number", "digit"]),
    ("Nl", &["Letter_Number"]),
    ("No", &["Other_Number"]),
    ("P", &["Punctuation", "punct"]),
    ("Pc", &["Connector_Punctuation"]),
    ("Pd", &["Dash_Punctuation"]),
    ("Pe", &["Close_Punctuation"]),
    ("Pf", &["Final_Punctuation"]),
    ("Pi", &["Initial_Punctuation"]),
    ("Po", &["Other_Punctuation"]),
    ("Ps", &["Open_Punctuation"]),
    ("S", &["Symbol"]),
    ("Sc", &["Currency_Symbol"]),
    ("Sk", &["Modifier_Symbol"]),
    ("Sm", &["Math_Symbol"]),
    ("So", &["Other_Symbol"]),
    ("Z", &["Separator"]),
    ("Zl", &["Line_Separator"]),
    ("Zp", &["Paragraph_Separator"]),
    ("Zs", &["Space_Separator"]),
];

/// Go's `unicode.Scripts` keys (Unicode 15.0, Go 1.21 and later).
const GO_SCRIPTS: &[&str] = &[
    "Adlam",
    "Ahom",
    "Anatolian_Hieroglyphs",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Bassa_Vah",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Canadian_Aboriginal",
    "Carian",
    "Caucasian_Albanian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cypro_Minoan",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dives_Akuru",
    "Dogra",
    "Duployan",
    "Egyptian_Hieroglyphs",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gunjala_Gondi",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hanifi_Rohingya",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Imperial_Aramaic",
    "Inherited",
    "Inscriptional_Pahlavi",
    "Inscriptional_Parthian",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kawi",
    "Kayah_Li",
    "Kharoshthi",
    "Khitan_Small_Script",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Linear_A",
    "Linear_B",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Masaram_Gondi",
    "Medefaidrin",
    "Meetei_Mayek",
    "Mende_Kikakui",
    "Meroitic_Cursive",
    "Meroitic_Hieroglyphs",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nag_Mundari",
    "Nandinagari",
    "New_Tai_Lue",
    "Newa",
    "Nko",
    "Nushu",
    "Nyiakeng_Puachue_Hmong",
    "Ogham",
    "Ol_Chiki",
    "Old_Hungarian",
    "Old_Italic",
    "Old_North_Arabian",
    "Old_Permic",
    "Old_Persian",
    "Old_Sogdian",
    "Old_South_Arabian",
    "Old_Turkic",
    "Old_Uyghur",
    "Oriya",
    "Osage",
    "Osmanya",
    "Pahawh_Hmong",
    "Palmyrene",
    "Pau_Cin_Hau",
    "Phags_Pa",
    "Phoenician",
    "Psalter_Pahlavi",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "SignWriting",
    "Sinhala",
    "Sogdian",
    "Sora_Sompeng",
    "Soyombo",
    "Sundanese",
    "Syloti_Nagri",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Tai_Le",
    "Tai_Tham",
    "Tai_Viet",
    "Takri",
    "Tamil",
    "Tangsa",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Toto",
    "Ugaritic",
    "Vai",
    "Vithkuqi",
    "Wancho",
    "Warang_Citi",
    "Yezidi",
    "Yi",
    "Zanabazar_Square",
];

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
            "[a--b]",
            "(",
            "[a",
            "a{2,1}",
            r"\p{Nope}",
            r"\E",
            r"\8",
            r"[\z]",
            r"[\Q]",
            r"[a-\d]",
            r"[\1]",
            "[]",
            "[^]",
            "[[:foo:]]",
            r"\Q\E*",
            r"\p{sc=Greek}",
            r"\p{Grek}",
            r"\p{Alphabetic}",
            r"\p{White_Space}",
            r"\p{Emoji}",
            r"\p{Garay}",
            r"\p{isGreek}",
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
            r"\Q",
            r"[a&&b]",
            r"[[a]",
            r"\Qa\E",
            r"\z",
            r"\p{Letter}",
            r"\p{old_italic}",
        ] {
            assert!(compile(p).is_ok(), "{p} should be accepted");
        }
    }

    /// Rows checked against Go's `regexp` (go1.19 for the syntax, and the
    /// Go 1.25 name rules for `\p`): (pattern, text, whether it matches).
    const GO_ORACLE: &[(&str, &str, bool)] = &[
        // Go reads `&&`, `~~` and `[` inside a class as literal characters.
        (r"^[a&&b]+$", "a&b", true),
        (r"^[a&&b]+$", "c", false),
        (r"^[a~~b]+$", "~", true),
        (r"^[[a]+$", "[a", true),
        (r"^[---]$", "-", true),
        (r"^[!--]$", ",", true),
        (r"^[\d-z]+$", "1-z", true),
        (r"^[]a]+$", "]a", true),
        (r"^[^]a]$", "b", true),
        (r"^[^]a]$", "]", false),
        (r"[:alpha:]", ":", true),
        (r"^[[:alpha:]]$", "a", true),
        (r"^[\&\~\-]+$", "&~-", true),
        (r"^\x{41}[\x42-\x43]$", "AC", true),
        (r"^[\101]$", "A", true),
        (r"^[\0]$", "\0", true),
        (r"^[-a]$", "-", true),
        (r"^[a-]$", "-", true),
        (r"^[\n\t]+$", "\n\t", true),
        // `\Q…\E` quotes literal text; without `\E` it runs to the end.
        (r"^\Qa.b\E$", "a.b", true),
        (r"^\Qa.b\E$", "axb", false),
        (r"^\Qa.b$", "a.b", false),
        (r"^\Qa.b$", "a.b$", true),
        (r"^\Qab\E+$", "abb", true),
        (r"a\Q\E*", "aaa", true),
        (r"^\Q[x]\E$", "[x]", true),
        // `\p` names: Go's list, loose matching, `^` negation.
        (r"^\p{^Greek}$", "a", true),
        (r"^\P{^Greek}$", "α", true),
        (r"^\pL$", "é", true),
        (r"^\p{greek}$", "α", true),
        (r"^\p{Old Italic}$", "\u{10300}", true),
        (r"^\p{Letter}+$", "aé", true),
        (r"^\p{Lu}$", "a", false),
        (r"^\p{LC}$", "a", true),
        (r"^\p{Cn}$", "\u{0378}", true),
        (r"^\p{Assigned}$", "a", true),
        (r"^\p{ASCII}+$", "az", true),
        (r"^\p{Any}$", "\u{10FFFF}", true),
        (r"^[\p{Greek}\d]+$", "α1", true),
        // Script, not Script_Extensions: U+0342 is Inherited (scx includes Greek).
        (r"^\p{Greek}$", "\u{0342}", false),
        // A `{` that is not a repeat count is literal.
        (r"^v{$", "v{", true),
        (r"^a{x}$", "a{x}", true),
        (r"^a{,3}$", "a{,3}", true),
        (r"^a{2}$", "aa", true),
        // Flag groups are not operands: the repetition applies before them.
        (r"^x(?i)+$", "xx", true),
        (r"^x(?i)+y$", "xxY", true),
        (r"^x(?)*$", "xxx", true),
        (r"^x(?i){2}$", "xx", true),
    ];

    #[test]
    fn go_oracle_rows() {
        for (pattern, text, expected) in GO_ORACLE {
            assert_eq!(is_match(pattern, text), *expected, "{pattern} on {text:?}");
        }
    }

    #[test]
    fn prepass_keeps_plain_patterns_unchanged() {
        for p in [
            r"^main-[a-fA-F0-9]+-(?P<n>\d+)$",
            r"^v?(\d+)\.(\d+)",
            "[a-z]",
            "",
        ] {
            assert_eq!(prepass(p).unwrap(), p);
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
