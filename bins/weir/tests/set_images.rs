//! `weir set-images` end to end: exit codes, stdout/stderr, files written or not.

// Test helpers outside #[test] functions may panic on broken fixtures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

const SEED_SET: &str =
    "flux-system:front-end=registry.local:5000/sock-shop/front-end:main-9f8e7d6-57";

fn seed_input() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/setters/seed_overlay/input")
}

fn seed_expected() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/setters/seed_overlay/expected")
}

/// A temporary copy of the seed overlay fixture.
fn seed_tree() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&seed_input(), tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

const KUSTOMIZATION: &str = "overlays/prod/kustomization.yaml";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn weir(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(args)
        .env_remove("WEIR_LOG")
        .output()
        .expect("weir runs");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).expect("read")
}

#[test]
fn writes_changes_and_prints_a_text_report() {
    let tmp = seed_tree();
    let dir = tmp.path().to_str().expect("utf-8 path");
    let run = weir(&["set-images", dir, "--set", SEED_SET]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!("text_report", run.stdout);
    assert_eq!(
        read(tmp.path(), KUSTOMIZATION),
        read(&seed_expected(), KUSTOMIZATION)
    );

    // Second run: nothing to do.
    let again = weir(&["set-images", dir, "--set", SEED_SET]);
    assert_eq!(again.code, 0);
    assert!(
        again.stdout.ends_with(
            "2 markers in 3 files read: 0 changed, 2 unchanged, 0 files to write; 0 problems\n"
        ),
        "{}",
        again.stdout
    );
}

#[test]
fn dry_run_prints_a_unified_diff_and_writes_nothing() {
    let tmp = seed_tree();
    let dir = tmp.path().to_str().expect("utf-8 path");
    let run = weir(&["set-images", dir, "--set", SEED_SET, "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("dry_run", run.stdout);
    assert_eq!(
        read(tmp.path(), KUSTOMIZATION),
        read(&seed_input(), KUSTOMIZATION)
    );
}

#[test]
fn json_report_is_one_document() {
    let tmp = seed_tree();
    let dir = tmp.path().to_str().expect("utf-8 path");
    let run = weir(&[
        "set-images",
        dir,
        "--set",
        SEED_SET,
        "--dry-run",
        "--report",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["summary"]["changed"], 2);
    assert_eq!(v["summary"]["files_changed"], 1);
    let file = &v["files"][0];
    assert_eq!(file["path"], KUSTOMIZATION);
    assert_eq!(file["changes"][1]["field"], "tag");
    assert_eq!(file["changes"][1]["new"], "main-9f8e7d6-57");
    assert_eq!(file["changes"][1]["object"]["kind"], "Kustomization");
    assert!(
        file["diff"]
            .as_str()
            .expect("diff")
            .contains("+    newTag: main-9f8e7d6-57")
    );
}

#[test]
fn unusable_markers_are_listed_on_stderr() {
    let tmp = seed_tree();
    let dir = tmp.path().to_str().expect("utf-8 path");
    let run = weir(&[
        "set-images",
        dir,
        "--set",
        "flux-system:other=ghcr.io/x/y:1",
    ]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("problems_stderr", run.stderr);
    assert_eq!(
        read(tmp.path(), KUSTOMIZATION),
        read(&seed_input(), KUSTOMIZATION)
    );
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let tmp = seed_tree();
    let dir = tmp.path().to_str().expect("utf-8 path");
    let cases: &[(&str, &[&str])] = &[
        (
            "no_equals",
            &["--set", SEED_SET, "--set", "flux-system:front-end"],
        ),
        ("bad_policy", &["--set", "front-end=ghcr.io/x/y:1"]),
        (
            "no_tag",
            &["--set", "flux-system:front-end=registry.local:5000/x"],
        ),
        (
            "bad_digest",
            &["--set", "flux-system:front-end=ghcr.io/x/y:1@sha256:abc"],
        ),
    ];
    for (name, extra) in cases {
        let mut args = vec!["set-images", dir];
        args.extend_from_slice(extra);
        let run = weir(&args);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{name}");
        insta::assert_snapshot!(format!("bad_input_{name}"), run.stderr);
        assert_eq!(
            read(tmp.path(), KUSTOMIZATION),
            read(&seed_input(), KUSTOMIZATION),
            "{name}: nothing may be written"
        );
    }
}

#[test]
fn missing_tree_exits_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("nope");
    let run = weir(&[
        "set-images",
        missing.to_str().expect("utf-8 path"),
        "--set",
        SEED_SET,
    ]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(
        "missing_tree",
        run.stderr
            .replace(&tmp.path().display().to_string(), "[TMP]")
    );
}

#[test]
fn set_is_required() {
    let tmp = seed_tree();
    let run = weir(&["set-images", tmp.path().to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 2);
}

/// `flux-compat.md` §6.3: `NS:NAME:digest` receives the digest, or an empty
/// string when the policy's image has none (quoted so it stays a string).
#[test]
fn digest_marker_without_digest_gets_an_empty_string() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("values.yaml");
    std::fs::write(
        &file,
        "image:\n  repository: ghcr.io/acme/app # {\"$imagepolicy\": \"ns:app:name\"}\n  tag: 1.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n  digest: sha256:1111111111111111111111111111111111111111111111111111111111111111 # {\"$imagepolicy\": \"ns:app:digest\"}\n",
    )
    .expect("write");
    let dir = tmp.path().to_str().expect("utf-8 path");
    let run = weir(&["set-images", dir, "--set", "ns:app=ghcr.io/acme/app:2.0.0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "image:\n  repository: ghcr.io/acme/app # {\"$imagepolicy\": \"ns:app:name\"}\n  tag: 2.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n  digest: \"\" # {\"$imagepolicy\": \"ns:app:digest\"}\n"
    );
    // With a digest, the digest is written.
    let d = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";
    let set = format!("ns:app=ghcr.io/acme/app:2.0.0@{d}");
    let run = weir(&["set-images", dir, "--set", &set]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::read_to_string(&file)
            .expect("read")
            .contains(&format!("digest: \"{d}\" #"))
    );
}

/// `flux-compat.md` §6.3 (walk): a symlinked file inside the tree is
/// updated where it points and stays a link; a symlink out of the tree is
/// not followed (a warning), and the exit code stays 0.
#[cfg(unix)]
#[test]
fn symlinked_files_inside_the_tree_are_followed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    let marked = "tag: 1.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n";
    std::fs::write(tmp.path().join("target.txt"), marked).expect("write");
    std::fs::write(outside.path().join("secret.yaml"), marked).expect("write");
    std::os::unix::fs::symlink("target.txt", tmp.path().join("link.yaml")).expect("symlink");
    std::os::unix::fs::symlink(
        outside.path().join("secret.yaml"),
        tmp.path().join("out.yaml"),
    )
    .expect("symlink");
    let dir = tmp.path().to_str().expect("utf-8 path");
    let run = weir(&["set-images", dir, "--set", "ns:app=ghcr.io/acme/app:2.0.0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        read(tmp.path(), "target.txt"),
        "tag: 2.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n"
    );
    assert!(
        std::fs::symlink_metadata(tmp.path().join("link.yaml"))
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
    assert_eq!(read(outside.path(), "secret.yaml"), marked);
    assert_eq!(run.stderr, "warning: out.yaml: symlink not followed\n");
}
