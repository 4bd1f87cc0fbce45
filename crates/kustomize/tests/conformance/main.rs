//! Runs every case of `fixtures/kustomize` (the kustomize v5.5.0 conformance
//! corpus) and of `fixtures/kustomize-extra` (Weir's own cases, expected
//! outputs from the same kubectl): success cases must render byte-identical
//! to `expected.yaml`, error cases must fail. Cases whose features are not implemented yet are
//! listed in `KNOWN_GAPS` with the reason; the test fails when a case outside
//! the list fails *or* a listed case passes, so the list stays honest.

use std::path::{Path, PathBuf};

use weir_kustomize::{Options, build, fs::DiskFs};

mod gaps;

fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

/// What happened to one case.
enum Outcome {
    Pass,
    Fail(String),
}

fn run_case(dir: &Path) -> Outcome {
    let root = std::fs::read_to_string(dir.join("root"))
        .map(|s| s.lines().next().unwrap_or(".").trim().to_string())
        .unwrap_or_else(|_| ".".to_string());
    let input = dir.join("input");
    let target = input.join(&root);
    let fs = match DiskFs::new(&input) {
        Ok(fs) => fs,
        Err(e) => return Outcome::Fail(format!("cannot open input: {e}")),
    };
    let expected = std::fs::read_to_string(dir.join("expected.yaml")).ok();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        build(&fs, &target, &Options::default()).map(|o| o.to_yaml())
    }));
    match (result, expected) {
        (Err(_), _) => Outcome::Fail("PANIC".into()),
        (Ok(Ok(out)), Some(exp)) => {
            if out == exp {
                Outcome::Pass
            } else {
                Outcome::Fail(first_diff(&exp, &out))
            }
        }
        (Ok(Err(e)), Some(_)) => Outcome::Fail(format!("error: {}", chain(&e))),
        (Ok(Ok(_)), None) => Outcome::Fail("expected an error, build succeeded".into()),
        (Ok(Err(_)), None) => Outcome::Pass,
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn first_diff(exp: &str, out: &str) -> String {
    for (i, (a, b)) in exp.lines().zip(out.lines()).enumerate() {
        if a != b {
            return format!("line {}: expected {a:?}, got {b:?}", i + 1);
        }
    }
    format!(
        "length differs: expected {} lines, got {}",
        exp.lines().count(),
        out.lines().count()
    )
}

#[test]
fn conformance_corpus() {
    run_corpus("kustomize", 200, gaps::KNOWN_GAPS);
}

#[test]
fn conformance_extra() {
    run_corpus("kustomize-extra", 100, gaps::EXTRA_KNOWN_GAPS);
}

/// Runs every case under `fixtures/<name>`, which must hold at least
/// `min_cases`; `gaps` are the cases expected to fail.
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
fn run_corpus(name: &str, min_cases: usize, gaps: &[(&str, &str)]) {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures(name))
        .expect("fixtures folder exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("input").is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= min_cases,
        "{name} looks incomplete: {} cases",
        cases.len()
    );

    let mut passed = 0;
    let mut unexpected_failures = Vec::new();
    let mut unexpected_passes = Vec::new();
    let mut known = 0;
    for case in &cases {
        let case_name = case.file_name().unwrap().to_string_lossy().to_string();
        let gap = gaps.iter().find(|(n, _)| *n == case_name);
        match (run_case(case), gap) {
            (Outcome::Pass, None) => passed += 1,
            (Outcome::Pass, Some(_)) => {
                passed += 1;
                unexpected_passes.push(case_name);
            }
            (Outcome::Fail(_), Some(_)) => known += 1,
            (Outcome::Fail(why), None) => unexpected_failures.push(format!("{case_name}: {why}")),
        }
    }
    for (n, _) in gaps {
        assert!(
            cases
                .iter()
                .any(|c| c.file_name().unwrap().to_string_lossy() == *n),
            "known gaps list {n}, which is not in fixtures/{name}"
        );
    }
    println!(
        "conformance {name}: {passed}/{} passed, {known} known gaps, {} unexpected failures, {} unexpected passes",
        cases.len(),
        unexpected_failures.len(),
        unexpected_passes.len()
    );
    for f in &unexpected_failures {
        println!("  FAIL {f}");
    }
    for p in &unexpected_passes {
        println!("  NOW PASSES (remove from KNOWN_GAPS) {p}");
    }
    assert!(
        unexpected_failures.is_empty() && unexpected_passes.is_empty(),
        "{} unexpected failures, {} unexpected passes (see output above)",
        unexpected_failures.len(),
        unexpected_passes.len()
    );
}
