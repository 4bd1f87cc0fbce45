//! Corpus cases that do not pass yet, each with the reason. The test fails
//! when a listed case starts passing, so remove entries as features land.

/// (case name, why it fails).
pub(crate) const KNOWN_GAPS: &[(&str, &str)] = &[
    // Kustomization files kustomize reads with a lenient YAML decoder.
    (
        "fleet_staging",
        "weir-yaml rejects the mis-indented trailing `- item` that go-yaml ignores in this kustomization file",
    ),
    (
        "krusty-configmaps-GeneratorRepeatsInKustomization",
        "weir-yaml rejects duplicate keys; kustomize's kustomization decoder keeps the last one",
    ),
];
