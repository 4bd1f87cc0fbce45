//! Cases found by `tests/fixtures/difftest.py` (weir vs `kubectl kustomize`
//! on generated YAML). Inputs kubectl accepts live in the
//! `tests/fixtures/difftest_cases` fixture; here are the ones it refuses
//! (each checked with kubectl kustomize v5.5.0 when added), which must fail
//! to parse too, and options that change the reading.

use weir_yaml::{ParseOptions, parse_documents, parse_documents_with};

const HEAD: &str = "apiVersion: v1\nkind: T\nmetadata:\n  name: a\nspec:\n";

/// `spec:` bodies kubectl kustomize refuses.
const REFUSED: &[&str] = &[
    // `!!null` only takes text that resolves to null.
    "  x: !!null true\n",
    "  x: !!null \"x y\"\n",
    // A tab after the indentation while a block scalar's indentation is
    // still being detected (first line or leading blank lines).
    "  x: >\n    \tx\n",
    "  x: |\n    \n    \t\n    x\n",
    // With an indicator go-yaml reads it, but writes it back without one
    // and then cannot read its own output.
    "  x: |2\n    \tx\n",
    // YAML 1.1 has no `\/` escape.
    "  x: \"a\\/b\"\n",
    "  x: \"a\\/b\\'\"\n",
    // A !!binary key decodes to bytes, not a string.
    "  !!binary aGk=: v\n",
    // In flow collections go-yaml ends plain scalars at `?` and cannot
    // start one with `|` or `>`.
    "  v: [?]\n",
    "  v: {k: ?}\n",
    "  v: [|]\n",
    "  v: {k: >}\n",
    "  m: {|a: v}\n",
    "  x: [a?b]\n",
    "  x: {a: b?c}\n",
    "  x: [http://a.b/?q=1]\n",
    // A tag must be followed by a blank.
    "  v: [!]\n",
    "  v: [!a]\n",
    "  v: {k: !a}\n",
    "  x: [x, !a,]\n",
    "  x: {a: !a, b: 1}\n",
    // A raw U+2028 / NEL is a line break for go-yaml; keys are one line,
    // plain continuation lines must be indented.
    "  \"a\u{2028}b\": 1\n",
    "  x: 1\n  a\u{2028}b: 1\n",
    "  x: a\u{85}b\n",
    // No key at all.
    "  : v\n",
    "  m: {: v}\n",
];

#[test]
fn inputs_kubectl_refuses_are_refused() {
    let mut report = String::new();
    for body in REFUSED {
        let src = format!("{HEAD}{body}");
        match parse_documents(&src) {
            Ok(v) => panic!("parsed {body:?} into {v:?}, kubectl kustomize refuses it"),
            Err(e) => report.push_str(&format!("{body:?}\n  {e}\n")),
        }
    }
    insta::assert_snapshot!(report);
}

#[test]
fn block_scalars_at_end_of_text_without_line_break() {
    // What kubectl kustomize printed for this file (no final line break).
    let src = "apiVersion: v1\nkind: T\nmetadata:\n  name: eof\nspec:\n  a: |-\n    strip\n  b: >\n    folded\n  c: |+\n    kept\n    last line";
    let expected = "apiVersion: v1\nkind: T\nmetadata:\n  name: eof\nspec:\n  a: strip\n  b: |\n    folded\n  c: |-\n    kept\n    last line\n";
    let opts = ParseOptions::default().with_go_eof_block_scalars(true);
    let docs = parse_documents_with(src, &opts).expect("parses");
    assert_eq!(weir_yaml::emit_documents(&docs), expected);
    for (text, value) in [
        ("a: |\n  t", "t"),
        ("a: >+\n  t", "t"),
        ("a: |\n  t\n", "t\n"),
    ] {
        let docs = parse_documents_with(text, &opts).expect("parses");
        assert_eq!(docs[0]["a"], value, "{text:?}");
    }
    // Off by default (saphyr's reading).
    let docs = parse_documents("a: |\n  t").expect("parses");
    assert_eq!(docs[0]["a"], "t\n");
    // A last line of blanks without a line break is no line break
    // (kubectl kustomize's values; whatever the option).
    for (text, value) in [
        ("a: |\n    t\n    ", "t\n"),
        ("a: |+\n    t\n    ", "t\n"),
        ("a: |+\n    t\n\n    ", "t\n\n"),
        ("a: >\n    t\n\n  ", "t\n"),
    ] {
        let docs = parse_documents(text).expect("parses");
        assert_eq!(docs[0]["a"], value, "{text:?}");
    }
}

#[test]
fn lenient_rewrites_keep_positions_of_later_errors() {
    // `key:<TAB>value` and `"\'"` are accepted as go-yaml accepts them; a
    // later error still names its own line.
    let e = parse_documents("a:\t1\nb: \"it\\'s\"\nc: [\n").expect_err("unclosed flow");
    assert_eq!(e.line(), 4, "{e}");
}

#[test]
fn directives_as_kustomize_reads_them() {
    let doc = "apiVersion: v1\nkind: T\nmetadata:\n  name: a\nspec: {a: yes}\n";
    // kubectl kustomize refuses a stream that opens with directives: it
    // splits the stream at `---` lines first, leaving them without a
    // document; go-yaml also refuses other versions and unknown names.
    for head in [
        "%YAML 1.1\n---\n",
        "%YAML 1.1\n# c\n---\n",
        "%YAML 1.1\n--- # c\n",
        "%YAML 1.2\n--- # c\n",
        "%FOO x\n--- # c\n",
        "%TAG !e! tag:x,2000:\n--- !e!m\n",
    ] {
        let src = format!("{head}{doc}");
        assert!(parse_documents(&src).is_err(), "{src:?} parsed");
    }
    // After a first document they are never looked at (kustomize decodes
    // the first document of each chunk only).
    for head in ["...\n%YAML 1.1\n--- \n", "...\n%YAML 1.2\n---\n"] {
        let src = format!("{doc}{head}{}", doc.replace("name: a", "name: b"));
        let docs = parse_documents(&src).expect("parses");
        assert_eq!(docs.len(), 2, "{src:?}");
        assert_eq!(docs[1]["spec"]["a"], "yes");
    }
}

#[test]
fn raw_line_separator_in_quoted_scalar_drops_raw_blanks_only() {
    // kubectl kustomize printed "\x01\L\t-[" for this value: the raw space
    // after the raw U+2028 is folding white space, the escaped tab is not.
    let docs = parse_documents("a: \"\\u0001\u{2028} \\t-[\"\n").expect("parses");
    assert_eq!(docs[0]["a"], "\u{1}\u{2028}\t-[");
    assert_eq!(weir_yaml::emit_documents(&docs), "a: \"\\x01\\L\\t-[\"\n");
}
