//! Git sources: fetch, checkout, artifacts, commit and push with GitRepository semantics (I/O, layer 1)
//!
//! (Work in progress: this crate is a placeholder until its issue lands.)
