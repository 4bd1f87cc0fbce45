//! One test over every `fixtures/setters/<case>/`: `setters.json` (policy →
//! image), `input/` (the tree) and `expected/` (the tree after writing).
//! The report (markers and problems) is an insta snapshot per case.

use std::path::Path;

use crate::{copy_tree, fixtures_root, read_tree, setters_from_json};

#[test]
fn fixture_cases() {
    let mut cases: Vec<_> = std::fs::read_dir(fixtures_root())
        .expect("fixtures/setters exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("setters.json").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "fixture cases missing: {cases:?}");
    for case in cases {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        insta::with_settings!({ snapshot_suffix => name.as_str(), input_file => case.join("setters.json") }, {
            run_case(&case);
        });
    }
}

fn run_case(case: &Path) {
    let setters = setters_from_json(
        &std::fs::read_to_string(case.join("setters.json")).expect("setters.json"),
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_tree(&case.join("input"), tmp.path());

    let report = setters.apply_to_tree(tmp.path()).expect("tree is readable");
    weir_setters::write(&report).expect("write succeeds");

    let got = read_tree(tmp.path());
    let want = read_tree(&case.join("expected"));
    let mut diffs = Vec::new();
    for path in got.keys().chain(want.keys()) {
        if got.get(path) != want.get(path) && !diffs.contains(path) {
            diffs.push(path.clone());
        }
    }
    for path in &diffs {
        eprintln!(
            "--- {}: expected\n{}\n--- got\n{}",
            path.display(),
            want.get(path)
                .map(|b| String::from_utf8_lossy(b))
                .unwrap_or_default(),
            got.get(path)
                .map(|b| String::from_utf8_lossy(b))
                .unwrap_or_default(),
        );
    }
    assert!(
        diffs.is_empty(),
        "{}: files differ: {diffs:?}",
        case.display()
    );

    // Running again changes nothing.
    let again = setters.apply_to_tree(tmp.path()).expect("tree is readable");
    assert_eq!(
        again.changed_files().count(),
        0,
        "{}: second run",
        case.display()
    );
    assert_eq!(again.summary().changed, 0);
    assert_eq!(again.summary().markers, report.summary().markers);

    let mut text = report.render_text();
    text.push_str("--- problems\n");
    text.push_str(&report.render_problems());
    insta::assert_snapshot!("report", text);
}
