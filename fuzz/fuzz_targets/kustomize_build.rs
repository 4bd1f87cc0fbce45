//! Fuzz the YAML parser and the kustomize loader/build: arbitrary bytes must
//! give a value or an error, never a panic, a stack overflow or a hang.
//!
//! Input format (so that seeds can be whole kustomize trees): the bytes are
//! split at lines `%%`; each chunk becomes one file of an in-memory tree.
//! A chunk starting with `@path\n` is stored at `/k/<path>`; otherwise the
//! first chunk is `/k/kustomization.yaml` and later ones `/k/rN.yaml`. The
//! build starts at `/k`, or at the directory named by a leading `@@dir\n`
//! line.
#![no_main]

use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use weir_kustomize::fs::MemFs;
use weir_kustomize::{LoadRestrictor, Options};

const MAX_FILES: usize = 12;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The parser alone, on the whole input.
    if let Ok(docs) = weir_yaml::parse_documents(text) {
        let _ = weir_yaml::emit_documents(&docs);
    }

    // The whole engine, on the input as a tree.
    let (start, body) = match text.strip_prefix("@@") {
        Some(rest) => match rest.split_once('\n') {
            Some((dir, body)) => (dir.trim(), body),
            None => return,
        },
        None => ("", text),
    };
    let mut fs = MemFs::new();
    for (i, chunk) in body.split("\n%%\n").take(MAX_FILES).enumerate() {
        let (name, content) = match chunk.strip_prefix('@').and_then(|c| c.split_once('\n')) {
            Some((name, content)) => (name.trim().to_owned(), content),
            None if i == 0 => ("kustomization.yaml".to_owned(), chunk),
            None => (format!("r{i}.yaml"), chunk),
        };
        if name.is_empty() || name.contains('\0') {
            return;
        }
        fs.add(Path::new("/k").join(name), content);
    }
    let dir: PathBuf = Path::new("/k").join(start);
    for restrictor in [LoadRestrictor::RootOnly, LoadRestrictor::None] {
        let opts = Options::default()
            .with_load_restrictor(restrictor)
            .with_max_file_size(1 << 20);
        if let Ok(out) = weir_kustomize::build(&fs, &dir, &opts) {
            let _ = out.to_yaml();
        }
    }
});
