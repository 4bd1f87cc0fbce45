//! `weir build`: byte-identical output on corpus cases, exit 2 with the
//! file named on invalid input, `--load-restrictor none` with `--root`.

#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/kustomize")
        .join(case)
}

fn weir(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_weir"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("weir runs")
}

#[test]
fn renders_corpus_overlays_byte_identical() {
    for (case, root) in [
        ("sockshop_dev_overlay", "input"),
        ("fleet_dev", "input/clusters/dev"),
        ("buildmetadata_origin_annotations", "input/app"),
    ] {
        let dir = corpus(case);
        let root = match std::fs::read_to_string(dir.join("root")) {
            Ok(r) => format!("input/{}", r.trim()),
            Err(_) => root.to_string(),
        };
        let out = weir(&dir, &["build", &root]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{case}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected = std::fs::read(dir.join("expected.yaml")).expect("expected.yaml");
        assert!(
            out.stdout == expected,
            "{case}: output differs from kubectl kustomize"
        );
    }
}

#[test]
fn invalid_input_exits_2_naming_the_file() {
    let dir = corpus("err_unknown_field");
    let out = weir(&dir, &["build", "input"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("input/kustomization.yaml") && err.contains("namePrefixx"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let dir = corpus("err_path_traversal_outside_root");
    let out = weir(&dir, &["build", "input/app"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("security"));
}

#[test]
fn load_restrictor_none_is_confined_to_root() {
    let dir = corpus("err_path_traversal_outside_root");
    // Allowed with no restrictor inside the repository root…
    let out = weir(
        &dir,
        &[
            "build",
            "input/app",
            "--load-restrictor",
            "none",
            "--root",
            "input",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // …but not when the root excludes the file.
    let out = weir(
        &dir,
        &[
            "build",
            "input/app",
            "--load-restrictor",
            "none",
            "--root",
            "input/app",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside the root"));
}
