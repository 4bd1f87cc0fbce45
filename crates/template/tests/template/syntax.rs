//! One row per construct of Go's text/template; expected outputs follow Go's semantics.

use crate::{check_table, data};

#[test]
fn text_fields_and_missing_keys() {
    check_table(
        &[
            ("plain text", "plain text"),
            ("", ""),
            ("{{.Name}}", "app"),
            ("{{ .Nested.Inner.X }}", "deep"),
            // A missing map key prints "<no value>", as does anything reached through it.
            ("{{.Missing}}", "<no value>"),
            ("{{.Nested.Missing.X}}", "<no value>"),
            // A nil inside an interface is dug out to "no value" too.
            ("{{.Nil}}", "<no value>"),
            ("{{(.Nested).Inner.X}}", "deep"),
            ("{{.M}}", "map[a:1 b:2]"),
            ("{{.Tags}}", "[1.0 1.1]"),
            ("{{.Nested.Inner}}", "map[X:deep]"),
            ("{{.T}} {{.N}}", "true 3"),
            ("{{$.Name}}", "app"),
            ("{{ print\n  .Name }}", "app"),
        ],
        &data(),
    );
}

#[test]
fn trim_markers_and_comments() {
    check_table(
        &[
            ("a  {{- .Name -}}  b", "aappb"),
            ("a \n\t{{- .Name}}", "aapp"),
            ("{{.Name -}} \n\n b", "appb"),
            // The dash must touch the delimiter and be followed (or preceded) by a space.
            ("x {{-3}}", "x -3"),
            ("x {{3 -}} y", "x 3y"),
            ("a {{/* a comment */}} b", "a  b"),
            ("a {{- /* trimmed */ -}} b", "ab"),
            ("{{/* multi\nline */}}x", "x"),
            ("{{range .Tags -}}\n  {{.}}\n{{- end}}", "1.01.1"),
        ],
        &data(),
    );
}

#[test]
fn literals() {
    check_table(
        &[
            ("{{'a'}} {{'\\n'}}", "97 10"),
            (
                "{{1.5}} {{1e3}} {{0x10}} {{-2}} {{017}} {{1_000}}",
                "1.5 1000 16 -2 15 1000",
            ),
            ("{{true}} {{false}}", "true false"),
            ("{{`raw\\n`}}", "raw\\n"),
            ("{{\"esc\\t\\\"q\\\"\"}}", "esc\t\"q\""),
            ("{{\"\\u00e9\\x41\"}}", "éA"),
            ("{{print nil}}", "<nil>"),
        ],
        &data(),
    );
}

#[test]
fn pipelines_and_parentheses() {
    check_table(
        &[
            ("{{.Name | printf \"%s-x\"}}", "app-x"),
            ("{{\"a\" | printf \"%s%s\" \"b\"}}", "ba"),
            ("{{len .Tags | printf \"%d items\"}}", "2 items"),
            ("{{(len .Tags)}}", "2"),
            ("{{printf \"%d\" (len (index .Tags 0))}}", "3"),
            ("{{.T | not}}", "false"),
            ("{{if and .T (eq .N 3)}}ok{{end}}", "ok"),
            ("{{.Missing | print}}", "<nil>"),
        ],
        &data(),
    );
}

#[test]
fn variables() {
    check_table(
        &[
            ("{{$x := .Name}}{{$x}}", "app"),
            ("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"),
            ("{{$x := 1}}{{range .Tags}}{{$x = .}}{{end}}{{$x}}", "1.1"),
            ("{{with $x := .Name}}{{$x}}{{end}}", "app"),
            ("{{if $n := len .Tags}}{{$n}}{{end}}", "2"),
            ("{{range .Tags}}{{$.Name}}{{end}}", "appapp"),
            ("{{ $n := len .Tags }}{{ if gt $n 1 }}many{{ end }}", "many"),
            // A declaration inside a block ends with the block.
            ("{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", "21"),
            ("{{$m := .M}}{{$m.a}}", "1"),
        ],
        &data(),
    );
}

#[test]
fn range() {
    check_table(
        &[
            ("{{range .Tags}}[{{.}}]{{end}}", "[1.0][1.1]"),
            (
                "{{range $i, $t := .Tags}}{{$i}}={{$t}} {{end}}",
                "0=1.0 1=1.1 ",
            ),
            ("{{range $t := .Tags}}{{$t}},{{end}}", "1.0,1.1,"),
            ("{{range .Empty}}x{{else}}none{{end}}", "none"),
            ("{{range .Missing}}x{{else}}none{{end}}", "none"),
            ("{{range .Nil}}x{{else}}none{{end}}", "none"),
            // Maps are visited in sorted key order.
            ("{{range $k, $v := .M}}{{$k}}={{$v}};{{end}}", "a=1;b=2;"),
            ("{{range .M}}{{.}}{{end}}", "12"),
            ("{{range 3}}{{.}}{{end}}", "012"),
            ("{{range $i := 3}}{{$i}}{{end}}", "012"),
            ("{{range 0}}x{{else}}zero{{end}}", "zero"),
            (
                "{{range $i, $e := .Tags}}{{if $i}}, {{end}}{{$e}}{{end}}",
                "1.0, 1.1",
            ),
            (
                "{{range .Tags}}{{if eq . \"1.1\"}}{{break}}{{end}}{{.}}{{end}}",
                "1.0",
            ),
            (
                "{{range .Tags}}{{if eq . \"1.0\"}}{{continue}}{{end}}{{.}}{{end}}",
                "1.1",
            ),
            (
                "{{range $a := .Tags}}{{range $.Tags}}{{if eq . $a}}{{break}}{{end}}-{{end}}{{$a}}{{end}}",
                "1.0-1.1",
            ),
            (
                "{{$i := 9}}{{$v := 9}}{{range $i, $v = .Tags}}{{end}}{{$i}} {{$v}}",
                "1 1.1",
            ),
        ],
        &data(),
    );
}

#[test]
fn if_and_with() {
    check_table(
        &[
            ("{{if .T}}yes{{end}}", "yes"),
            ("{{if .F}}yes{{else}}no{{end}}", "no"),
            ("{{if .Z}}a{{else if .N}}b{{else}}c{{end}}", "b"),
            ("{{if .S}}a{{else if .Z}}b{{else}}c{{end}}", "c"),
            ("{{if .Empty}}a{{else}}b{{end}}", "b"),
            ("{{if .M}}a{{end}}", "a"),
            ("{{if .Missing}}a{{else}}b{{end}}", "b"),
            ("{{with .Name}}[{{.}}]{{end}}", "[app]"),
            ("{{with .S}}x{{else}}empty{{end}}", "empty"),
            ("{{with .S}}x{{else with .Name}}{{.}}{{end}}", "app"),
            ("{{with .S}}x{{else with .Z}}z{{else}}none{{end}}", "none"),
            (
                "{{with .Nested}}{{with .Inner}}{{.X}}{{end}}{{end}}",
                "deep",
            ),
        ],
        &data(),
    );
}

#[test]
fn builtins() {
    check_table(
        &[
            (
                "{{not .T}} {{and 1 0}} {{or 0 \"\" \"x\"}} {{and 1 2}}",
                "false 0 x 2",
            ),
            ("{{or .Missing \"d\"}}", "d"),
            // `and` stops at the first false argument: the bad index never runs.
            ("{{and .F (index .Tags 9)}}", "false"),
            ("{{or .T (index .Tags 9)}}", "true"),
            (
                "{{eq .N 3}} {{ne .Name \"x\"}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2.5}}",
                "true true true true true false",
            ),
            ("{{eq .Name \"x\" \"app\"}}", "true"),
            ("{{eq .Missing \"x\"}}", "false"),
            ("{{len .Tags}} {{len .M}} {{len \"héllo\"}}", "2 2 6"),
            (
                "{{index .Tags 1}} {{index .M \"a\"}} {{index \"abc\" 1}}",
                "1.1 1 98",
            ),
            ("{{index .M \"zz\"}}", "<no value>"),
            // Flux's `slice` is Sprig's: lists only (see the sprig tests).
            (
                "{{slice .Tags 1}} {{slice .Tags 0 1}} {{slice .Tags}}",
                "[1.1] [1.0] [1.0 1.1]",
            ),
            ("{{print \"a\" 1 2 \"b\"}}", "a1 2b"),
            ("{{println \"a\" 1}}", "a 1\n"),
            ("{{print .Missing}}", "<nil>"),
            (
                "{{printf \"%v|%T\" .Tags .Tags}}",
                "[1.0 1.1]|[]interface {}",
            ),
            (
                "{{printf \"%5.1f|%-4d|%q|%x\" 2.25 7 \"x\" 255}}",
                "  2.2|7   |\"x\"|ff",
            ),
            ("{{printf \"%s and %d\" \"a\"}}", "a and %!d(MISSING)"),
            (
                "{{html \"<a href='x'>&</a>\"}}",
                "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;",
            ),
            ("{{js \"it's <b>\"}}", "it\\'s \\u003Cb\\u003E"),
            ("{{urlquery \"a b&c=d/é\"}}", "a+b%26c%3Dd%2F%C3%A9"),
            ("{{html .Missing}}", "&lt;no value&gt;"),
        ],
        &data(),
    );
}

#[test]
fn named_templates() {
    check_table(
        &[
            (
                "{{define \"t\"}}[{{.}}]{{end}}{{template \"t\" .Name}}",
                "[app]",
            ),
            ("{{block \"b\" .N}}<{{.}}>{{end}}", "<3>"),
            (
                "{{template \"t\"}}{{define \"t\"}}x{{.}}{{end}}",
                "x<no value>",
            ),
            (
                "{{define \"item\"}}- {{.}}\n{{end}}{{range .Tags}}{{template \"item\" .}}{{end}}",
                "- 1.0\n- 1.1\n",
            ),
            // `$` inside a named template is that template's data.
            ("{{define \"d\"}}{{$}}{{end}}{{template \"d\" 5}}", "5"),
            (
                "{{define \"count\"}}{{if gt . 0}}{{.}}{{template \"count\" (sub . 1)}}{{end}}{{end}}{{template \"count\" 3}}",
                "321",
            ),
        ],
        &data(),
    );
}
