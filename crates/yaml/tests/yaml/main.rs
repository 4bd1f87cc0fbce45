//! Integration tests for weir-yaml: round trips over the kustomize
//! conformance corpus, committed `kubectl kustomize` fixtures, error
//! snapshots and property tests.

mod corpus;
mod errors;
mod fixtures;
mod props;
