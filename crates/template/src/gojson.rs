//! Go's `encoding/json` output for template values, as Sprig's `toJson`, `toPrettyJson` and
//! `toRawJson` produce it: sorted map keys, Go's float format, HTML-safe escaping. Struct
//! fields use their Go names (embedded structs are inlined); Go's `json:` tags are not
//! modelled. Values JSON cannot hold (non-string map keys, NaN) give an empty string, as
//! Sprig's `toJson` does on a marshalling error.

use crate::budget::Budget;
use crate::error::ExecErrorKind;
use crate::gofmt::{decimal_digits, fmt_e, fmt_f};
use crate::value::Value;

struct Unsupported;

/// Compact JSON with Go's HTML-safe escaping, or `""` when Go would fail to marshal.
pub(crate) fn to_json(v: &Value, budget: &mut Budget) -> Result<String, ExecErrorKind> {
    let mut out = String::new();
    match write(&mut out, v, budget) {
        Ok(Ok(())) => Ok(out),
        Ok(Err(Unsupported)) => Ok(String::new()),
        Err(e) => Err(e),
    }
}

fn write(
    out: &mut String,
    v: &Value,
    budget: &mut Budget,
) -> Result<Result<(), Unsupported>, ExecErrorKind> {
    budget.step()?;
    if out.len() > budget.max_string() {
        return Err(ExecErrorKind::OutputTooLarge {
            limit: budget.max_string(),
        });
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Ok(Err(Unsupported));
            }
            out.push_str(&float(*f));
        }
        Value::String(s) => string(out, s),
        Value::List(l) => {
            out.push('[');
            for (i, item) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Err(u) = write(out, item, budget)? {
                    return Ok(Err(u));
                }
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, val)) in m.entries().iter().enumerate() {
                let key = match k {
                    Value::String(s) => s.clone(),
                    Value::Int(n) => n.to_string(),
                    _ => return Ok(Err(Unsupported)),
                };
                if i > 0 {
                    out.push(',');
                }
                string(out, &key);
                out.push(':');
                if let Err(u) = write(out, val, budget)? {
                    return Ok(Err(u));
                }
            }
            out.push('}');
        }
        Value::Object(o) => {
            out.push('{');
            let mut first = true;
            if let Err(u) = fields(out, o, budget, &mut first)? {
                return Ok(Err(u));
            }
            out.push('}');
        }
    }
    Ok(Ok(()))
}

fn fields(
    out: &mut String,
    o: &crate::value::Object,
    budget: &mut Budget,
    first: &mut bool,
) -> Result<Result<(), Unsupported>, ExecErrorKind> {
    for f in o.fields() {
        if f.embedded
            && let Value::Object(inner) = &f.value
        {
            if let Err(u) = fields(out, inner, budget, first)? {
                return Ok(Err(u));
            }
            continue;
        }
        if !*first {
            out.push(',');
        }
        *first = false;
        string(out, &f.name);
        out.push(':');
        if let Err(u) = write(out, &f.value, budget)? {
            return Ok(Err(u));
        }
    }
    Ok(Ok(()))
}

/// Go's JSON float format: shortest digits, `%f` style unless tiny or huge.
fn float(f: f64) -> String {
    let abs = f.abs();
    let neg = f.is_sign_negative() && f != 0.0;
    let (digits, dp) = decimal_digits(f, None);
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = fmt_e(neg, &digits, dp, digits.len().saturating_sub(1), false);
        // Go writes e-7, not e-07.
        if let Some(pos) = s.find("e-0") {
            return format!("{}e-{}", &s[..pos], &s[pos + 3..]);
        }
        return s;
    }
    let frac = (i64::try_from(digits.len()).unwrap_or(0) - dp).max(0);
    fmt_f(neg, &digits, dp, usize::try_from(frac).unwrap_or(0))
}

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `toRawJson`: the same JSON without HTML escaping.
pub(crate) fn unescape_html(json: &str) -> String {
    json.replace("\\u003c", "<")
        .replace("\\u003e", ">")
        .replace("\\u0026", "&")
}

/// `json.MarshalIndent(v, "", "  ")` of compact JSON produced by [`to_json`].
pub(crate) fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = json.chars().collect();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                let close = if c == '{' { '}' } else { ']' };
                if chars.get(i + 1) == Some(&close) {
                    out.push(c);
                    out.push(close);
                    i += 2;
                    continue;
                }
                out.push(c);
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;

    fn json(v: &Value) -> String {
        to_json(v, &mut Budget::new(&crate::Limits::default())).unwrap()
    }

    #[test]
    fn encodes_like_go() {
        let m = Map::new()
            .with(
                "b",
                Value::list([Value::Int(1), Value::Float(2.5), Value::Nil]),
            )
            .with("a", "<x & \"y\">\n");
        assert_eq!(
            json(&Value::Map(m)),
            r#"{"a":"\u003cx \u0026 \"y\"\u003e\n","b":[1,2.5,null]}"#
        );
        assert_eq!(json(&Value::Float(1e21)), "1e+21");
        assert_eq!(json(&Value::Float(1e-7)), "1e-7");
        assert_eq!(
            json(&Value::Float(100000000000000000000.0)),
            "100000000000000000000"
        );
        assert_eq!(json(&Value::Float(0.000001)), "0.000001");
        assert_eq!(json(&Value::Float(f64::NAN)), "");
    }

    #[test]
    fn pretty_like_marshal_indent() {
        assert_eq!(
            pretty(r#"{"a":[1,2],"b":{},"c":"x,y:{"}"#),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": \"x,y:{\"\n}"
        );
    }
}
