//! Writing a new scalar value in the style of the old one.
//!
//! Quoted scalars keep their quotes (escaped correctly). A plain scalar stays
//! plain unless the new value would then read as something other than a
//! string — under YAML 1.1 (go-yaml, kyaml, Flux) *or* YAML 1.2 — or could
//! not be written plain at all; then it is double-quoted, as Flux does.

/// The style of a scalar in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ScalarStyle {
    /// `value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// A block scalar (`|`, `>`), rewritten as a one-line `|-`/`>-` block.
    Block,
}

/// Renders `value` as scalar source text for a scalar written in `style`;
/// `in_flow` says whether it sits inside `[...]` or `{...}`.
pub(crate) fn render(value: &str, style: ScalarStyle, in_flow: bool) -> String {
    match style {
        ScalarStyle::SingleQuoted if single_quotable(value) => {
            format!("'{}'", value.replace('\'', "''"))
        }
        ScalarStyle::Plain if plain_safe(value, in_flow) && !resolves_to_non_string(value) => {
            value.to_owned()
        }
        _ => double_quote(value),
    }
}

/// Single quotes cannot carry line breaks (they fold) or escapes.
fn single_quotable(s: &str) -> bool {
    s.chars().all(|c| c == '\t' || !is_special_char(c))
}

/// Characters that are only safe inside double quotes, as escapes.
fn is_special_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}')
}

pub(crate) fn double_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) < 0x100 && is_special_char(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_special_char(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `s` can be written as a plain scalar and read back as the same
/// text. Deliberately conservative: anything doubtful gets quoted.
fn plain_safe(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return false;
    }
    if s.chars().any(|c| c == '\t' || is_special_char(c)) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-x`, `?x` and `:x` are legal plain scalars, but quoting them costs nothing.
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    true
}

/// Whether a plain scalar spelled `s` resolves to null, bool, int, float,
/// timestamp or a merge/value key under YAML 1.1 or YAML 1.2 (the union, so
/// the written file reads as a string everywhere).
pub(crate) fn resolves_to_non_string(s: &str) -> bool {
    const NULLS: &[&str] = &["", "~", "null", "Null", "NULL"];
    const BOOLS: &[&str] = &[
        "true", "True", "TRUE", "false", "False", "FALSE", "y", "Y", "yes", "Yes", "YES", "n", "N",
        "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    ];
    const SPECIAL: &[&str] = &["<<", "="];
    NULLS.contains(&s)
        || BOOLS.contains(&s)
        || SPECIAL.contains(&s)
        || is_int(s)
        || is_float(s)
        || is_timestamp(s)
}

fn strip_sign(s: &str) -> &str {
    s.strip_prefix(['-', '+']).unwrap_or(s)
}

fn all_nonempty(s: &str, f: impl Fn(u8) -> bool) -> bool {
    !s.is_empty() && s.bytes().all(f)
}

fn is_digits_us(s: &str) -> bool {
    // [0-9][0-9_]*
    s.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

/// `[0-9][0-9_]*(:[0-5]?[0-9])+` (YAML 1.1 base 60).
fn is_sexagesimal(s: &str) -> bool {
    let mut parts = s.split(':');
    let Some(head) = parts.next() else {
        return false;
    };
    let mut n = 0;
    for p in parts {
        n += 1;
        let b = p.as_bytes();
        let ok = match b {
            [d] => d.is_ascii_digit(),
            [a, d] => (b'0'..=b'5').contains(a) && d.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    n > 0 && is_digits_us(head)
}

fn is_int(s: &str) -> bool {
    let t = strip_sign(s);
    if let Some(r) = t.strip_prefix("0b") {
        return all_nonempty(r, |b| matches!(b, b'0' | b'1' | b'_'));
    }
    if let Some(r) = t.strip_prefix("0x") {
        return all_nonempty(r, |b| b.is_ascii_hexdigit() || b == b'_');
    }
    if let Some(r) = t.strip_prefix("0o") {
        return all_nonempty(r, |b| (b'0'..=b'7').contains(&b) || b == b'_');
    }
    is_digits_us(t) || is_sexagesimal(t)
}

fn is_float(s: &str) -> bool {
    let t = strip_sign(s);
    if matches!(t, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    // Base-60 float: [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
    if let Some((head, frac)) = t.rsplit_once('.')
        && head.contains(':')
        && is_sexagesimal(head)
        && frac.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return true;
    }
    // Mantissa ([0-9_]* with at most one '.'), at least one digit, optional exponent.
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    if let Some(e) = exp
        && !all_nonempty(strip_sign(e), |b| b.is_ascii_digit())
    {
        return false;
    }
    let mut dots = 0;
    let mut digits = 0;
    for b in mantissa.bytes() {
        match b {
            b'.' => dots += 1,
            b'0'..=b'9' => digits += 1,
            b'_' => {}
            _ => return false,
        }
    }
    dots <= 1 && digits > 0 && !mantissa.starts_with('_')
}

/// `YYYY-M-D` with an optional time part: go-yaml resolves these to timestamps.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let mut it = rest.splitn(2, '-');
    let (Some(month), Some(tail)) = (it.next(), it.next()) else {
        return false;
    };
    let day_len = tail.bytes().take_while(u8::is_ascii_digit).count();
    let ok_num = |x: &str| (1..=2).contains(&x.len()) && x.bytes().all(|c| c.is_ascii_digit());
    ok_num(month)
        && (1..=2).contains(&day_len)
        && (day_len == tail.len() || matches!(tail.as_bytes()[day_len], b'T' | b't' | b' ' | b'\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_strings_are_detected() {
        for s in [
            "20240101",
            "1.10",
            "123",
            "true",
            "1e3",
            "0x10",
            "~",
            "",
            "yes",
            "off",
            "0o17",
            "0b101",
            "+1",
            "-1",
            "1_000",
            "1:20",
            ".5",
            "1.",
            ".inf",
            "-.Inf",
            ".nan",
            "2001-12-14",
            "2001-12-14T21:59:43.10-05:00",
            "1:20.5",
            "Null",
            "<<",
            "1E-3",
            "007",
        ] {
            assert!(resolves_to_non_string(s), "{s:?} should be non-string");
        }
    }

    #[test]
    fn strings_stay_strings() {
        for s in [
            "1.2.3",
            "v1",
            "main-abc1234-42",
            "latest",
            "ghcr.io/org/app",
            "1.0.0-rc.1",
            "sha256:abcd",
            "0x",
            "1e",
            "e3",
            ".",
            "1.2e",
            "2024-01",
            "2001-12-14x",
            "_1",
            "-",
            "localhost:5000/app",
            "12:60",
            "ab:12",
        ] {
            assert!(!resolves_to_non_string(s), "{s:?} should be a string");
        }
    }

    #[test]
    fn plain_keeps_plain_or_quotes() {
        assert_eq!(render("1.2.3", ScalarStyle::Plain, false), "1.2.3");
        assert_eq!(
            render("20240101", ScalarStyle::Plain, false),
            "\"20240101\""
        );
        assert_eq!(render("a: b", ScalarStyle::Plain, false), "\"a: b\"");
        assert_eq!(render("a,b", ScalarStyle::Plain, true), "\"a,b\"");
        assert_eq!(render("a,b", ScalarStyle::Plain, false), "a,b");
        assert_eq!(render("", ScalarStyle::Plain, false), "\"\"");
    }

    #[test]
    fn quotes_are_kept_and_escaped() {
        assert_eq!(render("it's", ScalarStyle::SingleQuoted, false), "'it''s'");
        assert_eq!(render("1.0", ScalarStyle::SingleQuoted, false), "'1.0'");
        assert_eq!(
            render("a\"b\\c", ScalarStyle::DoubleQuoted, false),
            "\"a\\\"b\\\\c\""
        );
        assert_eq!(
            render("a\nb", ScalarStyle::SingleQuoted, false),
            "\"a\\nb\""
        );
        assert_eq!(
            render("é\u{1}", ScalarStyle::DoubleQuoted, false),
            "\"é\\x01\""
        );
    }
}
