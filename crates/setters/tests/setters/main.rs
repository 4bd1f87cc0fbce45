//! Integration tests of weir-setters: fixture trees, tree walking and
//! writing, and property tests of the byte-preservation invariants.

// Test helpers outside #[test] functions may panic on broken fixtures.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr
)]

mod compat;
mod fixtures;
mod props;
mod tree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use weir_setters::{ImageRef, Setters};

/// `fixtures/setters` at the top of the repository.
pub(crate) fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/setters")
}

/// Builds setters from a `{"NS:NAME": "IMAGE_REF"}` JSON object.
pub(crate) fn setters_from_json(text: &str) -> Setters {
    let map: BTreeMap<String, String> =
        serde_json::from_str(text).expect("setters.json must be an object of strings");
    Setters::new(map.into_iter().map(|(k, v)| {
        let image: ImageRef = v
            .parse()
            .expect("setters.json holds valid image references");
        (k, image)
    }))
}

/// Every regular file under `root`, relative path → bytes.
pub(crate) fn read_tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("fixture tree is readable"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("under root").to_owned();
            (rel, std::fs::read(e.path()).expect("readable file"))
        })
        .collect()
}

/// Copies the regular files of `from` into `to`.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in read_tree(from) {
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(dest, bytes).expect("write");
    }
}
