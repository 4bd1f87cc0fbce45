//! Parse errors: every message names a line and column, and hostile input
//! (alias bombs, deep nesting) is refused quickly instead of exhausting
//! memory or the stack.

use weir_yaml::{Error, ParseOptions, parse_documents, parse_documents_with};

fn err(src: &str) -> Error {
    match parse_documents(src) {
        Ok(v) => panic!("expected an error, parsed {v:?}"),
        Err(e) => e,
    }
}

fn render(e: &Error) -> String {
    format!("{e}\n(line {}, column {})", e.line(), e.column())
}

fn billion_laughs(levels: usize) -> String {
    let mut s = String::from("a: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..levels {
        s.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    s
}

#[test]
fn bad_indentation() {
    let e = err("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   labels: y\n");
    insta::assert_snapshot!(render(&e));
}

#[test]
fn tab_indentation() {
    let e = err("metadata:\n\tname: x\n");
    insta::assert_snapshot!(render(&e));
}

#[test]
fn duplicate_key() {
    let e = err("apiVersion: v1\nkind: ConfigMap\ndata:\n  k: 1\n  other: 2\n  k: 3\n");
    insta::assert_snapshot!(render(&e));
}

#[test]
fn duplicate_key_quoted_and_plain() {
    let e = err("a: 1\n\"a\": 2\n");
    assert!(
        matches!(
            e,
            Error::DuplicateKey {
                line: 2,
                first_line: 1,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn unclosed_double_quote() {
    let e = err("data:\n  k: \"abc\n  j: x\n");
    insta::assert_snapshot!(render(&e));
}

#[test]
fn unclosed_single_quote() {
    let e = err("data:\n  k: 'abc\n");
    insta::assert_snapshot!(render(&e));
}

#[test]
fn unclosed_flow_sequence() {
    let e = err("data: [a, b\n");
    insta::assert_snapshot!(render(&e));
}

#[test]
fn dash_value_is_a_sequence_in_the_wrong_place() {
    let e = err("data:\n  k: -\n");
    insta::assert_snapshot!(render(&e));
}

#[test]
fn unknown_anchor() {
    let e = err("a: *nope\n");
    insta::assert_snapshot!(render(&e));
}

#[test]
fn alias_to_previous_document_is_an_error() {
    let e = err("a: &x 1\n---\nb: *x\n");
    insta::assert_snapshot!(render(&e));
}

#[test]
fn non_string_keys() {
    for (src, key) in [
        ("1: a\n", "1"),
        ("true: a\n", "true"),
        ("~: a\n", "null"),
        ("1.5: a\n", "1.5"),
        ("2001-12-14: a\n", "\"2001-12-14T00:00:00Z\""),
    ] {
        match err(src) {
            Error::NonStringKey {
                key: k,
                line: 1,
                column: 1,
            } => assert_eq!(k, key, "{src}"),
            other => panic!("{src}: {other:?}"),
        }
    }
    insta::assert_snapshot!(render(&err("data:\n  0x1F: a\n")));
}

#[test]
fn collection_keys() {
    insta::assert_snapshot!(render(&err("? [a, b]\n: c\n")));
    insta::assert_snapshot!("collection_keys_map", render(&err("{a: 1}: c\n")));
}

#[test]
fn infinity_and_nan() {
    insta::assert_snapshot!(render(&err("data:\n  k: .inf\n")));
    assert!(matches!(err("k: -.Inf\n"), Error::UnsupportedFloat { .. }));
    assert!(matches!(err("k: .NaN\n"), Error::UnsupportedFloat { .. }));
}

#[test]
fn control_characters() {
    insta::assert_snapshot!(render(&err("data:\n  k: \"a\\x7Fb\"\n")));
    assert!(matches!(
        err("k: \"\\u0080\"\n"),
        Error::ControlCharacter { code: 0x80, .. }
    ));
    assert!(matches!(
        err("k: \"\\uFFFE\"\n"),
        Error::ControlCharacter { code: 0xFFFE, .. }
    ));
}

#[test]
fn invalid_merge() {
    insta::assert_snapshot!(render(&err("a:\n  <<: 1\n")));
    assert!(matches!(
        err("a:\n  <<: [1]\n"),
        Error::InvalidMerge { line: 2, .. }
    ));
}

#[test]
fn tag_mismatch() {
    insta::assert_snapshot!(render(&err("a: !!int abc\n")));
    assert!(matches!(err("a: !!bool yes\n"), Error::TagMismatch { .. }));
}

#[test]
fn invalid_binary() {
    insta::assert_snapshot!(render(&err("a: !!binary '***'\n")));
}

#[test]
fn billion_laughs_is_refused() {
    let src = billion_laughs(10);
    let e = err(&src);
    assert!(matches!(e, Error::AliasExpansion { .. }), "{e:?}");
    insta::assert_snapshot!(render(&e));
}

#[test]
fn alias_limit_is_configurable() {
    let src = billion_laughs(3); // 9 + 9*10 + 9*(9*10+1) nodes of expansion
    assert!(parse_documents(&src).is_ok());
    let strict = ParseOptions::default().with_max_alias_nodes(50);
    assert!(matches!(
        parse_documents_with(&src, &strict),
        Err(Error::AliasExpansion { limit: 50, .. })
    ));
}

#[test]
fn deep_flow_nesting_is_refused() {
    let src = "[".repeat(100_000);
    let e = err(&src);
    insta::assert_snapshot!(render(&e));
}

#[test]
fn deep_block_nesting_is_refused() {
    let src = format!("{}x\n", "- ".repeat(100_000));
    let e = err(&src);
    insta::assert_snapshot!(render(&e));
}

#[test]
fn deep_block_mapping_nesting_is_refused() {
    let mut src = String::new();
    for i in 0..5_000 {
        src.push_str(&" ".repeat(i));
        src.push_str("k:\n");
    }
    let e = err(&src);
    assert!(matches!(e, Error::TooDeep { limit: 1000, .. }), "{e:?}");
}

#[test]
fn depth_limit_is_configurable() {
    let src = format!("{}x{}", "[".repeat(20), "]".repeat(20));
    assert!(parse_documents(&src).is_ok());
    let strict = ParseOptions::default().with_max_depth(10);
    assert!(matches!(
        parse_documents_with(&src, &strict),
        Err(Error::TooDeep { limit: 10, .. })
    ));
}

#[test]
fn duplicate_key_in_a_large_mapping() {
    let mut src = String::new();
    for i in 0..40 {
        src.push_str(&format!("k{i}: {i}\n"));
    }
    src.push_str("k7: again\nk3: again\n");
    match err(&src) {
        Error::DuplicateKey {
            key,
            line,
            first_line,
            ..
        } => {
            assert_eq!((key.as_str(), line, first_line), ("k7", 41, 8));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn raw_control_characters_are_refused() {
    insta::assert_snapshot!(render(&err("a: b\n# comment \u{1}\n")));
    assert!(matches!(
        err("k: \"a\u{1b}b\"\n"),
        Error::ControlCharacter {
            code: 0x1b,
            line: 1,
            column: 6
        }
    ));
    assert!(matches!(
        err("k: a\u{7f}\n"),
        Error::ControlCharacter { code: 0x7f, .. }
    ));
    assert!(matches!(
        err("k: a\u{9f}\n"),
        Error::ControlCharacter { code: 0x9f, .. }
    ));
    assert!(matches!(
        err("k: a\u{ffff}\n"),
        Error::ControlCharacter { code: 0xffff, .. }
    ));
    // A raw NEL is a line break for go-yaml: kubectl kustomize refuses a
    // plain `x<NEL>yé` value (the next "line" is not indented), and folds
    // an indented one like any line break.
    assert!(parse_documents("k: \"a\tb\"\r\nj: x\u{85}yé\n").is_err());
    let docs = parse_documents("m:\n  j: x\u{85}   y\n  k: x\u{2028}\n").expect("parses");
    assert_eq!(docs[0]["m"]["j"], "x y");
    assert_eq!(docs[0]["m"]["k"], "x");
}

#[test]
fn keys_kustomize_cannot_reencode() {
    // A raw NEL in a key is a line break in kustomize's JSON re-read.
    assert!(matches!(
        err("\"a\\Nb\": v\n"),
        Error::ControlCharacter { code: 0x85, .. }
    ));
    // 170 '<' are 1,022 JSON characters with quotes; 171 are 1,028.
    assert!(parse_documents(&format!("\"{}\": v\n", "<".repeat(170))).is_ok());
    insta::assert_snapshot!(render(&err(&format!("a:\n  \"{}\": v\n", "<".repeat(171)))));
    // 1,022 plain characters plus quotes is the longest key kustomize reads.
    assert!(parse_documents(&format!("\"{}\": v\n", "k".repeat(1022))).is_ok());
}

#[test]
fn under_indented_quoted_continuation_lines_are_accepted_like_go_yaml() {
    // kubectl kustomize reads these; YAML 1.2 would refuse them.
    let docs = parse_documents("data:\n  k: \"line one\nline two\"\n  j: 'a\n b ''c'''\n  l: x\n")
        .expect("go-yaml accepts under-indented quoted continuation lines");
    assert_eq!(
        docs,
        vec![serde_json::json!({"data": {"k": "line one line two", "j": "a b 'c'", "l": "x"}})]
    );
    // An unclosed quote is still an error.
    assert!(matches!(
        err("data:\n  k: \"abc\n  j: x\n"),
        Error::Syntax { .. }
    ));
}
