//! Numbers as kustomize prints them.
//!
//! kustomize marshals every resource to JSON (Go `encoding/json`) and feeds
//! that JSON to the go-yaml v2 encoder. A float therefore goes through two
//! formatters: JSON's (`'f'` notation between 1e-6 and 1e21, `'e'` outside)
//! and, after go-yaml v2 read the JSON text back (as an integer when it has
//! no fraction and fits 64 bits), Go's `strconv.FormatFloat(f, 'g', -1, 64)`.

use serde_json::Number;

/// Writes `n` the way kustomize prints it.
pub(crate) fn write_number(n: &Number, out: &mut String) {
    if let Some(u) = n.as_u64() {
        push_display(out, u);
    } else if let Some(i) = n.as_i64() {
        push_display(out, i);
    } else if let Some(f) = n.as_f64() {
        write_float(f, out);
    } else {
        // serde_json without arbitrary precision always has one of the above.
        out.push_str(&n.to_string());
    }
}

fn push_display(out: &mut String, v: impl std::fmt::Display) {
    use std::fmt::Write;
    let _ = write!(out, "{v}");
}

/// If `f` would come back from the JSON round trip as an integer, that
/// integer. Go's JSON encoder writes the shortest round-trip digits padded
/// with zeros (`-9223372036854776000`), and go-yaml v2 reads that as an
/// integer only if it fits `int64` or `uint64`.
pub(crate) fn float_as_integer(f: f64) -> Option<Number> {
    if !f.is_finite() || f.fract() != 0.0 || f.abs() >= 1e21 {
        return None;
    }
    if f == 0.0 {
        // -0.0 marshals as "-0", which ParseInt reads as 0.
        return Some(Number::from(0u64));
    }
    let (_, digits, exp) = shortest_digits(f)?;
    let exp = usize::try_from(exp).ok()?;
    let mut text = digits;
    while text.len() < exp + 1 {
        text.push('0');
    }
    if f < 0.0 {
        text.insert(0, '-');
        text.parse::<i64>().ok().map(Number::from)
    } else {
        text.parse::<u64>().ok().map(Number::from)
    }
}

/// Writes a float as kustomize prints it (see the module docs).
pub(crate) fn write_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str(".nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { ".inf" } else { "-.inf" });
        return;
    }
    if let Some(n) = float_as_integer(f) {
        write_number(&n, out);
        return;
    }
    format_g(f, out);
}

/// The shortest decimal digits that read back as `f` (no leading or
/// trailing zeros) and the decimal exponent of the first digit, so that
/// `|f| = d.ddd × 10^exp`. Ties between two shortest candidates go to the
/// even digit, as in Go's `strconv` (Rust's `{:e}` rounds them up). The
/// digits come from serde_json's formatter, which breaks ties that way.
fn shortest_digits(f: f64) -> Option<(bool, String, i32)> {
    let text = Number::from_f64(f)?.to_string();
    let (neg, text) = match text.strip_prefix('-') {
        Some(t) => (true, t),
        None => (false, text.as_str()),
    };
    let (mant, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    let all: String = int_part.chars().chain(frac_part.chars()).collect();
    let leading = all.len() - all.trim_start_matches('0').len();
    let digits = all[leading..].trim_end_matches('0');
    if digits.is_empty() {
        return Some((neg, "0".to_owned(), 0));
    }
    let int_len = i32::try_from(int_part.len()).ok()?;
    let leading = i32::try_from(leading).ok()?;
    Some((neg, digits.to_owned(), int_len - 1 - leading + exp))
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`.
pub(crate) fn format_g(f: f64, out: &mut String) {
    let Some((neg, digits, exp)) = shortest_digits(f) else {
        out.push_str(&f.to_string());
        return;
    };
    if neg {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        // %e: d.ddde±XX
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        push_display(out, e);
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = usize::try_from(exp).unwrap_or(0) + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: f64) -> String {
        let mut o = String::new();
        write_float(f, &mut o);
        o
    }

    #[test]
    fn go_formatting() {
        assert_eq!(s(1.5), "1.5");
        assert_eq!(s(1.0), "1");
        assert_eq!(s(-0.0), "0");
        assert_eq!(s(1e20), "1e+20");
        assert_eq!(s(1e21), "1e+21");
        assert_eq!(s(0.000001), "1e-06");
        assert_eq!(s(0.0001), "0.0001");
        assert_eq!(s(0.00001), "1e-05");
        assert_eq!(s(123456.5), "123456.5");
        assert_eq!(s(1234567.5), "1.2345675e+06");
        assert_eq!(s(1.2345678901234569e23), "1.2345678901234569e+23");
        assert_eq!(s(-9.223372036854776e18), "-9.223372036854776e+18");
        assert_eq!(s(9007199254740993.0), "9007199254740992");
        assert_eq!(s(-9.3e18), "-9.3e+18");
        assert_eq!(s(1e100), "1e+100");
        assert_eq!(s(0.1), "0.1");
        // Exact ties between two 17-digit candidates go to the even digit.
        assert_eq!(s(179_923_911_445_320.12), "1.7992391144532012e+14");
        assert_eq!(s(5e-324), "5e-324");
        assert_eq!(s(1.7976931348623157e308), "1.7976931348623157e+308");
    }
}
