//! Every `expected.yaml` of the kustomize conformance corpus is
//! `kubectl kustomize` output, so parsing it and emitting it again must
//! give the same bytes.

use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/kustomize")
}

#[test]
fn corpus_round_trip_is_byte_identical() {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(corpus_dir()).expect("fixtures/kustomize exists") {
        let path = entry.expect("dir entry").path().join("expected.yaml");
        if path.is_file() {
            cases.push(path);
        }
    }
    cases.sort();
    assert!(
        cases.len() > 150,
        "corpus has {} success cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for path in &cases {
        let name = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let src = std::fs::read_to_string(path).expect("readable");
        match weir_yaml::parse_documents(&src) {
            Err(e) => failures.push(format!("{name}: parse error: {e}")),
            Ok(docs) => {
                let out = weir_yaml::emit_documents(&docs);
                if out != src {
                    let diff = similar::TextDiff::from_lines(&src, &out)
                        .unified_diff()
                        .context_radius(1)
                        .to_string();
                    failures.push(format!("{name}:\n{diff}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases do not round-trip:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
