//! Go's `strconv.ParseFloat(s, 64)`, which Flux's numerical policy uses.
//!
//! Accepted (and how it differs from Rust's `f64::from_str`):
//!
//! * Decimal: optional sign, digits with at most one `.`, optional `e`/`E`
//!   exponent whose first character after the optional sign is a digit.
//! * Hexadecimal: `0x`/`0X`, hex digits with at most one `.`, and a **mandatory**
//!   `p`/`P` binary exponent (`0x1p4` = 16; `0x10` alone is an error). Rust rejects
//!   hex floats entirely.
//! * `_` between digits as in Go literals (also right after the `0x` prefix):
//!   `1_000`, `0x_1p4`, `1e1_0`; not leading, trailing, doubled or next to `.`,
//!   `e`, `p` or a sign. Rust rejects every `_`.
//! * `Inf`, `+Inf`, `-Infinity`, `NaN` in any case; `NaN` takes no sign (`+NaN`
//!   is an error in Go, accepted by Rust). `infin` is an error.
//! * A value too large for a float64 (`1e309`, `0x1p1024`) is an error (Go returns
//!   ±Inf with `ErrRange`, and Flux fails on any error). Rust returns `inf`.
//!   Values too small round to zero without an error, as in Go.
//!
//! Rounding is IEEE 754 round-to-nearest-even, as in Go.

use std::fmt;

/// Why a string is not a Go float64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FloatError {
    /// Not the syntax of a Go floating-point number (`ErrSyntax`).
    Syntax,
    /// Well-formed but beyond the float64 range (`ErrRange`).
    Range,
}

impl fmt::Display for FloatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FloatError::Syntax => "not a number in Go's strconv.ParseFloat syntax",
            FloatError::Range => "out of the float64 range",
        })
    }
}

impl std::error::Error for FloatError {}

/// Parses `s` exactly as Go's `strconv.ParseFloat(s, 64)` does.
pub fn parse_float(s: &str) -> Result<f64, FloatError> {
    let b = s.as_bytes();
    // Fast path: plain decimal integers that fit in u64 (CI build numbers).
    if !b.is_empty() && b.len() <= 19 && b.iter().all(u8::is_ascii_digit) {
        let mut n: u64 = 0;
        for &d in b {
            n = n * 10 + u64::from(d - b'0');
        }
        // `as` rounds to nearest, ties to even, like Go's conversion.
        #[allow(clippy::cast_precision_loss)]
        return Ok(n as f64);
    }
    if let Some(v) = special(s) {
        return Ok(v);
    }
    let (neg, body) = match b.first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let bb = body.as_bytes();
    let hex = bb.len() > 2 && bb[0] == b'0' && (bb[1] | 0x20) == b'x';
    let scan = if hex {
        scan_number(&body[2..], true)
    } else {
        scan_number(body, false)
    }
    .ok_or(FloatError::Syntax)?;
    if scan.underscores && !underscores_ok(s) {
        return Err(FloatError::Syntax);
    }
    let magnitude = if hex {
        hex_value(&scan)?
    } else {
        decimal_value(&scan)?
    };
    Ok(if neg { -magnitude } else { magnitude })
}

/// `inf`, `infinity` (optionally signed) and unsigned `nan`, any case.
fn special(s: &str) -> Option<f64> {
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1.0, &s[1..]),
        Some(b'-') => (-1.0, &s[1..]),
        _ => {
            if s.eq_ignore_ascii_case("nan") {
                return Some(f64::NAN);
            }
            (1.0, s)
        }
    };
    if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
        return Some(sign * f64::INFINITY);
    }
    None
}

/// The digits of a number, split at the point, and its exponent.
struct Scan<'a> {
    /// Mantissa digits before the point (underscores included).
    int: &'a str,
    /// Mantissa digits after the point (underscores included).
    frac: &'a str,
    /// The exponent value (saturated), if present.
    exp: i64,
    underscores: bool,
}

/// Scans `digits [. digits] [e|p [sign] digit digits*]` covering all of `s`.
fn scan_number(s: &str, hex: bool) -> Option<Scan<'_>> {
    let b = s.as_bytes();
    let is_digit = |c: u8| c.is_ascii_digit() || (hex && c.is_ascii_hexdigit());
    let mut i = 0;
    let mut underscores = false;
    let mut saw_digit = false;
    let mut point = None;
    while i < b.len() {
        match b[i] {
            b'_' => underscores = true,
            b'.' if point.is_none() => point = Some(i),
            c if is_digit(c) => saw_digit = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digit {
        return None;
    }
    let mantissa_end = i;
    let (int, frac) = match point {
        Some(p) => (&s[..p], &s[p + 1..mantissa_end]),
        None => (&s[..mantissa_end], ""),
    };
    let exp_char = if hex { b'p' } else { b'e' };
    let mut exp: i64 = 0;
    if i < b.len() && (b[i] | 0x20) == exp_char {
        i += 1;
        let mut negative = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            negative = b[i] == b'-';
            i += 1;
        }
        if i >= b.len() || !b[i].is_ascii_digit() {
            return None;
        }
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] == b'_' {
                underscores = true;
            } else if exp < 100_000_000 {
                exp = exp * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        if negative {
            exp = -exp;
        }
    } else if hex {
        return None; // a hex float needs its p exponent
    }
    if i != b.len() {
        return None;
    }
    Some(Scan {
        int,
        frac,
        exp,
        underscores,
    })
}

/// Go's rule: `_` only between digits, or between a base prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let b = &b[i..];
    i = 0;
    #[derive(PartialEq)]
    enum Saw {
        Start,
        Digit,
        Underscore,
        Other,
    }
    let mut saw = Saw::Start;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = Saw::Digit; // the prefix counts as a digit
        hex = (b[1] | 0x20) == b'x';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = Saw::Digit;
        } else if c == b'_' {
            if saw != Saw::Digit {
                return false;
            }
            saw = Saw::Underscore;
        } else {
            if saw == Saw::Underscore {
                return false;
            }
            saw = Saw::Other;
        }
        i += 1;
    }
    saw != Saw::Underscore
}

fn decimal_value(scan: &Scan<'_>) -> Result<f64, FloatError> {
    // Rust's parser is correctly rounded; feed it the underscore-free text.
    let mut text = String::with_capacity(scan.int.len() + scan.frac.len() + 24);
    text.extend(scan.int.chars().filter(|&c| c != '_'));
    if text.is_empty() {
        text.push('0');
    }
    text.push('.');
    text.extend(scan.frac.chars().filter(|&c| c != '_'));
    text.push('0');
    text.push('e');
    text.push_str(&scan.exp.to_string());
    let v: f64 = text.parse().map_err(|_| FloatError::Syntax)?;
    if v.is_infinite() {
        return Err(FloatError::Range);
    }
    Ok(v)
}

fn hex_value(scan: &Scan<'_>) -> Result<f64, FloatError> {
    // value = int(digits) * 16^(-frac_len) * 2^exp. Keep the first 16
    // significant hex digits (64 bits) and remember whether any later digit was
    // non-zero (a sticky bit for rounding).
    let mut mantissa: u64 = 0;
    let mut kept = 0u32;
    let mut dropped = 0i64;
    let mut sticky = false;
    let mut frac_len = 0i64;
    let digits = scan
        .int
        .bytes()
        .map(|c| (c, false))
        .chain(scan.frac.bytes().map(|c| (c, true)));
    for (c, in_frac) in digits {
        if c == b'_' {
            continue;
        }
        if in_frac {
            frac_len += 1;
        }
        let d = u64::from(match c {
            b'0'..=b'9' => c - b'0',
            _ => (c | 0x20) - b'a' + 10,
        });
        if mantissa == 0 && d == 0 {
            continue; // leading zeros carry no bits
        }
        if kept < 16 {
            mantissa = (mantissa << 4) | d;
            kept += 1;
        } else {
            dropped += 1;
            sticky |= d != 0;
        }
    }
    if mantissa == 0 {
        return Ok(0.0);
    }
    let exp = scan
        .exp
        .saturating_add(4 * dropped)
        .saturating_sub(4 * frac_len);
    round_to_f64(mantissa, exp, sticky)
}

/// Rounds `(mantissa + sticky·ε) · 2^exp` to the nearest float64, ties to even.
fn round_to_f64(mantissa: u64, exp: i64, sticky: bool) -> Result<f64, FloatError> {
    // Normalise so that bit 63 is set.
    let lz = mantissa.leading_zeros();
    let m = mantissa << lz;
    let exp = exp - i64::from(lz);
    // The value's leading bit has weight 2^top.
    let top = exp + 63;
    if top > 1023 {
        return Err(FloatError::Range);
    }
    // Bits kept: 53 for normal numbers, fewer below 2^-1022.
    let keep: i64 = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    if keep < 0 {
        return Ok(0.0);
    }
    let wide = (u128::from(m) << 64) | u128::from(sticky);
    let q: u128 = if keep == 0 {
        // Everything is below the least subnormal: round half to even (to 0).
        u128::from(wide > (1u128 << 127))
    } else {
        let drop = u32::try_from(128 - keep).unwrap_or(128);
        let q = wide >> drop;
        let rem = wide & ((1u128 << drop) - 1);
        let half = 1u128 << (drop - 1);
        if rem > half || (rem == half && q & 1 == 1) {
            q + 1
        } else {
            q
        }
    };
    let q = u64::try_from(q).map_err(|_| FloatError::Range)?;
    if top >= -1022 {
        // Normal: q has 53 bits, or 54 after a carry.
        let (q, top) = if q >> 53 != 0 {
            (q >> 1, top + 1)
        } else {
            (q, top)
        };
        if top > 1023 {
            return Err(FloatError::Range);
        }
        let biased = u64::try_from(top + 1023).map_err(|_| FloatError::Range)?;
        Ok(f64::from_bits((biased << 52) | (q & ((1u64 << 52) - 1))))
    } else {
        // Subnormal: q is the raw mantissa; a carry into bit 52 makes the
        // smallest normal number, which the same bit pattern encodes.
        Ok(f64::from_bits(q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> f64 {
        parse_float(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn go_accepts() {
        for (s, v) in [
            ("42", 42.0),
            ("+7", 7.0),
            ("-3", -3.0),
            ("1.5", 1.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("1E+3", 1000.0),
            ("625e-3", 0.625),
            ("0x1p4", 16.0),
            ("0X1P-1", 0.5),
            ("0x1ep-1", 15.0),
            ("-0x1_ep-1", -15.0),
            ("0x1fFe2.p0", 131_042.0),
            ("0x0.fp4", 15.0),
            ("0x.1p+2", 0.25),
            ("0x_1_2.3_4_5p+1_2", 74565.0),
            ("1_23.50_0_0e+1_2", 1.235e14),
            ("1_000", 1000.0),
            ("1e1_0", 1e10),
            ("0e+01234567890123456789", 0.0),
            ("1e-400000", 0.0),
            ("1.7976931348623157e308", f64::MAX),
            ("0x1.fffffffffffffp1023", f64::MAX),
            ("0x1fffffffffffffp+971", f64::MAX),
            ("0x1.fffffffffffff7fffp1023", f64::MAX),
            ("5e-324", 5e-324),
            ("4e-324", 5e-324),
            ("0x2.00000000000000p-1010", 1.822_780_504_889_099_4e-304),
            ("0x1.fffffffffffff8p-1022", 4.450_147_717_014_403e-308),
            ("0x0.fffffffffffff0p-1022", 2.225_073_858_507_201e-308),
            ("0x0.00000000000010p-1022", 5e-324),
            ("0x0.000000000000081p-1022", 5e-324),
            ("0x0.00000000000008p-1022", 0.0),
            ("0x0.00000000000058p-1022", 3e-323),
            ("0x1.00000000000008p0", 1.0),
            ("0x1.000000000000081p0", 1.000_000_000_000_000_2),
            ("0x1.00000000000018p0", 1.000_000_000_000_000_4),
            ("00042", 42.0),
            ("18446744073709551615", 18_446_744_073_709_551_615.0),
            ("99999999999999999999", 1e20),
        ] {
            assert_eq!(ok(s), v, "{s}");
        }
        assert_eq!(ok("inf"), f64::INFINITY);
        assert_eq!(ok("+INF"), f64::INFINITY);
        assert_eq!(ok("-Infinity"), f64::NEG_INFINITY);
        assert!(ok("nan").is_nan());
        assert!(ok("NaN").is_nan());
        assert!(ok("-0").is_sign_negative());
    }

    #[test]
    fn go_rejects() {
        for s in [
            "",
            "+",
            "-",
            ".",
            "1x",
            "1.1.",
            "1e",
            "1e-",
            ".e-1",
            "0x",
            "0x.",
            "0x1",
            "0x.1",
            "0x1p",
            "0x1p+",
            "0x1e2",
            "1p2",
            "0b101",
            "0o17",
            "_1",
            "1_",
            "1__0",
            "1_.5",
            "1._5",
            "1.5_e3",
            "1e_3",
            "1e+_3",
            "1e3_",
            "+_1",
            "0x__1p0",
            "0x1_.p0",
            "0x1p_1",
            "+nan",
            "-NaN",
            "infin",
            "infinityx",
            "nanx",
            " 1",
            "1 ",
            "1\u{0}",
            "١",
            "main-1",
            "1,5",
            "0x1.8",
            "e5",
            "--1",
        ] {
            assert_eq!(parse_float(s), Err(FloatError::Syntax), "{s:?}");
        }
        for s in [
            "1e309",
            "-1e310",
            "2e308",
            "1.7976931348623159e308",
            "0x1p1024",
            "-0x1p1024",
            "0x1.fffffffffffff8p1023",
            "1e+4294967296",
            "0x1p+18446744073709551616",
        ] {
            assert_eq!(parse_float(s), Err(FloatError::Range), "{s:?}");
        }
    }

    #[test]
    fn differs_from_rust_from_str() {
        // Go accepts, Rust rejects.
        for s in ["0x1p4", "1_000", "0x_1p0"] {
            assert!(s.parse::<f64>().is_err(), "{s}");
            assert!(parse_float(s).is_ok(), "{s}");
        }
        // Rust accepts, Go rejects.
        for s in ["+NaN", "-nan", "1e309", "infin"] {
            let rust = s.parse::<f64>();
            assert!(parse_float(s).is_err(), "{s}");
            if s != "infin" {
                assert!(rust.is_ok(), "{s}");
            }
        }
    }

    #[test]
    fn hex_matches_decimal_on_exact_values() {
        for (m, e) in [
            (1u64, 0i64),
            (3, 10),
            (0xabcdef, -30),
            (1, -1074),
            (1, 1023),
            (0x1f_ffff_ffff_ffff, 971),
        ] {
            let hex = format!("0x{m:x}p{e}");
            let expected = (m as f64) * 2f64.powi(i32::try_from(e).unwrap_or(0));
            if expected.is_finite() && expected != 0.0 {
                assert_eq!(ok(&hex), expected, "{hex}");
            }
        }
    }
}
