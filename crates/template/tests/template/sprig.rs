//! The Sprig functions, with outputs as Sprig (Masterminds/sprig v3) documents them.

use crate::{check_table, data};

#[test]
fn strings() {
    check_table(
        &[
            ("{{upper \"abc\"}} {{lower \"AbC\"}}", "ABC abc"),
            ("{{title \"hello wORLD-x_y\"}}", "Hello WORLD-X_y"),
            ("{{untitle \"Hello World\"}}", "hello world"),
            ("[{{trim \"  x \"}}]", "[x]"),
            ("{{trimAll \"$\" \"$5.00$\"}}", "5.00"),
            (
                "{{trimPrefix \"v\" \"v1.2\"}} {{trimSuffix \"-rc\" \"1.0-rc\"}}",
                "1.2 1.0",
            ),
            ("{{nospace \" a b \"}}", "ab"),
            ("{{replace \"-\" \"_\" \"a-b-c\"}}", "a_b_c"),
            (
                "{{contains \"ell\" \"hello\"}} {{hasPrefix \"he\" \"hello\"}} {{hasSuffix \"lo\" \"hello\"}}",
                "true true true",
            ),
            ("{{\"hello\" | contains \"xyz\"}}", "false"),
            (
                "{{quote \"a\" 1}} {{squote \"b\"}} {{quote \"say \\\"hi\\\"\"}}",
                "\"a\" \"1\" 'b' \"say \\\"hi\\\"\"",
            ),
            ("{{indent 2 \"a\\nb\"}}", "  a\n  b"),
            ("{{nindent 2 \"a\"}}", "\n  a"),
            (
                "{{toString 12}} {{toString .Tags}} {{toString .Name}}",
                "12 [1.0 1.1] app",
            ),
            (
                "{{trunc 3 \"abcdef\"}} {{trunc -2 \"abcdef\"}} {{trunc 10 \"ab\"}}",
                "abc ef ab",
            ),
            ("{{repeat 3 \"ab\"}}", "ababab"),
            ("{{substr 1 3 \"hello\"}}", "el"),
            ("{{abbrev 5 \"hello world\"}}", "he..."),
            ("{{cat \"a\" nil \"b\" 1}}", "a b 1"),
            (
                "{{plural \"one\" \"many\" 2}} {{plural \"one\" \"many\" 1}}",
                "many one",
            ),
            (
                "{{sha256sum \"abc\"}}",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            ("{{b64enc \"hi\"}} {{b64dec \"aGk=\"}}", "aGk= hi"),
            // From Sprig's own tests (Masterminds/sprig strings_test.go, MIT).
            (
                "{{\"fooo\" | substr 0 3 }} {{\"foo\" | substr 0 10 }}",
                "foo foo",
            ),
            (
                "{{ \"baaaaaar\" | trunc -3 }} {{ \"baaaaaar\" | trunc -999 }}|{{ \"baaaaaz\" | trunc 0 }}|",
                "aar baaaaaar||",
            ),
            (
                "{{quote 1 2 3 }} {{ .Nil | quote }}|{{ .Nil | cat \"a\" \"b\"}}",
                "\"1\" \"2\" \"3\" |a b",
            ),
            ("{{$v := \"foo$bar$baz\" | split \"$\"}}{{$v._0}}", "foo"),
            (
                "{{$v := \"foo$bar$baz\" | splitn \"$\" 2}}{{$v._0}} {{$v._1}}",
                "foo bar$baz",
            ),
            (
                "{{ list 1 .Nil 2 | toStrings }} {{\"I Am Henry VIII\" | replace \" \" \"-\"}}",
                "[1 2] I-Am-Henry-VIII",
            ),
            (
                "{{$num := len \"two\"}}{{$num}} {{$num | plural \"1 char\" \"chars\"}}",
                "3 chars",
            ),
            ("{{nindent 4 \"a\\nb\\nc\"}}", "\n    a\n    b\n    c"),
        ],
        &data(),
    );
}

#[test]
fn lists() {
    check_table(
        &[
            ("{{join \", \" .Tags}}", "1.0, 1.1"),
            ("{{join \"-\" (list 1 \"a\" nil 2.5)}}", "1-a-2.5"),
            ("{{join \",\" \"solo\"}}", "solo"),
            ("{{splitList \":\" \"a:b\"}}", "[a b]"),
            (
                "{{$p := split \":\" \"ns:name:tag\"}}{{$p._1}} {{$p._2}}",
                "name tag",
            ),
            ("{{list 1 \"a\"}} {{list}}", "[1 a] []"),
            ("{{sortAlpha (list \"b\" \"C\" \"a\")}}", "[C a b]"),
            ("{{uniq (list 1 1 \"a\" \"a\" 2)}}", "[1 a 2]"),
            ("{{first .Tags}} {{last .Tags}}", "1.0 1.1"),
            ("{{first .Empty}}", "<no value>"),
            (
                "{{append (list 1) 2}} {{prepend (list 1) 0}} {{rest (list 1 2 3)}} {{initial (list 1 2 3)}}",
                "[1 2] [0 1] [2 3] [1 2]",
            ),
            (
                "{{reverse (list 1 2)}} {{compact (list 0 1 \"\" \"a\")}}",
                "[2 1] [1 a]",
            ),
            ("{{has 2 (list 1 2)}} {{has 3 (list 1 2)}}", "true false"),
            ("{{without (list 1 2 3) 2}}", "[1 3]"),
            ("{{until 3}}", "[0 1 2]"),
            ("{{toStrings (list 1 2)}}", "[1 2]"),
            ("{{range (list \"x\" \"y\")}}{{.}}{{end}}", "xy"),
            // From Sprig's own tests (Masterminds/sprig list_test.go, MIT).
            (
                "{{$t := tuple 1 \"a\" \"foo\"}}{{index $t 2}}{{index $t 0 }}{{index $t 1}}",
                "foo1a",
            ),
            (
                "{{ list | rest }} {{ list | initial }} {{ list | reverse }} {{ list | uniq }}",
                "[] [] [] []",
            ),
            (
                "{{ list | first }}|{{ list \"foo\" 1 1 \"foo\" | uniq }}",
                "<no value>|[foo 1]",
            ),
            (
                "{{ without (list 1 1 1 1 2) 1 }} {{ without (list 1 2 3) }}",
                "[2] [1 2 3]",
            ),
            (
                "{{ list 1 2 3 | has 1 }} {{ has \"bar\" nil }}",
                "true false",
            ),
            (
                "{{ concat (list 1 2 3) (list 4 5) (list nil) }}",
                "[1 2 3 4 5 <nil>]",
            ),
            (
                "{{ slice (list 1 2 3) 1 3 }} {{ slice (list 1 2 3) 1 }} {{ slice (list) 0 }}",
                "[2 3] [2 3] <no value>",
            ),
            ("{{ list 2 1 4 3 | sortAlpha | join \"\" }}", "1234"),
        ],
        &data(),
    );
}

#[test]
fn dicts() {
    check_table(
        &[
            ("{{$d := dict \"k\" \"v\" \"n\" 1}}{{$d.k}}{{$d.n}}", "v1"),
            ("{{dict \"b\" 1 \"a\" 2}}", "map[a:2 b:1]"),
            ("{{keys (dict \"b\" 1 \"a\" 2) | sortAlpha}}", "[a b]"),
            ("{{values (dict \"a\" 1 \"b\" 2)}}", "[1 2]"),
            (
                "{{hasKey (dict \"a\" 1) \"a\"}} {{get (dict \"a\" 1) \"b\"}}|",
                "true |",
            ),
            ("{{index (dict \"a\" 1) \"a\"}}", "1"),
            ("{{dict \"odd\"}}", "map[odd:]"),
        ],
        &data(),
    );
}

#[test]
fn defaults_types_and_math() {
    check_table(
        &[
            (
                "{{default \"d\" .Missing}} {{default \"d\" .Name}} {{.S | default \"e\"}}",
                "d app e",
            ),
            (
                "{{empty .S}} {{empty .Name}} {{empty .Empty}} {{empty 0}}",
                "true false true true",
            ),
            ("{{coalesce \"\" .Missing \"c\"}}", "c"),
            (
                "{{ternary \"y\" \"n\" true}} {{ternary \"y\" \"n\" false}}",
                "y n",
            ),
            (
                "{{kindOf .Tags}} {{kindOf .M}} {{typeOf 1}} {{typeOf \"s\"}}",
                "slice map int string",
            ),
            (
                "{{add 1 2 3}} {{sub 5 2}} {{mul 2 3}} {{div 7 2}} {{mod 7 2}} {{max 1 5 3}} {{min 4 2}} {{add1 1}}",
                "6 3 6 3 1 5 2 2",
            ),
            (
                "{{int \"42\"}} {{atoi \"7\"}} {{add \"2\" 3}} {{add}}",
                "42 7 5 0",
            ),
            (
                "{{kindIs \"slice\" .Tags}} {{typeIs \"string\" .Name}} {{deepEqual (list 1) (list 1)}}",
                "true true true",
            ),
            (
                "{{all 1 \"a\" true}} {{all 1 \"\"}} {{any 0 \"\" .Nil}} {{any 0 \"x\"}}",
                "true false false true",
            ),
        ],
        &data(),
    );
}

#[test]
fn paths_regex_and_json() {
    check_table(
        &[
            (
                "{{base \"apps/web/deploy.yaml\"}} {{dir \"apps/web/deploy.yaml\"}} {{ext \"deploy.yaml\"}} {{clean \"a/./b/../c//\"}}",
                "deploy.yaml apps/web .yaml a/c",
            ),
            (
                "{{regexMatch \"^[0-9]+\\\\.[0-9]+$\" \"1.25\"}} {{regexMatch \"^v\" \"1.0\"}}",
                "true false",
            ),
            (
                "{{regexFind \"[0-9]+\" \"main-abc-42\"}}|{{regexFind \"x\" \"abc\"}}|",
                "42||",
            ),
            (
                "{{regexFindAll \"[0-9]\" \"a1b2c3\" -1}} {{regexFindAll \"[0-9]\" \"a1b2c3\" 2}}",
                "[1 2 3] [1 2]",
            ),
            (
                "{{regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\"}}",
                "-W-xxW-",
            ),
            (
                "{{regexReplaceAllLiteral \"a(x*)b\" \"-ab-axxb-\" \"${1}\"}}",
                "-${1}-${1}-",
            ),
            (
                "{{regexSplit \"z+\" \"pizza\" -1}} {{regexSplit \"z+\" \"pizza\" 1}}",
                "[pi a] [pizza]",
            ),
            ("{{regexQuoteMeta \"1.2+\"}}", "1\\.2\\+"),
            (
                "{{toJson .M}} {{toJson .Tags}} {{toJson \"<&>\"}} {{toRawJson \"<&>\"}}",
                "{\"a\":1,\"b\":2} [\"1.0\",\"1.1\"] \"\\u003c\\u0026\\u003e\" \"<&>\"",
            ),
            (
                "{{toPrettyJson (dict \"k\" (list 1 2))}}",
                "{\n  \"k\": [\n    1,\n    2\n  ]\n}",
            ),
        ],
        &data(),
    );
}
