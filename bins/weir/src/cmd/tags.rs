//! `weir tags`: evaluate an ImagePolicy over a list of tags (the policy
//! evaluation tool Flux lacks).
//!
//! Prints the selected original tag alone on stdout. `--explain` adds a table on
//! stderr: every tag, its candidate value and its verdict or rank.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use weir_imagepolicy::{Choice, Explanation, FilterTags, Policy, PolicySpec, manifest};

use crate::exit::{CmdResult, Failure, ResultExt as _, write_stdout};

/// Flags of `weir tags`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// An ImagePolicy manifest (image.toolkit.fluxcd.io v1beta1, v1beta2 or v1).
    /// The flags below override its fields.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,

    /// filterTags.pattern: a Go RE2 regex searched anywhere in each tag.
    #[arg(long, value_name = "RE")]
    pattern: Option<String>,

    /// filterTags.extract: a Go Regexp.Expand template such as '$build'.
    #[arg(long, value_name = "TEMPLATE")]
    extract: Option<String>,

    /// Semver policy: a Masterminds v3 range such as '>=1.0.0 <2.0.0'.
    #[arg(long, value_name = "RANGE", conflicts_with_all = ["alphabetical", "numerical"])]
    semver: Option<String>,

    /// Alphabetical policy: asc picks the greatest, desc the least.
    #[arg(long, value_name = "asc|desc", conflicts_with = "numerical")]
    alphabetical: Option<String>,

    /// Numerical policy (Go ParseFloat): asc picks the greatest, desc the least.
    #[arg(long, value_name = "asc|desc")]
    numerical: Option<String>,

    /// Read tags from FILE, one per line (default: standard input).
    #[arg(long, value_name = "FILE", conflicts_with = "image")]
    tags_file: Option<PathBuf>,

    /// Print a table explaining every tag's verdict on stderr.
    #[arg(long)]
    explain: bool,

    /// Registry scanning: `--image` and its flags.
    #[command(flatten)]
    scan: super::scan::ScanArgs,
}

/// Runs `weir tags`.
pub(crate) fn run(args: Args) -> CmdResult {
    let (spec, origin) = build_spec(&args)?;
    let policy = Policy::new(&spec)
        .map_err(|e| {
            let at = origin.of(&e);
            anyhow::Error::new(e).context(at)
        })
        .invalid()?;
    let scanned = match args.scan.image {
        Some(_) => Some(super::scan::scan(&args.scan)?),
        None => None,
    };
    let text = match &scanned {
        Some(scanned) => scanned.tags.join("\n"),
        None => read_tags(&tag_source(&args))?,
    };
    let tags = || split_tags(&text);

    let selected = if args.explain {
        let explanation = policy.explain(tags());
        eprint!("{}", render_explanation(&explanation));
        match explanation.outcome {
            Ok(_) => explanation.selected().map(str::to_owned),
            Err(e) => return Err(Failure::Failed(e.into())),
        }
    } else {
        Some(policy.latest(tags()).failed()?.to_owned())
    };
    match selected {
        Some(tag) => match &scanned {
            Some(scanned) if args.scan.digest => {
                let digest = scanned.digest(&tag)?;
                write_stdout(format!("{tag}@{digest}\n").as_bytes())
            }
            _ => write_stdout(format!("{tag}\n").as_bytes()),
        },
        None => Err(Failure::failed("no tag selected")),
    }
}

/// Where the policy's values came from, to name them in errors.
struct Origin {
    file: Option<PathBuf>,
    pattern_flag: bool,
    choice_flag: bool,
}

impl Origin {
    /// The file or flag an invalid-policy error is about.
    fn of(&self, error: &weir_imagepolicy::Error) -> String {
        let from_flag = match error {
            weir_imagepolicy::Error::InvalidRegex { .. } => self.pattern_flag,
            _ => self.choice_flag,
        };
        match (&self.file, from_flag, error) {
            (Some(file), false, _) => file.display().to_string(),
            (_, _, weir_imagepolicy::Error::InvalidRegex { .. }) => "--pattern".to_owned(),
            (_, _, weir_imagepolicy::Error::InvalidRange { .. }) => "--semver".to_owned(),
            (_, _, weir_imagepolicy::Error::InvalidOrder { policy, .. }) => format!("--{policy}"),
            _ => "flags".to_owned(),
        }
    }
}

/// The policy from `--policy` with the flags applied on top.
fn build_spec(args: &Args) -> CmdResult<(PolicySpec, Origin)> {
    let mut filter_tags: Option<FilterTags> = None;
    let mut choice: Option<Choice> = None;
    if let Some(path) = &args.policy {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading policy file {}", path.display()))
            .invalid()?;
        let manifest = manifest::parse(&text, path).invalid()?;
        filter_tags = manifest.spec.filter_tags;
        choice = Some(manifest.spec.choice);
    }
    let pattern_flag = args.pattern.is_some() || args.extract.is_some();
    if pattern_flag {
        let filter = filter_tags.get_or_insert_with(FilterTags::default);
        if let Some(p) = &args.pattern {
            filter.pattern.clone_from(p);
        }
        if let Some(e) = &args.extract {
            filter.extract.clone_from(e);
        }
    }
    let flag_choice = if let Some(range) = &args.semver {
        Some(Choice::Semver {
            range: range.clone(),
        })
    } else if let Some(order) = &args.alphabetical {
        Some(Choice::Alphabetical {
            order: order.clone(),
        })
    } else {
        args.numerical.as_ref().map(|order| Choice::Numerical {
            order: order.clone(),
        })
    };
    let choice_flag = flag_choice.is_some();
    let choice = flag_choice.or(choice).ok_or_else(|| {
        Failure::invalid(
            "no policy: give --policy FILE, or one of --semver RANGE, --alphabetical asc|desc, --numerical asc|desc",
        )
    })?;
    Ok((
        PolicySpec {
            filter_tags,
            choice,
        },
        Origin {
            file: args.policy.clone(),
            pattern_flag,
            choice_flag,
        },
    ))
}

/// Where the tags come from without `--image` (which scans a registry; see `run`).
enum TagSource<'a> {
    /// `--tags-file FILE`.
    File(&'a Path),
    /// Standard input.
    Stdin,
}

fn tag_source(args: &Args) -> TagSource<'_> {
    match &args.tags_file {
        Some(path) => TagSource::File(path),
        None => TagSource::Stdin,
    }
}

/// Reads the whole tag list in one go; [`split_tags`] borrows tags from it.
fn read_tags(source: &TagSource<'_>) -> CmdResult<String> {
    match source {
        TagSource::File(path) => std::fs::read_to_string(path)
            .with_context(|| format!("reading tags file {}", path.display()))
            .invalid(),
        TagSource::Stdin => {
            let mut text = String::new();
            std::io::stdin()
                .lock()
                .read_to_string(&mut text)
                .context("reading tags from standard input")
                .invalid()?;
            Ok(text)
        }
    }
}

/// One tag per line; surrounding whitespace (including a CR) trimmed, blank
/// lines skipped.
fn split_tags(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .map(str::trim_ascii)
        .filter(|line| !line.is_empty())
}

/// The `--explain` table: ranked tags best first, then the others in input order.
fn render_explanation(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = write!(out, "policy: {}", e.policy);
    if let Some(p) = &e.pattern {
        let _ = write!(out, ", filterTags.pattern {p:?}");
    }
    let _ = writeln!(out, ", {} tags", e.entries.len());
    let mut rows: Vec<&weir_imagepolicy::Entry> = e.entries.iter().collect();
    let rank = |entry: &weir_imagepolicy::Entry| match entry.verdict {
        weir_imagepolicy::Verdict::Ranked { rank, .. } => rank,
        _ => usize::MAX,
    };
    rows.sort_by_key(|entry| rank(entry)); // stable: input order among the rest
    let value = |entry: &weir_imagepolicy::Entry| entry.value.clone().unwrap_or_else(|| "-".into());
    let tag_w = rows
        .iter()
        .map(|r| r.tag.len())
        .chain([3])
        .max()
        .unwrap_or(3);
    let val_w = rows
        .iter()
        .map(|r| value(r).len())
        .chain([5])
        .max()
        .unwrap_or(5);
    let _ = writeln!(out, "{:<tag_w$}  {:<val_w$}  RESULT", "TAG", "VALUE");
    for r in rows {
        let _ = writeln!(
            out,
            "{:<tag_w$}  {:<val_w$}  {}",
            r.tag,
            value(r),
            r.verdict
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_tags_trims_and_skips_blank_lines() {
        let tags: Vec<&str> = split_tags("a\r\n\n  b \r\n\r\n\tc\n").collect();
        assert_eq!(tags, ["a", "b", "c"]);
        assert_eq!(split_tags("").count(), 0);
    }
}
