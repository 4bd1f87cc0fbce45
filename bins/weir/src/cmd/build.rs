//! `weir build`: render a kustomization the way `kubectl kustomize` does.

use std::path::PathBuf;

use weir_kustomize::fs::DiskFs;
use weir_kustomize::{LoadRestrictor, Options};

use crate::exit::{CmdResult, ResultExt, write_stdout_with};

/// Which files a kustomization may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Restrictor {
    /// Only files in or below each kustomization's directory (kustomize's default).
    Rootonly,
    /// Any file under `--root` (what Flux does, with the repository as root).
    None,
}

/// Flags of `weir build`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Directory holding kustomization.yaml (or .yml, or Kustomization).
    dir: PathBuf,
    /// Load restrictor: `rootonly` (default) or `none`.
    #[arg(long, value_enum, default_value = "rootonly")]
    load_restrictor: Restrictor,
    /// Refuse to read anything outside this directory (symlinks are resolved
    /// before the check), e.g. the repository root. Default: no limit beyond
    /// the load restrictor.
    #[arg(long)]
    root: Option<PathBuf>,
    /// Refuse files larger than this many bytes.
    #[arg(long, default_value_t = weir_kustomize::build::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

/// Runs `weir build`.
pub(crate) fn run(args: Args) -> CmdResult {
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from("/"));
    let fs = DiskFs::new(&root).invalid()?;
    let opts = Options::default()
        .with_load_restrictor(match args.load_restrictor {
            Restrictor::Rootonly => LoadRestrictor::RootOnly,
            Restrictor::None => LoadRestrictor::None,
        })
        .with_max_file_size(args.max_file_size);
    let out = weir_kustomize::build(&fs, &args.dir, &opts).invalid()?;
    for w in &out.warnings {
        eprintln!("{w}");
    }
    let result = write_stdout_with(|w| out.write_yaml(w));
    // The process ends right after: skip freeing the whole tree.
    std::mem::forget(out);
    result
}
