//! `weir set-images`: rewrite `$imagepolicy` markers in a tree, byte for byte.

use std::path::PathBuf;

use anyhow::Context as _;
use weir_setters::{Report, Setters};

use crate::exit::{CmdResult, ResultExt, write_stdout};

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One line per marker and a summary.
    Text,
    /// One JSON document (with per-file diffs under --dry-run).
    Json,
}

/// Flags of `weir set-images`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The tree to update (`*.yaml`, `*.yml` and `Kustomization` files; a
    /// symlinked file is followed only inside the tree, symlinked directories
    /// are not, `.git/` is skipped).
    dir: PathBuf,

    /// A resolved policy: `NS:NAME=IMAGE_REF`, IMAGE_REF being
    /// `repo[:port]/path:tag[@sha256:…]`. Repeatable.
    #[arg(long = "set", value_name = "NS:NAME=IMAGE_REF", required = true)]
    set: Vec<String>,

    /// Print a unified diff of what would change and write nothing.
    #[arg(long)]
    dry_run: bool,

    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    report: Format,
}

/// Runs `weir set-images`.
pub(crate) fn run(args: Args) -> CmdResult {
    // Every input is checked before the tree is touched.
    let mut policies = Vec::with_capacity(args.set.len());
    for assignment in &args.set {
        policies.push(
            Setters::parse_assignment(assignment)
                .context("--set")
                .invalid()?,
        );
    }
    let setters = Setters::new(policies);
    // The error names the directory or file that could not be read.
    let report = setters.apply_to_tree(&args.dir).invalid()?;

    let problems = report.render_problems();
    if !problems.is_empty() {
        for line in problems.lines() {
            eprintln!("warning: {line}");
        }
    }

    let diffs = if args.dry_run {
        diffs(&report)
    } else {
        Vec::new()
    };
    let out = match args.report {
        Format::Text => {
            let mut out = String::new();
            for (_, diff) in &diffs {
                out.push_str(diff);
            }
            out.push_str(&report.render_text());
            out
        }
        Format::Json => json_report(&report, &diffs, args.dry_run)
            .context("rendering the JSON report")
            .failed()?,
    };
    if !args.dry_run {
        weir_setters::write(&report).failed()?;
    }
    write_stdout(out.as_bytes())
}

/// A unified diff per changed file, paths relative to the tree.
fn diffs(report: &Report) -> Vec<(String, String)> {
    report
        .changed_files()
        .filter_map(|f| {
            let new = f.new_bytes.as_ref()?;
            let path = f.path.display().to_string();
            let old = std::fs::read(report.root.join(&f.path)).ok()?;
            let old = String::from_utf8_lossy(&old);
            let new = String::from_utf8_lossy(new);
            let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string();
            Some((path, diff))
        })
        .collect()
}

fn json_report(
    report: &Report,
    diffs: &[(String, String)],
    dry_run: bool,
) -> anyhow::Result<String> {
    let files: Vec<serde_json::Value> = report
        .files
        .iter()
        .map(|f| {
            let path = f.path.display().to_string();
            let mut v = serde_json::json!({
                "path": path,
                "changed": f.new_bytes.is_some(),
                "changes": f.changes,
                "problems": f.problems,
            });
            if let Some((_, d)) = diffs.iter().find(|(p, _)| *p == path) {
                v["diff"] = serde_json::Value::String(d.clone());
            }
            v
        })
        .collect();
    let doc = serde_json::json!({
        "root": report.root.display().to_string(),
        "dry_run": dry_run,
        "summary": report.summary(),
        "files_read": report.files_read,
        "files": files,
        "skipped_symlinks": report.skipped_symlinks,
    });
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}
