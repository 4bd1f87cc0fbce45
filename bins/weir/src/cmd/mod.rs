//! One module per subcommand: `Args` (clap) and `run(Args) -> CmdResult`.

pub(crate) mod automate;
pub(crate) mod build;
pub(crate) mod scan;
pub(crate) mod set_images;
pub(crate) mod source;
pub(crate) mod tags;
