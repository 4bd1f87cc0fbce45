//! Go's `fmt` printing rules for template values: `%v` for every kind, `Sprint`,
//! `Sprintln` and the common `Sprintf` verbs with flags, width and precision.
//! Everything written is charged to the execution budget.

use crate::budget::Budget;
use crate::error::ExecErrorKind;
use crate::value::Value;

/// Go's `fmt` refuses widths and precisions above this and prints `%!(BADWIDTH)`.
const MAX_WIDTH: usize = 1_000_000;

/// A string being built, bounded by the execution budget.
pub(crate) struct Writer<'b> {
    pub(crate) out: String,
    budget: &'b mut Budget,
}

type R = Result<(), ExecErrorKind>;

impl<'b> Writer<'b> {
    pub(crate) fn new(budget: &'b mut Budget) -> Self {
        Writer {
            out: String::new(),
            budget,
        }
    }

    pub(crate) fn push_str(&mut self, s: &str) -> R {
        self.budget.charge_bytes(s.len())?;
        if self.out.len() + s.len() > self.budget.max_string() {
            return Err(ExecErrorKind::OutputTooLarge {
                limit: self.budget.max_string(),
            });
        }
        self.out.push_str(s);
        Ok(())
    }

    /// Fails early when `n` more bytes could not be written.
    fn room(&mut self, n: usize) -> R {
        if self.out.len().saturating_add(n) > self.budget.max_string() {
            return Err(ExecErrorKind::OutputTooLarge {
                limit: self.budget.max_string(),
            });
        }
        Ok(())
    }

    fn push(&mut self, c: char) -> R {
        let mut buf = [0u8; 4];
        self.push_str(c.encode_utf8(&mut buf))
    }

    fn step(&mut self) -> R {
        self.budget.step()
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Spec {
    verb: char,
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
    /// `%+v`: field names in structs.
    plus_v: bool,
}

impl Spec {
    fn v() -> Spec {
        Spec {
            verb: 'v',
            ..Spec::default()
        }
    }
}

/// `fmt.Sprint`: operands separated by a space when neither side is a string.
pub(crate) fn sprint(w: &mut Writer<'_>, args: &[Value]) -> R {
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            w.push(' ')?;
        }
        print_arg(w, a, &Spec::v())?;
        prev_string = is_string;
    }
    Ok(())
}

/// `fmt.Sprintln`: operands always separated by a space, then a newline.
pub(crate) fn sprintln(w: &mut Writer<'_>, args: &[Value]) -> R {
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            w.push(' ')?;
        }
        print_arg(w, a, &Spec::v())?;
    }
    w.push('\n')
}

/// `%v` of one value.
pub(crate) fn write_value(w: &mut Writer<'_>, v: &Value) -> R {
    print_arg(w, v, &Spec::v())
}

/// Go's `intFromArg`: a `*` width or precision taken from the arguments.
fn int_from_arg(args: &[Value], arg_num: &mut usize) -> Option<i64> {
    let v = args.get(*arg_num)?;
    *arg_num += 1;
    match v {
        Value::Int(n) if n.unsigned_abs() <= MAX_WIDTH as u64 => Some(*n),
        _ => None,
    }
}

/// Go's `argNumber`: an explicit `[n]` argument index at `i`.
/// Returns (argument number, new position, whether an index was found, whether it was valid).
fn arg_number(b: &[u8], i: usize, arg_num: usize, nargs: usize) -> (usize, usize, bool, bool) {
    if i >= b.len() || b[i] != b'[' {
        return (arg_num, i, false, true);
    }
    let Some(close) = b[i + 1..].iter().position(|c| *c == b']') else {
        return (arg_num, i + 1, false, false);
    };
    let digits = &b[i + 1..i + 1 + close];
    let width = close + 2;
    let n = (!digits.is_empty() && digits.iter().all(u8::is_ascii_digit))
        .then(|| std::str::from_utf8(digits).ok()?.parse::<usize>().ok())
        .flatten();
    match n {
        Some(n) if n >= 1 && n - 1 < nargs => (n - 1, i + width, true, true),
        Some(_) => (arg_num, i + width, true, false),
        None => (arg_num, i + width, false, false),
    }
}

/// `fmt.Sprintf`.
pub(crate) fn sprintf(w: &mut Writer<'_>, format: &str, args: &[Value]) -> R {
    let b = format.as_bytes();
    let end = b.len();
    let mut i = 0;
    let mut arg_num = 0;
    let mut reordered = false;
    while i < end {
        let mut good_arg_num = true;
        // Copy plain text up to the next '%'.
        let start = i;
        while i < end && b[i] != b'%' {
            i += 1;
        }
        if i > start {
            w.push_str(&format[start..i])?;
        }
        if i >= end {
            break;
        }
        i += 1; // the '%'
        w.step()?;
        let mut spec = Spec::default();
        // Flags.
        while i < end {
            match b[i] {
                b'#' => spec.sharp = true,
                b'0' => spec.zero = !spec.minus,
                b'+' => spec.plus = true,
                b'-' => {
                    spec.minus = true;
                    spec.zero = false;
                }
                b' ' => spec.space = true,
                _ => break,
            }
            i += 1;
        }
        let (n, next, mut after_index, ok) = arg_number(b, i, arg_num, args.len());
        reordered |= b.get(i) == Some(&b'[');
        good_arg_num &= ok;
        arg_num = n;
        i = next;
        // Width.
        if i < end && b[i] == b'*' {
            i += 1;
            match int_from_arg(args, &mut arg_num) {
                Some(n) => {
                    if n < 0 {
                        spec.minus = true;
                        spec.zero = false;
                    }
                    spec.width = usize::try_from(n.unsigned_abs()).ok();
                }
                None => w.push_str("%!(BADWIDTH)")?,
            }
            after_index = false;
        } else {
            let (n, next) = parse_num(b, i);
            if let Some(n) = n {
                spec.width = Some(n);
                if after_index {
                    good_arg_num = false;
                }
            }
            i = next;
        }
        // Precision.
        if i + 1 < end && b[i] == b'.' {
            i += 1;
            if after_index {
                good_arg_num = false;
            }
            let (n, next, found, ok) = arg_number(b, i, arg_num, args.len());
            reordered |= b.get(i) == Some(&b'[');
            good_arg_num &= ok;
            arg_num = n;
            i = next;
            after_index = found;
            if i < end && b[i] == b'*' {
                i += 1;
                match int_from_arg(args, &mut arg_num) {
                    Some(n) if n >= 0 => spec.prec = usize::try_from(n).ok(),
                    _ => w.push_str("%!(BADPREC)")?,
                }
                after_index = false;
            } else {
                let (n, next) = parse_num(b, i);
                spec.prec = Some(n.unwrap_or(0));
                i = next;
            }
        }
        if !after_index {
            let (n, next, _, ok) = arg_number(b, i, arg_num, args.len());
            reordered |= b.get(i) == Some(&b'[');
            good_arg_num &= ok;
            arg_num = n;
            i = next;
        }
        if i >= end {
            w.push_str("%!(NOVERB)")?;
            break;
        }
        let Some(verb) = format[i..].chars().next() else {
            break;
        };
        i += verb.len_utf8();
        spec.verb = verb;
        if verb == '%' {
            w.push('%')?;
            continue;
        }
        if !good_arg_num {
            w.push_str("%!")?;
            w.push(verb)?;
            w.push_str("(BADINDEX)")?;
            continue;
        }
        match args.get(arg_num) {
            None => {
                w.push_str("%!")?;
                w.push(verb)?;
                w.push_str("(MISSING)")?;
            }
            Some(a) => {
                arg_num += 1;
                if spec.verb == 'v' && spec.plus {
                    // %+v prints struct field names and no sign.
                    spec.plus = false;
                    spec.plus_v = true;
                }
                print_arg(w, a, &spec)?;
            }
        }
    }
    if !reordered && arg_num < args.len() {
        w.push_str("%!(EXTRA ")?;
        for (k, a) in args[arg_num..].iter().enumerate() {
            if k > 0 {
                w.push_str(", ")?;
            }
            if matches!(a, Value::Nil) {
                w.push_str("<nil>")?;
            } else {
                w.push_str(&a.type_name())?;
                w.push('=')?;
                print_arg(w, a, &Spec::v())?;
            }
        }
        w.push(')')?;
    }
    Ok(())
}

/// Go's `parsenum`: a run of digits; an absurdly long one swallows the rest of the format.
fn parse_num(b: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let start = i;
    let mut n: usize = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        if n > MAX_WIDTH {
            return (None, b.len());
        }
        n = n * 10 + usize::from(b[i] - b'0');
        i += 1;
    }
    if i == start { (None, i) } else { (Some(n), i) }
}

fn pad(w: &mut Writer<'_>, s: &str, spec: &Spec) -> R {
    let Some(width) = spec.width else {
        return w.push_str(s);
    };
    let n = s.chars().count();
    if n >= width {
        return w.push_str(s);
    }
    w.room(width)?;
    let fill = if spec.zero && !spec.minus { "0" } else { " " };
    let padding = fill.repeat(width - n);
    if spec.minus {
        w.push_str(s)?;
        w.push_str(&padding)
    } else {
        w.push_str(&padding)?;
        w.push_str(s)
    }
}

/// Pads a signed number: zero padding goes between the sign and the digits.
fn pad_number(w: &mut Writer<'_>, s: &str, spec: &Spec) -> R {
    if spec.zero
        && !spec.minus
        && let Some(width) = spec.width
    {
        {
            let n = s.chars().count();
            if n < width {
                w.room(width)?;
                let (sign, digits) = match s.as_bytes().first() {
                    Some(b'+' | b'-' | b' ') => s.split_at(1),
                    _ => ("", s),
                };
                w.push_str(sign)?;
                w.push_str(&"0".repeat(width - n))?;
                return w.push_str(digits);
            }
        }
    }
    let unzeroed = Spec {
        zero: false,
        ..*spec
    };
    pad(w, s, &unzeroed)
}

/// `%!verb(type=value)`; like Go, the value is printed with `%v` but the verb's flags,
/// width and precision.
fn bad_verb(w: &mut Writer<'_>, v: &Value, spec: &Spec) -> R {
    w.push_str("%!")?;
    w.push(spec.verb)?;
    w.push('(')?;
    if matches!(v, Value::Nil) {
        w.push_str("<nil>")?;
    } else {
        w.push_str(&v.type_name())?;
        w.push('=')?;
        let as_v = Spec { verb: 'v', ..*spec };
        print_value(w, v, &as_v)?;
    }
    w.push(')')
}

/// A top-level argument: nil prints `<nil>` only for `%v`.
fn print_arg(w: &mut Writer<'_>, v: &Value, spec: &Spec) -> R {
    if spec.verb == 'T' {
        let t = v.type_name();
        return pad(w, &t, spec);
    }
    if let Value::Nil = v {
        return match spec.verb {
            'v' => pad(w, "<nil>", spec),
            _ => bad_verb(w, v, spec),
        };
    }
    print_value(w, v, spec)
}

fn print_value(w: &mut Writer<'_>, v: &Value, spec: &Spec) -> R {
    w.step()?;
    match v {
        Value::Nil => pad(w, "<nil>", spec),
        Value::Bool(b) => match spec.verb {
            't' | 'v' => pad(w, if *b { "true" } else { "false" }, spec),
            _ => bad_verb(w, v, spec),
        },
        Value::Int(i) => fmt_int(w, *i, spec, v),
        Value::Float(f) => fmt_float(w, *f, spec, v),
        Value::String(s) => fmt_string(w, s, spec, v),
        Value::Object(o) => {
            if let Some(shown) = o.shown()
                && matches!(spec.verb, 'v' | 's' | 'q' | 'x' | 'X')
            {
                return fmt_string(w, shown, spec, v);
            }
            w.push('{')?;
            for (k, f) in o.fields().iter().enumerate() {
                if k > 0 {
                    w.push(' ')?;
                }
                if spec.plus_v {
                    w.push_str(&f.name)?;
                    w.push(':')?;
                }
                print_value(w, &f.value, spec)?;
            }
            w.push('}')
        }
        Value::List(l) => {
            w.push('[')?;
            for (k, item) in l.iter().enumerate() {
                if k > 0 {
                    w.push(' ')?;
                }
                print_value(w, item, spec)?;
            }
            w.push(']')
        }
        Value::Map(m) => {
            w.push_str("map[")?;
            for (k, (key, val)) in m.entries().iter().enumerate() {
                if k > 0 {
                    w.push(' ')?;
                }
                print_value(w, key, spec)?;
                w.push(':')?;
                print_value(w, val, spec)?;
            }
            w.push(']')
        }
    }
}

fn fmt_string(w: &mut Writer<'_>, s: &str, spec: &Spec, v: &Value) -> R {
    match spec.verb {
        'v' | 's' => {
            let s = match spec.prec {
                Some(p) => s.chars().take(p).collect::<String>(),
                None => s.to_string(),
            };
            pad(w, &s, spec)
        }
        'q' => {
            let q = if spec.sharp && can_backquote(s) {
                format!("`{s}`")
            } else {
                quote(s, spec.plus)
            };
            pad(w, &q, spec)
        }
        'x' | 'X' => {
            let mut h = String::with_capacity(s.len() * 2);
            for (k, byte) in s.bytes().enumerate() {
                if spec.space && k > 0 {
                    h.push(' ');
                }
                if spec.verb == 'x' {
                    h.push_str(&format!("{byte:02x}"));
                } else {
                    h.push_str(&format!("{byte:02X}"));
                }
            }
            pad(w, &h, spec)
        }
        _ => bad_verb(w, v, spec),
    }
}

fn fmt_int(w: &mut Writer<'_>, i: i64, spec: &Spec, v: &Value) -> R {
    w.room(spec.prec.unwrap_or(0))?;
    let neg = i < 0;
    let mag = i.unsigned_abs();
    let digits = match spec.verb {
        'v' | 'd' => mag.to_string(),
        'b' => format!("{mag:b}"),
        'o' | 'O' => format!("{mag:o}"),
        'x' => format!("{mag:x}"),
        'X' => format!("{mag:X}"),
        'c' => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            return pad(w, &c.to_string(), spec);
        }
        'q' => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            return pad(w, &quote_rune(c), spec);
        }
        'U' => {
            // Go formats the value as unsigned.
            return pad(w, &format!("U+{:04X}", i as u64), spec);
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => return bad_verb(w, v, spec),
        _ => return bad_verb(w, v, spec),
    };
    let mut digits = digits;
    if let Some(p) = spec.prec {
        if p == 0 && mag == 0 {
            digits.clear();
        } else if digits.len() < p {
            digits = format!("{}{}", "0".repeat(p - digits.len()), digits);
        }
    }
    let prefix = match (spec.sharp, spec.verb) {
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        (true, 'b') => "0b",
        (true, 'o') if !digits.starts_with('0') => "0",
        (_, 'O') => "0o",
        _ => "",
    };
    let sign = if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let s = format!("{sign}{prefix}{digits}");
    if spec.prec.is_some() {
        // Go ignores the 0 flag when a precision is given.
        let s2 = Spec {
            zero: false,
            ..*spec
        };
        return pad(w, &s, &s2);
    }
    if !prefix.is_empty() && spec.zero && !spec.minus {
        // Zero padding goes after the prefix.
        if let Some(width) = spec.width {
            let n = s.chars().count();
            if n < width {
                w.room(width)?;
                w.push_str(sign)?;
                w.push_str(prefix)?;
                w.push_str(&"0".repeat(width - n))?;
                return w.push_str(&digits);
            }
        }
    }
    pad_number(w, &s, spec)
}

fn fmt_float(w: &mut Writer<'_>, f: f64, spec: &Spec, v: &Value) -> R {
    w.room(spec.prec.unwrap_or(0))?;
    let body = match spec.verb {
        'v' => format_float(f, 'g', None),
        'g' | 'G' | 'e' | 'E' | 'f' | 'F' => {
            let prec = match spec.verb {
                'e' | 'E' | 'f' | 'F' => Some(spec.prec.unwrap_or(6)),
                _ => spec.prec,
            };
            format_float(f, spec.verb, prec)
        }
        _ => return bad_verb(w, v, spec),
    };
    let signed = if body.starts_with('-') {
        body
    } else if spec.plus {
        format!("+{body}")
    } else if spec.space {
        format!(" {body}")
    } else {
        body
    };
    if f.is_infinite() || f.is_nan() {
        let s2 = Spec {
            zero: false,
            ..*spec
        };
        return pad(w, &signed, &s2);
    }
    pad_number(w, &signed, spec)
}

/// Decimal digits (no trailing zeros) and the decimal point position of `|f|`,
/// rounded to `sig` significant digits (shortest round-trip when `None`).
pub(crate) fn decimal_digits(f: f64, sig: Option<usize>) -> (Vec<u8>, i64) {
    let a = f.abs();
    if a == 0.0 {
        return (Vec::new(), 0);
    }
    let s = match sig {
        None => format!("{a:e}"),
        Some(p) => format!("{:.*e}", p.saturating_sub(1), a),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exp + 1)
}

pub(crate) fn fmt_e(neg: bool, digits: &[u8], dp: i64, prec: usize, upper: bool) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push(digits.first().map_or('0', |d| char::from(*d)));
    if prec > 0 {
        s.push('.');
        for k in 1..=prec {
            s.push(digits.get(k).map_or('0', |d| char::from(*d)));
        }
    }
    s.push(if upper { 'E' } else { 'e' });
    let exp = if digits.is_empty() { 0 } else { dp - 1 };
    s.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        s.push('0');
    }
    s.push_str(&e.to_string());
    s
}

pub(crate) fn fmt_f(neg: bool, digits: &[u8], dp: i64, prec: usize) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if dp > 0 {
        for k in 0..dp {
            let k = usize::try_from(k).unwrap_or(usize::MAX);
            s.push(digits.get(k).map_or('0', |d| char::from(*d)));
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for k in 1..=prec {
            let j = dp + i64::try_from(k).unwrap_or(i64::MAX) - 1;
            let ch = if j < 0 {
                '0'
            } else {
                usize::try_from(j)
                    .ok()
                    .and_then(|j| digits.get(j))
                    .map_or('0', |d| char::from(*d))
            };
            s.push(ch);
        }
    }
    s
}

/// `strconv.FormatFloat(f, verb, prec, 64)`; `prec` `None` means shortest.
pub(crate) fn format_float(f: f64, verb: char, prec: Option<usize>) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let neg = f.is_sign_negative() && f != 0.0 || (f == 0.0 && f.is_sign_negative());
    match verb {
        'f' | 'F' => {
            let p = prec.unwrap_or(6);
            let s = format!("{:.*}", p, f.abs());
            if neg { format!("-{s}") } else { s }
        }
        'e' | 'E' => {
            let p = prec.unwrap_or(6);
            let (digits, dp) = decimal_digits(f, Some(p + 1));
            fmt_e(neg, &digits, dp, p, verb == 'E')
        }
        _ => {
            let upper = verb == 'G';
            let (digits, dp) = match prec {
                None => decimal_digits(f, None),
                Some(p) => decimal_digits(f, Some(p.max(1))),
            };
            let nd = digits.len();
            let (mut p, eprec) = match prec {
                None => (nd, 6),
                Some(p) => {
                    let p = p.max(1);
                    let mut eprec = p;
                    if eprec > nd && i64::try_from(nd).unwrap_or(0) >= dp {
                        eprec = nd;
                    }
                    (p, eprec)
                }
            };
            let exp = dp - 1;
            if exp < -4 || exp >= i64::try_from(eprec).unwrap_or(i64::MAX) {
                if p > nd {
                    p = nd;
                }
                return fmt_e(neg, &digits, dp, p.saturating_sub(1), upper);
            }
            if i64::try_from(p).unwrap_or(i64::MAX) > dp {
                p = nd;
            }
            let frac = (i64::try_from(p).unwrap_or(0) - dp).max(0);
            fmt_f(neg, &digits, dp, usize::try_from(frac).unwrap_or(0))
        }
    }
}

/// Go's `strconv.CanBackquote`.
fn can_backquote(s: &str) -> bool {
    s.chars().all(|c| {
        if c.len_utf8() > 1 {
            c != '\u{FEFF}'
        } else {
            !((c < ' ' && c != '\t') || c == '`' || c == '\u{7F}')
        }
    })
}

/// Roughly Go's `unicode.IsPrint`: graphic characters and the ASCII space.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{AD}' | '\u{600}'..='\u{605}' | '\u{61C}' | '\u{6DD}' | '\u{70F}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{E000}'..='\u{F8FF}'
        | '\u{F0000}'..='\u{10FFFF}')
}

fn escape_into(out: &mut String, c: char, quote: char, ascii_only: bool) {
    match c {
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if is_print(c) && (!ascii_only || c.is_ascii()) => out.push(c),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// `strconv.Quote` (or `QuoteToASCII` with `ascii_only`).
pub(crate) fn quote(s: &str, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        escape_into(&mut out, c, '"', ascii_only);
    }
    out.push('"');
    out
}

fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    escape_into(&mut out, c, '\'', false);
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Map, Object};

    fn budget() -> Budget {
        Budget::new(&crate::Limits::default())
    }

    fn printf(format: &str, args: &[Value]) -> String {
        let mut b = budget();
        let mut w = Writer::new(&mut b);
        sprintf(&mut w, format, args).unwrap();
        w.out
    }

    fn sp(args: &[Value]) -> String {
        let mut b = budget();
        let mut w = Writer::new(&mut b);
        sprint(&mut w, args).unwrap();
        w.out
    }

    #[test]
    fn floats_print_like_go() {
        let cases: &[(f64, &str)] = &[
            (3.0, "3"),
            (0.5, "0.5"),
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (-2.5, "-2.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float(*f, 'g', None), *want, "{f}");
        }
        assert_eq!(
            printf(
                "%.2f|%8.3f|%-8.1f|%08.2f",
                &[
                    Value::Float(1.23456),
                    Value::Float(2.0),
                    Value::Float(1.25),
                    Value::Float(-1.5)
                ]
            ),
            "1.23|   2.000|1.2     |-0001.50"
        );
        assert_eq!(
            printf(
                "%e|%.2e|%g|%.3g|%G",
                &[
                    Value::Float(1234.5678),
                    Value::Float(0.000123),
                    Value::Float(100000.0),
                    Value::Float(1234.5678),
                    Value::Float(1e-7)
                ]
            ),
            "1.234568e+03|1.23e-04|100000|1.23e+03|1E-07"
        );
    }

    #[test]
    fn ints_and_strings() {
        assert_eq!(
            printf(
                "%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U|%+d|%#x",
                &[
                    Value::Int(42),
                    Value::Int(42),
                    Value::Int(42),
                    Value::Int(-42),
                    Value::Int(255),
                    Value::Int(255),
                    Value::Int(8),
                    Value::Int(5),
                    Value::Int(65),
                    Value::Int(97),
                    Value::Int(0x1F600),
                    Value::Int(3),
                    Value::Int(255)
                ]
            ),
            "42|   42|42   |-0042|ff|FF|10|101|A|'a'|U+1F600|+3|0xff"
        );
        assert_eq!(
            printf(
                "%s|%10s|%-4s|%.2s|%q|%x|%t|%v",
                &[
                    Value::from("go"),
                    Value::from("right"),
                    Value::from("l"),
                    Value::from("abc"),
                    Value::from("a\"b\n\u{1}é"),
                    Value::from("hi"),
                    Value::Bool(true),
                    Value::Nil
                ]
            ),
            "go|     right|l   |ab|\"a\\\"b\\n\\x01é\"|6869|true|<nil>"
        );
    }

    #[test]
    fn bad_verbs_missing_and_extra_args() {
        assert_eq!(printf("%d", &[Value::from("x")]), "%!d(string=x)");
        assert_eq!(printf("%s %s", &[Value::from("x")]), "x %!s(MISSING)");
        assert_eq!(
            printf("%s", &[Value::from("x"), Value::Int(1)]),
            "x%!(EXTRA int=1)"
        );
        assert_eq!(printf("100%%", &[]), "100%");
        assert_eq!(printf("%d", &[Value::Nil]), "%!d(<nil>)");
        assert_eq!(printf("%", &[]), "%!(NOVERB)");
        assert_eq!(
            printf("%T %T", &[Value::Int(1), Value::from("s")]),
            "int string"
        );
    }

    #[test]
    fn composites() {
        let change = Object::new("update.Change")
            .field("OldValue", "a")
            .field("NewValue", "b");
        let list = Value::list([Value::Int(1), Value::from("x"), Value::Nil]);
        let map = Map::new()
            .with("b", 2)
            .with("a", Value::list([Value::Int(1)]));
        assert_eq!(sp(&[list]), "[1 x <nil>]");
        assert_eq!(sp(&[Value::Map(map)]), "map[a:[1] b:2]");
        assert_eq!(sp(&[Value::Object(change.clone())]), "{a b}");
        assert_eq!(
            printf("%+v", &[Value::Object(change)]),
            "{OldValue:a NewValue:b}"
        );
        let shown = Object::new("ref").display("img:1").field("X", 1);
        assert_eq!(sp(&[Value::list([Value::Object(shown)])]), "[img:1]");
    }

    #[test]
    fn sprint_spacing() {
        assert_eq!(sp(&[Value::from("a"), Value::from("b")]), "ab");
        assert_eq!(sp(&[Value::Int(1), Value::Int(2)]), "1 2");
        assert_eq!(
            sp(&[Value::from("a"), Value::Int(2), Value::from("c")]),
            "a2c"
        );
        assert_eq!(sp(&[Value::Int(1), Value::Nil]), "1 <nil>");
    }
}
