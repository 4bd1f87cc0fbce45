//! kustomize's content hash for generated ConfigMaps and Secrets.
//!
//! kustomize encodes a few fields of the object as JSON with Go's
//! `encoding/json` (keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped),
//! takes the SHA-256 of that text, and keeps the first 10 hex digits with
//! `0 1 3 a e` replaced by `g h k m t` (no vowels, no words). The fields:
//!
//! - ConfigMap: `kind`, `name`, `data`, and `binaryData` when present;
//! - Secret: `kind`, `name`, `type`, `data`, and `stringData` when present.
//!
//! kustomize looks the name up under a key that never exists, so `name` is
//! always the empty string and a ConfigMap's hash does not depend on its
//! name; a missing `data` (or `type`) is encoded as `""`.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The 10-character hash kustomize appends (`name-<hash>`) to a generated
/// object. Other kinds are hashed over their whole content.
///
/// ```
/// use serde_json::json;
/// use weir_kustomize::generate::content_hash;
///
/// let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "empty"}});
/// assert_eq!(content_hash(&cm), "6ct58987ht");
/// ```
pub fn content_hash(obj: &Value) -> String {
    let field = |name: &str| match obj.get(name) {
        None => Value::String(String::new()),
        Some(Value::Null) => Value::String(String::new()),
        Some(v) => v.clone(),
    };
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
    let mut m = Map::new();
    let encoded = match kind {
        "ConfigMap" | "Secret" => {
            m.insert("kind".into(), Value::String(kind.to_string()));
            m.insert("name".into(), Value::String(String::new()));
            m.insert("data".into(), field("data"));
            let optional = if kind == "ConfigMap" {
                "binaryData"
            } else {
                m.insert("type".into(), field("type"));
                "stringData"
            };
            if let Some(v @ Value::Object(_)) = obj.get(optional) {
                m.insert(optional.into(), v.clone());
            }
            go_json(&Value::Object(m))
        }
        _ => go_json(obj),
    };
    let digest = Sha256::digest(encoded.as_bytes());
    digest
        .iter()
        .take(5)
        .flat_map(|b| [b >> 4, b & 0xf])
        .map(|nibble| char::from_digit(u32::from(nibble), 16).unwrap_or('0'))
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            other => other,
        })
        .collect()
}

/// JSON as Go's `encoding/json` writes it: map keys sorted, no spaces,
/// HTML-safe string escaping.
fn go_json(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_number(n)),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                if let Some(v) = map.get(k.as_str()) {
                    write_json(v, out);
                }
            }
            out.push('}');
        }
    }
}

/// Numbers went through Go's `interface{}` decoding, i.e. `float64`.
fn go_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64()
        && i.unsigned_abs() < (1u64 << 53)
    {
        return i.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Go's 'e' format with at least two exponent digits: 1e+21, 1e-07.
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        format!("{mant}e{sign}{digits:0>2}")
    } else if f.fract() == 0.0 && abs < 1e21 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => {
                let b = c as u32 as usize;
                out.push_str("\\u00");
                out.push(HEX[b >> 4] as char);
                out.push(HEX[b & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Names and contents as printed by `kubectl kustomize` (kustomize
    /// v5.5.0).
    #[test]
    fn hashes_match_kubectl_kustomize() {
        let cm = |data: Option<Value>, binary: Option<Value>| {
            let mut o =
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "any"}});
            if let Some(d) = data {
                o["data"] = d;
            }
            if let Some(b) = binary {
                o["binaryData"] = b;
            }
            o
        };
        let cases = [
            (cm(None, None), "6ct58987ht"),
            (
                cm(
                    Some(
                        json!({"A": "quoted value", "B": "single", "C": "\"unbalanced", "D": "",
                        "E": "=x", "F": "a=b", "G": "", "H": "\""}),
                    ),
                    None,
                ),
                "kcmd4kdd6c",
            ),
            (
                cm(
                    Some(json!({"file.txt": "line1\nline2\n", "renamed": "line1\nline2\n"})),
                    Some(json!({"bin.dat": "AAH//g=="})),
                ),
                "d58hf65g6b",
            ),
            (cm(Some(json!({"k": "<&>", "x": ""})), None), "f2mfgc7cbg"),
            (
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"},
                    "type": "kubernetes.io/tls",
                    "data": {"long": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMT\nIzNDU2Nzg5MDEyMzQ1Njc4OQ==\n",
                        "short": "YWJj"}}),
                "m7t2b7ch74",
            ),
            (
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s2"},
                    "type": "Opaque", "data": {"x": "eQ=="}}),
                "t86b282gdf",
            ),
        ];
        for (obj, want) in cases {
            assert_eq!(content_hash(&obj), want, "{obj}");
        }
    }

    #[test]
    fn hash_ignores_name_namespace_and_labels() {
        let a = json!({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}});
        let b = json!({"kind": "ConfigMap", "metadata": {"name": "b", "namespace": "n",
            "labels": {"x": "y"}}, "data": {"k": "v"}});
        assert_eq!(content_hash(&a), content_hash(&b));
        let c = json!({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "w"}});
        assert_ne!(content_hash(&a), content_hash(&c));
    }

    #[test]
    fn go_json_escapes_like_encoding_json() {
        assert_eq!(
            go_json(&json!({"b": "<a&b>\u{2028}\u{1}\u{8}\t\"\\", "a": [1, 1.5, true, null]})),
            r#"{"a":[1,1.5,true,null],"b":"\u003ca\u0026b\u003e\u2028\u0001\u0008\t\"\\"}"#
        );
        assert_eq!(go_json(&json!(1e21)), "1e+21");
        assert_eq!(go_json(&json!(0.0000001)), "1e-07");
        assert_eq!(go_json(&json!(2.0)), "2");
    }
}
