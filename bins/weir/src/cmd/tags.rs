//! `weir tags`: evaluate an ImagePolicy over a list of tags.

use crate::exit::{CmdResult, Failure};

/// Flags of `weir tags`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// An ImagePolicy manifest (image.toolkit.fluxcd.io v1beta1, v1beta2 or v1).
    #[arg(long)]
    policy: Option<std::path::PathBuf>,
}

/// Runs `weir tags`.
pub(crate) fn run(args: Args) -> CmdResult {
    Err(Failure::invalid(format!(
        "weir tags is not implemented yet (policy: {:?})",
        args.policy
    )))
}
