//! Scalar resolution: what go-yaml v3 decodes a plain scalar into (the
//! parse side), and whether go-yaml v2 would read a string back as
//! something else (the emit side, which decides quoting).
//!
//! Both follow the YAML 1.1-flavoured resolvers of go-yaml: a first-byte
//! hint, a table of special words, then Go's `strconv` integer and float
//! parsers and the timestamp layouts.

/// A resolved plain scalar.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    /// A timestamp, already formatted the way Go's `time.Time` marshals to
    /// JSON (RFC 3339 with nanoseconds, trailing zeros dropped).
    Timestamp(String),
    /// The merge key `<<`.
    Merge,
    Str,
}

/// go-yaml v2's resolution of an untagged plain scalar, as its decoder
/// hands it to sigs.k8s.io/yaml: YAML 1.1 booleans (`yes`, `on`, `y`, …)
/// are booleans, and timestamps stay the strings they are.
pub(crate) fn resolve_v2(s: &str) -> Scalar {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Scalar::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Scalar::Bool(false),
        _ => match resolve_v3(s) {
            Scalar::Timestamp(_) => Scalar::Str,
            other => other,
        },
    }
}

/// go-yaml v3's resolution of an untagged plain scalar.
pub(crate) fn resolve_v3(s: &str) -> Scalar {
    let Some(&first) = s.as_bytes().first() else {
        return Scalar::Null;
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' | b'<' => {
            word_v3(s).unwrap_or(Scalar::Str)
        }
        b'.' => {
            if let Some(w) = word_v3(s) {
                return w;
            }
            match go_parse_float(s) {
                Some(f) => Scalar::Float(f),
                None => Scalar::Str,
            }
        }
        b'+' | b'-' | b'0'..=b'9' => {
            if let Some(w) = word_v3(s) {
                return w;
            }
            if let Some(ts) = parse_timestamp(s) {
                return Scalar::Timestamp(ts);
            }
            numeric(s).unwrap_or(Scalar::Str)
        }
        _ => Scalar::Str,
    }
}

/// Resolves the numeric forms of a scalar whose first byte is a sign or a
/// digit, the way go-yaml's `D`/`S` hint branch does (after the timestamp
/// check): Go `ParseInt(_, 0, 64)`, `ParseUint`, the YAML float pattern,
/// `0b` binary and `0o` octal.
pub(crate) fn numeric(s: &str) -> Option<Scalar> {
    let plain: std::borrow::Cow<'_, str> = if s.contains('_') {
        s.replace('_', "").into()
    } else {
        s.into()
    };
    let plain = plain.as_ref();
    if let Some(v) = go_parse_int(plain) {
        return Some(Scalar::Int(v));
    }
    if let Some(v) = go_parse_uint(plain) {
        return Some(Scalar::Uint(v));
    }
    if yaml_style_float(plain)
        && let Some(f) = go_parse_float(plain)
    {
        return Some(Scalar::Float(f));
    }
    if let Some(rest) = plain.strip_prefix("0b") {
        if let Ok(v) = i64::from_str_radix(rest, 2)
            && !rest.starts_with(['+', '-'])
        {
            return Some(Scalar::Int(v));
        }
        if let Ok(v) = u64::from_str_radix(rest, 2)
            && !rest.starts_with('+')
        {
            return Some(Scalar::Uint(v));
        }
    } else if let Some(rest) = plain.strip_prefix("-0b")
        && !rest.starts_with(['+', '-'])
        && let Ok(v) = i64::from_str_radix(&format!("-{rest}"), 2)
    {
        return Some(Scalar::Int(v));
    }
    None
}

fn word_v3(s: &str) -> Option<Scalar> {
    Some(match s {
        "true" | "True" | "TRUE" => Scalar::Bool(true),
        "false" | "False" | "FALSE" => Scalar::Bool(false),
        "~" | "null" | "Null" | "NULL" => Scalar::Null,
        ".nan" | ".NaN" | ".NAN" => Scalar::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Scalar::Float(f64::NEG_INFINITY),
        "<<" => Scalar::Merge,
        _ => return None,
    })
}

/// Whether go-yaml v2 would resolve the plain scalar `s` to something other
/// than a string (so its encoder must double-quote it), including the
/// base-60 floats it quotes for compatibility.
pub(crate) fn v2_needs_quotes(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return true; // null
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => is_v2_word(s),
        b'.' => is_v2_word(s) || go_parse_float(s).is_some(),
        b'+' | b'-' | b'0'..=b'9' => {
            is_v2_word(s)
                || parse_timestamp(s).is_some()
                || numeric(s).is_some()
                || is_base60_float(s)
        }
        _ => false,
    }
}

fn is_v2_word(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "true"
            | "True"
            | "TRUE"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "false"
            | "False"
            | "FALSE"
            | "off"
            | "Off"
            | "OFF"
            | "~"
            | "null"
            | "Null"
            | "NULL"
            | ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
    )
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        // [0-5]?[0-9]
        if i + 1 < b.len() && (b'0'..=b'5').contains(&b[i]) && b[i + 1].is_ascii_digit() {
            i += 2;
        } else if i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        } else {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Splits Go's base prefix for `ParseInt(s, 0, _)`: returns (negative,
/// radix, digits).
fn go_int_parts(s: &str, allow_sign: bool) -> Option<(bool, u32, &str)> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'+' if allow_sign => (false, &s[1..]),
        b'-' if allow_sign => (true, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) =
        if let Some(r) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            (16, r)
        } else if let Some(r) = rest.strip_prefix("0o").or_else(|| rest.strip_prefix("0O")) {
            (8, r)
        } else if let Some(r) = rest.strip_prefix("0b").or_else(|| rest.strip_prefix("0B")) {
            (2, r)
        } else if rest.len() > 1 && rest.starts_with('0') {
            (8, &rest[1..])
        } else {
            (10, rest)
        };
    if digits.is_empty() || !digits.bytes().all(|c| (c as char).is_digit(radix)) {
        return None;
    }
    Some((neg, radix, digits))
}

/// Go's `strconv.ParseInt(s, 0, 64)` (underscores already removed).
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, radix, digits) = go_int_parts(s, true)?;
    let mag = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if mag <= 1u64 << 63 {
            Some((mag as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`.
fn go_parse_uint(s: &str) -> Option<u64> {
    let (_, radix, digits) = go_int_parts(s, false)?;
    u64::from_str_radix(digits, radix).ok()
}

/// Go's `strconv.ParseFloat(s, 64)` for the inputs go-yaml hands it: decimal
/// forms (and `inf`/`nan` spellings, which the callers never reach with a
/// leading `.`). Out-of-range values are an error in Go, so `None` here.
pub(crate) fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    // Only accept what Go accepts in decimal form: sign, digits, one dot,
    // exponent. (Hex floats need a 0x prefix, which never reaches here with
    // a '.' first byte; underscores are rejected without a base prefix.)
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let rest = &s[i..];
    let lower = rest.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" || lower == "nan" {
        return None; // not reachable through go-yaml's hints in practice
    }
    let mut saw_digit = false;
    let mut saw_dot = false;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => saw_digit = true,
            b'.' if !saw_dot => saw_dot = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digit {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == st {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() { None } else { Some(f) }
}

/// go-yaml's timestamp check: the value must start with four digits and a
/// dash, then match one of the accepted Go layouts. Returns the value as Go
/// marshals a `time.Time` to JSON (RFC 3339 with nanoseconds).
pub(crate) fn parse_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let year: i32 = s[..4].parse().ok()?;
    let mut p = Cursor { b, i: 5 };
    let month = p.num12()?;
    p.lit(b'-')?;
    let day = p.num12()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in(month, year) {
        return None;
    }
    let mut time = (0u32, 0u32, 0u32, 0u32, 0usize); // h, m, s, nanos, nanodigits
    let mut offset: Option<i32> = Some(0); // minutes; None is never used
    if p.i < b.len() {
        let sep = b[p.i];
        if sep != b'T' && sep != b't' && sep != b' ' {
            return None;
        }
        p.i += 1;
        let h = p.num12()?;
        p.lit(b':')?;
        let m = p.num12()?;
        p.lit(b':')?;
        let sec = p.num12()?;
        let (mut nanos, mut ndig) = (0u32, 0usize);
        if p.i + 1 < b.len() && (b[p.i] == b'.' || b[p.i] == b',') && b[p.i + 1].is_ascii_digit() {
            p.i += 1;
            let st = p.i;
            while p.i < b.len() && b[p.i].is_ascii_digit() {
                p.i += 1;
            }
            let digs = &s[st..p.i];
            let take = digs.len().min(9);
            nanos = digs[..take].parse().ok()?;
            for _ in take..9 {
                nanos *= 10;
            }
            ndig = take;
        }
        if h >= 24 || m >= 60 || sec >= 60 {
            return None;
        }
        if sep == b' ' {
            // "2006-1-2 15:4:5.999999999": no zone allowed.
            if p.i != b.len() {
                return None;
            }
        } else {
            // Z07:00
            if p.i < b.len() && b[p.i] == b'Z' {
                p.i += 1;
            } else if p.i + 6 <= b.len()
                && (b[p.i] == b'+' || b[p.i] == b'-')
                && b[p.i + 3] == b':'
                && b[p.i + 1..p.i + 3].iter().all(u8::is_ascii_digit)
                && b[p.i + 4..p.i + 6].iter().all(u8::is_ascii_digit)
            {
                let hh: i32 = s[p.i + 1..p.i + 3].parse().ok()?;
                let mm: i32 = s[p.i + 4..p.i + 6].parse().ok()?;
                if hh > 24 || mm > 60 {
                    return None;
                }
                let sign = if b[p.i] == b'-' { -1 } else { 1 };
                offset = Some(sign * (hh * 60 + mm));
                p.i += 6;
            } else {
                return None;
            }
            if p.i != b.len() {
                return None;
            }
        }
        time = (h, m, sec, nanos, ndig);
    }
    let _ = time.4;
    let mut out = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        time.0, time.1, time.2
    );
    if time.3 != 0 {
        let frac = format!("{:09}", time.3);
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    match offset {
        Some(0) | None => out.push('Z'),
        Some(off) => {
            let sign = if off < 0 { '-' } else { '+' };
            let off = off.abs();
            out.push_str(&format!("{sign}{:02}:{:02}", off / 60, off % 60));
        }
    }
    Some(out)
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// Go's `getnum(s, false)`: one or two digits.
    fn num12(&mut self) -> Option<u32> {
        let d0 = *self.b.get(self.i)?;
        if !d0.is_ascii_digit() {
            return None;
        }
        self.i += 1;
        let mut v = u32::from(d0 - b'0');
        if let Some(&d1) = self.b.get(self.i)
            && d1.is_ascii_digit()
        {
            v = v * 10 + u32::from(d1 - b'0');
            self.i += 1;
        }
        Some(v)
    }
    fn lit(&mut self, c: u8) -> Option<()> {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }
}

fn days_in(month: u32, year: i32) -> u32 {
    match month {
        2 => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_numbers() {
        assert_eq!(resolve_v3("0755"), Scalar::Int(493));
        assert_eq!(resolve_v3("0o17"), Scalar::Int(15));
        assert_eq!(resolve_v3("0x1F"), Scalar::Int(31));
        assert_eq!(resolve_v3("0b101"), Scalar::Int(5));
        assert_eq!(resolve_v3("08"), Scalar::Float(8.0));
        assert_eq!(resolve_v3("1_000"), Scalar::Int(1000));
        assert_eq!(resolve_v3("+1"), Scalar::Int(1));
        assert_eq!(resolve_v3("1e3"), Scalar::Float(1000.0));
        assert_eq!(resolve_v3("1e400"), Scalar::Str);
        assert_eq!(
            resolve_v3("12345678901234567890"),
            Scalar::Uint(12345678901234567890)
        );
        assert_eq!(resolve_v3(".5"), Scalar::Float(0.5));
        assert_eq!(resolve_v3("1:20"), Scalar::Str);
        assert_eq!(resolve_v3("yes"), Scalar::Str);
        assert_eq!(resolve_v3("~"), Scalar::Null);
        assert_eq!(resolve_v3(""), Scalar::Null);
        assert_eq!(resolve_v3("<<"), Scalar::Merge);
    }

    #[test]
    fn v2_words() {
        assert_eq!(resolve_v2("yes"), Scalar::Bool(true));
        assert_eq!(resolve_v2("Off"), Scalar::Bool(false));
        assert_eq!(resolve_v2("2001-12-14"), Scalar::Str);
        assert_eq!(resolve_v2("0755"), Scalar::Int(493));
        assert_eq!(resolve_v2("yEs"), Scalar::Str);
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            parse_timestamp("2001-12-14").as_deref(),
            Some("2001-12-14T00:00:00Z")
        );
        assert_eq!(
            parse_timestamp("2001-12-14t21:59:43.10-05:00").as_deref(),
            Some("2001-12-14T21:59:43.1-05:00")
        );
        assert_eq!(
            parse_timestamp("2001-12-14 21:59:43.10").as_deref(),
            Some("2001-12-14T21:59:43.1Z")
        );
        assert_eq!(
            parse_timestamp("2001-1-2T3:4:5+00:00").as_deref(),
            Some("2001-01-02T03:04:05Z")
        );
        assert_eq!(parse_timestamp("2001-12-14 21:59:43.10 -5"), None);
        assert_eq!(parse_timestamp("2001-02-30"), None);
        assert_eq!(
            parse_timestamp("2000-02-29").as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
    }

    #[test]
    fn v2_quoting() {
        for s in [
            "yes",
            "on",
            "no",
            "y",
            "Yes",
            "OFF",
            "1.0",
            "0755",
            "0o755",
            "0x1F",
            "12",
            "1e3",
            "+1",
            "-1",
            "1_000",
            "1:20",
            ".inf",
            ".nan",
            "~",
            "null",
            "true",
            "2001-12-14",
            "",
        ] {
            assert!(v2_needs_quotes(s), "{s}");
        }
        for s in [
            "nginx:1.0",
            "a",
            ".",
            "?x",
            "<<",
            "1e400",
            "2001-02-30",
            "1.2.3",
        ] {
            assert!(!v2_needs_quotes(s), "{s}");
        }
    }
}
