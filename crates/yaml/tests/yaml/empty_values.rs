//! `parse_documents_tracking_empty`: which mapping values were written
//! with no value text.

use serde_json::json;
use weir_yaml::{ParseOptions, PathStep, parse_documents_tracking_empty, parse_documents_with};

fn k(s: &str) -> PathStep {
    PathStep::Key(s.to_owned())
}

fn marks(src: &str) -> Vec<Vec<Vec<PathStep>>> {
    let opts = ParseOptions::default();
    let docs = parse_documents_tracking_empty(src, &opts).unwrap();
    let plain = parse_documents_with(src, &opts).unwrap();
    let values: Vec<_> = docs.iter().map(|d| d.value.clone()).collect();
    assert_eq!(values, plain, "same values as parse_documents_with");
    docs.into_iter().map(|d| d.empty_values).collect()
}

#[test]
fn block_empty_values_are_listed_explicit_nulls_are_not() {
    let src = "a:\n  k:\n  j: ~\n  n: null\n  e: !!null \"\"\n  t: !!null ~\n  s: !!str\n  q: ''\n";
    assert_eq!(
        marks(src),
        vec![vec![vec![k("a"), k("k")], vec![k("a"), k("e")]]]
    );
}

#[test]
fn list_items_are_not_listed_but_maps_inside_them_are() {
    let src = "l:\n- \n- name: a\n  value:\n- - x\n  -\n";
    assert_eq!(
        marks(src),
        vec![vec![vec![k("l"), PathStep::Index(1), k("value")]]]
    );
}

#[test]
fn flow_mappings_and_annotations_are_listed() {
    let src = "metadata:\n  annotations:\n    a:\n  labels: {x: , y, z: 1}\n";
    let opts = ParseOptions::default();
    let docs = parse_documents_tracking_empty(src, &opts).unwrap();
    assert_eq!(
        docs[0].value,
        json!({"metadata": {"annotations": {"a": ""}, "labels": {"x": "", "y": "", "z": 1}}})
    );
    assert_eq!(
        docs[0].empty_values,
        vec![
            vec![k("metadata"), k("annotations"), k("a")],
            vec![k("metadata"), k("labels"), k("x")],
            vec![k("metadata"), k("labels"), k("y")],
        ]
    );
}

#[test]
fn anchors_on_empty_values_and_their_aliases_are_listed() {
    let src = "h: &an\ni: *an\nm: &m {x: 1}\nn: *m\n";
    assert_eq!(marks(src), vec![vec![vec![k("h")], vec![k("i")]]]);
}

#[test]
fn merge_sources_are_not_listed() {
    let src = "base: &b\n  x: 1\nm:\n  <<: {y: }\n  z: 2\n";
    assert_eq!(marks(src), vec![Vec::<Vec<PathStep>>::new()]);
}

#[test]
fn marks_stay_aligned_with_skipped_documents() {
    let src = "a:\n---\n---\n~\n---\nb: 1\n---\nc:\n  d:\n";
    assert_eq!(
        marks(src),
        vec![vec![vec![k("a")]], vec![], vec![vec![k("c"), k("d")]]]
    );
}

#[test]
fn documents_without_empty_values_have_none() {
    let src = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";
    assert_eq!(marks(src), vec![Vec::<Vec<PathStep>>::new()]);
}

#[test]
fn aliases_of_anchored_collections_repeat_their_empty_values() {
    let src = "a: &x\n  k:\n  j: 1\nb: *x\nl:\n- *x\n- &y [1, {m: }]\nc: *y\n";
    assert_eq!(
        marks(src),
        vec![vec![
            vec![k("a"), k("k")],
            vec![k("b"), k("k")],
            vec![k("l"), PathStep::Index(0), k("k")],
            vec![k("l"), PathStep::Index(1), PathStep::Index(1), k("m")],
            vec![k("c"), PathStep::Index(1), k("m")],
        ]]
    );
}
