//! `weir`: the command-line face of the Weir GitOps toolkit.
//!
//! The binary is deliberately thin (ripgrep's model): it parses flags with
//! clap, builds library configurations, calls the `weir-*` crates and maps
//! their errors to exit codes (see [`exit`]). Each subcommand lives in its own
//! module under [`cmd`] with an `Args` struct and a `run` function.

// The binary is where output is printed.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cmd;
mod exit;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Weir: Flux's GitOps toolkit, rebuilt in Rust.
#[derive(Debug, Parser)]
#[command(name = "weir", version, about, propagate_version = true)]
struct Cli {
    /// More log output on stderr (-v: debug, -vv: trace). `WEIR_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

/// The subcommands. Each variant's module owns its flags and behaviour.
#[derive(Debug, Subcommand)]
enum Command {
    /// Select the latest image tag with an ImagePolicy (offline or from a registry).
    Tags(cmd::tags::Args),
    /// Render a kustomization like `kubectl kustomize` (byte-identical output).
    Build(cmd::build::Args),
    /// Rewrite `$imagepolicy` markers in a tree, changing only the marked values.
    SetImages(cmd::set_images::Args),
    /// Git sources (GitRepository semantics): fetch a ref into a reproducible artifact.
    Source(cmd::source::Args),
    /// Image update automation without a cluster: scan, select, set, commit, push.
    Automate(cmd::automate::Args),
}

/// The allocator. `weir build` is allocation-heavy: a parsed Kubernetes
/// object is a tree of small maps and strings (~850 allocations per object),
/// and a large overlay holds ~1 GiB of them. Measured on the benchmark trees
/// (`benches/kustomize.sh`, N=1,000 and N=20,000 resources, 2 cores), jemalloc
/// cut wall time by about a fifth at both sizes against glibc's malloc (whose
/// free-list upkeep, `malloc_consolidate`/`unlink_chunk`, grows with the
/// heap) and peak RSS by 4–9%. mimalloc was as fast when preloaded, but its
/// built-in v3 raised peak RSS at N=1,000 by a quarter and v2 spent seconds
/// in page faults at N=20,000. Transparent huge pages (jemalloc `thp:always`)
/// traded user time for more system time and stay off. MSVC targets keep the
/// system allocator, as jemalloc does not build there.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    // Guard against a dependency re-adding `ring`: with two rustls providers
    // compiled in, rustls cannot pick one and the first handshake panics.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();

    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors; everything else is bad input.
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(cli.verbose);

    let result = match cli.command {
        Command::Tags(args) => cmd::tags::run(args),
        Command::Build(args) => cmd::build::run(args),
        Command::SetImages(args) => cmd::set_images::run(args),
        Command::Source(args) => cmd::source::run(args),
        Command::Automate(args) => cmd::automate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            failure.exit_code()
        }
    }
}

/// Logs go to stderr so that stdout stays machine-readable.
fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("WEIR_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
