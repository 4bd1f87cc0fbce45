//! Exit codes and the error type every subcommand returns.
//!
//! Weir's contract for every command: `0` success; `1` the job ran but could
//! not succeed (no tag selected, server refused or unreachable, push
//! rejected); `2` invalid input (flags, files, YAML, kustomizations,
//! policies). Subcommands classify their failures with [`ResultExt`] so that
//! `main` only has to print and map.

use std::fmt;
use std::process::ExitCode;

/// A classified failure of a subcommand.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The input was invalid (exit code 2).
    Invalid(anyhow::Error),
    /// The job ran but could not succeed (exit code 1).
    Failed(anyhow::Error),
}

impl Failure {
    /// The process exit code for this failure.
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Invalid(_) => ExitCode::from(2),
            Failure::Failed(_) => ExitCode::from(1),
        }
    }

    /// Builds an invalid-input failure from a message.
    pub(crate) fn invalid(msg: impl fmt::Display) -> Self {
        Failure::Invalid(anyhow::anyhow!("{msg}"))
    }

    /// Builds a job failure from a message.
    pub(crate) fn failed(msg: impl fmt::Display) -> Self {
        Failure::Failed(anyhow::anyhow!("{msg}"))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:#}` prints the whole context chain on one line: "a: b: c".
        match self {
            Failure::Invalid(e) | Failure::Failed(e) => write!(f, "{e:#}"),
        }
    }
}

/// What every subcommand returns.
pub(crate) type CmdResult<T = ()> = Result<T, Failure>;

/// Classifies any error as invalid input or a failed job.
pub(crate) trait ResultExt<T> {
    /// Marks an error as invalid input (exit 2).
    fn invalid(self) -> CmdResult<T>;
    /// Marks an error as a failed job (exit 1).
    fn failed(self) -> CmdResult<T>;
}

impl<T, E> ResultExt<T> for Result<T, E>
where
    E: Into<anyhow::Error>,
{
    fn invalid(self) -> CmdResult<T> {
        self.map_err(|e| Failure::Invalid(e.into()))
    }

    fn failed(self) -> CmdResult<T> {
        self.map_err(|e| Failure::Failed(e.into()))
    }
}

/// Writes to stdout, treating a closed pipe (`weir … | head`) as success.
pub(crate) fn write_stdout(bytes: &[u8]) -> CmdResult {
    write_stdout_with(|out| out.write_all(bytes))
}

/// Lets `write` stream to stdout, treating a closed pipe as success.
pub(crate) fn write_stdout_with(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> CmdResult {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Failed(
            anyhow::Error::new(e).context("writing to stdout"),
        )),
    }
}
