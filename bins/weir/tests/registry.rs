//! `weir tags --image`: scanning real registries end to end (Debian's
//! `docker-registry` without auth, with htpasswd and with token auth), an
//! Amazon ECR login through moto reached via `--registry-mirror`, unreachable
//! registries, bad input, and credentials kept out of every output.
//!
//! Servers are started and stopped by `scripts/services/*.sh` through
//! `weir_testkit::Service`; commands run with the workspace root as working
//! directory so fixture paths are stable.

// Test helpers outside #[test] functions may unwrap and report skips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use weir_testkit::{Service, repo_root};

/// The seed scenario's ImagePolicy: newest CI build of `main-<sha7>-<build>`.
const POLICY_YAML: &str = r#"apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata:
  name: front-end
  namespace: flux-system
spec:
  imageRepositoryRef:
    name: front-end
  filterTags:
    pattern: '^main-[a-fA-F0-9]+-(?P<buildnumber>.*)'
    extract: '$buildnumber'
  policy:
    numerical:
      order: asc
"#;

/// A temporary directory holding `policy.yaml` ([`POLICY_YAML`]).
struct Policy {
    dir: tempfile::TempDir,
    path: String,
}

fn policy() -> Policy {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.yaml");
    std::fs::write(&path, POLICY_YAML).unwrap();
    let path = path.to_str().unwrap().to_owned();
    Policy { dir, path }
}

const MOTO_PASSWORD: &str = "123456789012-auth-token";
const ECR_HOST: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs weir with a clean AWS environment (no profile files, no IMDS) plus `env`.
fn weir(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weir"));
    cmd.current_dir(repo_root()).args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") || k == "WEIR_LOG" || k == "DOCKER_CONFIG" {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.path().join("aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("aws-credentials"),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run weir");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn registry_tools() -> bool {
    weir_testkit::require_commands(&["docker-registry", "htpasswd", "curl", "jq", "openssl"])
}

/// Registry storage on tmpfs when possible: deleting tens of thousands of
/// small files from a disk mounted with online discard takes about a minute.
fn storage_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let mut b = tempfile::Builder::new();
    b.prefix("weir-registry-data-");
    if shm.is_dir()
        && let Ok(dir) = b.tempdir_in(shm)
    {
        return dir;
    }
    b.tempdir().unwrap()
}

fn push_tags(url: &str, repo: &str, n: usize, user: &str, pass: &str) {
    weir_testkit::push_tags_as(url, repo, n, user, pass);
}

/// push-tags.sh's tag `i`: main-<sha7>-<i>.
fn tag(i: u64) -> String {
    format!("main-{:07x}-{i}", (i * 2_654_435_761) % 268_435_456)
}

/// The digest curl sees (the oracle for --digest).
fn curl_digest(url: &str, repo: &str, tag: &str, auth: Option<(&str, &str)>) -> String {
    let mut cmd = Command::new("curl");
    cmd.args([
        "-sfI",
        "-H",
        "Accept: application/vnd.oci.image.manifest.v1+json",
    ]);
    if let Some((u, p)) = auth {
        cmd.args(["-u", &format!("{u}:{p}")]);
    }
    let out = cmd
        .arg(format!("{url}/v2/{repo}/manifests/{tag}"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("docker-content-digest")
                .then(|| v.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no digest in {text}"))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

/// 1,500 tags from a registry give the same answer as the same tags offline;
/// --explain, --exclude and --digest work on the scanned list.
#[test]
fn scan_selects_like_the_offline_mode() {
    if !registry_tools() {
        return;
    }
    let pol = policy();
    let seed_policy = pol.path.as_str();
    let storage = storage_dir();
    let svc = Service::start_with_env(
        "registry",
        &["none"],
        &[("REGISTRY_DATA", storage.path().to_str().unwrap())],
    )
    .unwrap();
    let url = svc.var("URL").unwrap();
    let image = format!("{}/front/end", svc.var("HOSTPORT").unwrap());
    push_tags(url, "front/end", 1500, "", "");

    let online = weir(
        &[
            "tags",
            "--image",
            &image,
            "--insecure",
            "--policy",
            seed_policy,
        ],
        &[],
    );
    assert_eq!(online.code, 0, "{}", online.stderr);
    assert_eq!(online.stdout, format!("{}\n", tag(1500)));

    let work = tempfile::tempdir().unwrap();
    let all: Vec<String> = (1..=1500).map(tag).collect();
    let tags_file = write(work.path(), "tags.txt", &all.join("\n"));
    let offline = weir(
        &["tags", "--policy", seed_policy, "--tags-file", &tags_file],
        &[],
    );
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert_eq!(online.stdout, offline.stdout);

    let explained = weir(
        &[
            "tags",
            "--image",
            &image,
            "--insecure",
            "--policy",
            seed_policy,
            "--explain",
        ],
        &[],
    );
    assert_eq!(explained.code, 0, "{}", explained.stderr);
    assert_eq!(explained.stdout, online.stdout);
    assert!(
        explained.stderr.contains("1500 tags"),
        "{}",
        explained.stderr
    );
    assert!(explained.stderr.lines().count() > 1500);

    let excluded = weir(
        &[
            "tags",
            "--image",
            &image,
            "--insecure",
            "--policy",
            seed_policy,
            "--exclude=-1500$",
            "--exclude=-1499$",
        ],
        &[],
    );
    assert_eq!(
        excluded.stdout,
        format!("{}\n", tag(1498)),
        "{}",
        excluded.stderr
    );

    let digest = weir(
        &[
            "tags",
            "--image",
            &image,
            "--insecure",
            "--policy",
            seed_policy,
            "--digest",
        ],
        &[],
    );
    assert_eq!(digest.code, 0, "{}", digest.stderr);
    assert_eq!(
        digest.stdout,
        format!(
            "{}@{}\n",
            tag(1500),
            curl_digest(url, "front/end", &tag(1500), None)
        )
    );

    // Plain HTTP is only used when asked for.
    let strict = weir(&["tags", "--image", &image, "--policy", seed_policy], &[]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(
        strict.stderr.contains("cannot connect to https://"),
        "{}",
        strict.stderr
    );
}

/// htpasswd basic auth: Docker config (auth and username/password forms),
/// a Flux dockerconfigjson Secret in YAML, --username/--password-env; a wrong
/// password is a clear 401 with exit 1, and no output ever shows a password.
#[test]
fn basic_auth_credentials_and_refusals() {
    if !registry_tools() {
        return;
    }
    let pol = policy();
    let seed_policy = pol.path.as_str();
    const PASS: &str = "planted-Basic-Pass-31337";
    let svc = Service::start("registry", &["basic", "robot", PASS]).unwrap();
    let url = svc.var("URL").unwrap();
    let host = svc.var("HOSTPORT").unwrap();
    let image = format!("{host}/team/app");
    push_tags(url, "team/app", 25, "robot", PASS);
    let expected = format!("{}\n", tag(25));
    let work = tempfile::tempdir().unwrap();
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);

    let auth_form = write(
        work.path(),
        "auth.json",
        &format!(
            r#"{{"auths":{{"{host}":{{"auth":"{}"}}}}}}"#,
            b64(&format!("robot:{PASS}"))
        ),
    );
    let user_form = write(
        work.path(),
        "user.json",
        &format!(
            r#"{{"auths":{{"http://{host}/v2/":{{"username":"robot","password":"{PASS}"}}}}}}"#
        ),
    );
    let secret = write(
        work.path(),
        "secret.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  namespace: flux-system\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
            b64(&std::fs::read_to_string(&auth_form).unwrap())
        ),
    );
    let base = [
        "tags",
        "--image",
        &image,
        "--insecure",
        "--policy",
        seed_policy,
    ];
    let mut outputs = Vec::new();
    for cfg in [&auth_form, &user_form, &secret] {
        let out = weir(&[&base[..], &["--docker-config", cfg, "-vv"]].concat(), &[]);
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, expected.as_str()),
            "{cfg}: {}",
            out.stderr
        );
        outputs.push(out);
    }
    let out = weir(
        &[
            &base[..],
            &["--username", "robot", "--password-env", "REG_PW"],
        ]
        .concat(),
        &[("REG_PW", PASS)],
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, expected.as_str()),
        "{}",
        out.stderr
    );
    outputs.push(out);

    let wrong = weir(
        &[
            &base[..],
            &["--username", "robot", "--password-env", "REG_PW", "-vv"],
        ]
        .concat(),
        &[("REG_PW", "planted-Wrong-Pass-4242")],
    );
    assert_eq!(wrong.code, 1, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains(&format!(
            "error: scanning {image}: registry {host} refused the credentials of user \"robot\" for team/app (401 Unauthorized"
        )),
        "{}",
        wrong.stderr
    );
    outputs.push(wrong);

    let anonymous = weir(&base, &[]);
    assert_eq!(anonymous.code, 1);
    assert!(
        anonymous
            .stderr
            .contains("requires authentication for team/app and no credentials are configured"),
        "{}",
        anonymous.stderr
    );

    let unset = weir(
        &[
            &base[..],
            &["--username", "robot", "--password-env", "NOT_SET_X"],
        ]
        .concat(),
        &[],
    );
    assert_eq!(unset.code, 2, "{}", unset.stderr);

    for out in &outputs {
        for secret in [PASS, "planted-Wrong-Pass-4242"] {
            for needle in [secret.to_owned(), b64(&format!("robot:{secret}"))] {
                assert!(
                    !out.stdout.contains(&needle) && !out.stderr.contains(&needle),
                    "{needle} leaked:\n{}",
                    out.stderr
                );
            }
        }
    }
    // -vv really logged the requests (so the check above saw the logs).
    assert!(
        outputs[0].stderr.contains("registry request"),
        "{}",
        outputs[0].stderr
    );
}

/// The Bearer token flow, with --digest.
#[test]
fn token_auth_scan_with_digest() {
    if !registry_tools() {
        return;
    }
    let pol = policy();
    let seed_policy = pol.path.as_str();
    let svc = Service::start("registry", &["token", "robot", "token-pass"]).unwrap();
    let url = svc.var("URL").unwrap();
    let host = svc.var("HOSTPORT").unwrap();
    push_tags(url, "team/app", 8, "robot", "token-pass");
    let out = weir(
        &[
            "tags",
            "--image",
            &format!("{host}/team/app"),
            "--insecure",
            "--policy",
            seed_policy,
            "--username",
            "robot",
            "--password-env",
            "REG_PW",
            "--digest",
            "-vv",
        ],
        &[("REG_PW", "token-pass")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (selected, digest) = out.stdout.trim_end().split_once('@').unwrap();
    assert_eq!(selected, tag(8));
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
    assert!(out.stderr.contains("token request"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("token-pass") && !out.stderr.contains("eyJ"),
        "{}",
        out.stderr
    );
}

/// Unreachable registries fail with exit 1 and a clear message, in bounded time.
#[test]
fn unreachable_registry() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let refused = weir(
        &[
            "tags",
            "--image",
            &format!("127.0.0.1:{port}/app"),
            "--insecure",
            "--semver",
            "*",
        ],
        &[],
    );
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.starts_with(&format!(
            "error: scanning 127.0.0.1:{port}/app: cannot connect to http://127.0.0.1:{port}/v2/app/tags/list?n=1000"
        )),
        "{}",
        refused.stderr
    );

    // Accepts connections, never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let started = Instant::now();
    let out = weir(
        &[
            "tags",
            "--image",
            &format!("127.0.0.1:{port}/app"),
            "--insecure",
            "--semver",
            "*",
            "--timeout",
            "1s",
        ],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("within 1s"), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(30));
    drop(silent);
}

/// Bad input is exit 2 with a message naming the flag, and no network use.
#[test]
fn bad_input_exits_2() {
    let work = tempfile::tempdir().unwrap();
    let not_json = write(
        work.path(),
        "bad.json",
        r#"{"auths": {"ghcr.io": {"auth": "%%%"}}}"#,
    );
    let cases: Vec<Vec<&str>> = vec![
        vec!["--image", "https://ghcr.io/org/app"],
        vec!["--image", "ghcr.io/org/app:1.0"],
        vec!["--image", "ghcr.io/org/app", "--provider", "aws"],
        vec!["--image", "ghcr.io/org/app", "--registry-mirror", "ghcr.io"],
        vec![
            "--image",
            "ghcr.io/org/app",
            "--registry-mirror",
            "ghcr.io=http://127.0.0.1:9",
        ],
        vec!["--image", "ghcr.io/org/app", "--exclude", "(unclosed"],
        vec![
            "--image",
            "ghcr.io/org/app",
            "--docker-config",
            "does/not/exist.json",
        ],
        vec!["--image", "ghcr.io/org/app", "--docker-config", &not_json],
        vec!["--image", "ghcr.io/org/app", "--timeout", "soon"],
    ];
    let mut report = String::new();
    for case in &cases {
        let args = [&["tags", "--semver", "*"][..], &case[..]].concat();
        let out = weir(&args, &[]);
        assert_eq!(out.code, 2, "{case:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
        let stderr = out.stderr.replace(work.path().to_str().unwrap(), "[TMP]");
        let first = stderr.lines().next().unwrap_or_default();
        report.push_str(&format!(
            "{}\n  {first}\n",
            case.join(" ")
                .replace(work.path().to_str().unwrap(), "[TMP]")
        ));
    }
    insta::assert_snapshot!(report);
}

/// ECR end to end: `--provider aws` gets a token from moto
/// (AWS_ENDPOINT_URL_ECR), decodes it, and scans a registry that accepts
/// exactly those credentials, reached as the ECR host through a mirror.
#[test]
fn ecr_login_through_moto_and_a_mirror() {
    if !registry_tools() || !weir_testkit::require_moto() {
        return;
    }
    let pol = policy();
    let seed_policy = pol.path.as_str();
    let moto = Service::start("moto-ecr", &[]).unwrap();
    let endpoint = moto.var("AWS_ENDPOINT_URL").unwrap();
    let svc = Service::start("registry", &["basic", "AWS", MOTO_PASSWORD]).unwrap();
    let url = svc.var("URL").unwrap();
    push_tags(url, "front/end", 30, "AWS", MOTO_PASSWORD);
    let aws_env = [
        ("AWS_ENDPOINT_URL_ECR", endpoint),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "planted-Aws-Secret-777"),
        ("AWS_REGION", "us-east-1"),
    ];
    let image = format!("{ECR_HOST}/front/end");
    let mirror = format!("{ECR_HOST}={url}");
    let args = [
        "tags",
        "--image",
        &image,
        "--provider",
        "aws",
        "--registry-mirror",
        &mirror,
        "--insecure",
        "--policy",
        seed_policy,
        "--digest",
        "-vv",
    ];
    let out = weir(&args, &aws_env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let expected_digest = curl_digest(url, "front/end", &tag(30), Some(("AWS", MOTO_PASSWORD)));
    assert_eq!(out.stdout, format!("{}@{expected_digest}\n", tag(30)));
    assert!(
        out.stderr.contains("ECR GetAuthorizationToken"),
        "{}",
        out.stderr
    );
    for needle in [
        MOTO_PASSWORD,
        "QVdTOjEyMzQ1Njc4OTAxMi1hdXRoLXRva2Vu",
        "planted-Aws-Secret-777",
    ] {
        assert!(
            !out.stderr.contains(needle) && !out.stdout.contains(needle),
            "{needle} leaked:\n{}",
            out.stderr
        );
    }

    // The mirror file form does the same.
    let work = tempfile::tempdir().unwrap();
    let mirrors = write(
        work.path(),
        "mirrors.txt",
        &format!("# ECR via loopback\n{mirror}\n"),
    );
    let out = weir(
        &[
            "tags",
            "--image",
            &image,
            "--provider",
            "aws",
            "--registry-mirrors-file",
            &mirrors,
            "--insecure",
            "--policy",
            seed_policy,
        ],
        &aws_env,
    );
    assert_eq!(
        (out.code, out.stdout.clone()),
        (0, format!("{}\n", tag(30))),
        "{}",
        out.stderr
    );

    // The ECR API unreachable: exit 1, naming the login step.
    let out = weir(
        &args,
        &[
            ("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:9"),
            ("AWS_ACCESS_KEY_ID", "x"),
            ("AWS_SECRET_ACCESS_KEY", "y"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("error: logging in to {ECR_HOST} (--provider aws): ECR GetAuthorizationToken for {ECR_HOST} (region us-east-1) failed")),
        "{}",
        out.stderr
    );
}

/// ECR Public needs no AWS credentials: its registry's anonymous token flow
/// is used (here a loopback registry stands in for public.ecr.aws).
#[test]
fn ecr_public_without_aws_credentials() {
    if !registry_tools() {
        return;
    }
    let pol = policy();
    let seed_policy = pol.path.as_str();
    let svc = Service::start("registry", &["none"]).unwrap();
    let url = svc.var("URL").unwrap();
    push_tags(url, "docker/library/nginx", 4, "", "");
    let out = weir(
        &[
            "tags",
            "--image",
            "public.ecr.aws/docker/library/nginx",
            "--provider",
            "aws",
            "--registry-mirror",
            &format!("public.ecr.aws={url}"),
            "--insecure",
            "--policy",
            seed_policy,
        ],
        &[],
    );
    assert_eq!(
        (out.code, out.stdout.clone()),
        (0, format!("{}\n", tag(4))),
        "{}",
        out.stderr
    );
}

/// IRSA-style login: no access keys, only a web identity token file and a
/// role ARN; aws-config's default chain exchanges them at STS (moto, via
/// AWS_ENDPOINT_URL) and then calls ECR.
#[test]
fn ecr_login_with_web_identity() {
    if !registry_tools() || !weir_testkit::require_moto() {
        return;
    }
    let pol = policy();
    let moto = Service::start("moto-ecr", &[]).unwrap();
    let endpoint = moto.var("AWS_ENDPOINT_URL").unwrap();
    let svc = Service::start("registry", &["basic", "AWS", MOTO_PASSWORD]).unwrap();
    let url = svc.var("URL").unwrap();
    push_tags(url, "front/end", 3, "AWS", MOTO_PASSWORD);
    let token = write(
        pol.dir.path(),
        "web-identity-token",
        "header.payload.signature",
    );
    let out = weir(
        &[
            "tags",
            "--image",
            &format!("{ECR_HOST}/front/end"),
            "--provider",
            "aws",
            "--registry-mirror",
            &format!("{ECR_HOST}={url}"),
            "--insecure",
            "--policy",
            &pol.path,
        ],
        &[
            ("AWS_ENDPOINT_URL", endpoint),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/flux"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", &token),
        ],
    );
    assert_eq!(
        (out.code, out.stdout.clone()),
        (0, format!("{}\n", tag(3))),
        "{}",
        out.stderr
    );
    // Two API calls reached moto: STS AssumeRoleWithWebIdentity, then ECR.
    let log = std::fs::read_to_string(moto.dir().join("moto.log")).unwrap();
    assert_eq!(log.matches("\"POST / HTTP/1.1\" 200").count(), 2, "{log}");
}
