//! `weir automate`: the seed scenario end to end, against a real registry
//! (Debian's `docker-registry`, reached through `--registry-mirror`) and a
//! real Git HTTP server with basic auth (nginx + git http-backend).
//!
//! New `main-<sha7>-<n>` tags of `weaveworksdemos/front-end` must end as one
//! commit by fluxcdbot in the microservices repository, changing exactly the
//! marked `newTag` of the development overlay, which then renders with the
//! new image; an unchanged registry is a no-op; a newer tag is a second
//! commit. (The concurrent-push retry is tested in weir-automation's
//! `tests/seed`, where a push wrapper can race the engine.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::path::PathBuf;
use std::process::{Command, Stdio};

use weir_testkit::git::{git, init_and_push};
use weir_testkit::{Service, copy_tree, repo_root};

use weir_testkit::seed::{GIT_PASSWORD, GIT_USER, IMAGE, have_tools, push_tags};

/// push-tags.sh's tag `i`: main-<sha7>-<i>.
fn tag(i: u64) -> String {
    format!("main-{:07x}-{i}", (i * 2_654_435_761) % 268_435_456)
}

struct Seed {
    git_server: Service,
    registry: Service,
    tmp: tempfile::TempDir,
    bare: PathBuf,
    flux_repo: PathBuf,
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Seed {
    fn start() -> Option<Seed> {
        if !have_tools() {
            return None;
        }
        let git_server = Service::start("git-http-server", &[GIT_USER, GIT_PASSWORD]).unwrap();
        let registry = Service::start("registry", &["none"]).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        // The microservices repository, served as microservices-repo.git.
        let bare = PathBuf::from(git_server.var("REPOS").unwrap()).join("microservices-repo.git");
        std::fs::create_dir_all(&bare).unwrap();
        let work = tmp.path().join("work");
        copy_tree(&repo_root().join("fixtures/seed/microservices-repo"), &work);
        init_and_push(&work, &bare, "Sock Shop");
        // The flux-repo, pointing at this server.
        let flux_repo = tmp.path().join("flux-repo");
        copy_tree(&repo_root().join("fixtures/seed/flux-repo"), &flux_repo);
        let gr = flux_repo.join("git-repository.yaml");
        let text = std::fs::read_to_string(&gr).unwrap().replace(
            "http://127.0.0.1:8080/microservices-repo.git",
            &format!("{}/microservices-repo.git", git_server.var("URL").unwrap()),
        );
        std::fs::write(&gr, text).unwrap();
        Some(Seed {
            git_server,
            registry,
            tmp,
            bare,
            flux_repo,
        })
    }

    fn registry_url(&self) -> &str {
        self.registry.var("URL").unwrap()
    }

    fn automate(&self) -> Output {
        let mirror = format!("docker.io={}", self.registry_url());
        let out = Command::new(env!("CARGO_BIN_EXE_weir"))
            .arg("automate")
            .arg(&self.flux_repo)
            .args(["--once", "--registry-mirror", &mirror, "--cache-dir"])
            .arg(self.tmp.path().join("cache"))
            .env("WEIR_LOG", "debug")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let o = Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        };
        assert!(
            !o.stderr.contains(GIT_PASSWORD),
            "the Git password leaked:\n{}",
            o.stderr
        );
        o
    }

    /// `author|subject` of each commit on main, newest first.
    fn log(&self) -> Vec<String> {
        git(&self.bare, &["log", "--format=%an <%ae>|%s", "main"])
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn render_overlay(&self) -> String {
        let checkout = self
            .tmp
            .path()
            .join(format!("checkout-{}", self.log().len()));
        git(
            self.tmp.path(),
            &[
                "clone",
                "-q",
                self.bare.to_str().unwrap(),
                checkout.to_str().unwrap(),
            ],
        );
        let out = Command::new(env!("CARGO_BIN_EXE_weir"))
            .arg("build")
            .arg(checkout.join("overlays/development"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

#[test]
fn seed_end_to_end() {
    let Some(seed) = Seed::start() else {
        return;
    };
    let _keep = &seed.git_server;
    push_tags(seed.registry_url(), 3);
    let before = seed.log();
    assert_eq!(before.len(), 1);

    // One cycle: one commit by fluxcdbot, the image line as message.
    let out = seed.automate();
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let newest = format!("{IMAGE}:{}", tag(3));
    let log = seed.log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(
        log[0],
        format!("fluxcdbot <fluxcdbot@users.noreply.github.com>|{newest}")
    );
    assert_eq!(
        git(&seed.bare, &["log", "-1", "--format=%B", "main"]),
        format!("{newest}\n\n")
    );
    assert_eq!(
        git(&seed.bare, &["log", "-1", "--format=%cn <%ce>", "main"]).trim(),
        "fluxcdbot <fluxcdbot@users.noreply.github.com>"
    );
    // The diff is exactly the marked value that changed (newName already matched).
    let diff = git(&seed.bare, &["diff", "-U0", "main~1", "main"]);
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(
        changed,
        [
            "-  newTag: 0.3.12 # {\"$imagepolicy\": \"flux-system:front-end:tag\"}".to_owned(),
            format!(
                "+  newTag: {} # {{\"$imagepolicy\": \"flux-system:front-end:tag\"}}",
                tag(3)
            ),
        ]
    );
    assert!(
        diff.contains("overlays/development/kustomization.yaml"),
        "{diff}"
    );
    // The status tables and the progress.
    assert!(
        out.stdout.contains("imagerepository/front-end"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("successful scan: found 3 tags"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!("{IMAGE}\t{}", tag(3))) || out.stdout.contains(&tag(3)),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("pushed commit '"), "{}", out.stdout);
    assert!(
        out.stderr.contains("messageTemplate uses .Updated"),
        "deprecation warning: {}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("imagerepository/flux-system/front-end: scanning"),
        "{}",
        out.stderr
    );
    // `weir build` of the overlay shows the new image.
    let rendered = seed.render_overlay();
    assert!(
        rendered.contains(&format!("image: {newest}\n")),
        "{rendered}"
    );
    assert!(!rendered.contains("front-end:0.3.12"));

    // A second cycle changes nothing.
    let out = seed.automate();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(seed.log().len(), 2);
    assert!(
        out.stdout.contains("repository up-to-date"),
        "{}",
        out.stdout
    );

    // A newer tag: a second commit.
    push_tags(seed.registry_url(), 4);
    let out = seed.automate();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let log = seed.log();
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(
        log[0],
        format!(
            "fluxcdbot <fluxcdbot@users.noreply.github.com>|{IMAGE}:{}",
            tag(4)
        )
    );
    let rendered = seed.render_overlay();
    assert!(
        rendered.contains(&format!("image: {IMAGE}:{}\n", tag(4))),
        "{rendered}"
    );
}

#[test]
fn bad_input_exits_2_and_unreachable_servers_exit_1() {
    let weir = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_weir"))
            .args(args)
            .current_dir(repo_root())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let tmp = tempfile::tempdir().unwrap();
    let (code, err) = weir(&["automate", tmp.path().join("missing").to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a directory"), "{err}");
    let (code, err) = weir(&["automate", tmp.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no ImageRepository or ImageUpdateAutomation found"),
        "{err}"
    );
    // A template that does not parse: exit 2 before anything runs.
    let flux = tmp.path().join("flux");
    copy_tree(&repo_root().join("fixtures/seed/flux-repo"), &flux);
    let iua = flux.join("image-update-automation.yaml");
    let text = std::fs::read_to_string(&iua)
        .unwrap()
        .replace("{{println .}}{{end}}", "{{println .}}");
    std::fs::write(&iua, text).unwrap();
    let (code, err) = weir(&["automate", flux.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("spec.git.commit.messageTemplate"), "{err}");
    // Nothing listens on the seed's default URL or at the mirror: exit 1.
    let flux2 = tmp.path().join("flux2");
    copy_tree(&repo_root().join("fixtures/seed/flux-repo"), &flux2);
    let (code, err) = weir(&[
        "automate",
        flux2.to_str().unwrap(),
        "--registry-mirror",
        "docker.io=http://127.0.0.1:9",
        "--cache-dir",
        tmp.path().join("cache").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the cycle failed"), "{err}");
    let (code, err) = weir(&["automate", "--once", "--watch", flux2.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
}

const MOTO_PASSWORD: &str = "123456789012-auth-token";
const ECR_HOST: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

/// The seed's v1beta1 ImageRepository has no `provider`: with
/// `--aws-autologin-for-ecr` an ECR host still gets an ECR login (moto hands
/// out the token; the registry behind the mirror accepts exactly it).
#[test]
fn aws_autologin_for_ecr_logs_in_without_a_provider_field() {
    if !have_tools() || !weir_testkit::require_moto() {
        return;
    }
    let moto = Service::start("moto-ecr", &[]).unwrap();
    let endpoint = moto.var("AWS_ENDPOINT_URL").unwrap().to_owned();
    let registry = Service::start("registry", &["basic", "AWS", MOTO_PASSWORD]).unwrap();
    let url = registry.var("URL").unwrap();
    let out = Command::new("bash")
        .arg(weir_testkit::script_path("push-tags"))
        .args([url, "front-end", "4"])
        .env("REG_USER", "AWS")
        .env("REG_PASS", MOTO_PASSWORD)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tmp = tempfile::tempdir().unwrap();
    let flux = tmp.path().join("flux");
    std::fs::create_dir_all(&flux).unwrap();
    std::fs::write(
        flux.join("image-repository.yaml"),
        format!(
            "apiVersion: image.toolkit.fluxcd.io/v1beta1\nkind: ImageRepository\nmetadata:\n  name: front-end\n  namespace: flux-system\nspec:\n  image: {ECR_HOST}/front-end\n  interval: 1m0s\n"
        ),
    )
    .unwrap();
    std::fs::copy(
        repo_root().join("fixtures/seed/flux-repo/image-policy.yaml"),
        flux.join("image-policy.yaml"),
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_weir"));
        cmd.arg("automate")
            .arg(&flux)
            .args(["--registry-mirror", &format!("{ECR_HOST}={url}")])
            .args(extra)
            .stdin(Stdio::null());
        for (k, _) in std::env::vars() {
            if k.starts_with("AWS_") {
                cmd.env_remove(k);
            }
        }
        let out = cmd
            .env("HOME", home.path())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", home.path().join("aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                home.path().join("aws-credentials"),
            )
            .env("AWS_ENDPOINT_URL_ECR", &endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "planted-Aws-Secret-777")
            .env("AWS_REGION", "us-east-1")
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        for needle in [MOTO_PASSWORD, "planted-Aws-Secret-777"] {
            assert!(
                !stdout.contains(needle) && !stderr.contains(needle),
                "{needle} leaked"
            );
        }
        (out.status.code().unwrap_or(-1), stdout, stderr)
    };
    // Without the flag: anonymous, refused.
    let (code, stdout, stderr) = run(&[]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("scan failed"), "{stdout}");
    // With it: ECR login, the newest CI tag.
    let (code, stdout, stderr) = run(&["--aws-autologin-for-ecr"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    // flux-compat.md §7.3: accepted with a deprecation warning.
    assert!(
        stderr.contains("warning: --aws-autologin-for-ecr is deprecated"),
        "{stderr}"
    );
    assert!(
        stdout.contains(&format!("{ECR_HOST}/front-end\t{}", tag(4))),
        "{stdout}"
    );
}
