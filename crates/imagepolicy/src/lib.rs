//! Flux ImagePolicy evaluation: filterTags, extract, semver/alphabetical/numerical ordering (pure, layer 0)
//!
//! (Work in progress: this crate is a placeholder until its issue lands.)
