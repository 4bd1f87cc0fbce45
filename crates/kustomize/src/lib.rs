//! A kustomize v5.5.0 compatible rendering engine (pure, layer 0)
//!
//! (Work in progress: this crate is a placeholder until its issue lands.)
