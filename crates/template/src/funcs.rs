//! The functions templates can call: Go's builtins and the hermetic Sprig functions
//! (string, list, dict, default, math and encoding helpers) Flux message templates use.
//! `and` and `or` evaluate lazily and live in the executor.

use base64::Engine as _;
use sha2::Digest as _;

use crate::budget::Budget;
use crate::error::ExecErrorKind;
use crate::gofmt::{self, Writer};
use crate::value::{List, MAX_BUILT_DEPTH, Map, Value, deep_equal};

type R = Result<Value, ExecErrorKind>;

/// Argument counts: (minimum, maximum or `None` for variadic).
pub(crate) fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    let v = |min| Some((min, None));
    let n = |k| Some((k, Some(k)));
    match name {
        // Go builtins.
        "and" | "or" => v(1),
        "not" | "len" => n(1),
        "index" => v(1),
        // Sprig's `slice` replaces Go's builtin in Flux's function map.
        "slice" => v(1),
        "print" | "println" | "html" | "js" | "urlquery" => v(0),
        "printf" => v(1),
        "eq" => v(1),
        "ne" | "lt" | "le" | "gt" | "ge" => n(2),
        // Sprig: strings.
        "upper" | "lower" | "title" | "untitle" | "trim" | "nospace" | "sha256sum" | "b64enc"
        | "b64dec" | "toString" | "atoi" | "int" | "int64" | "float64" | "kindOf" | "typeOf"
        | "empty" | "toStrings" | "sortAlpha" | "uniq" | "first" | "last" | "rest" | "initial"
        | "reverse" | "compact" | "keys" | "values" | "add1" => {
            if name == "keys" {
                v(0)
            } else {
                n(1)
            }
        }
        "trimAll" | "trimPrefix" | "trimSuffix" | "contains" | "hasPrefix" | "hasSuffix"
        | "join" | "split" | "splitList" | "indent" | "nindent" | "trunc" | "abbrev" | "repeat"
        | "append" | "push" | "prepend" | "has" | "hasKey" | "get" | "sub" | "div" | "mod" => n(2),
        "replace" | "substr" | "ternary" | "plural" => n(3),
        "cat" | "list" | "tuple" | "dict" | "quote" | "squote" | "coalesce" | "concat" | "all"
        | "any" => v(0),
        "splitn" | "regexReplaceAll" | "regexReplaceAllLiteral" | "regexFindAll" | "regexSplit" => {
            n(3)
        }
        "regexMatch" | "regexFind" | "kindIs" | "typeIs" | "deepEqual" => n(2),
        "base" | "dir" | "ext" | "clean" | "isAbs" | "regexQuoteMeta" | "toJson"
        | "toPrettyJson" | "toRawJson" => n(1),
        "default" => v(1),
        "add" => v(0),
        "mul" | "max" | "min" => v(1),
        "until" => n(1),
        "without" => v(1),
        _ => None,
    }
}

/// Whether templates may call `name`.
pub(crate) fn exists(name: &str) -> bool {
    arity(name).is_some()
}

fn type_err(expected: &str, got: &Value) -> ExecErrorKind {
    ExecErrorKind::ArgType {
        expected: expected.to_string(),
        got: got.type_name(),
    }
}

fn failed(function: &str, message: impl Into<String>) -> ExecErrorKind {
    ExecErrorKind::Function {
        function: function.to_string(),
        message: message.into(),
    }
}

fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Nil)
}

fn s_arg(args: &[Value], i: usize) -> Result<&str, ExecErrorKind> {
    match arg(args, i) {
        Value::String(s) => Ok(s),
        other => Err(type_err("string", other)),
    }
}

fn i_arg(args: &[Value], i: usize) -> Result<i64, ExecErrorKind> {
    match arg(args, i) {
        Value::Int(n) => Ok(*n),
        // Number literals written as `3.0` are still usable as ints in Go.
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Ok(*f as i64),
        other => Err(type_err("int", other)),
    }
}

fn built(v: Value) -> R {
    if v.depth() > MAX_BUILT_DEPTH {
        return Err(ExecErrorKind::ValueTooDeep {
            limit: MAX_BUILT_DEPTH,
        });
    }
    Ok(v)
}

fn string_result(budget: &mut Budget, s: String) -> R {
    budget.string_of(s.len())?;
    Ok(Value::String(s))
}

/// Sprig's `strval`: strings as they are, `String()` for objects that have one, else `%v`.
pub(crate) fn strval(v: &Value, budget: &mut Budget) -> Result<String, ExecErrorKind> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Object(o) if o.shown().is_some() => Ok(o.shown().unwrap_or_default().to_string()),
        other => {
            let mut w = Writer::new(budget);
            gofmt::write_value(&mut w, other)?;
            Ok(w.out)
        }
    }
}

/// Sprig's `strslice`: a list's non-nil items as strings; any other value as a one-item list.
fn strslice(v: &Value, budget: &mut Budget) -> Result<Vec<String>, ExecErrorKind> {
    match v {
        Value::List(l) => {
            let mut out = Vec::with_capacity(l.len());
            for item in l.iter() {
                budget.step()?;
                if !matches!(item, Value::Nil) {
                    out.push(strval(item, budget)?);
                }
            }
            Ok(out)
        }
        Value::Nil => Ok(Vec::new()),
        other => Ok(vec![strval(other, budget)?]),
    }
}

fn list_arg<'a>(function: &str, v: &'a Value) -> Result<&'a List, ExecErrorKind> {
    match v {
        Value::List(l) => Ok(l),
        other => Err(failed(
            function,
            format!("Cannot find {function} on type {}", other.type_name()),
        )),
    }
}

fn strings_list(items: Vec<String>) -> Value {
    Value::List(List::new(items.into_iter().map(Value::String).collect()))
}

/// `cast.ToInt64` as Sprig's math functions use it.
fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => {
            let t = s.trim();
            let t = t.strip_suffix(".0").unwrap_or(t);
            parse_go_int(t).unwrap_or(0)
        }
        _ => 0,
    }
}

fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h.to_string(), 16)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b.to_string(), 2)
    } else if let Some(o) = lower.strip_prefix("0o") {
        (o.to_string(), 8)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (lower[1..].to_string(), 8)
    } else {
        (lower.clone(), 10)
    };
    let m = i64::from_str_radix(&digits, radix).ok()?;
    Some(if neg { -m } else { m })
}

/// Basic kinds for comparisons.
#[derive(PartialEq, Eq, Clone, Copy, Debug)]
enum Kind {
    Nil,
    Bool,
    Int,
    Float,
    String,
    Other,
}

fn kind(v: &Value) -> Kind {
    match v {
        Value::Nil => Kind::Nil,
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Other,
    }
}

fn incompatible() -> ExecErrorKind {
    failed("comparison", "incompatible types for comparison")
}

fn eq(args: &[Value], budget: &mut Budget) -> Result<bool, ExecErrorKind> {
    let a = arg(args, 0);
    if args.len() < 2 {
        return Err(failed("eq", "missing argument for comparison"));
    }
    let ka = kind(a);
    for b in &args[1..] {
        let kb = kind(b);
        let truth = if ka != kb {
            if ka != Kind::Nil && kb != Kind::Nil {
                return Err(failed("eq", "incompatible types for comparison"));
            }
            false
        } else {
            match (a, b) {
                (Value::Nil, Value::Nil) => true,
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x), Value::Int(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                (Value::Object(_), Value::Object(_)) => {
                    let mut step = || budget.step().is_ok();
                    deep_equal(a, b, &mut step)
                        .map_err(|()| ExecErrorKind::TooManySteps { limit: 0 })?
                }
                _ => {
                    return Err(failed(
                        "eq",
                        format!("non-comparable type {}", a.type_name()),
                    ));
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn less(function: &str, a: &Value, b: &Value) -> Result<bool, ExecErrorKind> {
    let (ka, kb) = (kind(a), kind(b));
    if matches!(ka, Kind::Nil | Kind::Bool | Kind::Other)
        || matches!(kb, Kind::Nil | Kind::Bool | Kind::Other)
    {
        return Err(failed(function, "invalid type for comparison"));
    }
    if ka != kb {
        return Err(failed(function, "incompatible types for comparison"));
    }
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::String(x), Value::String(y)) => x.as_bytes() < y.as_bytes(),
        _ => return Err(incompatible()),
    })
}

fn index(args: &[Value]) -> R {
    let mut item = arg(args, 0).clone();
    if matches!(item, Value::Nil) {
        return Err(failed("index", "index of untyped nil"));
    }
    for idx in &args[1..] {
        item = match &item {
            Value::Nil => return Err(failed("index", "index of untyped nil")),
            Value::List(l) => {
                let i = index_int("index", idx)?;
                match usize::try_from(i).ok().and_then(|i| l.items().get(i)) {
                    Some(v) => v.clone(),
                    None => return Err(failed("index", format!("index out of range: {i}"))),
                }
            }
            Value::String(s) => {
                let i = index_int("index", idx)?;
                match usize::try_from(i).ok().and_then(|i| s.as_bytes().get(i)) {
                    Some(b) => Value::Int(i64::from(*b)),
                    None => return Err(failed("index", format!("index out of range: {i}"))),
                }
            }
            Value::Map(m) => {
                let key_ok = match (m.entries().first(), idx) {
                    (None, Value::String(_)) => true,
                    (None, _) => {
                        m.zero().type_name() != "string" || matches!(idx, Value::String(_))
                    }
                    (Some((k, _)), idx) => kind(k) == kind(idx) || matches!(idx, Value::Nil),
                };
                if !key_ok {
                    return Err(failed(
                        "index",
                        format!("value has type {}; should be string", idx.type_name()),
                    ));
                }
                m.get(idx).cloned().unwrap_or_else(|| m.zero().clone())
            }
            other => {
                return Err(failed(
                    "index",
                    format!("can't index item of type {}", other.type_name()),
                ));
            }
        };
    }
    Ok(item)
}

fn index_int(function: &str, v: &Value) -> Result<i64, ExecErrorKind> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Nil => Err(failed(function, "cannot index slice/array with nil")),
        other => Err(failed(
            function,
            format!("cannot index slice/array with type {}", other.type_name()),
        )),
    }
}

/// Sprig's `slice`, which replaces Go's builtin of that name in Flux's function map: lists
/// only, indexes converted like `int`, an empty list gives nil, a third index is ignored.
fn slice(args: &[Value]) -> R {
    let l = match arg(args, 0) {
        Value::List(l) => l,
        other => {
            return Err(failed(
                "slice",
                format!(
                    "list should be type of slice or array but {}",
                    kind_name(other)
                ),
            ));
        }
    };
    if l.is_empty() {
        return Ok(Value::Nil);
    }
    let len = l.len();
    let start = args.get(1).map_or(0, to_int64);
    let end = match args.get(2) {
        Some(v) => to_int64(v),
        None => i64::try_from(len).unwrap_or(i64::MAX),
    };
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        return Err(failed("slice", "slice index out of bounds"));
    };
    if start > end || end > len {
        return Err(failed("slice", "slice index out of bounds"));
    }
    Ok(Value::List(List::new(l.items()[start..end].to_vec())))
}

/// Go's `reflect.Kind` name, as Sprig's `kindOf` prints it.
fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Object(_) => "struct",
    }
}

/// The string the escaping builtins (`html`, `js`, `urlquery`) work on.
fn escaper_input(args: &[Value], budget: &mut Budget) -> Result<String, ExecErrorKind> {
    if let [Value::String(s)] = args {
        return Ok(s.clone());
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| match a {
            Value::Nil => Value::String("<no value>".to_string()),
            other => other.clone(),
        })
        .collect();
    let mut w = Writer::new(budget);
    gofmt::sprint(&mut w, &printable)?;
    Ok(w.out)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if c.is_ascii() => out.push(c),
            c if gofmt::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

fn url_query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's `strings.Title`: upper-cases letters that follow a separator.
fn title(s: &str) -> String {
    let is_sep = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if is_sep(prev) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

fn untitle(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_space = true;
    for c in s.chars() {
        if prev_space {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        prev_space = c.is_whitespace();
    }
    out
}

fn byte_slice(s: &str, from: usize, to: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[from..to]).into_owned()
}

fn dedup(function: &str, l: &List, budget: &mut Budget) -> Result<Vec<Value>, ExecErrorKind> {
    let mut out: Vec<Value> = Vec::new();
    for item in l.iter() {
        let mut seen = false;
        for existing in &out {
            let mut step = || budget.step().is_ok();
            if deep_equal(existing, item, &mut step)
                .map_err(|()| failed(function, "comparison exceeded the step budget"))?
            {
                seen = true;
                break;
            }
        }
        if !seen {
            out.push(item.clone());
        }
    }
    Ok(out)
}

fn contains_value(
    haystack: &List,
    needle: &Value,
    budget: &mut Budget,
) -> Result<bool, ExecErrorKind> {
    for item in haystack.iter() {
        let mut step = || budget.step().is_ok();
        if deep_equal(item, needle, &mut step)
            .map_err(|()| failed("has", "comparison exceeded the step budget"))?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn math(function: &str, args: &[Value]) -> R {
    let a = to_int64(arg(args, 0));
    let b = to_int64(arg(args, 1));
    let r = match function {
        "sub" => a.wrapping_sub(b),
        "div" => {
            if b == 0 {
                return Err(failed(function, "integer divide by zero"));
            }
            a.wrapping_div(b)
        }
        "mod" => {
            if b == 0 {
                return Err(failed(function, "integer divide by zero"));
            }
            a.wrapping_rem(b)
        }
        _ => 0,
    };
    Ok(Value::Int(r))
}

/// Calls function `name` (already checked to exist and to have a valid argument count).
pub(crate) fn call(name: &str, args: &[Value], budget: &mut Budget) -> R {
    budget.step()?;
    match name {
        "not" => Ok(Value::Bool(!arg(args, 0).is_truthy())),
        "len" => match arg(args, 0) {
            Value::String(s) => Ok(Value::from(s.len())),
            Value::List(l) => Ok(Value::from(l.len())),
            Value::Map(m) => Ok(Value::from(m.len())),
            Value::Nil => Err(failed("len", "len of nil pointer")),
            other => Err(failed("len", format!("len of type {}", other.type_name()))),
        },
        "index" => index(args),
        "slice" => slice(args),
        "print" | "println" | "printf" => {
            let mut w = Writer::new(budget);
            match name {
                "print" => gofmt::sprint(&mut w, args)?,
                "println" => gofmt::sprintln(&mut w, args)?,
                _ => {
                    let format = s_arg(args, 0)?.to_string();
                    gofmt::sprintf(&mut w, &format, &args[1..])?;
                }
            }
            Ok(Value::String(w.out))
        }
        "html" | "js" | "urlquery" => {
            let s = escaper_input(args, budget)?;
            let out = match name {
                "html" => html_escape(&s),
                "js" => js_escape(&s),
                _ => url_query_escape(&s),
            };
            string_result(budget, out)
        }
        "eq" => Ok(Value::Bool(eq(args, budget)?)),
        "ne" => Ok(Value::Bool(!eq(args, budget)?)),
        "lt" => Ok(Value::Bool(less(name, arg(args, 0), arg(args, 1))?)),
        "le" => {
            let lt = less(name, arg(args, 0), arg(args, 1))?;
            Ok(Value::Bool(lt || eq(args, budget)?))
        }
        "gt" => {
            let lt = less(name, arg(args, 0), arg(args, 1))?;
            Ok(Value::Bool(!lt && !eq(args, budget)?))
        }
        "ge" => Ok(Value::Bool(!less(name, arg(args, 0), arg(args, 1))?)),

        // Sprig strings.
        "upper" => string_result(budget, s_arg(args, 0)?.to_uppercase()),
        "lower" => string_result(budget, s_arg(args, 0)?.to_lowercase()),
        "title" => string_result(budget, title(s_arg(args, 0)?)),
        "untitle" => string_result(budget, untitle(s_arg(args, 0)?)),
        "trim" => Ok(Value::from(s_arg(args, 0)?.trim())),
        "nospace" => Ok(Value::String(
            s_arg(args, 0)?
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
        )),
        "trimAll" => {
            let cutset: Vec<char> = s_arg(args, 0)?.chars().collect();
            Ok(Value::from(s_arg(args, 1)?.trim_matches(&cutset[..])))
        }
        "trimPrefix" => {
            let (p, s) = (s_arg(args, 0)?, s_arg(args, 1)?);
            Ok(Value::from(s.strip_prefix(p).unwrap_or(s)))
        }
        "trimSuffix" => {
            let (p, s) = (s_arg(args, 0)?, s_arg(args, 1)?);
            Ok(Value::from(s.strip_suffix(p).unwrap_or(s)))
        }
        "contains" => Ok(Value::Bool(s_arg(args, 1)?.contains(s_arg(args, 0)?))),
        "hasPrefix" => Ok(Value::Bool(s_arg(args, 1)?.starts_with(s_arg(args, 0)?))),
        "hasSuffix" => Ok(Value::Bool(s_arg(args, 1)?.ends_with(s_arg(args, 0)?))),
        "replace" => {
            let (old, new, src) = (s_arg(args, 0)?, s_arg(args, 1)?, s_arg(args, 2)?);
            let count = if old.is_empty() {
                src.chars().count() + 1
            } else {
                src.matches(old).count()
            };
            let size = src.len().saturating_add(count.saturating_mul(new.len()));
            budget.string_of(size)?;
            Ok(Value::String(src.replace(old, new)))
        }
        "repeat" => {
            let (n, s) = (i_arg(args, 0)?, s_arg(args, 1)?);
            let n = usize::try_from(n).map_err(|_| failed(name, "negative Repeat count"))?;
            budget.string_of(n.saturating_mul(s.len()))?;
            Ok(Value::String(s.repeat(n)))
        }
        "indent" | "nindent" => {
            let (n, s) = (i_arg(args, 0)?, s_arg(args, 1)?);
            let n = usize::try_from(n).map_err(|_| failed(name, "negative Repeat count"))?;
            let lines = s.matches('\n').count() + 1;
            budget.string_of(
                s.len()
                    .saturating_add(lines.saturating_mul(n))
                    .saturating_add(1),
            )?;
            let pad = " ".repeat(n);
            let body = format!("{pad}{}", s.replace('\n', &format!("\n{pad}")));
            Ok(Value::String(if name == "nindent" {
                format!("\n{body}")
            } else {
                body
            }))
        }
        "trunc" => {
            let (c, s) = (i_arg(args, 0)?, s_arg(args, 1)?);
            let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
            Ok(Value::String(if c < 0 && len + c > 0 {
                byte_slice(s, usize::try_from(len + c).unwrap_or(0), s.len())
            } else if c >= 0 && len > c {
                byte_slice(s, 0, usize::try_from(c).unwrap_or(0))
            } else {
                s.to_string()
            }))
        }
        "abbrev" => {
            let (width, s) = (i_arg(args, 0)?, s_arg(args, 1)?);
            let w = usize::try_from(width).unwrap_or(0);
            Ok(Value::String(if width < 4 || s.len() <= w {
                s.to_string()
            } else {
                format!("{}...", byte_slice(s, 0, w - 3))
            }))
        }
        "substr" => {
            let (start, end, s) = (i_arg(args, 0)?, i_arg(args, 1)?, s_arg(args, 2)?);
            let len = s.len();
            let to_idx = |i: i64| usize::try_from(i).ok().filter(|i| *i <= len);
            let out = if start < 0 {
                let e = to_idx(end).ok_or_else(|| failed(name, "slice bounds out of range"))?;
                byte_slice(s, 0, e)
            } else if end < 0 || usize::try_from(end).unwrap_or(usize::MAX) > len {
                let b = to_idx(start).ok_or_else(|| failed(name, "slice bounds out of range"))?;
                byte_slice(s, b, len)
            } else {
                let (b, e) = (to_idx(start), to_idx(end));
                match (b, e) {
                    (Some(b), Some(e)) if b <= e => byte_slice(s, b, e),
                    _ => return Err(failed(name, "slice bounds out of range")),
                }
            };
            Ok(Value::String(out))
        }
        "cat" => {
            let mut parts = Vec::new();
            for a in args.iter().filter(|a| !matches!(a, Value::Nil)) {
                parts.push(strval(a, budget)?);
            }
            string_result(budget, parts.join(" "))
        }
        "quote" | "squote" => {
            let mut parts = Vec::new();
            for a in args.iter().filter(|a| !matches!(a, Value::Nil)) {
                let s = strval(a, budget)?;
                parts.push(if name == "quote" {
                    gofmt::quote(&s, false)
                } else {
                    format!("'{s}'")
                });
            }
            string_result(budget, parts.join(" "))
        }
        "toString" => {
            let s = strval(arg(args, 0), budget)?;
            Ok(Value::String(s))
        }
        "toStrings" => Ok(strings_list(strslice(arg(args, 0), budget)?)),
        "join" => {
            let sep = s_arg(args, 0)?;
            let parts = strslice(arg(args, 1), budget)?;
            let size = parts.iter().map(String::len).sum::<usize>()
                + sep.len().saturating_mul(parts.len());
            budget.string_of(size)?;
            Ok(Value::String(parts.join(sep)))
        }
        "splitList" => {
            let (sep, s) = (s_arg(args, 0)?, s_arg(args, 1)?);
            let parts = go_split(s, sep);
            budget.steps(parts.len())?;
            Ok(strings_list(parts))
        }
        "split" => {
            let (sep, s) = (s_arg(args, 0)?, s_arg(args, 1)?);
            let parts = go_split(s, sep);
            budget.steps(parts.len())?;
            Ok(Value::Map(index_map(parts)))
        }
        "splitn" => {
            let (sep, n, s) = (s_arg(args, 0)?, i_arg(args, 1)?, s_arg(args, 2)?);
            let parts: Vec<String> = match usize::try_from(n) {
                Ok(0) => Vec::new(),
                Ok(n) if !sep.is_empty() => s.splitn(n, sep).map(str::to_string).collect(),
                Ok(n) => {
                    let mut parts: Vec<String> = s
                        .chars()
                        .take(n.saturating_sub(1))
                        .map(String::from)
                        .collect();
                    let used: usize = parts.iter().map(String::len).sum();
                    if used < s.len() {
                        parts.push(s[used..].to_string());
                    }
                    parts
                }
                Err(_) => go_split(s, sep),
            };
            budget.steps(parts.len())?;
            Ok(Value::Map(index_map(parts)))
        }
        "base" => Ok(Value::String(crate::gopath::base(s_arg(args, 0)?))),
        "dir" => Ok(Value::String(crate::gopath::dir(s_arg(args, 0)?))),
        "ext" => Ok(Value::String(crate::gopath::ext(s_arg(args, 0)?))),
        "clean" => Ok(Value::String(crate::gopath::clean(s_arg(args, 0)?))),
        "isAbs" => Ok(Value::Bool(s_arg(args, 0)?.starts_with('/'))),
        "regexMatch"
        | "regexFind"
        | "regexFindAll"
        | "regexReplaceAll"
        | "regexReplaceAllLiteral"
        | "regexSplit" => regex_fn(name, args, budget),
        "regexQuoteMeta" => Ok(Value::String(regex::escape(s_arg(args, 0)?))),
        "toJson" | "toPrettyJson" | "toRawJson" => {
            let json = crate::gojson::to_json(arg(args, 0), budget)?;
            let out = match name {
                "toPrettyJson" => crate::gojson::pretty(&json),
                "toRawJson" => crate::gojson::unescape_html(&json),
                _ => json,
            };
            string_result(budget, out)
        }
        "sha256sum" => Ok(Value::String(hex::encode(sha2::Sha256::digest(
            s_arg(args, 0)?.as_bytes(),
        )))),
        "b64enc" => string_result(
            budget,
            base64::engine::general_purpose::STANDARD.encode(s_arg(args, 0)?),
        ),
        "b64dec" => Ok(Value::String(
            match base64::engine::general_purpose::STANDARD.decode(s_arg(args, 0)?) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => e.to_string(),
            },
        )),
        "plural" => {
            let (one, many, n) = (s_arg(args, 0)?, s_arg(args, 1)?, i_arg(args, 2)?);
            Ok(Value::from(if n == 1 { one } else { many }))
        }

        // Sprig lists.
        "list" | "tuple" => built(Value::List(List::new(args.to_vec()))),
        "concat" => {
            let mut items = Vec::new();
            for a in args {
                match a {
                    Value::List(l) => {
                        budget.steps(l.len())?;
                        items.extend(l.iter().cloned());
                    }
                    other => {
                        return Err(failed(
                            name,
                            format!("Cannot concat type {} as list", kind_name(other)),
                        ));
                    }
                }
            }
            built(Value::List(List::new(items)))
        }
        "until" => {
            let n = i_arg(args, 0)?;
            let count = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
            budget.steps(count)?;
            let step = if n < 0 { -1 } else { 1 };
            Ok(Value::List(List::new(
                (0..count)
                    .map(|i| Value::Int(i64::try_from(i).unwrap_or(0) * step))
                    .collect(),
            )))
        }
        "first" | "last" => {
            let l = list_arg(name, arg(args, 0))?;
            let item = if name == "first" {
                l.items().first()
            } else {
                l.items().last()
            };
            Ok(item.cloned().unwrap_or(Value::Nil))
        }
        "rest" | "initial" => {
            let l = list_arg(name, arg(args, 0))?;
            if l.is_empty() {
                // Sprig returns a nil `[]interface{}`, which prints as `[]`.
                return Ok(Value::List(List::new(Vec::new())));
            }
            let items = if name == "rest" {
                &l.items()[1..]
            } else {
                &l.items()[..l.len() - 1]
            };
            Ok(Value::List(List::new(items.to_vec())))
        }
        "reverse" => {
            let l = list_arg(name, arg(args, 0))?;
            budget.steps(l.len())?;
            Ok(Value::List(List::new(l.iter().rev().cloned().collect())))
        }
        "compact" => {
            let l = list_arg(name, arg(args, 0))?;
            budget.steps(l.len())?;
            Ok(Value::List(List::new(
                l.iter().filter(|v| v.is_truthy()).cloned().collect(),
            )))
        }
        "uniq" => {
            let l = list_arg(name, arg(args, 0))?;
            Ok(Value::List(List::new(dedup(name, l, budget)?)))
        }
        "without" => {
            let l = list_arg(name, arg(args, 0))?;
            let drop = List::new(args[1..].to_vec());
            let mut kept = Vec::new();
            for item in l.iter() {
                if !contains_value(&drop, item, budget)? {
                    kept.push(item.clone());
                }
            }
            Ok(Value::List(List::new(kept)))
        }
        "append" | "push" | "prepend" => {
            let l = list_arg(name, arg(args, 0))?;
            budget.steps(l.len())?;
            let v = arg(args, 1).clone();
            let mut items = Vec::with_capacity(l.len() + 1);
            if name == "prepend" {
                items.push(v);
                items.extend(l.iter().cloned());
            } else {
                items.extend(l.iter().cloned());
                items.push(v);
            }
            built(Value::List(List::new(items)))
        }
        "has" => match arg(args, 1) {
            Value::Nil => Ok(Value::Bool(false)),
            Value::List(l) => Ok(Value::Bool(contains_value(l, arg(args, 0), budget)?)),
            other => Err(failed(
                name,
                format!("Cannot find has on type {}", other.type_name()),
            )),
        },
        "sortAlpha" => match arg(args, 0) {
            Value::List(_) => {
                let mut items = strslice(arg(args, 0), budget)?;
                budget.steps(items.len())?;
                items.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
                Ok(strings_list(items))
            }
            other => Ok(strings_list(vec![strval(other, budget)?])),
        },

        // Sprig dicts.
        "dict" => {
            let mut entries = Vec::with_capacity(args.len() / 2 + 1);
            let mut i = 0;
            while i < args.len() {
                budget.step()?;
                let key = strval(&args[i], budget)?;
                let value = args
                    .get(i + 1)
                    .cloned()
                    .unwrap_or(Value::String(String::new()));
                entries.push((Value::String(key), value));
                i += 2;
            }
            built(Value::Map(Map::from_entries(entries, Value::Nil)))
        }
        "keys" => {
            let mut out = Vec::new();
            for d in args {
                match d {
                    Value::Map(m) if m.has_string_keys() => {
                        budget.steps(m.len())?;
                        out.extend(m.entries().iter().map(|(k, _)| k.clone()));
                    }
                    other => return Err(type_err("map[string]interface {}", other)),
                }
            }
            Ok(Value::List(List::new(out)))
        }
        "values" => match arg(args, 0) {
            Value::Map(m) => {
                budget.steps(m.len())?;
                Ok(Value::List(List::new(
                    m.entries().iter().map(|(_, v)| v.clone()).collect(),
                )))
            }
            other => Err(type_err("map[string]interface {}", other)),
        },
        "hasKey" | "get" => {
            let key = s_arg(args, 1)?;
            match arg(args, 0) {
                Value::Map(m) if m.has_string_keys() => {
                    let found = m.get_str(key);
                    Ok(if name == "hasKey" {
                        Value::Bool(found.is_some())
                    } else {
                        found.cloned().unwrap_or(Value::String(String::new()))
                    })
                }
                other => Err(type_err("map[string]interface {}", other)),
            }
        }

        // Sprig defaults and types.
        "default" => {
            let given = arg(args, 1);
            if args.len() < 2 || !given.is_truthy() {
                Ok(arg(args, 0).clone())
            } else {
                Ok(given.clone())
            }
        }
        "empty" => Ok(Value::Bool(!arg(args, 0).is_truthy())),
        "coalesce" => Ok(args
            .iter()
            .find(|v| v.is_truthy())
            .cloned()
            .unwrap_or(Value::Nil)),
        "ternary" => match arg(args, 2) {
            Value::Bool(c) => Ok(if *c { arg(args, 0) } else { arg(args, 1) }.clone()),
            other => Err(type_err("bool", other)),
        },
        "kindOf" => Ok(Value::from(kind_name(arg(args, 0)))),
        "kindIs" => Ok(Value::Bool(s_arg(args, 0)? == kind_name(arg(args, 1)))),
        "typeIs" => Ok(Value::Bool(s_arg(args, 0)? == arg(args, 1).type_name())),
        "deepEqual" => {
            let mut step = || budget.step().is_ok();
            let eq = deep_equal(arg(args, 0), arg(args, 1), &mut step)
                .map_err(|()| failed(name, "comparison exceeded the step budget"))?;
            Ok(Value::Bool(eq))
        }
        "all" => Ok(Value::Bool(args.iter().all(Value::is_truthy))),
        "any" => Ok(Value::Bool(args.iter().any(Value::is_truthy))),
        "typeOf" => Ok(Value::String(arg(args, 0).type_name())),

        // Sprig math (arguments converted the way `cast.ToInt64` does).
        "int" | "int64" => Ok(Value::Int(to_int64(arg(args, 0)))),
        "float64" => Ok(Value::Float(to_float64(arg(args, 0)))),
        "atoi" => Ok(Value::Int(s_arg(args, 0)?.parse().unwrap_or(0))),
        "add1" => Ok(Value::Int(to_int64(arg(args, 0)).wrapping_add(1))),
        "add" => Ok(Value::Int(
            args.iter().fold(0i64, |a, v| a.wrapping_add(to_int64(v))),
        )),
        "mul" => Ok(Value::Int(
            args.iter().fold(1i64, |a, v| a.wrapping_mul(to_int64(v))),
        )),
        "max" | "min" => {
            let mut acc = to_int64(arg(args, 0));
            for v in &args[1..] {
                let x = to_int64(v);
                acc = if name == "max" {
                    acc.max(x)
                } else {
                    acc.min(x)
                };
            }
            Ok(Value::Int(acc))
        }
        "sub" | "div" | "mod" => math(name, args),
        _ => Err(failed(name, "function not implemented")),
    }
}

/// Sprig's regular-expression functions (Go's RE2 syntax, which the `regex` crate shares
/// for everything these templates need). A pattern that does not compile is an error.
fn regex_fn(name: &str, args: &[Value], budget: &mut Budget) -> R {
    let pattern = s_arg(args, 0)?;
    let re = regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| {
            let text = e.to_string();
            let reason = text.lines().last().unwrap_or_default();
            let reason = reason.trim().trim_start_matches("error: ");
            failed(name, format!("error parsing regexp: {reason}: `{pattern}`"))
        })?;
    match name {
        "regexMatch" => Ok(Value::Bool(re.is_match(s_arg(args, 1)?))),
        "regexFind" => Ok(Value::from(
            re.find(s_arg(args, 1)?).map_or("", |m| m.as_str()),
        )),
        "regexFindAll" | "regexSplit" => {
            let (s, n) = (s_arg(args, 1)?, i_arg(args, 2)?);
            let limit = usize::try_from(n).unwrap_or(usize::MAX);
            let parts: Vec<String> = if name == "regexFindAll" {
                re.find_iter(s)
                    .take(limit)
                    .map(|m| m.as_str().to_string())
                    .collect()
            } else if limit == 0 {
                Vec::new()
            } else {
                re.splitn(s, limit).map(str::to_string).collect()
            };
            budget.steps(parts.len())?;
            Ok(strings_list(parts))
        }
        "regexReplaceAll" => {
            let (s, repl) = (s_arg(args, 1)?, s_arg(args, 2)?);
            string_result(budget, re.replace_all(s, repl).into_owned())
        }
        _ => {
            let (s, repl) = (s_arg(args, 1)?, s_arg(args, 2)?);
            string_result(
                budget,
                re.replace_all(s, regex::NoExpand(repl)).into_owned(),
            )
        }
    }
}

/// Sprig's `split` result: a `map[string]string` with keys `_0`, `_1`, ….
fn index_map(parts: Vec<String>) -> Map {
    let entries = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (Value::String(format!("_{i}")), Value::String(p)))
        .collect();
    Map::from_entries(entries, Value::String(String::new()))
}

/// Go's `strings.Split`: an empty separator splits after each UTF-8 character.
fn go_split(s: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return s.chars().map(String::from).collect();
    }
    s.split(sep).map(str::to_string).collect()
}
