//! Baseline test against Go itself: `tests/go-oracle/<name>.expected.json` holds what Go's
//! text/template printed (or whether it failed to parse or execute) for each template in
//! `tests/go-oracle/<name>.json`: `cases` (hand-picked: every construct, `fmt` verbs over
//! many floats, ints and strings, error cases) and `random-cases` (1,000 templates from
//! `gen_random_cases.py`). `regenerate.sh` there rebuilds the expectations with Go.
//! Outputs must match byte for byte; for failures the phase (parse or execute) must match,
//! while the wording of messages is ours.

use std::path::PathBuf;

use weir_template::{Template, Value};

/// Words that make a case differ from Go's stdlib on purpose, with the reason.
const DELIBERATE: &[(&str, &str)] = &[(
    "slice",
    "Flux's function map takes `slice` from Sprig (lists only, indexes converted like `int`), \
     which replaces Go's builtin",
)];

fn load(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/go-oracle")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn matches_go_on_hand_picked_cases() {
    check("cases");
}

#[test]
fn matches_go_on_random_templates() {
    check("random-cases");
}

fn check(name: &str) {
    let input = load(&format!("{name}.json"));
    let expected = load(&format!("{name}.expected.json"));
    let data = Value::from(input["data"].clone());
    let cases = input["cases"].as_array().unwrap();
    let expected = expected.as_array().unwrap();
    assert_eq!(cases.len(), expected.len(), "regenerate expected.json");
    let mut failures = Vec::new();
    for (case, want) in cases.iter().zip(expected) {
        let src = case.as_str().unwrap();
        if DELIBERATE.iter().any(|(word, _)| src.contains(word)) {
            continue;
        }
        let (phase, out, err) = match Template::parse("t", src) {
            Err(e) => ("parse", String::new(), e.to_string()),
            Ok(t) => match t.render(&data) {
                Ok(s) => ("ok", s, String::new()),
                Err(e) => ("exec", String::new(), e.to_string()),
            },
        };
        let want_phase = want["phase"].as_str().unwrap();
        let want_out = want["out"].as_str().unwrap();
        if phase != want_phase || (phase == "ok" && out != want_out) {
            failures.push(format!(
                "{src:?}\n   go:   {want_phase} {want_out:?} {}\n   weir: {phase} {out:?} {err}",
                want["err"].as_str().unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Go:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
