//! The seed scenario through the library, against a real registry and a real
//! Git HTTP server with basic auth, with a push wrapper that pushes a
//! conflicting commit to the branch between the engine's fetch and its push:
//! the engine must refetch, re-apply on the new tip and push once.

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

const GIT_USER: &str = "git";
const GIT_PASSWORD: &str = "secret";
const IMAGE: &str = "weaveworksdemos/front-end";

fn have_tools() -> bool {
    weir_testkit::require_commands(&["nginx", "fcgiwrap", "curl", "git", "jq", "docker-registry"])
}

fn push_tags(registry: &str, n: usize) {
    weir_testkit::push_tags(registry, IMAGE, n);
}

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
