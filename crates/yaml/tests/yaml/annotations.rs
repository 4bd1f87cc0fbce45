//! Annotation values kustomize reads as written (checked against
//! `kubectl kustomize`; see fixtures/kustomize-extra/
//! annotations_list_items_kept_as_written for the whole build).

use serde_json::json;

#[test]
fn list_item_annotations_keep_their_text() {
    let docs = weir_yaml::parse_documents(
        "apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n  metadata:\n    name: a\n    annotations:\n      exp: 1e3\n      inf: .inf\n      tilde: ~\n  data:\n    exp: 1e3\n",
    )
    .expect("parses");
    let item = &docs[0]["items"][0];
    assert_eq!(
        item["metadata"]["annotations"],
        json!({"exp": "1e3", "inf": ".inf", "tilde": "~"})
    );
    // Other fields are resolved as usual.
    assert_eq!(item["data"]["exp"], json!(1000));
}

#[test]
fn typed_list_item_annotations_are_resolved() {
    // kustomize reads the items of `ConfigMapList` & co. through JSON.
    let docs = weir_yaml::parse_documents(
        "apiVersion: v1\nkind: ConfigMapList\nitems:\n- kind: ConfigMap\n  metadata:\n    name: a\n    annotations:\n      exp: 1e3\n",
    )
    .expect("parses");
    assert_eq!(
        docs[0]["items"][0]["metadata"]["annotations"]["exp"],
        json!(1000)
    );
}

#[test]
fn an_infinite_annotation_is_text_not_an_error() {
    let docs = weir_yaml::parse_documents(
        "kind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    n: .inf\n    m: -.Inf\n",
    )
    .expect("parses");
    assert_eq!(
        docs[0]["metadata"]["annotations"],
        json!({"n": ".inf", "m": "-.Inf"})
    );
}
