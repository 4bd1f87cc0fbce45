//! `weir build` refuses hostile input cleanly: exit 2, a message naming the
//! file, no crash, no stack overflow, no runaway memory, and quickly.
//!
//! Inputs are generated in a temporary directory at test time. The time
//! bound is deliberately loose (a few seconds for work that takes
//! milliseconds) so that a loaded machine cannot make it flaky; it only
//! catches a hang or exponential work. Peak memory of the billion-laughs case
//! was measured by hand (see benches/README.md), not here.

// Test helpers outside #[test] functions may panic on broken fixtures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Far above what any of these cases needs; only a hang or blow-up exceeds it.
const LOOSE_BOUND: Duration = Duration::from_secs(5);

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
    elapsed: Duration,
}

fn weir_build(dir: &Path, extra: &[&str]) -> Run {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_weir"))
        .arg("build")
        .arg(dir)
        .args(extra)
        .env_remove("WEIR_LOG")
        .output()
        .expect("weir runs");
    Run {
        code: out.status.code().expect("exit code, not a signal"),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

/// A tree whose kustomization lists one resource, `bad.yaml`, with `content`.
fn tree_with_resource(content: &[u8]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("kustomization.yaml"),
        "resources:\n- bad.yaml\n",
    )
    .expect("write kustomization");
    std::fs::write(tmp.path().join("bad.yaml"), content).expect("write resource");
    tmp
}

/// Asserts a clean refusal: exit 2, nothing on stdout, a one-message stderr
/// naming `file`, within the loose bound. Returns the message with the
/// temporary directory replaced by `[TMP]`, for a snapshot.
fn assert_refused(run: &Run, file: &str, tmp: &tempfile::TempDir) -> String {
    assert_eq!(run.code, 2, "exit code; stderr: {}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing rendered");
    assert!(
        run.stderr.contains(file),
        "stderr names {file}: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "no panic: {}", run.stderr);
    assert!(
        run.stderr.len() < 4096,
        "a message, not a dump of the input: {} bytes",
        run.stderr.len()
    );
    assert!(
        run.elapsed < LOOSE_BOUND,
        "refused quickly, took {:?}",
        run.elapsed
    );
    run.stderr
        .replace(&tmp.path().display().to_string(), "[TMP]")
        .trim_end()
        .to_owned()
}

/// The classic "billion laughs": 9 levels of 9 aliases, 10^9 nodes expanded.
fn billion_laughs() -> String {
    let mut s = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\n");
    s.push_str("data:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let (prev, this) = (pair[0], pair[1]);
        let refs = vec![format!("*{prev}"); 9].join(",");
        s.push_str(&format!("  {this}: &{this} [{refs}]\n"));
    }
    s.push_str("  all: [*i,*i,*i,*i,*i,*i,*i,*i,*i]\n");
    s
}

#[test]
fn billion_laughs_in_a_resource_is_refused() {
    let tmp = tree_with_resource(billion_laughs().as_bytes());
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "bad.yaml", &tmp);
    insta::assert_snapshot!(msg);
    assert!(run.stderr.contains("alias"), "says why: {}", run.stderr);
}

#[test]
fn billion_laughs_in_the_kustomization_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let k = billion_laughs().replace("data:", "commonAnnotations:");
    std::fs::write(tmp.path().join("kustomization.yaml"), k).expect("write");
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "kustomization.yaml", &tmp);
    insta::assert_snapshot!(msg);
}

#[test]
fn deeply_nested_flow_sequences_are_refused() {
    let tmp = tree_with_resource("[".repeat(100_000).as_bytes());
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "bad.yaml", &tmp);
    insta::assert_snapshot!(msg);
}

#[test]
fn deeply_nested_flow_sequences_balanced_are_refused() {
    let doc = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let tmp = tree_with_resource(doc.as_bytes());
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "bad.yaml", &tmp);
    insta::assert_snapshot!(msg);
}

#[test]
fn deeply_nested_flow_mappings_are_refused() {
    let tmp = tree_with_resource("{a: ".repeat(100_000).as_bytes());
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "bad.yaml", &tmp);
    insta::assert_snapshot!(msg);
}

#[test]
fn deeply_nested_block_sequences_are_refused() {
    let doc = format!("{}x\n", "- ".repeat(100_000));
    let tmp = tree_with_resource(doc.as_bytes());
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "bad.yaml", &tmp);
    insta::assert_snapshot!(msg);
}

#[test]
fn deeply_nested_kustomization_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let k = format!("resources: {}\n", "[".repeat(100_000));
    std::fs::write(tmp.path().join("kustomization.yaml"), k).expect("write");
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "kustomization.yaml", &tmp);
    insta::assert_snapshot!(msg);
}

fn config_map(padding: usize) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: \"{}\"\n",
        "x".repeat(padding)
    )
}

#[test]
fn a_resource_over_the_size_limit_is_refused() {
    let tmp = tree_with_resource(config_map(5_000).as_bytes());
    let run = weir_build(tmp.path(), &["--max-file-size", "4096"]);
    let msg = assert_refused(&run, "bad.yaml", &tmp);
    insta::assert_snapshot!(msg);
    assert!(
        run.stderr.contains("4096"),
        "names the limit: {}",
        run.stderr
    );
}

#[test]
fn a_kustomization_over_the_size_limit_is_refused() {
    let tmp = tree_with_resource(config_map(10).as_bytes());
    let padded = format!("{}resources:\n- bad.yaml\n", "# pad\n".repeat(1_000));
    std::fs::write(tmp.path().join("kustomization.yaml"), padded).expect("write");
    let run = weir_build(tmp.path(), &["--max-file-size", "4096"]);
    let msg = assert_refused(&run, "kustomization.yaml", &tmp);
    insta::assert_snapshot!(msg);
}

#[test]
fn files_within_the_size_limit_build() {
    let tmp = tree_with_resource(config_map(1_000).as_bytes());
    let run = weir_build(tmp.path(), &["--max-file-size", "4096"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(String::from_utf8_lossy(&run.stdout).contains("name: big"));
}

#[test]
fn the_default_size_limit_allows_ordinary_files() {
    let tmp = tree_with_resource(config_map(100_000).as_bytes());
    let run = weir_build(tmp.path(), &[]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
}

#[test]
fn a_bad_size_limit_is_a_usage_error() {
    let tmp = tree_with_resource(config_map(10).as_bytes());
    let run = weir_build(tmp.path(), &["--max-file-size", "lots"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("max-file-size"), "{}", run.stderr);
}

#[test]
fn a_binary_resource_not_utf8_is_refused() {
    // The start of a PNG file: not UTF-8, with NUL bytes.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    png.extend(std::iter::repeat_n(0xffu8, 64));
    let tmp = tree_with_resource(&png);
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "bad.yaml", &tmp);
    insta::assert_snapshot!(msg);
}

#[test]
fn a_binary_resource_error_names_the_file_once() {
    let tmp = tree_with_resource(b"\xff\xfe\0b\0i\0n");
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "bad.yaml", &tmp);
    assert_eq!(msg.matches("bad.yaml").count(), 1, "{msg}");
    assert!(msg.contains("not UTF-8"), "{msg}");
}

#[test]
fn a_missing_generator_file_is_named_once_with_its_reason() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("kustomization.yaml"),
        "configMapGenerator:\n- name: a\n  files:\n  - missing.txt\n",
    )
    .expect("write");
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "missing.txt", &tmp);
    assert_eq!(
        msg,
        "error: [TMP]/kustomization.yaml: configMapGenerator: generator: reading missing.txt: \
         [TMP]/missing.txt: no such file or directory"
    );
}

#[test]
fn a_resource_with_nul_bytes_is_refused() {
    // Valid UTF-8, but NUL is not allowed anywhere in a YAML stream.
    let doc = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\0\0\0\ndata: {}\n";
    let tmp = tree_with_resource(doc);
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "bad.yaml", &tmp);
    insta::assert_snapshot!(msg);
}

#[test]
fn a_binary_kustomization_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("kustomization.yaml"), b"\xff\xfe\0r\0e\0s").expect("write");
    let run = weir_build(tmp.path(), &[]);
    let msg = assert_refused(&run, "kustomization.yaml", &tmp);
    insta::assert_snapshot!(msg);
}
