//! `weir tags` end to end: exit codes, stdout, `--explain` on stderr, and
//! snapshots of the explanation and of every error message.
//!
//! Commands run with the workspace root as working directory so that fixture
//! paths in messages are stable (`fixtures/...`).

// Test helpers outside #[test] functions: a failed expectation is a test failure.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn weir_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_weir"))
        .current_dir(dir)
        .env_remove("WEIR_LOG")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn weir");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        // weir may exit before reading (bad flags): a closed pipe is fine.
        if let Err(e) = pipe.write_all(input.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    let out = child.wait_with_output().expect("wait for weir");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn weir(args: &[&str]) -> Output {
    weir_in(&root(), args, None)
}

fn weir_stdin(args: &[&str], stdin: &str) -> Output {
    weir_in(&root(), args, Some(stdin))
}

const SEED_POLICY: &str = "fixtures/seed/flux-repo/image-policy.yaml";
const SEED_TAGS: &str = "fixtures/seed/tags.txt";
const RELEASES: &str = "fixtures/imagepolicy/release-tags.txt";

/// Asserts success with exactly `tag` on stdout and nothing on stderr.
fn assert_selects(out: &Output, tag: &str) {
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert_eq!(out.stdout, format!("{tag}\n"));
    assert_eq!(out.stderr, "");
}

#[test]
fn readme_command_selects_the_newest_build() {
    let out = weir(&["tags", "--policy", SEED_POLICY, "--tags-file", SEED_TAGS]);
    assert_selects(&out, "main-1f49071-24");
}

#[test]
fn explain_goes_to_stderr_and_stdout_stays_the_tag() {
    let out = weir(&[
        "tags",
        "--policy",
        SEED_POLICY,
        "--tags-file",
        SEED_TAGS,
        "--explain",
    ]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "main-1f49071-24\n");
    insta::assert_snapshot!("explain_seed", out.stderr);
}

#[test]
fn explain_semver_with_rejections() {
    let out = weir(&[
        "tags",
        "--semver",
        ">=1.0.0 <2.0.0",
        "--tags-file",
        RELEASES,
        "--explain",
    ]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "v1.2.1\n");
    insta::assert_snapshot!("explain_semver", out.stderr);
}

#[test]
fn explain_numerical_failure() {
    let out = weir_stdin(
        &[
            "tags",
            "--numerical",
            "asc",
            "--pattern=-(?P<n>[^-]+)$",
            "--extract",
            "$n",
            "--explain",
        ],
        "main-a-1\nmain-b-2\nmain-c-2.sig\nmain-d-02\nlatest\n",
    );
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    insta::assert_snapshot!("explain_numerical_failure", out.stderr);
}

#[test]
fn tags_from_stdin_with_crlf_and_blank_lines() {
    let out = weir_stdin(
        &["tags", "--policy", SEED_POLICY],
        "main-aaaaaaa-3\r\n\r\n\nlatest\r\nmain-bbbbbbb-12\r\n   \nmain-ccccccc-9\n",
    );
    assert_selects(&out, "main-bbbbbbb-12");
}

#[test]
fn flags_override_the_policy_file() {
    let base = ["tags", "--policy", SEED_POLICY, "--tags-file", SEED_TAGS];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        weir(&args)
    };
    assert_selects(&with(&["--numerical", "desc"]), "main-d480788-1");
    // A new pattern keeps the file's extract.
    assert_selects(
        &with(&[
            "--pattern",
            "^(?:main|develop)-[a-f0-9]+-(?P<buildnumber>[0-9]+)$",
        ]),
        "develop-66cfae4-35",
    );
    // A new policy kind replaces the file's; the file's filter still applies.
    assert_selects(&with(&["--alphabetical", "asc"]), "main-877248a-9");
    assert_selects(
        &with(&["--pattern", "^v", "--extract", "", "--semver", ">=1.0"]),
        "v1.4.0",
    );
    // A new extract keeps the file's pattern.
    assert_selects(&with(&["--extract", "1${buildnumber}"]), "main-1f49071-24");
}

#[test]
fn flags_alone_define_a_policy() {
    assert_selects(
        &weir(&["tags", "--semver", "*", "--tags-file", RELEASES]),
        "2.0.0",
    );
    assert_selects(
        &weir(&["tags", "--semver", ">=1.0.0-0 <2", "--tags-file", RELEASES]),
        "1.3.0-beta.2",
    );
    assert_selects(
        &weir(&[
            "tags",
            "--pattern",
            "^(?P<ts>[0-9]{14})-",
            "--extract",
            "$ts",
            "--alphabetical",
            "ASC",
            "--tags-file",
            RELEASES,
        ]),
        "20240315083000-f00",
    );
}

#[test]
fn manifest_versions() {
    for (policy, expected) in [
        ("fixtures/imagepolicy/v1-semver.yaml", "v1.2.1"),
        (
            "fixtures/imagepolicy/v1beta2-alphabetical.yaml",
            "20240315083000-f00",
        ),
        ("fixtures/imagepolicy/v1-both-policies.yaml", "v1.2.1"),
        ("fixtures/imagepolicy/multi-doc.yaml", "1.3.0-beta.2"),
    ] {
        let out = weir(&["tags", "--policy", policy, "--tags-file", RELEASES]);
        assert_selects(&out, expected);
    }
}

/// Runs a failing command and returns its stderr after checking the exit code
/// and that stdout is empty.
fn failure(code: i32, args: &[&str], stdin: Option<&str>) -> String {
    let out = weir_in(&root(), args, stdin);
    assert_eq!(out.code, code, "args {args:?}, stderr: {}", out.stderr);
    assert_eq!(out.stdout, "", "args {args:?}");
    out.stderr
}

#[test]
fn no_selectable_tag_exits_1() {
    let cases: [(&str, &[&str], Option<&str>); 4] = [
        (
            "err_no_tag_passed_filter",
            &["tags", "--policy", SEED_POLICY, "--tags-file", RELEASES],
            None,
        ),
        (
            "err_no_semver_match",
            &["tags", "--semver", "^3", "--tags-file", RELEASES],
            None,
        ),
        (
            "err_numerical_parse",
            &["tags", "--numerical", "asc", "--tags-file", RELEASES],
            None,
        ),
        (
            "err_no_tags",
            &["tags", "--policy", SEED_POLICY],
            Some("\n\r\n"),
        ),
    ];
    for (name, args, stdin) in cases {
        insta::assert_snapshot!(name, failure(1, args, stdin));
    }
}

#[test]
fn bad_input_exits_2_naming_the_value() {
    let cases: [(&str, &[&str]); 13] = [
        (
            "err_invalid_regex_flag",
            &[
                "tags",
                "--numerical",
                "asc",
                "--pattern",
                "a**",
                "--tags-file",
                SEED_TAGS,
            ],
        ),
        (
            "err_invalid_regex_file",
            &[
                "tags",
                "--policy",
                "fixtures/imagepolicy/invalid-regex.yaml",
                "--tags-file",
                SEED_TAGS,
            ],
        ),
        (
            "err_invalid_range",
            &["tags", "--semver", ">= 1.x.y", "--tags-file", SEED_TAGS],
        ),
        (
            "err_invalid_order_flag",
            &["tags", "--numerical", "newest", "--tags-file", SEED_TAGS],
        ),
        (
            "err_invalid_order_file",
            &[
                "tags",
                "--policy",
                "fixtures/imagepolicy/invalid-order.yaml",
                "--tags-file",
                SEED_TAGS,
            ],
        ),
        (
            "err_bad_yaml",
            &[
                "tags",
                "--policy",
                "fixtures/imagepolicy/bad-yaml.yaml",
                "--tags-file",
                SEED_TAGS,
            ],
        ),
        (
            "err_unknown_version",
            &[
                "tags",
                "--policy",
                "fixtures/imagepolicy/unknown-version.yaml",
                "--tags-file",
                SEED_TAGS,
            ],
        ),
        (
            "err_not_a_policy",
            &[
                "tags",
                "--policy",
                "fixtures/imagepolicy/not-a-policy.yaml",
                "--tags-file",
                SEED_TAGS,
            ],
        ),
        (
            "err_no_policy_in_file",
            &[
                "tags",
                "--policy",
                "fixtures/imagepolicy/no-policy.yaml",
                "--tags-file",
                SEED_TAGS,
            ],
        ),
        (
            "err_missing_policy_file",
            &[
                "tags",
                "--policy",
                "fixtures/imagepolicy/missing.yaml",
                "--tags-file",
                SEED_TAGS,
            ],
        ),
        (
            "err_missing_tags_file",
            &[
                "tags",
                "--policy",
                SEED_POLICY,
                "--tags-file",
                "fixtures/seed/missing.txt",
            ],
        ),
        ("err_no_policy_at_all", &["tags", "--tags-file", SEED_TAGS]),
        (
            "err_conflicting_policies",
            &[
                "tags",
                "--semver",
                "*",
                "--numerical",
                "asc",
                "--tags-file",
                SEED_TAGS,
            ],
        ),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(name, failure(2, args, None));
    }
}

#[test]
fn non_utf8_tags_are_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("tags.txt"), b"main-aaaaaaa-1\n\xff\xfe\n").expect("write");
    let policy = root().join(SEED_POLICY);
    let out = weir_in(
        dir.path(),
        &[
            "tags",
            "--policy",
            policy.to_str().expect("utf-8 path"),
            "--tags-file",
            "tags.txt",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("error: reading tags file tags.txt: "),
        "{}",
        out.stderr
    );
}

#[test]
fn closed_stdout_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_weir"))
        .current_dir(root())
        .args(["tags", "--policy", SEED_POLICY, "--tags-file", SEED_TAGS])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let status = child.wait().expect("wait");
    assert!(status.code().is_some_and(|c| c == 0), "{status:?}");
}

/// Rules of `flux-compat.md` §5.3–§5.6 and §10.3, end to end.
#[test]
fn flux_compat_policy_rules() {
    // §5.3: the pattern is searched, not matched in full.
    let out = weir_stdin(
        &["tags", "--pattern", r"1\.0", "--alphabetical", "asc"],
        "11.0.5\nv1.0-rc\n2.0\n",
    );
    assert_selects(&out, "v1.0-rc");
    // §5.3: Go RE2 classes: `&&` inside brackets is two literal `&`.
    let out = weir_stdin(
        &[
            "tags",
            "--pattern",
            r"^[a&&b]+-(?P<n>\d+)$",
            "--extract",
            "$n",
            "--numerical",
            "asc",
        ],
        "a&b-3\nab-9\nc-99\n",
    );
    assert_selects(&out, "ab-9");
    // §5.5: the order value is case-insensitive in Flux's code (flags).
    let out = weir_stdin(&["tags", "--alphabetical", "DESC"], "b\na\nc\n");
    assert_selects(&out, "a");
    // §5.4: prereleases need a prerelease comparator (`-0`).
    let tags = "1.0.0\n1.1.0-rc.1\n";
    assert_selects(&weir_stdin(&["tags", "--semver", ">=1.0.0"], tags), "1.0.0");
    assert_selects(
        &weir_stdin(&["tags", "--semver", ">=1.0.0-0"], tags),
        "1.1.0-rc.1",
    );
    // §5.4 ties without a filter: the first in store order (greatest text).
    assert_selects(
        &weir_stdin(&["tags", "--semver", "*"], "1.2.3\nv1.2.3\n1.2.3+b\n"),
        "v1.2.3",
    );
    // §10.3 ties with a filter: the lexically greatest original tag.
    let out = weir_stdin(
        &[
            "tags",
            "--pattern",
            "^[a-z]-(?P<n>[0-9]+)$",
            "--extract",
            "$n",
            "--numerical",
            "asc",
        ],
        "b-7\na-07\n",
    );
    assert_selects(&out, "b-7");
}

/// §5.5: the CRD enum of `order` is lower case: a manifest with `ASC` is
/// invalid input (exit 2) and the error names the file and the field.
#[test]
fn manifest_order_must_be_lower_case() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("policy.yaml");
    std::fs::write(
        &file,
        "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: app\nspec:\n  imageRepositoryRef:\n    name: app\n  policy:\n    alphabetical:\n      order: ASC\n",
    )
    .expect("write policy");
    let out = weir_stdin(
        &["tags", "--policy", file.to_str().expect("utf-8 path")],
        "a\n",
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr
            .replace(&tmp.path().display().to_string(), "[TMP]"),
        "error: [TMP]/policy.yaml: ImagePolicy \"app\": spec.policy.alphabetical.order: \"ASC\" is not one of asc, desc\n"
    );
}
