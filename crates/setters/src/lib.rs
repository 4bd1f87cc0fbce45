//! Byte-preserving rewriting of Flux $imagepolicy setter markers (pure, layer 0)
//!
//! (Work in progress: this crate is a placeholder until its issue lands.)
