//! Corpus cases that do not pass yet, each with the reason. The test fails
//! when a listed case starts passing, so remove entries as features land.

/// (case name, why it fails).
pub(crate) const KNOWN_GAPS: &[(&str, &str)] = &[];

/// Cases of `fixtures/kustomize-extra` that do not pass yet (case name, why).
pub(crate) const EXTRA_KNOWN_GAPS: &[(&str, &str)] = &[];
