//! Integration tests for weir-template: every construct, the Sprig functions, Flux's
//! documented templates, error messages and properties.

// Test helpers outside `#[test]` functions may panic too: this whole crate is tests.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod errors;
mod flux_docs;
mod oracle;
mod props;
mod sprig;
mod syntax;

use weir_template::{Template, Value};

/// Data shared by the table-driven tests.
pub(crate) fn data() -> Value {
    Value::from(serde_json::json!({
        "Name": "app",
        "Tags": ["1.0", "1.1"],
        "Empty": [],
        "M": {"b": 2, "a": 1},
        "N": 3,
        "Z": 0,
        "T": true,
        "F": false,
        "S": "",
        "Nil": null,
        "Nested": {"Inner": {"X": "deep"}},
    }))
}

/// Checks a table of (template, expected output) over `data`, reporting every mismatch.
pub(crate) fn check_table(cases: &[(&str, &str)], data: &Value) {
    let mut failures = Vec::new();
    for (src, want) in cases {
        let got = match Template::parse("test", *src) {
            Ok(t) => match t.render(data) {
                Ok(s) => s,
                Err(e) => format!("EXEC ERROR: {e}"),
            },
            Err(e) => format!("PARSE ERROR: {e}"),
        };
        if got != *want {
            failures.push(format!("{src:?}\n   want {want:?}\n    got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
