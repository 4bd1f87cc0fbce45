//! One automation cycle: scan, select, set, commit, push.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use weir_api::{ImageUpdateAutomation, Provider};
use weir_registry::{Credentials, ImageRef, Mirrors};
use weir_setters::{ProblemKind, Setters};
use weir_source::{FetchError, FetchOptions, GitCli, GitPush, PushError, PushRequest};
use weir_template::flux::{self as tpl, CommitData};

use crate::load::{FluxObjects, Key};
use crate::scan::{Login, ScanRequest, TagLister};
use crate::status::{AutomationStatus, PolicyStatus, Status};

/// Knobs of an [`Engine`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Where fetched Git repositories are cached between cycles.
    pub cache_dir: PathBuf,
    /// Flux's legacy `--aws-autologin-for-ecr`: ECR login for every
    /// ImageRepository on an ECR host whose `spec.provider` is unset.
    pub aws_autologin_for_ecr: bool,
    /// Registry mirrors (`HOST=URL`). A mirror given as `http://` is used
    /// over plain HTTP even when the object does not set `insecure`: the
    /// operator asked for that URL explicitly.
    pub mirrors: Mirrors,
    /// How many times a push is tried when the branch moved meanwhile.
    pub push_attempts: u32,
    /// The first retry delay (doubled per attempt, ±50 % jitter, ≤ 5 s).
    pub retry_base: Duration,
}

impl Options {
    /// Defaults: 5 push attempts, 250 ms first retry delay.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        Options {
            cache_dir: cache_dir.into(),
            aws_autologin_for_ecr: false,
            mirrors: Mirrors::new(),
            push_attempts: 5,
            retry_base: Duration::from_millis(250),
        }
    }
}

/// Progress and results as they happen (the CLI prints them to stderr).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A scan started.
    ScanStarted {
        /// `namespace/name`.
        repository: String,
        /// `spec.image`.
        image: String,
    },
    /// Tags received so far during a scan.
    ScanProgress {
        /// `namespace/name`.
        repository: String,
        /// Tags so far.
        tags: usize,
    },
    /// A scan finished.
    ScanFinished {
        /// `namespace/name`.
        repository: String,
        /// Tags kept.
        tags: usize,
        /// Tags dropped by the exclusion list.
        excluded: usize,
    },
    /// A Git fetch started.
    Fetching {
        /// `namespace/name` of the automation.
        automation: String,
        /// The remote.
        url: String,
    },
    /// A push was rejected as not a fast-forward; the run is redone.
    PushRetry {
        /// `namespace/name` of the automation.
        automation: String,
        /// The attempt that failed (1-based).
        attempt: u32,
        /// The delay before the next one.
        delay: Duration,
    },
    /// A commit was pushed.
    Pushed {
        /// `namespace/name` of the automation.
        automation: String,
        /// The branch.
        branch: String,
        /// The commit.
        commit: String,
    },
}

/// Why an automation run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// `messageTemplate` does not parse (found before anything is changed).
    #[error("ImageUpdateAutomation {automation}: spec.git.commit.messageTemplate")]
    Template {
        /// `namespace/name`.
        automation: String,
        /// The parse error.
        #[source]
        source: weir_template::ParseError,
    },
    /// The message template failed while rendering.
    #[error("ImageUpdateAutomation {automation}: rendering the commit message")]
    Render {
        /// `namespace/name`.
        automation: String,
        /// The render error.
        #[source]
        source: weir_template::ExecError,
    },
    /// A referenced object is missing or unusable.
    #[error("ImageUpdateAutomation {automation}: {reason}")]
    Config {
        /// `namespace/name`.
        automation: String,
        /// What is wrong.
        reason: String,
    },
    /// An object other than an automation references something missing.
    #[error("{object}: {reason}")]
    Reference {
        /// `Kind namespace/name`.
        object: String,
        /// What is missing.
        reason: String,
    },
    /// A referenced Secret is invalid.
    #[error("ImageUpdateAutomation {automation}: Secret {secret}")]
    Secret {
        /// `namespace/name`.
        automation: String,
        /// The Secret.
        secret: String,
        /// What is wrong.
        #[source]
        source: Box<weir_api::ApiError>,
    },
    /// Fetching failed.
    #[error("ImageUpdateAutomation {automation}: fetching")]
    Fetch {
        /// `namespace/name`.
        automation: String,
        /// The fetch error.
        #[source]
        source: FetchError,
    },
    /// Checking out failed.
    #[error("ImageUpdateAutomation {automation}: checking out")]
    Checkout {
        /// `namespace/name`.
        automation: String,
        /// The checkout error.
        #[source]
        source: weir_source::CheckoutError,
    },
    /// A local file operation failed.
    #[error("ImageUpdateAutomation {automation}: {what} {path}")]
    Io {
        /// `namespace/name`.
        automation: String,
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Applying the setters failed.
    #[error("ImageUpdateAutomation {automation}: applying setters")]
    Setters {
        /// `namespace/name`.
        automation: String,
        /// The setters error.
        #[source]
        source: weir_setters::Error,
    },
    /// Committing failed.
    #[error("ImageUpdateAutomation {automation}: committing")]
    Commit {
        /// `namespace/name`.
        automation: String,
        /// The commit error.
        #[source]
        source: weir_source::CommitError,
    },
    /// Pushing failed (after the retries, for non-fast-forward rejections).
    #[error("ImageUpdateAutomation {automation}: pushing (attempt {attempts})")]
    Push {
        /// `namespace/name`.
        automation: String,
        /// Attempts made.
        attempts: u32,
        /// The last push error.
        #[source]
        source: PushError,
    },
}

/// What one cycle did.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CycleReport {
    /// Errors of objects that failed this cycle (scans, policies, runs).
    pub failures: Vec<String>,
    /// Commits pushed: automation `namespace/name` → commit.
    pub pushed: Vec<(String, String)>,
}

impl CycleReport {
    /// Whether anything failed.
    pub fn failed(&self) -> bool {
        !self.failures.is_empty()
    }
}

type EventSink<'a> = Box<dyn Fn(&Event) + Sync + 'a>;

/// Runs cycles over a set of Flux objects, keeping their status between
/// cycles (the role of the cluster's status subresources).
pub struct Engine<'a> {
    objects: FluxObjects,
    options: Options,
    lister: Box<dyn TagLister + 'a>,
    pusher: Box<dyn GitPush + 'a>,
    events: EventSink<'a>,
    status: Status,
    tags: BTreeMap<Key, Vec<String>>,
    scanned_at: BTreeMap<Key, Instant>,
    ran_at: BTreeMap<Key, Instant>,
}

impl std::fmt::Debug for Engine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("objects", &self.objects)
            .field("options", &self.options)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

fn id(key: &Key) -> String {
    format!("{}/{}", key.0, key.1)
}

/// A jittered exponential delay: `base · 2^(attempt-1)` times a factor in
/// [0.5, 1.5), capped at 5 s.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // A cheap mix of the clock and the attempt: enough to spread retries.
    let mixed = (u64::from(nanos) ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let factor = 0.5 + ((mixed >> 11) % 1000) as f64 / 1000.0;
    let exp = base.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    exp.mul_f64(factor).min(Duration::from_secs(5))
}

impl<'a> Engine<'a> {
    /// An engine listing tags with `lister` and pushing with `git`.
    pub fn new(objects: FluxObjects, options: Options, lister: impl TagLister + 'a) -> Self {
        Engine {
            objects,
            options,
            lister: Box::new(lister),
            pusher: Box::new(GitCli::new()),
            events: Box::new(|_| {}),
            status: Status::default(),
            tags: BTreeMap::new(),
            scanned_at: BTreeMap::new(),
            ran_at: BTreeMap::new(),
        }
    }

    /// Pushes with `pusher` instead of the `git` CLI (tests inject
    /// concurrent pushes this way).
    #[must_use]
    pub fn with_pusher(mut self, pusher: impl GitPush + 'a) -> Self {
        self.pusher = Box::new(pusher);
        self
    }

    /// Calls `sink` with every [`Event`].
    #[must_use]
    pub fn on_event(mut self, sink: impl Fn(&Event) + Sync + 'a) -> Self {
        self.events = Box::new(sink);
        self
    }

    /// The objects.
    pub fn objects(&self) -> &FluxObjects {
        &self.objects
    }

    /// The status after the last cycle.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Runs everything now: scan every repository, evaluate every policy,
    /// run every automation.
    pub fn run_once(&mut self) -> CycleReport {
        self.cycle(None)
    }

    /// Runs what is due at `now` (each object on its own `interval`; an
    /// automation also runs when a policy of its namespace changed).
    pub fn run_due(&mut self, now: Instant) -> CycleReport {
        self.cycle(Some(now))
    }

    /// How long until the next object is due.
    pub fn next_due(&self, now: Instant) -> Duration {
        let mut next = Duration::from_secs(3600);
        for (key, repo) in &self.objects.image_repositories {
            if let Some(at) = self.scanned_at.get(key) {
                next = next.min((*at + repo.interval()).saturating_duration_since(now));
            } else {
                return Duration::ZERO;
            }
        }
        for (key, auto) in &self.objects.automations {
            if let Some(at) = self.ran_at.get(key) {
                next = next.min((*at + auto.interval()).saturating_duration_since(now));
            } else {
                return Duration::ZERO;
            }
        }
        next
    }

    fn due(at: Option<&Instant>, interval: Duration, now: Option<Instant>) -> bool {
        match (now, at) {
            (None, _) | (_, None) => true,
            (Some(now), Some(at)) => now.saturating_duration_since(*at) >= interval,
        }
    }

    fn cycle(&mut self, now: Option<Instant>) -> CycleReport {
        let mut report = CycleReport::default();
        let repo_keys: Vec<Key> = self.objects.image_repositories.keys().cloned().collect();
        for key in repo_keys {
            let Some(repo) = self.objects.image_repositories.get(&key).cloned() else {
                continue;
            };
            if repo.spec.suspend {
                let s = self.status.repositories.entry(key.clone()).or_default();
                s.suspended = true;
                s.image.clone_from(&repo.spec.image);
                continue;
            }
            if !Self::due(self.scanned_at.get(&key), repo.interval(), now) {
                continue;
            }
            self.scan(&key, &repo, &mut report);
            self.scanned_at
                .insert(key, now.unwrap_or_else(Instant::now));
        }
        let before: BTreeMap<Key, Option<String>> = self
            .status
            .policies
            .iter()
            .map(|(k, s)| (k.clone(), s.latest_image()))
            .collect();
        self.evaluate_policies(&mut report);
        let changed_ns: Vec<String> = self
            .status
            .policies
            .iter()
            .filter(|(k, s)| before.get(*k).cloned().flatten() != s.latest_image())
            .map(|(k, _)| k.0.clone())
            .collect();
        let auto_keys: Vec<Key> = self.objects.automations.keys().cloned().collect();
        for key in auto_keys {
            let Some(auto) = self.objects.automations.get(&key).cloned() else {
                continue;
            };
            if auto.spec.suspend {
                self.status
                    .automations
                    .entry(key.clone())
                    .or_default()
                    .suspended = true;
                continue;
            }
            let policy_changed = changed_ns.contains(&key.0);
            if !policy_changed && !Self::due(self.ran_at.get(&key), auto.interval(), now) {
                continue;
            }
            let mut status = self
                .status
                .automations
                .get(&key)
                .cloned()
                .unwrap_or_default();
            match self.run_automation(&key, &auto, &mut status) {
                Ok(Some(commit)) => report.pushed.push((id(&key), commit)),
                Ok(None) => {}
                Err(e) => {
                    status.ready = Some(false);
                    status.message = chain(&e);
                    report.failures.push(chain(&e));
                }
            }
            status.last_run = Some(SystemTime::now());
            self.status.automations.insert(key.clone(), status);
            self.ran_at.insert(key, now.unwrap_or_else(Instant::now));
        }
        report
    }

    fn scan_request(&self, repo: &weir_api::ImageRepository) -> Result<ScanRequest, String> {
        let image = ImageRef::parse(&repo.spec.image).map_err(|e| e.to_string())?;
        let is_ecr = weir_ecr_auth::parse_host(image.registry()).is_some();
        let login = match repo.provider() {
            Provider::Aws => Login::Ecr,
            Provider::Generic
                if !repo.provider_is_set() && self.options.aws_autologin_for_ecr && is_ecr =>
            {
                Login::Ecr
            }
            Provider::Generic => {
                let mut creds = Credentials::Anonymous;
                if let Some(r) = &repo.spec.secret_ref {
                    let key = (repo.metadata.namespace().to_owned(), r.name.clone());
                    let secret = self.objects.secrets.get(&key).ok_or_else(|| {
                        format!("secret '{}/{}' not found (spec.secretRef)", key.0, key.1)
                    })?;
                    let config = secret.docker_config().map_err(|e| chain(&e))?;
                    if let Some(c) = config.credentials_for(image.registry()) {
                        creds = c.clone();
                    }
                }
                Login::Credentials(creds)
            }
            other => {
                return Err(format!(
                    "spec.provider {other:?} is not supported by weir yet"
                ));
            }
        };
        let mirror_http = self
            .options
            .mirrors
            .get(image.registry())
            .is_some_and(|u| u.scheme() == "http");
        let key = (
            repo.metadata.namespace().to_owned(),
            repo.metadata.name.clone(),
        );
        let (ca_pem, client_identity_pem) = match repo.cert_secret_name() {
            None => (None, None),
            Some(name) => cert_secret(&self.objects, &key.0, name)?,
        };
        Ok(ScanRequest {
            image,
            login,
            insecure: repo.spec.insecure || mirror_http,
            timeout: repo.timeout(),
            ca_pem,
            client_identity_pem,
        })
    }

    fn scan(&mut self, key: &Key, repo: &weir_api::ImageRepository, report: &mut CycleReport) {
        let rid = id(key);
        let request = self.scan_request(repo);
        let status = self.status.repositories.entry(key.clone()).or_default();
        status.image.clone_from(&repo.spec.image);
        status.suspended = false;
        let request = match request {
            Ok(r) => r,
            Err(message) => {
                status.ready = Some(false);
                status.message = format!("scan failed: {message}");
                report
                    .failures
                    .push(format!("ImageRepository {rid}: {message}"));
                return;
            }
        };
        (self.events)(&Event::ScanStarted {
            repository: rid.clone(),
            image: repo.spec.image.clone(),
        });
        let events = &self.events;
        let progress = |n: usize| {
            events(&Event::ScanProgress {
                repository: rid.clone(),
                tags: n,
            });
        };
        let listed = self.lister.list_tags(&request, &progress);
        let status = self.status.repositories.entry(key.clone()).or_default();
        match listed {
            Ok(mut tags) => {
                let total = tags.len();
                match repo.exclusions() {
                    Ok(ex) => ex.retain(&mut tags),
                    Err(e) => {
                        status.ready = Some(false);
                        status.message = chain(&e);
                        report.failures.push(chain(&e));
                        return;
                    }
                }
                status.ready = Some(true);
                status.last_scan = Some(SystemTime::now());
                status.tag_count = tags.len();
                status.revision = tag_list_revision(&tags);
                // flux-compat.md §4.2: descending plain string order, 10 tags.
                let mut latest: Vec<&String> = tags.iter().collect();
                latest.sort_unstable_by(|a, b| b.cmp(a));
                status.latest_tags = latest.into_iter().take(10).cloned().collect();
                // flux-compat.md §4.3.
                status.message = format!(
                    "successful scan: found {} tags with checksum {}",
                    tags.len(),
                    status.revision
                );
                (self.events)(&Event::ScanFinished {
                    repository: rid,
                    tags: tags.len(),
                    excluded: total - tags.len(),
                });
                self.tags.insert(key.clone(), tags);
            }
            Err(e) => {
                status.ready = Some(false);
                status.message = format!("scan failed: {}", chain(&e));
                report
                    .failures
                    .push(format!("ImageRepository {rid}: {}", chain(&e)));
            }
        }
    }

    fn evaluate_policies(&mut self, report: &mut CycleReport) {
        for (key, policy) in &self.objects.image_policies {
            let status = self.status.policies.entry(key.clone()).or_default();
            let repo_key = policy.repository();
            let fail = |status: &mut PolicyStatus, report: &mut CycleReport, msg: String| {
                status.ready = Some(false);
                status.message.clone_from(&msg);
                report
                    .failures
                    .push(format!("ImagePolicy {}: {msg}", id(key)));
            };
            let Some(repo) = self.objects.image_repositories.get(&repo_key) else {
                fail(
                    status,
                    report,
                    format!("referenced ImageRepository '{}' not found", id(&repo_key)),
                );
                continue;
            };
            let Some(tags) = self.tags.get(&repo_key) else {
                fail(
                    status,
                    report,
                    format!(
                        "referenced ImageRepository '{}' has not been scanned",
                        id(&repo_key)
                    ),
                );
                continue;
            };
            let evaluated = policy
                .policy_spec()
                .map_err(|e| chain(&e))
                .and_then(|spec| {
                    let p = weir_imagepolicy::Policy::new(&spec).map_err(|e| chain(&e))?;
                    p.latest(tags.iter().map(String::as_str))
                        .map(str::to_owned)
                        .map_err(|e| chain(&e))
                });
            match evaluated {
                Ok(tag) => {
                    let previous = status.tag.clone();
                    status.image = Some(repo.spec.image.clone());
                    status.tag = Some(tag.clone());
                    status.ready = Some(true);
                    // flux-compat.md §1.6 (image-reflector's Ready message).
                    status.message = match previous {
                        Some(p) if p != tag => format!(
                            "Latest image tag for '{}' updated from {p} to {tag}",
                            repo.spec.image
                        ),
                        _ => format!(
                            "Latest image tag for '{}' resolved to {tag}",
                            repo.spec.image
                        ),
                    };
                    if matches!(
                        policy.spec.digest_reflection_policy.as_deref(),
                        Some("IfNotPresent" | "Always")
                    ) {
                        status
                            .message
                            .push_str(" (digestReflectionPolicy is not supported by weir yet)");
                    }
                }
                Err(msg) => fail(status, report, msg),
            }
        }
    }

    /// The setters for an automation: resolved policies of its namespace
    /// matching its selector.
    fn setters_for(&self, auto: &ImageUpdateAutomation) -> Setters {
        let ns = auto.metadata.namespace();
        let mut pairs = Vec::new();
        for ((pns, pname), policy) in &self.objects.image_policies {
            if pns != ns {
                continue;
            }
            if let Some(sel) = &auto.spec.policy_selector
                && !sel.matches(&policy.metadata.labels)
            {
                continue;
            }
            let Some(latest) = self
                .status
                .policies
                .get(&(pns.clone(), pname.clone()))
                .and_then(PolicyStatus::latest_image)
            else {
                continue;
            };
            if let Ok(image) = latest.parse::<weir_setters::ImageRef>() {
                pairs.push((format!("{pns}:{pname}"), image));
            }
        }
        Setters::new(pairs)
    }

    fn unresolved_reason(&self, auto: &ImageUpdateAutomation, setter: &str) -> &'static str {
        let mut parts = setter.split(':');
        let (ns, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if ns != auto.metadata.namespace() {
            return "policy in another namespace than the automation";
        }
        match self
            .objects
            .image_policies
            .get(&(ns.to_owned(), name.to_owned()))
        {
            None => "policy not found",
            Some(_) => "policy has no latest image (not ready or not selected)",
        }
    }

    fn run_automation(
        &self,
        key: &Key,
        auto: &ImageUpdateAutomation,
        status: &mut AutomationStatus,
    ) -> Result<Option<String>, RunError> {
        let aid = id(key);
        let config = |reason: String| RunError::Config {
            automation: aid.clone(),
            reason,
        };
        let git = auto.git();
        // The template is parsed before anything else.
        let template =
            tpl::parse_message_template(git.commit.message_template.as_deref().unwrap_or(""))
                .map_err(|source| RunError::Template {
                    automation: aid.clone(),
                    source,
                })?;
        let source_key = auto.source();
        let repo = self
            .objects
            .git_repositories
            .get(&source_key)
            .ok_or_else(|| {
                config(format!(
                    "GitRepository '{}' not found (spec.sourceRef)",
                    id(&source_key)
                ))
            })?;
        let credentials = match &repo.spec.secret_ref {
            None => weir_source::Credentials::none(),
            Some(r) => {
                let skey = (source_key.0.clone(), r.name.clone());
                let secret = self.objects.secrets.get(&skey).ok_or_else(|| {
                    config(format!(
                        "secret '{}' of GitRepository '{}' not found",
                        id(&skey),
                        id(&source_key)
                    ))
                })?;
                secret
                    .git_credentials()
                    .map_err(|source| RunError::Secret {
                        automation: aid.clone(),
                        secret: id(&skey),
                        source: Box::new(source),
                    })?
            }
        };
        let url = weir_source::RepoUrl::parse(&repo.spec.url)
            .map_err(|e| config(format!("GitRepository '{}': {e}", id(&source_key))))?;
        let checkout = auto.checkout_ref(repo);
        let push_branch = auto.push_branch(&checkout).ok_or_else(|| {
            config(
                "push spec not provided, and cannot be inferred from the checkout ref".to_owned(),
            )
        })?;
        let switch_branch = checkout.branch_name() != Some(push_branch.as_str());
        // flux-compat.md §6.6: the refspec is pushed after the branch; one
        // that pushes to the push branch again is a configuration error.
        auto.check_refspec(Some(&push_branch))
            .map_err(|e| config(chain(&e)))?;
        let refspec = auto.push_refspec();
        let push_options = auto.push_options();
        let setters = self.setters_for(auto);
        let fetch_options =
            FetchOptions::new(self.options.cache_dir.join("git")).timeout(repo.timeout());

        let mut attempt = 0u32;
        loop {
            attempt += 1;
            (self.events)(&Event::Fetching {
                automation: aid.clone(),
                url: url.as_str().to_owned(),
            });
            let fetch = |r: &weir_source::GitRef| {
                weir_source::fetch(&url, &credentials, r, &fetch_options).map_err(|source| {
                    RunError::Fetch {
                        automation: aid.clone(),
                        source,
                    }
                })
            };
            let fetched = if switch_branch {
                match weir_source::fetch(
                    &url,
                    &credentials,
                    &weir_source::GitRef::branch(push_branch.clone()),
                    &fetch_options,
                ) {
                    Ok(f) => f,
                    Err(FetchError::RefNotFound { .. }) => fetch(&checkout.to_git_ref())?,
                    Err(source) => {
                        return Err(RunError::Fetch {
                            automation: aid.clone(),
                            source,
                        });
                    }
                }
            } else {
                fetch(&checkout.to_git_ref())?
            };
            let work = tempfile::Builder::new()
                .prefix("weir-automation-")
                .tempdir()
                .map_err(|source| RunError::Io {
                    automation: aid.clone(),
                    what: "creating a work directory",
                    path: std::env::temp_dir(),
                    source,
                })?;
            let tree = work.path().join("tree");
            fetched
                .checkout(&tree)
                .map_err(|source| RunError::Checkout {
                    automation: aid.clone(),
                    source,
                })?;
            // flux-compat.md §6.1: secure-joined inside the clone.
            let target = crate::securejoin::secure_join(&tree, auto.update_path())
                .map_err(|e| config(format!("spec.update.path {:?}: {e}", auto.update_path())))?;
            if !target.exists() {
                return Err(config(format!(
                    "spec.update.path {:?} does not exist in the repository",
                    auto.update_path()
                )));
            }
            let report = setters
                .apply_to_tree(&target)
                .map_err(|source| RunError::Setters {
                    automation: aid.clone(),
                    source,
                })?;
            // Paths in the report are relative to the target (a file target
            // reports its file name).
            let base = if target.is_file() {
                target.parent().map(Path::to_owned).unwrap_or(tree.clone())
            } else {
                target.clone()
            };
            status.unresolved = report
                .problems()
                .map(|(path, p)| {
                    let why = match &p.kind {
                        ProblemKind::UnknownPolicy { setter } => {
                            format!("{setter}: {}", self.unresolved_reason(auto, setter))
                        }
                        other => other.to_string(),
                    };
                    match p.line {
                        Some(l) => format!("{}:{l}: {why}", path.display()),
                        None => format!("{}: {why}", path.display()),
                    }
                })
                .collect();
            let mut changes = Vec::new();
            let mut data = CommitData::new(auto.metadata.namespace(), &auto.metadata.name);
            for (k, v) in &git.commit.message_template_values {
                data.set_value(k, v);
            }
            let mut described = Vec::new();
            for file in report.changed_files() {
                let Some(bytes) = &file.new_bytes else {
                    continue;
                };
                let abs = base.join(&file.path);
                let rel = abs.strip_prefix(&tree).unwrap_or(&abs);
                let rel_text = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                changes.push(weir_source::Change::Write {
                    path: rel_text.clone(),
                    contents: bytes.clone(),
                    executable: is_executable(&abs),
                });
                let file_key = file.path.to_string_lossy().replace('\\', "/");
                let mut imaged: Vec<(tpl::ObjectId, String)> = Vec::new();
                for c in file.changes.iter().filter(|c| c.is_change()) {
                    let o = &c.object;
                    let oid = tpl::ObjectId::new(
                        o.api_version.clone().unwrap_or_default(),
                        o.kind.clone().unwrap_or_default(),
                        o.namespace.clone().unwrap_or_default(),
                        o.name.clone().unwrap_or_default(),
                    );
                    data.add_change(
                        file_key.clone(),
                        &oid,
                        tpl::Change::new(c.old.clone(), c.new.clone(), c.setter.clone()),
                    );
                    described.push(format!("{rel_text}:{}: {} -> {}", c.line, c.old, c.new));
                    if !imaged.iter().any(|(i, p)| *i == oid && *p == c.policy) {
                        let (pns, pname) = c.policy.split_once(':').unwrap_or(("", ""));
                        let full = self
                            .status
                            .policies
                            .get(&(pns.to_owned(), pname.to_owned()))
                            .and_then(PolicyStatus::latest_image);
                        if let Some(full) = full {
                            data.add_image(
                                file_key.clone(),
                                &oid,
                                tpl::ImageRef::parse(&full).with_policy(pns, pname),
                            );
                        }
                        imaged.push((oid, c.policy.clone()));
                    }
                }
            }
            let revision = |hex: &str| format!("{push_branch}@sha1:{hex}");
            if changes.is_empty() {
                status.ready = Some(true);
                status.message = "repository up-to-date".to_owned();
                status.observed_revision = Some(revision(&fetched.commit()));
                return Ok(None);
            }
            let message = template
                .render(&data.to_value())
                .map_err(|source| RunError::Render {
                    automation: aid.clone(),
                    source,
                })?;
            let author = weir_source::Signature::new(
                git.commit.author.name.clone(),
                git.commit.author.email.clone(),
            );
            let info = weir_source::CommitInfo {
                message: message.clone(),
                author: author.clone(),
                committer: author,
            };
            let Some(commit) =
                fetched
                    .commit_changes(&changes, &info)
                    .map_err(|source| RunError::Commit {
                        automation: aid.clone(),
                        source,
                    })?
            else {
                status.ready = Some(true);
                status.message = "repository up-to-date".to_owned();
                status.observed_revision = Some(revision(&fetched.commit()));
                return Ok(None);
            };
            let mut request =
                PushRequest::new(fetched.git_dir(), &url, &credentials, &commit, &push_branch);
            // flux-compat.md §6.6: pushing to another branch than the
            // checkout branch is a force push (Flux's GitForcePushBranch
            // gate, on by default); the same branch never is.
            request.force = switch_branch;
            request.refspec = refspec;
            request.options = &push_options;
            match self.pusher.push(&request) {
                Ok(()) => {
                    let short: String = commit.chars().take(7).collect();
                    status.ready = Some(true);
                    status.message = format!("pushed commit '{short}' to branch '{push_branch}'");
                    if let Some(r) = refspec {
                        status.message.push_str(&format!(" and refspecs '{r}'"));
                    }
                    // flux-compat.md §6.7: the push summary, then the commit
                    // message (the status tables show the first line).
                    status.message.push('\n');
                    status.message.push_str(&message);
                    status.last_push_commit = Some(commit.clone());
                    status.last_push_time = Some(SystemTime::now());
                    status.last_commit_message = Some(message);
                    status.observed_revision = Some(revision(&commit));
                    status.changes = described;
                    (self.events)(&Event::Pushed {
                        automation: aid.clone(),
                        branch: push_branch.clone(),
                        commit: commit.clone(),
                    });
                    return Ok(Some(commit));
                }
                Err(PushError::NonFastForward { .. }) if attempt < self.options.push_attempts => {
                    let delay = backoff(self.options.retry_base, attempt);
                    (self.events)(&Event::PushRetry {
                        automation: aid.clone(),
                        attempt,
                        delay,
                    });
                    std::thread::sleep(delay);
                }
                Err(source) => {
                    return Err(RunError::Push {
                        automation: aid.clone(),
                        attempts: attempt,
                        source,
                    });
                }
            }
        }
    }
}

/// Checks what can be checked before any cycle: every message template
/// parses, and every reference (`sourceRef`, `secretRef`,
/// `imageRepositoryRef`) names an object of the set. Returns the first
/// problem.
pub fn validate(objects: &FluxObjects) -> Result<(), RunError> {
    for (key, auto) in &objects.automations {
        let automation = id(key);
        let git = auto.git();
        tpl::parse_message_template(git.commit.message_template.as_deref().unwrap_or("")).map_err(
            |source| RunError::Template {
                automation: automation.clone(),
                source,
            },
        )?;
        let source = auto.source();
        let Some(repo) = objects.git_repositories.get(&source) else {
            return Err(RunError::Config {
                automation,
                reason: format!("GitRepository '{}' not found (spec.sourceRef)", id(&source)),
            });
        };
        if let Some(r) = &repo.spec.secret_ref {
            let skey = (source.0.clone(), r.name.clone());
            let Some(secret) = objects.secrets.get(&skey) else {
                return Err(RunError::Config {
                    automation,
                    reason: format!(
                        "secret '{}' of GitRepository '{}' not found",
                        id(&skey),
                        id(&source)
                    ),
                });
            };
            // A malformed secret is bad input, found before any cycle.
            secret
                .git_credentials()
                .map_err(|source| RunError::Secret {
                    automation: automation.clone(),
                    secret: id(&skey),
                    source: Box::new(source),
                })?;
        }
        // flux-compat.md §6.6: no push branch and none to infer is a
        // configuration error (Flux stalls with InvalidSourceConfiguration).
        let Some(push_branch) = auto.push_branch(&auto.checkout_ref(repo)) else {
            return Err(RunError::Config {
                automation,
                reason: "push spec not provided, and cannot be inferred from the checkout ref"
                    .to_owned(),
            });
        };
        // The push branch may come from the GitRepository: check the refspec
        // against it (weir-api checked what the automation alone tells).
        auto.check_refspec(Some(&push_branch))
            .map_err(|e| RunError::Config {
                automation,
                reason: chain(&e),
            })?;
    }
    for (key, repo) in &objects.image_repositories {
        if let Some(name) = repo.cert_secret_name() {
            cert_secret(objects, &key.0, name).map_err(|reason| RunError::Reference {
                object: format!("ImageRepository {}", id(key)),
                reason,
            })?;
        }
    }
    for (key, repo) in &objects.image_repositories {
        // flux-compat.md §4.1/§7.1: secretRef is ignored unless the provider
        // is generic, so a missing Secret only matters then.
        if repo.provider() != Provider::Generic {
            continue;
        }
        if let Some(r) = &repo.spec.secret_ref {
            let skey = (key.0.clone(), r.name.clone());
            let Some(secret) = objects.secrets.get(&skey) else {
                return Err(RunError::Reference {
                    object: format!("ImageRepository {}", id(key)),
                    reason: format!("secret '{}' not found (spec.secretRef)", id(&skey)),
                });
            };
            // flux-compat.md §4.1: a kubernetes.io/dockerconfigjson Secret.
            secret.docker_config().map_err(|e| RunError::Reference {
                object: format!("ImageRepository {}", id(key)),
                reason: format!("secret '{}' (spec.secretRef): {}", id(&skey), chain(&e)),
            })?;
        }
    }
    for (key, policy) in &objects.image_policies {
        let repo = policy.repository();
        if !objects.image_repositories.contains_key(&repo) {
            return Err(RunError::Reference {
                object: format!("ImagePolicy {}", id(key)),
                reason: format!("referenced ImageRepository '{}' not found", id(&repo)),
            });
        }
    }
    Ok(())
}

/// Things that work but deserve a word: fields Weir does not act on yet
/// ([`FluxObjects::unsupported`]), message templates using the legacy
/// `.Updated` data (removed in Flux's v1 API; Weir still renders it) and
/// policies asking for digest reflection (not supported yet).
pub fn warnings(objects: &FluxObjects) -> Vec<String> {
    let mut out = objects.unsupported.clone();
    for (key, auto) in &objects.automations {
        let git = auto.git();
        if git
            .commit
            .message_template
            .as_deref()
            .is_some_and(|t| t.contains(".Updated"))
        {
            out.push(format!(
                "ImageUpdateAutomation {}: spec.git.commit.messageTemplate uses .Updated, which Flux's v1 API removed (use .Changed); weir still renders it",
                id(key)
            ));
        }
    }
    for (key, policy) in &objects.image_policies {
        if matches!(
            policy.spec.digest_reflection_policy.as_deref(),
            Some("IfNotPresent" | "Always")
        ) {
            out.push(format!(
                "ImagePolicy {}: spec.digestReflectionPolicy is not supported by weir yet; no digest is reflected",
                id(key)
            ));
        }
    }
    out
}

/// The TLS material of an ImageRepository's `certSecretRef` (flux-compat.md
/// §4.1): `ca.crt` (legacy `caFile`) added to the system roots, and
/// `tls.crt` + `tls.key` (legacy `certFile` + `keyFile`), both or neither,
/// as the client certificate.
type CertMaterial = (Option<Vec<u8>>, Option<secrecy::SecretString>);

fn cert_secret(objects: &FluxObjects, namespace: &str, name: &str) -> Result<CertMaterial, String> {
    use secrecy::ExposeSecret as _;
    let id = format!("{namespace}/{name}");
    let secret = objects
        .secrets
        .get(&(namespace.to_owned(), name.to_owned()))
        .ok_or_else(|| format!("secret '{id}' not found (spec.certSecretRef)"))?;
    let get = |key: &str, legacy: &str| secret.get(key).or_else(|| secret.get(legacy));
    let ca = get("ca.crt", "caFile").map(|v| v.expose_secret().as_bytes().to_vec());
    let identity = match (get("tls.crt", "certFile"), get("tls.key", "keyFile")) {
        (Some(cert), Some(key)) => Some(secrecy::SecretString::from(format!(
            "{}\n{}",
            cert.expose_secret().trim_end(),
            key.expose_secret()
        ))),
        (None, None) => None,
        _ => {
            return Err(format!(
                "secret '{id}' (spec.certSecretRef): tls.crt and tls.key must be given together"
            ));
        }
    };
    if ca.is_none() && identity.is_none() {
        return Err(format!(
            "secret '{id}' (spec.certSecretRef): no ca.crt, and no tls.crt + tls.key"
        ));
    }
    Ok((ca, identity))
}

/// `lastScanResult.revision` (flux-compat.md §4.2): `sha256:<hex>` of the
/// stored list, one tag per line, as Flux's `FluxStorage` store checksums its
/// `tags.txt`. Only changes matter to consumers, not the exact bytes.
fn tag_list_revision(tags: &[String]) -> String {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    for tag in tags {
        hasher.update(tag.as_bytes());
        hasher.update(b"\n");
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_path: &Path) -> bool {
    false
}

/// An error and its sources on one line (`a: b: c`).
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

#[cfg(test)]
#[path = "cycle_tests.rs"]
mod tests;
