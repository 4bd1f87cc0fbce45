//! Corpus cases that do not pass yet, each with the reason. The test fails
//! when a listed case starts passing, so remove entries as features land.

/// (case name, why it fails).
pub(crate) const KNOWN_GAPS: &[(&str, &str)] = &[];

/// Cases of `fixtures/kustomize-extra` that do not pass yet (case name, why).
pub(crate) const EXTRA_KNOWN_GAPS: &[(&str, &str)] = &[
    (
        "namespace_cluster_scoped_kinds_catalogue",
        "cluster scope is decided per group+kind, kustomize decides per apiVersion+kind (e.g. flowcontrol v1 FlowSchema, extensions/v1beta1 PodSecurityPolicy, TokenReview are namespaced for kustomize)",
    ),
    (
        "labels_value_node_aliasing_across_overlays",
        "kustomize shares one YAML node for a label/annotation it creates in several fields of a resource; a later in-place write to one (labels, patch, replacement) changes all",
    ),
    (
        "openapi_custom_schema_merge_keys",
        "the `openapi:` field (custom schema for strategic merge) is refused; needs schema support in patch/smp.rs",
    ),
    (
        "labels_alias_same_level_and_preexisting_keys",
        "label node sharing (see labels_value_node_aliasing_across_overlays)",
    ),
    (
        "err_common_labels_key_reads_as_bool",
        "a created label key that reads back as a bool is not refused",
    ),
    (
        "err_annotation_key_numeric",
        "a created annotation key that reads back as a number is not refused",
    ),
    (
        "labels_alias_survives_namespace_overlay",
        "label node sharing (see labels_value_node_aliasing_across_overlays)",
    ),
    (
        "err_crds_object_ref_field_is_scalar",
        "a name reference path that runs through a scalar is an error in kustomize, weir skips it",
    ),
];
