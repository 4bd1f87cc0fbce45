//! Parses a YAML file and prints it the way kustomize would, for comparing
//! with `kubectl kustomize` by hand and for profiling:
//! `cargo run --release -p weir-yaml --example roundtrip -- FILE [REPEAT [parse]]`
//! (with `parse`, only parses, to time the two halves apart; with `events`,
//! only runs saphyr-parser's event stream, the floor under parsing).

use std::io::Write as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: roundtrip FILE [REPEAT]")?;
    let repeat: usize = args.next().map_or(Ok(1), |r| r.parse())?;
    let src = std::fs::read_to_string(&path)?;
    let mode = args.next();
    let parse_only = mode.as_deref() == Some("parse");
    if mode.as_deref() == Some("events") {
        let mut events = 0usize;
        for _ in 0..repeat {
            let mut parser = saphyr_parser::Parser::new_from_str(&src);
            while let Some(Ok(_)) = parser.next_event() {
                events += 1;
            }
        }
        std::io::stdout().write_all(format!("{events} events\n").as_bytes())?;
        return Ok(());
    }
    let mut out = String::new();
    for _ in 0..repeat {
        let docs = weir_yaml::parse_documents(&src).map_err(|e| format!("{path}:{e}"))?;
        if parse_only {
            out = format!("{} documents\n", docs.len());
        } else {
            out = weir_yaml::emit_documents(&docs);
        }
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}
