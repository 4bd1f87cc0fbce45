//! The seed scenario through the library, against a real registry and a real
//! Git HTTP server with basic auth, with a push wrapper that pushes a
//! conflicting commit to the branch between the engine's fetch and its push:
//! the engine must refetch, re-apply on the new tip and push once. And Git
//! mutual TLS from the GitRepository's Secret, against a server requiring a
//! client certificate.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::cell::Cell;
use std::path::PathBuf;
use std::time::Duration;

use weir_automation::{Engine, Event, Options, RegistryLister, load_dir};
use weir_source::{GitCli, GitPush, PushError, PushRequest};
use weir_testkit::git::{git, init_and_push};
use weir_testkit::{Service, copy_tree, repo_root};

use weir_testkit::seed::{GIT_PASSWORD, GIT_USER, IMAGE, have_tools, push_tags};

/// Commits a README edit from another clone and pushes it over HTTP, once.
struct RacingPusher {
    work: PathBuf,
    authed_url: String,
    raced: Cell<bool>,
}

impl GitPush for RacingPusher {
    fn push(&self, request: &PushRequest<'_>) -> Result<(), PushError> {
        if !self.raced.replace(true) {
            std::fs::write(self.work.join("README.md"), "edited meanwhile\n").unwrap();
            git(&self.work, &["commit", "-q", "-am", "concurrent edit"]);
            git(&self.work, &["push", "-q", &self.authed_url, "main"]);
        }
        GitCli::new().push(request)
    }
}

#[test]
fn a_concurrent_push_between_scan_and_push_is_survived() {
    if !have_tools() {
        return;
    }
    let server = Service::start("git-http-server", &[GIT_USER, GIT_PASSWORD]).unwrap();
    let registry = Service::start("registry", &["none"]).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("{}/microservices-repo.git", server.var("URL").unwrap());
    let bare = PathBuf::from(server.var("REPOS").unwrap()).join("microservices-repo.git");
    std::fs::create_dir_all(&bare).unwrap();
    let work = tmp.path().join("work");
    copy_tree(&repo_root().join("fixtures/seed/microservices-repo"), &work);
    init_and_push(&work, &bare, "Sock Shop");

    let flux = tmp.path().join("flux-repo");
    copy_tree(&repo_root().join("fixtures/seed/flux-repo"), &flux);
    let gr = flux.join("git-repository.yaml");
    let text = std::fs::read_to_string(&gr)
        .unwrap()
        .replace("http://127.0.0.1:8080/microservices-repo.git", &url);
    std::fs::write(&gr, text).unwrap();
    push_tags(registry.var("URL").unwrap(), 5);

    let objects = load_dir(&flux).unwrap();
    let mut options = Options::new(tmp.path().join("cache"));
    options.retry_base = Duration::from_millis(20);
    options
        .mirrors
        .add_spec(
            &format!("docker.io={}", registry.var("URL").unwrap()),
            "test",
        )
        .unwrap();
    let lister = RegistryLister::new(options.mirrors.clone()).unwrap();
    let authed_url = url.replacen("http://", &format!("http://{GIT_USER}:{GIT_PASSWORD}@"), 1);
    let pusher = RacingPusher {
        work: work.clone(),
        authed_url,
        raced: Cell::new(false),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let mut engine = Engine::new(objects, options, lister)
        .with_pusher(pusher)
        .on_event(move |e| {
            let _ = tx.send(e.clone());
        });
    let report = engine.run_once();
    assert!(!report.failed(), "{:?}", report.failures);

    let log: Vec<String> = git(&bare, &["log", "--format=%an|%s", "main"])
        .lines()
        .map(str::to_owned)
        .collect();
    let tag5 = format!("main-{:07x}-5", (5u64 * 2_654_435_761) % 268_435_456);
    assert_eq!(
        log,
        [
            format!("fluxcdbot|{IMAGE}:{tag5}"),
            "dev|concurrent edit".to_owned(),
            "dev|Sock Shop".to_owned(),
        ],
        "the automation commit sits on top of the concurrent one, once"
    );
    assert_eq!(
        git(&bare, &["show", "main:README.md"]),
        "edited meanwhile\n",
        "nothing lost"
    );
    let overlay = git(
        &bare,
        &["show", "main:overlays/development/kustomization.yaml"],
    );
    assert!(overlay.contains(&format!("newTag: {tag5} #")), "{overlay}");
    let events: Vec<Event> = rx.try_iter().collect();
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::PushRetry { .. }))
            .count(),
        1
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::Pushed { .. }))
            .count(),
        1
    );
    // And the next cycle is a no-op.
    let report = engine.run_once();
    assert!(!report.failed() && report.pushed.is_empty(), "{report:?}");
}

/// Fixed tags, no registry.
struct FixedTags(Vec<String>);

impl weir_automation::TagLister for &FixedTags {
    fn list_tags(
        &self,
        _request: &weir_automation::ScanRequest,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<String>, weir_automation::ScanError> {
        progress(self.0.len());
        Ok(self.0.clone())
    }
}

/// flux-compat.md §2.3: a GitRepository `secretRef` with `tls.crt` +
/// `tls.key` (and `ca.crt`) is a client certificate for Git over HTTPS:
/// `weir automate`'s engine fetches and pushes with it against a server
/// that requires one (git-http-server.sh `MTLS=1`). Without it the run
/// fails, and the key never shows in the error.
#[test]
fn git_mutual_tls_from_the_secret_for_fetch_and_push() {
    if !weir_testkit::require_commands(&["nginx", "fcgiwrap", "curl", "git", "openssl"]) {
        return;
    }
    let server = Service::start_with_env(
        "git-http-server",
        &[GIT_USER, GIT_PASSWORD],
        &[("MTLS", "1")],
    )
    .expect("git-http-server starts with mutual TLS");
    let url = format!("{}/microservices-repo.git", server.var("URL").unwrap());
    assert!(url.starts_with("https://"), "{url}");
    let bare = PathBuf::from(server.var("REPOS").unwrap()).join("microservices-repo.git");
    std::fs::create_dir_all(&bare).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    copy_tree(&repo_root().join("fixtures/seed/microservices-repo"), &work);
    init_and_push(&work, &bare, "Sock Shop");
    let read = |name: &str| std::fs::read_to_string(server.dir().join(name)).unwrap();
    let key = read("client.key");
    let key_line = key.lines().nth(1).unwrap().to_owned();

    let objects = |with_client_cert: bool| {
        let mut data = serde_json::json!({
            "username": GIT_USER, "password": GIT_PASSWORD, "ca.crt": read("tls.crt"),
        });
        if with_client_cert {
            data["tls.crt"] = read("client.crt").into();
            data["tls.key"] = key.clone().into();
        }
        let docs = [
            serde_json::json!({
                "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
                "metadata": {"name": "microservices-repo", "namespace": "flux-system"},
                "spec": {"url": url, "interval": "1m", "ref": {"branch": "main"},
                         "secretRef": {"name": "git-mtls"}},
            }),
            serde_json::json!({
                "apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "git-mtls", "namespace": "flux-system"},
                "stringData": data,
            }),
            serde_json::json!({
                "apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository",
                "metadata": {"name": "front-end", "namespace": "flux-system"},
                "spec": {"image": IMAGE, "interval": "1m"},
            }),
            serde_json::json!({
                "apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImagePolicy",
                "metadata": {"name": "front-end", "namespace": "flux-system"},
                "spec": {"imageRepositoryRef": {"name": "front-end"},
                         "filterTags": {"pattern": "^main-[a-f0-9]+-(?P<n>.*)", "extract": "$n"},
                         "policy": {"numerical": {"order": "asc"}}},
            }),
            serde_json::json!({
                "apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageUpdateAutomation",
                "metadata": {"name": "flux-system", "namespace": "flux-system"},
                "spec": {"interval": "1m", "sourceRef": {"kind": "GitRepository", "name": "microservices-repo"},
                         "git": {"commit": {"author": {"email": "fluxcdbot@users.noreply.github.com", "name": "fluxcdbot"}},
                                 "push": {"branch": "main"}},
                         "update": {"path": "./overlays/development"}},
            }),
        ];
        weir_automation::collect(docs.into_iter().map(|d| ("test".to_owned(), d))).unwrap()
    };
    let tags = FixedTags(vec!["main-abc1234-7".into(), "main-def5678-12".into()]);

    // Without the client certificate the server refuses the TLS handshake.
    let without = objects(false);
    weir_automation::validate(&without).unwrap();
    let mut engine = Engine::new(without, Options::new(tmp.path().join("cache1")), &tags);
    let report = engine.run_once();
    assert!(report.pushed.is_empty(), "{report:?}");
    assert_eq!(report.failures.len(), 1, "{report:?}");
    // nginx answers 400 (no required SSL certificate) before any Git.
    assert!(
        report.failures[0].contains("fetching branch main from https://"),
        "{}",
        report.failures[0]
    );
    assert!(!format!("{report:?}").contains(&key_line));

    let with = objects(true);
    weir_automation::validate(&with).unwrap();
    let mut engine = Engine::new(with, Options::new(tmp.path().join("cache2")), &tags);
    let report = engine.run_once();
    assert!(!report.failed(), "{:?}", report.failures);
    assert_eq!(report.pushed.len(), 1, "{report:?}");
    let commit = &report.pushed[0].1;
    assert_eq!(git(&bare, &["rev-parse", "main"]).trim(), commit);
    let overlay = git(
        &bare,
        &["show", "main:overlays/development/kustomization.yaml"],
    );
    assert!(overlay.contains("newTag: main-def5678-12 #"), "{overlay}");
    assert!(!format!("{report:?} {:?}", engine.status()).contains(&key_line));
}
