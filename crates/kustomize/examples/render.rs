//! Renders a kustomization directory to stdout (a development aid; the
//! user-facing command is `weir build`).
//!
//! `cargo run --release -p weir-kustomize --example render -- DIR`

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::Path;

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: render DIR");
        return std::process::ExitCode::from(2);
    };
    let fs = match weir_kustomize::fs::DiskFs::new("/") {
        Ok(fs) => fs,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match weir_kustomize::build(&fs, Path::new(&dir), &weir_kustomize::Options::default()) {
        Ok(out) => {
            let _ = std::io::stdout().lock().write_all(out.to_yaml().as_bytes());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            let mut msg = e.to_string();
            let mut cur = std::error::Error::source(&e);
            while let Some(c) = cur {
                msg.push_str(": ");
                msg.push_str(&c.to_string());
                cur = c.source();
            }
            eprintln!("error: {msg}");
            std::process::ExitCode::from(2)
        }
    }
}
