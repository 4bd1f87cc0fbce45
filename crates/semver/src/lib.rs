//! Masterminds/semver v3 compatible version constraints (pure, layer 0)
//!
//! (Work in progress: this crate is a placeholder until its issue lands.)
