//! Integration tests for weir-yaml: round trips over the kustomize
//! conformance corpus, committed `kubectl kustomize` fixtures, error
//! snapshots and property tests.

// Helpers outside `#[test]` functions may fail the test by panicking too.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

mod annotations;
mod corpus;
mod difftest;
mod empty_values;
mod errors;
mod fixtures;
mod kustomization;
mod props;
