//! Corpus cases that do not pass yet, each with the reason. The test fails
//! when a listed case starts passing, so remove entries as features land.

/// (case name, why it fails).
pub(crate) const KNOWN_GAPS: &[(&str, &str)] = &[];

/// Cases of `fixtures/kustomize-extra` that do not pass yet (case name, why).
pub(crate) const EXTRA_KNOWN_GAPS: &[(&str, &str)] = &[
    (
        "openapi_custom_schema_merge_keys",
        "the `openapi:` field (custom schema for strategic merge) is refused; needs schema support in patch/smp.rs",
    ),
    (
        "nameref_generated_twins_nested_prefix",
        "two generated Secrets named `creds` (one prefixed p-) and a referrer with another prefix nested in the unprefixed one's base: kubectl picks the unprefixed Secret, weir's prefix/suffix sieve finds none and leaves the name",
    ),
    (
        "err_crds_object_ref_field_is_scalar",
        "a name reference path that runs through a scalar is an error in kustomize, weir skips it",
    ),
];
