//! `weir automate DIR`: Flux image update automation without a cluster.
//!
//! Loads the Flux objects of DIR (GitRepository, ImageRepository,
//! ImagePolicy, ImageUpdateAutomation, Secret), then runs one cycle
//! (`--once`, the default) or keeps running them (`--watch`, each object on
//! its own `interval`). Status tables in the shape of `flux get images all
//! -A` go to stdout after each cycle; progress goes to stderr.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use weir_automation::{Engine, Event, Options, RegistryLister};

use crate::exit::{CmdResult, Failure, ResultExt as _, write_stdout};

/// Flags of `weir automate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Directory of Flux objects (rendered with kustomize when it holds a
    /// kustomization.yaml, else every YAML document under it).
    dir: PathBuf,

    /// Run one cycle and exit (the default).
    #[arg(long, conflicts_with = "watch")]
    once: bool,

    /// Keep running: each ImageRepository and ImageUpdateAutomation on its
    /// own spec.interval.
    #[arg(long)]
    watch: bool,

    /// Log in to Amazon ECR for every ImageRepository on an ECR host whose
    /// spec.provider is unset (Flux's legacy image-reflector flag).
    #[arg(long)]
    aws_autologin_for_ecr: bool,

    /// Send every registry request for HOST to URL (repeatable), e.g.
    /// docker.io=http://127.0.0.1:5000. An http:// mirror is used over plain
    /// HTTP.
    #[arg(long = "registry-mirror", value_name = "HOST=URL")]
    registry_mirror: Vec<String>,

    /// Where Git repositories are cached between cycles
    /// (default: $XDG_CACHE_HOME/weir or ~/.cache/weir).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

fn default_cache_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("weir");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h).join(".cache/weir");
    }
    std::env::temp_dir().join("weir-cache")
}

fn print_event(e: &Event) {
    match e {
        Event::ScanStarted { repository, image } => {
            eprintln!("imagerepository/{repository}: scanning {image}");
        }
        Event::ScanProgress { repository, tags } => {
            eprintln!("imagerepository/{repository}: {tags} tags so far");
        }
        Event::ScanFinished {
            repository,
            tags,
            excluded,
        } => eprintln!("imagerepository/{repository}: {tags} tags ({excluded} excluded)"),
        Event::Fetching { automation, url } => {
            eprintln!("imageupdateautomation/{automation}: fetching {url}");
        }
        Event::PushRetry {
            automation,
            attempt,
            delay,
        } => eprintln!(
            "imageupdateautomation/{automation}: push rejected (the branch moved), attempt {attempt}; refetching and retrying in {} ms",
            delay.as_millis()
        ),
        Event::Pushed {
            automation,
            branch,
            commit,
        } => {
            // Flux's event wording (flux-compat.md §1.6), short commit quoted.
            let short: String = commit.chars().take(7).collect();
            eprintln!(
                "imageupdateautomation/{automation}: pushed commit '{short}' to branch '{branch}'"
            );
        }
        _ => {}
    }
}

/// Runs `weir automate`.
pub(crate) fn run(args: Args) -> CmdResult {
    let objects = weir_automation::load_dir(&args.dir)
        .with_context(|| format!("loading Flux objects from {}", args.dir.display()))
        .invalid()?;
    if objects.automations.is_empty() && objects.image_repositories.is_empty() {
        return Err(Failure::invalid(format!(
            "{}: no ImageRepository or ImageUpdateAutomation found",
            args.dir.display()
        )));
    }
    weir_automation::validate(&objects).invalid()?;
    for w in weir_automation::warnings(&objects) {
        eprintln!("warning: {w}");
    }
    let mut options = Options::new(args.cache_dir.clone().unwrap_or_else(default_cache_dir));
    options.aws_autologin_for_ecr = args.aws_autologin_for_ecr;
    if args.aws_autologin_for_ecr {
        // flux-compat.md §7.3: accepted, with a deprecation warning.
        eprintln!(
            "warning: --aws-autologin-for-ecr is deprecated (Flux removed it in image-reflector-controller 1.0); set spec.provider: aws on the ImageRepository instead"
        );
    }
    for spec in &args.registry_mirror {
        options
            .mirrors
            .add_spec(spec, "--registry-mirror")
            .invalid()?;
    }
    let lister = RegistryLister::new(options.mirrors.clone())
        .context("starting the registry client")
        .failed()?;
    let mut engine = Engine::new(objects, options, lister).on_event(print_event);
    if !args.watch {
        let report = engine.run_once();
        finish_cycle(&engine, &report)?;
        return if report.failed() {
            Err(Failure::failed(format!(
                "the cycle failed: {}",
                report.failures.join("; ")
            )))
        } else {
            Ok(())
        };
    }
    loop {
        let report = engine.run_due(Instant::now());
        finish_cycle(&engine, &report)?;
        for f in &report.failures {
            eprintln!("error: {f}");
        }
        std::thread::sleep(
            engine
                .next_due(Instant::now())
                .max(std::time::Duration::from_secs(1)),
        );
    }
}

fn finish_cycle(engine: &Engine<'_>, _report: &weir_automation::CycleReport) -> CmdResult {
    for ((ns, name), s) in &engine.status().automations {
        for u in &s.unresolved {
            eprintln!("warning: imageupdateautomation/{ns}/{name}: unresolved marker {u}");
        }
    }
    write_stdout(engine.status().render_tables().as_bytes())
}
