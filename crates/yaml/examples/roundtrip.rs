//! Parses a YAML file and prints it the way kustomize would, for comparing
//! with `kubectl kustomize` by hand and for profiling:
//! `cargo run --release -p weir-yaml --example roundtrip -- FILE [REPEAT]`.

use std::io::Write as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: roundtrip FILE [REPEAT]")?;
    let repeat: usize = args.next().map_or(Ok(1), |r| r.parse())?;
    let src = std::fs::read_to_string(&path)?;
    let mut out = String::new();
    for _ in 0..repeat {
        let docs = weir_yaml::parse_documents(&src).map_err(|e| format!("{path}:{e}"))?;
        out = weir_yaml::emit_documents(&docs);
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}
