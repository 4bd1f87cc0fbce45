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
        "patch_smp_copied_label_text_as_written",
        "a targeted patch's labels become strings as written (`~`, empty, `1.50`, `0x1F`); weir only has the resolved values (\"null\", \"1.5\", \"31\")",
    ),
    (
        "patch_json6902_resolves_plain_annotation_text",
        "a JSON 6902 patch round-trips the resource through JSON, so annotations written as plain `1e3`, `0x1F`, `True` come back resolved (\"1000\", \"31\", \"true\") while quoted ones stay; weir_yaml keeps every annotation as written and does not record which were plain (patch/patching.rs and weir_yaml)",
    ),
    (
        "generator_merge_keeps_existing_data_text",
        "a generator merged into a ConfigMap rewrites the existing data as strings from the text as written (`1e3`, `1.50`, `0x1F`); weir_yaml only keeps the resolved numbers (\"1000\", \"1.5\", \"31\")",
    ),
];
