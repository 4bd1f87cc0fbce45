//! `Decoder::Kustomization` + `parse_first_document_with`: how kustomize
//! reads kustomization files (sigs.k8s.io/yaml, go-yaml v2, first document
//! only). Each expectation was checked with `kubectl kustomize`.

use serde_json::json;
use weir_yaml::{Decoder, ParseOptions, parse_first_document_with};

fn k(src: &str) -> Result<Option<serde_json::Value>, weir_yaml::Error> {
    parse_first_document_with(
        src,
        &ParseOptions::default().with_decoder(Decoder::Kustomization),
    )
}

#[test]
fn yaml_1_1_booleans_are_booleans() {
    // kustomize: "cannot unmarshal bool into Go struct field
    // Kustomization.namePrefix of type string".
    assert_eq!(
        k("namePrefix: yes\nx: on\nw: N\nz: on-\n").ok().flatten(),
        Some(json!({"namePrefix": true, "x": true, "w": false, "z": "on-"}))
    );
}

#[test]
fn timestamps_stay_as_written() {
    assert_eq!(
        k("commonLabels:\n  a: 2001-12-14\n  b: 2001-1-2\n")
            .ok()
            .flatten(),
        Some(json!({"commonLabels": {"a": "2001-12-14", "b": "2001-1-2"}}))
    );
}

#[test]
fn last_duplicate_key_wins() {
    assert_eq!(
        k("namePrefix: p-\nnamePrefix: q-\ncommonAnnotations:\n  a: \"1\"\n  a: \"2\"\n")
            .ok()
            .flatten(),
        Some(json!({"namePrefix": "q-", "commonAnnotations": {"a": "2"}}))
    );
}

#[test]
fn only_the_first_document_is_read() {
    // fixtures/kustomize/fleet_staging: the whole file is indented and its
    // last line is not; go-yaml never reads past the first document.
    let src = "    resources:\n    - a.yaml\n    components:\n- ../../components/monitoring\n";
    assert_eq!(
        k(src).ok().flatten(),
        Some(json!({"resources": ["a.yaml"], "components": null}))
    );
    assert_eq!(
        k("resources:\n- a.yaml\n---\n\u{1}not yaml: [\n")
            .ok()
            .flatten(),
        Some(json!({"resources": ["a.yaml"]}))
    );
    assert_eq!(k("").ok().flatten(), None);
}

#[test]
fn boolean_and_integer_keys_become_text() {
    // `y:` is a YAML 1.1 boolean key; sigs.k8s.io/yaml writes it as "true".
    assert_eq!(
        k("y: 1\n0x10: 2\n").ok().flatten(),
        Some(json!({"true": 1, "16": 2}))
    );
}

#[test]
fn numbers_resolve_as_for_resources() {
    assert_eq!(
        k("replicas:\n- name: a\n  count: 0x10\n- name: b\n  count: 1.0\n")
            .ok()
            .flatten(),
        Some(json!({"replicas": [{"name": "a", "count": 16}, {"name": "b", "count": 1}]}))
    );
}
