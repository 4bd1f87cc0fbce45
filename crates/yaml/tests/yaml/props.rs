//! Property tests: for JSON-like trees built from awkward strings, emitting
//! and parsing again is the identity on the tree, and emitting is a fixed
//! point of parse + emit.

use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Characters that stress quoting, escaping, folding and block scalars.
/// Left out: NEL, U+2028/U+2029 (YAML 1.1 line breaks that kustomize's
/// go-yaml reads differently from YAML 1.2) and the control characters
/// kustomize refuses.
const ALPHABET: &[char] = &[
    'a', 'b', 'y', 'n', 'o', 'N', 'Y', 'e', 'E', 'x', 'T', ' ', ' ', ' ', '\t', '\n', '\n', '\r',
    ':', '#', '-', '?', '\'', '"', '\\', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%',
    '@', '`', '~', '.', '0', '1', '7', '9', '_', '+', '/', '=', 'é', '✓', '😀', '\u{a0}',
    '\u{feff}', '\u{1}', '\u{1b}', '\0',
];

fn awkward_string() -> impl Strategy<Value = String> {
    prop_oneof![
        // Short strings from the awkward alphabet.
        prop::collection::vec(prop::sample::select(ALPHABET), 0..12)
            .prop_map(|v| v.into_iter().collect::<String>()),
        // Long ones, to cross the folding width.
        prop::collection::vec(prop::sample::select(ALPHABET), 60..200)
            .prop_map(|v| v.into_iter().collect::<String>()),
        // Words that resolve to other types in YAML 1.1.
        prop::sample::select(vec![
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "n",
            "true",
            "False",
            "null",
            "~",
            "",
            "0755",
            "0x1F",
            "1e3",
            "1_000",
            "1:20",
            ".inf",
            "-.NaN",
            "2001-12-14",
            "12",
            "-1",
            "+1",
            "1.0",
            "nginx:1.0",
            "- x",
            "a: b",
            "a #b",
            "---",
            "...",
        ])
        .prop_map(str::to_owned),
        // Words with spaces, for folding at word boundaries.
        prop::collection::vec("[a-z]{1,12}", 1..30).prop_map(|w| w.join(" ")),
    ]
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>()
            .prop_filter("finite, non-integral", |f| f.is_finite()
                && f.fract() != 0.0)
            .prop_filter_map("representable", Number::from_f64),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        awkward_string().prop_map(Value::String),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                awkward_string().prop_filter("not a merge key", |k| k != "<<"),
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn document() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(
        awkward_string().prop_filter("not a merge key", |k| k != "<<"),
        tree(),
        1..6,
    )
    .prop_map(|m| Value::Object(m.into_iter().collect()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_of_emit_is_identity(docs in prop::collection::vec(document(), 1..3)) {
        let text = weir_yaml::emit_documents(&docs);
        let back = weir_yaml::parse_documents(&text);
        prop_assert!(back.is_ok(), "emitted text does not parse: {:?}\n{}", back, text);
        prop_assert_eq!(back.ok(), Some(docs), "text:\n{}", text);
    }

    #[test]
    fn emit_is_a_fixed_point(docs in prop::collection::vec(document(), 1..3)) {
        let text = weir_yaml::emit_documents(&docs);
        let back = weir_yaml::parse_documents(&text).unwrap_or_default();
        prop_assert_eq!(weir_yaml::emit_documents(&back), text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Arbitrary YAML-ish text either parses or fails with an error; it
    /// never panics, and whatever parses can be emitted and parsed again.
    #[test]
    fn arbitrary_text_never_panics(src in "[-:#'\"\\[\\]{}|>&*!%@ \t\na-c0-9.,?~<+_\\\\]{0,160}") {
        if let Ok(docs) = weir_yaml::parse_documents(&src) {
            let text = weir_yaml::emit_documents(&docs);
            let again = weir_yaml::parse_documents(&text);
            prop_assert!(again.is_ok(), "re-parse failed: {:?}\n{}", again, text);
        }
    }
}
