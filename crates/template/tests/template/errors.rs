//! Error messages, snapshotted: parse errors (nothing runs) and execution errors.

use weir_template::{ExecErrorKind, Limits, ParseErrorKind, Template};

use crate::data;

fn parse_errors(cases: &[&str]) -> String {
    cases
        .iter()
        .map(|src| match Template::parse("commit message", *src) {
            Ok(_) => format!("{src:?}\n  => parsed without error\n"),
            Err(e) => format!("{src:?}\n  => {e}\n"),
        })
        .collect()
}

fn exec_errors(cases: &[&str], limits: &Limits) -> String {
    cases
        .iter()
        .map(|src| {
            let t = match Template::parse("commit message", *src) {
                Ok(t) => t,
                Err(e) => return format!("{src:?}\n  => unexpected parse error: {e}\n"),
            };
            match t.render_with_limits(&data(), limits) {
                Ok(out) => format!("{src:?}\n  => rendered {out:?}\n"),
                Err(e) => format!("{src:?}\n  => {e}\n"),
            }
        })
        .collect()
}

#[test]
fn parse_error_messages() {
    let deep = format!("{{{{{}1{}}}}}", "(".repeat(150), ")".repeat(150));
    insta::assert_snapshot!(parse_errors(&[
        "{{.Name",
        "{{ .Name }",
        "{{if .A}}x",
        "{{end}}",
        "{{else}}",
        "{{ foo 1 }}",
        "{{ $x }}",
        "{{break}}",
        "{{range .}}{{continue 1}}{{end}}",
        "{{ \"a\" | \"b\" }}",
        "{{ }}",
        "{{ 1.2.3 }}",
        "{{ .a-b }}",
        "{{ \"abc }}",
        "{{ `abc }}",
        "{{/* x */ .a}}",
        "{{/* x ",
        "{{ range $a, .x }}{{end}}",
        "{{ with $a, $b := . }}{{end}}",
        "{{ nil.X }}",
        "{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}",
        "{{ 99999999999999999999 }}",
        "{{ ( 1 }}",
        "{{ ) }}",
        "line one\nline two {{ if }}{{end}}",
        "{{ .x := 1 }}",
        "{{else if .x}}",
        "{{range .}}{{else if .x}}{{end}}{{end}}",
        "{{if .a}}{{else}}{{else}}{{end}}",
        "{{ 'ab' }}",
        "{{ 1i }}",
        "{{ 0x }}",
        "{{ : }}",
        "{{ \u{1F600} }}",
        "{{define \"x\"}}{{define \"y\"}}{{end}}{{end}}",
        "{{template .Name}}",
        "{{ . | 1 }}",
        &deep,
    ]));
}

#[test]
fn exec_error_messages() {
    insta::assert_snapshot!(exec_errors(
        &[
            "{{.Name.Foo}}",
            "{{.Nil.X}}",
            "{{index .Tags 5}}",
            "{{index .Tags \"a\"}}",
            "{{index .M 1}}",
            "{{slice .Name 2 1}}",
            "{{slice .Tags 2 1}}",
            "{{regexMatch \"(\" \"x\"}}",
            "{{len 3}}",
            "{{upper 3}}",
            "{{printf}}",
            "{{not 1 2}}",
            "{{eq 1 \"a\"}}",
            "{{eq 1}}",
            "{{lt true false}}",
            "{{lt 1 1.5}}",
            "{{range .Name}}{{end}}",
            "{{range $i, $v := 3}}{{end}}",
            "{{template \"nope\"}}",
            "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}",
            "{{ .Name 1 }}",
            "{{ 1 2 }}",
            "{{ nil }}",
            "{{ $x = 1 }}",
            "{{ if false }}{{ $y = 1 }}{{ end }}ok",
            "{{ first .Name }}",
            "{{ div 1 0 }}",
            "{{ repeat -1 \"x\" }}",
            "{{ trunc \"a\" \"b\" }}",
            "{{ ternary 1 2 3 }}",
            "{{ keys .Tags }}",
            "line 1\n  {{ if true }}\n    {{ .Tags.X }}\n  {{ end }}",
        ],
        &Limits::default()
    ));
}

#[test]
fn limits_stop_hostile_templates() {
    let limits = Limits::default()
        .with_max_output_bytes(1000)
        .with_max_steps(10_000)
        .with_max_text_bytes(100_000)
        .with_max_depth(50);
    insta::assert_snapshot!(exec_errors(
        &[
            "{{ repeat 100000 \"x\" }}",
            "{{range 100000000}}{{end}}",
            "{{range 1000}}xxxxxxxxxxxxxxxxxxxxxxxx{{end}}",
            "{{ printf \"%999999d\" 1 }}",
            "{{ printf \"%9999999d\" 1 }}",
            "{{$x := list 1}}{{range 80}}{{$x = list $x}}{{end}}",
            "{{$x := list 1 2 3 4 5 6 7 8}}{{range 40}}{{$x = list $x $x}}{{end}}{{len (toString $x)}}",
            "{{$s := \"abcdefghij\"}}{{range 30}}{{$s = printf \"%s%s\" $s $s}}{{end}}",
            "{{ replace \"a\" \"bbbbbbbbbb\" (repeat 500 \"a\") }}",
            "{{ until 100000000 }}",
            "{{define \"a\"}}{{template \"a\" .}}{{end}}{{template \"a\"}}",
        ],
        &limits,
    ));
}

#[test]
fn error_kinds_are_matchable() {
    let e = Template::parse("m", "{{ nope }}").unwrap_err();
    assert_eq!(
        e.kind,
        ParseErrorKind::UndefinedFunction {
            name: "nope".into()
        }
    );
    assert_eq!((e.line, e.column), (1, 4));
    let t = Template::parse("m", "{{ index .Tags 7 }}").unwrap();
    let e = t.render(&data()).unwrap_err();
    assert!(matches!(*e.kind, ExecErrorKind::Function { ref function, .. } if function == "index"));
    assert_eq!(e.near, "index .Tags 7");
}

#[test]
fn deepest_allowed_nesting_runs_on_a_small_stack() {
    // Nested `if`s and parentheses up to the parser's limit of 50 levels, inside a template
    // that recurses until the execution depth limit: the most stack a template can use.
    // It must parse and fail cleanly on a 1 MiB thread, even in a debug build.
    for (ifs, parens) in [(49, 0), (25, 24), (0, 49)] {
        let expr = format!("{}1{}", "(".repeat(parens), ")".repeat(parens));
        let src = format!(
            "{{{{define \"r\"}}}}{}{{{{print {expr}}}}}{{{{template \"r\" .}}}}{}{{{{end}}}}{{{{template \"r\" .}}}}",
            "{{if true}}".repeat(ifs),
            "{{end}}".repeat(ifs),
        );
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let t = Template::parse("deep", src).unwrap();
                t.render(&data()).unwrap_err()
            })
            .unwrap();
        let err = handle.join().unwrap();
        assert!(
            matches!(*err.kind, ExecErrorKind::TooDeep { limit: 200 }),
            "{err}"
        );
    }
    // One level more is a parse error, not a crash.
    let src = format!("{}{}", "{{if true}}".repeat(51), "{{end}}".repeat(51));
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || Template::parse("deep", src).unwrap_err())
        .unwrap();
    let err = handle.join().unwrap();
    assert_eq!(err.kind, ParseErrorKind::TooDeeplyNested { limit: 50 });
}

#[test]
fn large_templates_stay_linear() {
    // 20,000 variables each read 10 times: scope checks must not scan every variable.
    let n = 20_000;
    let mut src = String::new();
    for i in 0..n {
        src.push_str(&format!("{{{{$v{i} := {i}}}}}"));
    }
    for i in 0..n {
        src.push_str(&format!("{{{{$v{}}}}}", i % 10));
    }
    let t = Template::parse("big", src).unwrap();
    let r = t.render(&data());
    assert!(
        r.is_ok()
            || matches!(
                *r.as_ref().unwrap_err().kind,
                ExecErrorKind::TooManySteps { .. }
            ),
        "{r:?}"
    );

    // A 20,000-entry dict read 20,000 times through field syntax, and built in one go.
    let mut src = String::from("{{$d := dict");
    for i in 0..n {
        src.push_str(&format!(" \"k{i}\" {i}"));
    }
    src.push_str("}}{{range 20000}}{{$d.k7}}{{end}}");
    let t = Template::parse("dict", src).unwrap();
    let out = t.render(&data()).unwrap();
    assert_eq!(out, "7".repeat(20_000));
}
