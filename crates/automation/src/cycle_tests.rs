//! Cycle tests with a fake tag lister and local (`file://`) Git remotes.

use std::cell::{Cell, RefCell};
use std::path::Path;

use serde_json::{Value, json};
use weir_testkit::git::git;

use super::*;
use crate::load::collect;
use crate::scan::ScanError;

struct FakeLister {
    tags: BTreeMap<String, Vec<String>>,
    seen: RefCell<Vec<ScanRequest>>,
}

impl FakeLister {
    fn new(image: &str, tags: &[&str]) -> Self {
        FakeLister {
            tags: BTreeMap::from([(
                image.to_owned(),
                tags.iter().map(|t| (*t).to_owned()).collect(),
            )]),
            seen: RefCell::new(Vec::new()),
        }
    }
}

impl TagLister for &FakeLister {
    fn list_tags(
        &self,
        request: &ScanRequest,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<String>, ScanError> {
        self.seen.borrow_mut().push(request.clone());
        match self.tags.get(&request.image.to_string()) {
            Some(t) => {
                progress(t.len());
                Ok(t.clone())
            }
            None => Err(ScanError::Other {
                image: request.image.to_string(),
                message: "repository not found".into(),
            }),
        }
    }
}

const OVERLAY: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../../base\nimages:\n- name: weaveworksdemos/front-end\n  newName: weaveworksdemos/front-end # {\"$imagepolicy\": \"flux-system:front-end:name\"}\n  newTag: 0.3.12 # {\"$imagepolicy\": \"flux-system:front-end:tag\"}\n";

/// A bare remote with branch `main` holding an overlay with markers.
struct Remote {
    _dir: tempfile::TempDir,
    bare: std::path::PathBuf,
    work: std::path::PathBuf,
}

impl Remote {
    fn new(overlay: &str) -> Remote {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("repo.git");
        let work = dir.path().join("work");
        std::fs::create_dir_all(work.join("overlays/development")).unwrap();
        std::fs::write(
            work.join("overlays/development/kustomization.yaml"),
            overlay,
        )
        .unwrap();
        std::fs::write(work.join("README.md"), "demo\n").unwrap();
        weir_testkit::git::init_and_push(&work, &bare, "initial");
        Remote {
            _dir: dir,
            bare,
            work,
        }
    }

    fn url(&self) -> String {
        format!("file://{}", self.bare.display())
    }

    fn log(&self, branch: &str) -> Vec<String> {
        git(&self.bare, &["log", "--format=%an <%ae>|%s", branch])
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn show(&self, rev: &str, path: &str) -> String {
        git(&self.bare, &["show", &format!("{rev}:{path}")])
    }

    /// Pushes a commit touching README.md from another clone.
    fn concurrent_push(&self) {
        git(
            &self.work,
            &[
                "pull",
                "-q",
                "--rebase",
                self.bare.to_str().unwrap(),
                "main",
            ],
        );
        std::fs::write(self.work.join("README.md"), "demo, edited meanwhile\n").unwrap();
        git(&self.work, &["commit", "-q", "-am", "concurrent edit"]);
        git(
            &self.work,
            &["push", "-q", self.bare.to_str().unwrap(), "main"],
        );
    }
}

fn seed_objects(url: &str, iua_spec_patch: impl FnOnce(&mut Value)) -> FluxObjects {
    let mut iua = json!({
        "apiVersion": "image.toolkit.fluxcd.io/v1beta1",
        "kind": "ImageUpdateAutomation",
        "metadata": {"name": "flux-system", "namespace": "flux-system"},
        "spec": {
            "interval": "1m0s",
            "sourceRef": {"kind": "GitRepository", "name": "microservices-demo"},
            "git": {
                "checkout": {"ref": {"branch": "main"}},
                "commit": {
                    "author": {"email": "fluxcdbot@users.noreply.github.com", "name": "fluxcdbot"},
                    "messageTemplate": "{{range .Updated.Images}}{{println .}}{{end}}"
                },
                "push": {"branch": "main"}
            },
            "update": {"path": "./overlays/development", "strategy": "Setters"}
        }
    });
    iua_spec_patch(&mut iua["spec"]);
    let docs = vec![
        json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1beta2",
            "kind": "GitRepository",
            "metadata": {"name": "microservices-demo", "namespace": "flux-system"},
            "spec": {"url": url, "interval": "1m", "ref": {"branch": "main"}},
        }),
        json!({
            "apiVersion": "image.toolkit.fluxcd.io/v1beta1",
            "kind": "ImageRepository",
            "metadata": {"name": "front-end", "namespace": "flux-system"},
            "spec": {"image": "weaveworksdemos/front-end", "interval": "1m0s"},
        }),
        json!({
            "apiVersion": "image.toolkit.fluxcd.io/v1beta1",
            "kind": "ImagePolicy",
            "metadata": {"name": "front-end", "namespace": "flux-system"},
            "spec": {
                "imageRepositoryRef": {"name": "front-end"},
                "filterTags": {"pattern": "^main-[a-fA-F0-9]+-(?P<buildnumber>.*)", "extract": "$buildnumber"},
                "policy": {"numerical": {"order": "asc"}}
            },
        }),
        iua,
    ];
    collect(docs.into_iter().map(|d| ("test".to_owned(), d))).unwrap()
}

fn options(cache: &Path) -> Options {
    let mut o = Options::new(cache);
    o.retry_base = Duration::from_millis(5);
    o
}

const TAGS: &[&str] = &[
    "main-aaaaaaa-1",
    "main-bbbbbbb-3",
    "main-ccccccc-2",
    "latest",
    "x.sig",
];

#[test]
fn one_cycle_commits_the_new_image_then_nothing() {
    let remote = Remote::new(OVERLAY);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let mut engine = Engine::new(
        seed_objects(&remote.url(), |_| {}),
        options(cache.path()),
        &lister,
    );
    let report = engine.run_once();
    assert!(!report.failed(), "{:?}", report.failures);
    assert_eq!(report.pushed.len(), 1);
    let log = remote.log("main");
    assert_eq!(
        log,
        [
            "fluxcdbot <fluxcdbot@users.noreply.github.com>|weaveworksdemos/front-end:main-bbbbbbb-3",
            "dev <dev@example.com>|initial",
        ]
    );
    let message = git(&remote.bare, &["log", "-1", "--format=%B", "main"]);
    assert_eq!(message, "weaveworksdemos/front-end:main-bbbbbbb-3\n\n");
    assert_eq!(
        remote.show("main", "overlays/development/kustomization.yaml"),
        OVERLAY.replace("newTag: 0.3.12", "newTag: main-bbbbbbb-3")
    );
    let diff = git(&remote.bare, &["diff", "--stat", "main~1", "main"]);
    assert!(
        diff.contains("1 file changed, 1 insertion(+), 1 deletion(-)"),
        "{diff}"
    );

    let status = engine.status();
    let key = ("flux-system".to_owned(), "front-end".to_owned());
    assert_eq!(status.repositories[&key].tag_count, 4, "x.sig excluded");
    // flux-compat.md §4.3: `successful scan: found <n> tags with checksum <rev>`.
    let revision = &status.repositories[&key].revision;
    assert_eq!(
        revision,
        &tag_list_revision(
            &TAGS[..4]
                .iter()
                .map(|t| (*t).to_owned())
                .collect::<Vec<_>>()
        )
    );
    assert!(revision.starts_with("sha256:") && revision.len() == 71);
    assert_eq!(
        status.repositories[&key].latest_tags,
        [
            "main-ccccccc-2",
            "main-bbbbbbb-3",
            "main-aaaaaaa-1",
            "latest"
        ]
    );
    assert_eq!(
        status.repositories[&key].message,
        format!("successful scan: found 4 tags with checksum {revision}")
    );
    assert_eq!(
        status.policies[&key].latest_image().as_deref(),
        Some("weaveworksdemos/front-end:main-bbbbbbb-3")
    );
    assert_eq!(
        status.policies[&key].message,
        "Latest image tag for 'weaveworksdemos/front-end' resolved to main-bbbbbbb-3"
    );
    let auto = &status.automations[&("flux-system".to_owned(), "flux-system".to_owned())];
    // flux-compat.md §6.7: the push summary, then the commit message.
    let short: String = report.pushed[0].1.chars().take(7).collect();
    assert_eq!(
        auto.message,
        format!(
            "pushed commit '{short}' to branch 'main'\nweaveworksdemos/front-end:main-bbbbbbb-3\n"
        )
    );
    assert_eq!(
        auto.changes,
        ["overlays/development/kustomization.yaml:8: 0.3.12 -> main-bbbbbbb-3"]
    );

    // Second cycle: no change, no commit, no push.
    let report = engine.run_once();
    assert!(!report.failed() && report.pushed.is_empty(), "{report:?}");
    assert_eq!(remote.log("main").len(), 2);
    let auto = &engine.status().automations[&("flux-system".to_owned(), "flux-system".to_owned())];
    assert_eq!(auto.message, "repository up-to-date");
    let tables = engine.status().render_tables();
    assert!(tables.contains("imagepolicy/front-end"), "{tables}");
    assert!(tables.contains("main-bbbbbbb-3"), "{tables}");
}

/// Pushes a conflicting commit before the first real push.
struct RacingPusher<'r> {
    remote: &'r Remote,
    raced: Cell<bool>,
}

impl GitPush for RacingPusher<'_> {
    fn push(&self, request: &PushRequest<'_>) -> Result<(), PushError> {
        if !self.raced.replace(true) {
            self.remote.concurrent_push();
        }
        GitCli::new().push(request)
    }
}

#[test]
fn a_concurrent_push_is_survived_by_the_retry() {
    let remote = Remote::new(OVERLAY);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let events = std::sync::Mutex::new(Vec::new());
    let pusher = RacingPusher {
        remote: &remote,
        raced: Cell::new(false),
    };
    let mut engine = Engine::new(
        seed_objects(&remote.url(), |_| {}),
        options(cache.path()),
        &lister,
    )
    .with_pusher(pusher)
    .on_event(|e| events.lock().unwrap().push(e.clone()));
    let report = engine.run_once();
    assert!(!report.failed(), "{:?}", report.failures);
    let log = remote.log("main");
    assert_eq!(
        log,
        [
            "fluxcdbot <fluxcdbot@users.noreply.github.com>|weaveworksdemos/front-end:main-bbbbbbb-3",
            "dev <dev@example.com>|concurrent edit",
            "dev <dev@example.com>|initial",
        ]
    );
    assert_eq!(remote.show("main", "README.md"), "demo, edited meanwhile\n");
    let retries = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Event::PushRetry { .. }))
        .count();
    assert_eq!(retries, 1);
}

struct AlwaysRejected;

impl GitPush for AlwaysRejected {
    fn push(&self, request: &PushRequest<'_>) -> Result<(), PushError> {
        Err(PushError::NonFastForward {
            url: request.url.as_str().to_owned(),
            branch: request.branch.to_owned(),
        })
    }
}

#[test]
fn retries_are_bounded() {
    let remote = Remote::new(OVERLAY);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let mut opts = options(cache.path());
    opts.push_attempts = 3;
    let mut engine =
        Engine::new(seed_objects(&remote.url(), |_| {}), opts, &lister).with_pusher(AlwaysRejected);
    let report = engine.run_once();
    assert_eq!(report.failures.len(), 1);
    assert!(
        report.failures[0].starts_with(
            "ImageUpdateAutomation flux-system/flux-system: pushing (attempt 3): push to branch main of"
        ),
        "{}",
        report.failures[0]
    );
    assert_eq!(remote.log("main").len(), 1, "nothing pushed");
}

#[test]
fn a_bad_template_fails_before_anything_is_committed() {
    let remote = Remote::new(OVERLAY);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let mut engine = Engine::new(
        seed_objects(&remote.url(), |s| {
            s["git"]["commit"]["messageTemplate"] = json!("{{range .Updated.Images}}");
        }),
        options(cache.path()),
        &lister,
    );
    let report = engine.run_once();
    assert_eq!(report.failures.len(), 1);
    assert!(
        report.failures[0].starts_with(
            "ImageUpdateAutomation flux-system/flux-system: spec.git.commit.messageTemplate: "
        ),
        "{}",
        report.failures[0]
    );
    assert_eq!(remote.log("main").len(), 1);
    assert!(!cache.path().join("git").exists(), "nothing fetched either");
}

#[test]
fn unresolved_markers_are_reported() {
    let overlay = format!(
        "{OVERLAY}extra:\n  a: x # {{\"$imagepolicy\": \"other-ns:front-end:tag\"}}\n  b: y # {{\"$imagepolicy\": \"flux-system:missing\"}}\n"
    );
    let remote = Remote::new(&overlay);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let mut engine = Engine::new(
        seed_objects(&remote.url(), |_| {}),
        options(cache.path()),
        &lister,
    );
    let report = engine.run_once();
    assert!(!report.failed(), "{:?}", report.failures);
    let auto = &engine.status().automations[&("flux-system".to_owned(), "flux-system".to_owned())];
    assert_eq!(
        auto.unresolved,
        [
            "kustomization.yaml:10: other-ns:front-end:tag: policy in another namespace than the automation",
            "kustomization.yaml:11: flux-system:missing: policy not found",
        ]
    );
}

#[test]
fn a_missing_push_branch_is_created_from_the_checkout() {
    let remote = Remote::new(OVERLAY);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let mut engine = Engine::new(
        seed_objects(&remote.url(), |s| {
            s["git"]["push"]["branch"] = json!("image-updates");
        }),
        options(cache.path()),
        &lister,
    );
    let report = engine.run_once();
    assert!(!report.failed(), "{:?}", report.failures);
    assert_eq!(remote.log("main").len(), 1);
    assert_eq!(remote.log("image-updates").len(), 2);
    // The next run works on top of the existing push branch: nothing to do.
    let report = engine.run_once();
    assert!(!report.failed() && report.pushed.is_empty(), "{report:?}");
    assert_eq!(remote.log("image-updates").len(), 2);
}

/// Records the `force` flag and options of each push, then pushes with git.
struct RecordingPusher {
    forced: RefCell<Vec<(String, bool)>>,
    options: RefCell<Vec<(String, String)>>,
}

impl GitPush for &RecordingPusher {
    fn push(&self, request: &PushRequest<'_>) -> Result<(), PushError> {
        self.forced
            .borrow_mut()
            .push((request.branch.to_owned(), request.force));
        self.options.borrow_mut().extend(request.options.to_vec());
        GitCli::new().push(request)
    }
}

/// flux-compat.md §6.1/§6.6: `git.push.options` are sent with the push, in
/// key order, an empty value as `key=`.
#[test]
fn push_options_are_sent() {
    let remote = Remote::new(OVERLAY);
    git(
        &remote.bare,
        &["config", "receive.advertisePushOptions", "true"],
    );
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let pusher = RecordingPusher {
        forced: RefCell::new(Vec::new()),
        options: RefCell::new(Vec::new()),
    };
    let mut engine = Engine::new(
        seed_objects(&remote.url(), |s| {
            s["git"]["push"]["options"] = json!({"topic": "auto", "merge_request.create": ""});
        }),
        options(cache.path()),
        &lister,
    )
    .with_pusher(&pusher);
    let report = engine.run_once();
    assert!(!report.failed(), "{:?}", report.failures);
    assert_eq!(
        *pusher.options.borrow(),
        [
            ("merge_request.create".to_owned(), String::new()),
            ("topic".to_owned(), "auto".to_owned())
        ]
    );
    assert_eq!(remote.log("main").len(), 2);
}

/// flux-compat.md §6.6: a push to another branch than the checkout branch
/// is a force push (GitForcePushBranch, on by default); a same-branch push
/// is not.
#[test]
fn only_a_switched_branch_is_force_pushed() {
    for (push_branch, forced) in [("main", false), ("image-updates", true)] {
        let remote = Remote::new(OVERLAY);
        let cache = tempfile::tempdir().unwrap();
        let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
        let pusher = RecordingPusher {
            forced: RefCell::new(Vec::new()),
            options: RefCell::new(Vec::new()),
        };
        let mut engine = Engine::new(
            seed_objects(&remote.url(), |s| {
                s["git"]["push"]["branch"] = json!(push_branch);
            }),
            options(cache.path()),
            &lister,
        )
        .with_pusher(&pusher);
        let report = engine.run_once();
        assert!(!report.failed(), "{:?}", report.failures);
        assert_eq!(*pusher.forced.borrow(), [(push_branch.to_owned(), forced)]);
        assert_eq!(remote.log(push_branch).len(), 2);
    }
}

/// flux-compat.md §6.1: `update.path` is secure-joined inside the clone, so
/// a symlink in the repository cannot point the setters at files outside it.
#[test]
fn an_update_path_symlinked_out_of_the_clone_stays_inside() {
    let remote = Remote::new(OVERLAY);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("kustomization.yaml"), OVERLAY).unwrap();
    std::os::unix::fs::symlink(outside.path(), remote.work.join("deploy")).unwrap();
    git(&remote.work, &["add", "-A"]);
    git(&remote.work, &["commit", "-q", "-m", "symlink"]);
    git(
        &remote.work,
        &["push", "-q", remote.bare.to_str().unwrap(), "HEAD:main"],
    );
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let mut engine = Engine::new(
        seed_objects(&remote.url(), |s| {
            s["update"]["path"] = json!("./deploy");
        }),
        options(cache.path()),
        &lister,
    );
    let report = engine.run_once();
    assert!(report.pushed.is_empty(), "{report:?}");
    assert_eq!(report.failures.len(), 1, "{report:?}");
    assert!(
        report.failures[0].contains("spec.update.path \"./deploy\" does not exist"),
        "{}",
        report.failures[0]
    );
    assert_eq!(remote.log("main").len(), 2, "nothing pushed");
}

/// flux-compat.md §4.1: `exclusionList` defaults to `^.*\.sig$`; setting it
/// replaces the default (the `.sig` tag comes back), patterns unanchored.
#[test]
fn exclusion_list_replaces_the_default() {
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let cache = tempfile::tempdir().unwrap();
    let key = ("flux-system".to_owned(), "front-end".to_owned());
    for (list, count) in [(None, 4), (Some(json!(["atest"])), 4), (Some(json!([])), 5)] {
        let mut objects = seed_objects("https://example.invalid/x.git", |_| {});
        objects.automations.clear();
        let mut repo = objects.image_repositories[&key].clone();
        repo.spec.exclusion_list = list.clone().map(|l| serde_json::from_value(l).unwrap());
        objects.image_repositories.insert(key.clone(), repo);
        let mut engine = Engine::new(objects, options(cache.path()), &lister);
        let report = engine.run_once();
        assert!(!report.failed(), "{:?}", report.failures);
        assert_eq!(
            engine.status().repositories[&key].tag_count,
            count,
            "{list:?}"
        );
    }
}

/// flux-compat.md §4.1: `certSecretRef` gives `ca.crt` (added to the system
/// roots) and `tls.crt` + `tls.key` (client certificate, both or neither).
#[test]
fn cert_secret_ref_reaches_the_scan() {
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let cache = tempfile::tempdir().unwrap();
    let key = ("flux-system".to_owned(), "front-end".to_owned());
    let with = |data: Value| {
        let mut objects = seed_objects("https://example.invalid/x.git", |_| {});
        objects.automations.clear();
        let mut repo = objects.image_repositories[&key].clone();
        repo.spec.cert_secret_ref = Some(serde_json::from_value(json!({"name": "tls"})).unwrap());
        objects.image_repositories.insert(key.clone(), repo);
        objects.secrets = collect([(
            "t".to_owned(),
            json!({
                "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                "metadata": {"name": "tls", "namespace": "flux-system"},
                "stringData": data,
            }),
        )])
        .unwrap()
        .secrets;
        objects
    };
    let objects = with(json!({"ca.crt": "CA", "tls.crt": "CERT\n", "tls.key": "KEY-CANARY-5"}));
    validate(&objects).unwrap();
    let mut engine = Engine::new(objects, options(cache.path()), &lister);
    assert!(!engine.run_once().failed());
    let seen = lister.seen.borrow();
    let request = seen.last().unwrap();
    assert_eq!(request.ca_pem.as_deref(), Some(&b"CA"[..]));
    use secrecy::ExposeSecret as _;
    assert_eq!(
        request
            .client_identity_pem
            .as_ref()
            .unwrap()
            .expose_secret(),
        "CERT\nKEY-CANARY-5"
    );
    assert!(!format!("{request:?}").contains("KEY-CANARY-5"));
    drop(seen);

    let half = with(json!({"tls.key": "KEY-CANARY-5"}));
    let e = validate(&half).unwrap_err().to_string();
    assert_eq!(
        e,
        "ImageRepository flux-system/front-end: secret 'flux-system/tls' (spec.certSecretRef): tls.crt and tls.key must be given together"
    );
    let mut missing = with(json!({"ca.crt": "CA"}));
    missing.secrets.clear();
    assert_eq!(
        validate(&missing).unwrap_err().to_string(),
        "ImageRepository flux-system/front-end: secret 'flux-system/tls' not found (spec.certSecretRef)"
    );
}

/// flux-compat.md §6.5: template data — `.AutomationObject` prints
/// `<ns>/<name>`, `.Changed.FileChanges` keys are relative to `update.path`,
/// `.Changed.Changes` carry old/new/setter, `.Values` is
/// `messageTemplateValues`; author and committer are `git.commit.author`.
#[test]
fn commit_message_template_data() {
    let remote = Remote::new(OVERLAY);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let mut engine = Engine::new(
        seed_objects(&remote.url(), |s| {
            s["git"]["commit"]["messageTemplate"] = json!(
                "{{.AutomationObject}} {{.Values.env}}\n{{range $f, $_ := .Changed.FileChanges}}{{$f}}\n{{end}}{{range .Changed.Changes}}{{.OldValue}}->{{.NewValue}} {{.Setter}}\n{{end}}"
            );
            s["git"]["commit"]["messageTemplateValues"] = json!({"env": "dev"});
        }),
        options(cache.path()),
        &lister,
    );
    let report = engine.run_once();
    assert!(!report.failed(), "{:?}", report.failures);
    assert_eq!(
        git(&remote.bare, &["log", "-1", "--format=%B", "main"]),
        "flux-system/flux-system dev\nkustomization.yaml\n0.3.12->main-bbbbbbb-3 flux-system:front-end:tag\n\n"
    );
    assert_eq!(
        git(
            &remote.bare,
            &["log", "-1", "--format=%an <%ae>|%cn <%ce>", "main"]
        ),
        "fluxcdbot <fluxcdbot@users.noreply.github.com>|fluxcdbot <fluxcdbot@users.noreply.github.com>\n"
    );
}

/// flux-compat.md §6.6/§6.7: `git.push.refspec` is pushed with the branch
/// and named in the Ready message.
#[test]
fn a_push_refspec_is_pushed_and_reported() {
    let remote = Remote::new(OVERLAY);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let objects = seed_objects(&remote.url(), |s| {
        s["git"]["push"]["refspec"] = json!("refs/heads/main:refs/heads/auto");
    });
    validate(&objects).unwrap();
    let mut engine = Engine::new(objects, options(cache.path()), &lister);
    let report = engine.run_once();
    assert!(!report.failed(), "{:?}", report.failures);
    let commit = &report.pushed[0].1;
    assert_eq!(git(&remote.bare, &["rev-parse", "main"]).trim(), commit);
    assert_eq!(git(&remote.bare, &["rev-parse", "auto"]).trim(), commit);
    let auto = &engine.status().automations[&("flux-system".to_owned(), "flux-system".to_owned())];
    let short: String = commit.chars().take(7).collect();
    assert!(
        auto.message.starts_with(&format!(
            "pushed commit '{short}' to branch 'main' and refspecs 'refs/heads/main:refs/heads/auto'\n"
        )),
        "{}",
        auto.message
    );
}

/// flux-compat.md §6.6: a refspec that pushes to the push branch again is
/// refused, also when the push branch only comes from the GitRepository's
/// ref (weir-api cannot see it): by `validate` and by the run, before any
/// fetch or push.
#[test]
fn a_refspec_onto_the_push_branch_is_refused() {
    let remote = Remote::new(OVERLAY);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let objects = seed_objects(&remote.url(), |s| {
        s["git"].as_object_mut().unwrap().remove("checkout");
        s["git"]["push"] = json!({"refspec": "HEAD:refs/heads/main"});
    });
    let e = validate(&objects).unwrap_err().to_string();
    assert!(
        e.contains("spec.git.push.refspec: \"HEAD:refs/heads/main\" pushes to branch \"main\""),
        "{e}"
    );
    let mut engine = Engine::new(objects, options(cache.path()), &lister);
    let report = engine.run_once();
    assert!(report.pushed.is_empty(), "{report:?}");
    assert_eq!(report.failures.len(), 1, "{report:?}");
    assert!(
        report.failures[0].contains("already up-to-date"),
        "{}",
        report.failures[0]
    );
    assert_eq!(remote.log("main").len(), 1, "nothing pushed");
}

#[test]
fn scan_and_policy_failures_are_reported() {
    let remote = Remote::new(OVERLAY);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("ghcr.io/other/image", &[]);
    let mut engine = Engine::new(
        seed_objects(&remote.url(), |_| {}),
        options(cache.path()),
        &lister,
    );
    let report = engine.run_once();
    assert_eq!(
        report.failures[..2],
        [
            "ImageRepository flux-system/front-end: scanning index.docker.io/weaveworksdemos/front-end: repository not found",
            "ImagePolicy flux-system/front-end: referenced ImageRepository 'flux-system/front-end' has not been scanned",
        ]
    );
    // The automation still runs; with no resolved policy, the markers stay.
    assert_eq!(remote.log("main").len(), 1);
}

#[test]
fn ecr_autologin_applies_to_ecr_hosts_without_a_provider() {
    let ecr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/front-end";
    let mut objects = seed_objects("https://example.invalid/x.git", |_| {});
    objects.automations.clear();
    let docs = vec![json!({
        "apiVersion": "image.toolkit.fluxcd.io/v1beta1",
        "kind": "ImageRepository",
        "metadata": {"name": "ecr", "namespace": "flux-system"},
        "spec": {"image": ecr, "interval": "1m0s"},
    })];
    let extra = collect(docs.into_iter().map(|d| ("t".to_owned(), d))).unwrap();
    objects.image_repositories.extend(extra.image_repositories);
    let lister = FakeLister::new(ecr, &["v1"]);
    let cache = tempfile::tempdir().unwrap();
    for (flag, expect_ecr) in [(false, false), (true, true)] {
        lister.seen.borrow_mut().clear();
        let mut opts = options(cache.path());
        opts.aws_autologin_for_ecr = flag;
        let mut engine = Engine::new(objects.clone(), opts, &lister);
        let _ = engine.run_once();
        let seen = lister.seen.borrow();
        let by_image = |img: &str| {
            seen.iter()
                .find(|r| r.image.to_string() == img)
                .map(|r| matches!(r.login, Login::Ecr))
        };
        assert_eq!(by_image(ecr), Some(expect_ecr));
        assert_eq!(
            by_image("index.docker.io/weaveworksdemos/front-end"),
            Some(false),
            "not an ECR host"
        );
    }
}

#[test]
fn backoff_grows_with_jitter_and_a_cap() {
    let base = Duration::from_millis(100);
    for attempt in 1..6 {
        let d = backoff(base, attempt);
        let nominal = base * (1 << (attempt - 1));
        assert!(d >= nominal / 2 && d < nominal * 3 / 2, "{attempt}: {d:?}");
    }
    assert!(backoff(base, 30) <= Duration::from_secs(5));
}

#[test]
fn validate_finds_bad_templates_and_missing_references() {
    let ok = seed_objects("https://example.invalid/x.git", |_| {});
    validate(&ok).unwrap();
    let bad = seed_objects("https://example.invalid/x.git", |s| {
        s["git"]["commit"]["messageTemplate"] = json!("{{ .Updated.Images");
    });
    let e = validate(&bad).unwrap_err();
    assert!(
        chain(&e).starts_with(
            "ImageUpdateAutomation flux-system/flux-system: spec.git.commit.messageTemplate: "
        ),
        "{}",
        chain(&e)
    );
    let missing = seed_objects("https://example.invalid/x.git", |s| {
        s["sourceRef"]["name"] = json!("nope");
    });
    assert_eq!(
        validate(&missing).unwrap_err().to_string(),
        "ImageUpdateAutomation flux-system/flux-system: GitRepository 'flux-system/nope' not found (spec.sourceRef)"
    );
    assert_eq!(
        warnings(&ok),
        [
            "ImageUpdateAutomation flux-system/flux-system: spec.git.commit.messageTemplate uses .Updated, which Flux's v1 API removed (use .Changed); weir still renders it"
        ]
    );
    // flux-compat.md §6.6: checkout by tag with no push branch cannot work.
    let by_tag = seed_objects("https://example.invalid/x.git", |s| {
        s["git"]["checkout"]["ref"] = json!({"tag": "v1.0.0"});
        s["git"]["push"] = json!({});
    });
    assert_eq!(
        validate(&by_tag).unwrap_err().to_string(),
        "ImageUpdateAutomation flux-system/flux-system: push spec not provided, and cannot be inferred from the checkout ref"
    );
    // flux-compat.md §4.1: secretRef is ignored unless provider is generic.
    let with_secret = |provider: &str| {
        let mut objects = ok.clone();
        let docs = vec![json!({
            "apiVersion": "image.toolkit.fluxcd.io/v1beta2",
            "kind": "ImageRepository",
            "metadata": {"name": "front-end", "namespace": "flux-system"},
            "spec": {
                "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/front-end",
                "interval": "1m0s",
                "provider": provider,
                "secretRef": {"name": "missing"}
            },
        })];
        let extra = collect(docs.into_iter().map(|d| ("t".to_owned(), d))).unwrap();
        objects.image_repositories = extra.image_repositories;
        validate(&objects)
    };
    with_secret("aws").unwrap();
    assert_eq!(
        with_secret("generic").unwrap_err().to_string(),
        "ImageRepository flux-system/front-end: secret 'flux-system/missing' not found (spec.secretRef)"
    );
    // Malformed secrets are found by validate (exit 2 in the CLI), and the
    // messages never carry secret values.
    let secret = |name: &str, data: Value| {
        collect([(
            "t".to_owned(),
            json!({
                "apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": name, "namespace": "flux-system"},
                "stringData": data,
            }),
        )])
        .unwrap()
        .secrets
    };
    let mut bad_git = seed_objects("https://example.invalid/x.git", |_| {});
    let key = ("flux-system".to_owned(), "microservices-demo".to_owned());
    let mut repo = bad_git.git_repositories[&key].clone();
    repo.spec.secret_ref = Some(serde_json::from_value(json!({"name": "git"})).unwrap());
    bad_git.git_repositories.insert(key, repo);
    bad_git.secrets = secret("git", json!({"identity": "KEY-CANARY-9"}));
    let e = chain(&validate(&bad_git).unwrap_err());
    assert!(
        e.starts_with("ImageUpdateAutomation flux-system/flux-system: Secret flux-system/git"),
        "{e}"
    );
    assert!(
        e.contains("known_hosts") && !e.contains("KEY-CANARY-9"),
        "{e}"
    );
    let mut bad_docker = ok.clone();
    let key = ("flux-system".to_owned(), "front-end".to_owned());
    let mut image_repo = bad_docker.image_repositories[&key].clone();
    image_repo.spec.secret_ref = Some(serde_json::from_value(json!({"name": "regcred"})).unwrap());
    bad_docker.image_repositories.insert(key, image_repo);
    bad_docker.secrets = secret("regcred", json!({"password": "PW-CANARY-9"}));
    let e = chain(&validate(&bad_docker).unwrap_err());
    assert!(
        e.starts_with(
            "ImageRepository flux-system/front-end: secret 'flux-system/regcred' (spec.secretRef): "
        ),
        "{e}"
    );
    assert!(!e.contains("PW-CANARY-9"), "{e}");
    let mut no_repo = ok.clone();
    no_repo.image_repositories.clear();
    assert_eq!(
        validate(&no_repo).unwrap_err().to_string(),
        "ImagePolicy flux-system/front-end: referenced ImageRepository 'flux-system/front-end' not found"
    );
}

#[test]
fn watch_runs_each_object_on_its_interval() {
    let remote = Remote::new(OVERLAY);
    let cache = tempfile::tempdir().unwrap();
    let lister = FakeLister::new("index.docker.io/weaveworksdemos/front-end", TAGS);
    let mut engine = Engine::new(
        seed_objects(&remote.url(), |_| {}),
        options(cache.path()),
        &lister,
    );
    let t0 = Instant::now();
    assert_eq!(engine.next_due(t0), Duration::ZERO, "never run: due now");
    let report = engine.run_due(t0);
    assert_eq!(report.pushed.len(), 1);
    assert_eq!(lister.seen.borrow().len(), 1);
    assert_eq!(engine.next_due(t0), Duration::from_secs(60));
    // Before the interval: nothing is scanned or run.
    let report = engine.run_due(t0 + Duration::from_secs(30));
    assert!(report.pushed.is_empty() && !report.failed());
    assert_eq!(lister.seen.borrow().len(), 1);
    // After it: scanned again, the automation runs (and finds nothing to do).
    let report = engine.run_due(t0 + Duration::from_secs(61));
    assert!(report.pushed.is_empty() && !report.failed(), "{report:?}");
    assert_eq!(lister.seen.borrow().len(), 2);
    assert_eq!(remote.log("main").len(), 2);
}
