//! Properties: plain text renders as itself; arbitrary input never panics and always ends.

use proptest::prelude::*;
use weir_template::{Limits, Template};

use crate::data;

fn small_limits() -> Limits {
    Limits::default()
        .with_max_output_bytes(4096)
        .with_max_steps(20_000)
        .with_max_text_bytes(200_000)
        .with_max_depth(40)
}

/// Fragments that make up template-like text, so random inputs reach deep into the parser.
const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    " ",
    "\n",
    "range",
    "if",
    "else",
    "end",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    ".",
    ".Name",
    ".Tags",
    ".M",
    "$",
    "$x",
    ":=",
    "=",
    ",",
    "|",
    "(",
    ")",
    "\"a\"",
    "`r`",
    "'c'",
    "1",
    "-2",
    "3.5",
    "nil",
    "true",
    "printf",
    "\"%v\"",
    "print",
    "println",
    "len",
    "index",
    "slice",
    "eq",
    "lt",
    "and",
    "or",
    "not",
    "list",
    "dict",
    "join",
    "split",
    "repeat",
    "until",
    "upper",
    "default",
    "toString",
    "sha256sum",
    "trunc",
    "indent",
    "text",
    "-",
];

fn template_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn plain_text_is_identity(text in "[^{]*|([^{]*\\{[^{][^{]*)*") {
        prop_assume!(!text.contains("{{"));
        let t = Template::parse("t", text.clone()).unwrap();
        prop_assert_eq!(t.render(&data()).unwrap(), text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        if let Ok(t) = Template::parse("t", text) {
            let _ = t.render_with_limits(&data(), &small_limits());
        }
    }

    #[test]
    fn template_like_text_never_panics(text in template_like()) {
        if let Ok(t) = Template::parse("t", text) {
            let out = t.render_with_limits(&data(), &small_limits());
            if let Ok(s) = out {
                prop_assert!(s.len() <= 4096);
            }
        }
    }

    #[test]
    fn rendering_is_deterministic(text in template_like()) {
        if let Ok(t) = Template::parse("t", text) {
            let a = t.render_with_limits(&data(), &small_limits());
            let b = t.render_with_limits(&data(), &small_limits());
            prop_assert_eq!(a, b);
        }
    }
}
