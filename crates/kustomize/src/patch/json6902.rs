//! JSON 6902 patches (`patches:` op lists, legacy `patchesJson6902`).
//!
//! kustomize accepts the op list as JSON (text starting with `[`) or as YAML,
//! and applies it with evanphx/json-patch, which this module mirrors on top of
//! the `json-patch` crate: all six ops, the whole list applied or nothing,
//! and negative array indices counted from the end (`/args/-1` is the last
//! element; for `add`, `-1` appends). Its leniencies are kept too: `replace`
//! of a missing key of an existing map adds it, `copy` from a missing key
//! of an existing map writes `null`, array indices are read like Go's
//! `strconv.Atoi` (`+1`, `01`); and its refusals: `add` at the root path, a
//! `test` with no `value`.

use json_patch::jsonptr::PointerBuf;
use json_patch::{Patch, PatchOperation};
use serde_json::{Map, Value};

/// Why a JSON 6902 patch could not be read or applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The patch text is neither JSON nor YAML.
    #[error("JSON 6902 patch is not valid YAML")]
    Yaml {
        /// The parser's error.
        #[source]
        source: weir_yaml::Error,
    },
    /// The patch text starts with `[` but is not valid JSON.
    #[error("JSON 6902 patch is not valid JSON")]
    Json {
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The patch is not a list of operations.
    #[error("JSON 6902 patch must be a list of operations, found {found}")]
    NotAList {
        /// What was found instead.
        found: &'static str,
    },
    /// An operation is malformed (unknown `op`, missing `path`/`from`/`value`,
    /// a path that is not a JSON pointer).
    #[error("JSON 6902 patch operation {index} is invalid: {op}")]
    InvalidOperation {
        /// Position of the operation in the list (from 0).
        index: usize,
        /// The operation as written (JSON).
        op: String,
        /// Why it was rejected.
        #[source]
        source: serde_json::Error,
    },
    /// An operation evanphx/json-patch refuses outright: `add` at the
    /// document root, `test` without a `value`.
    #[error("JSON 6902 patch operation {index} ({op} {path}) does not apply: {reason}")]
    NotApplicable {
        /// Position of the operation in the list (from 0).
        index: usize,
        /// The op name.
        op: &'static str,
        /// The operation's `path`.
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// An operation failed against the target; nothing was applied.
    #[error("JSON 6902 patch operation {index} ({op} {path}) failed")]
    OperationFailed {
        /// Position of the operation in the list (from 0).
        index: usize,
        /// The op name (`add`, `test`, …).
        op: &'static str,
        /// The operation's `path`.
        path: String,
        /// The failure.
        #[source]
        source: json_patch::PatchError,
    },
}

/// A parsed JSON 6902 patch.
#[derive(Debug, Clone, PartialEq)]
pub struct Json6902 {
    ops: Patch,
    /// Indices of `test` operations written without a `value`.
    valueless_tests: Vec<usize>,
}

impl Json6902 {
    /// Parses patch text the way kustomize does: JSON when the text starts
    /// (after whitespace) with `[`, YAML (first document) otherwise.
    ///
    /// ```
    /// use serde_json::json;
    /// use weir_kustomize::patch::json6902::Json6902;
    ///
    /// let p = Json6902::parse(r#"[{"op": "replace", "path": "/spec/replicas", "value": 3}]"#).unwrap();
    /// let mut d = json!({"spec": {"replicas": 1}});
    /// p.apply(&mut d).unwrap();
    /// assert_eq!(d, json!({"spec": {"replicas": 3}}));
    /// ```
    pub fn parse(text: &str) -> Result<Json6902, Error> {
        if text.trim_start().starts_with('[') {
            let value: Value =
                serde_json::from_str(text).map_err(|source| Error::Json { source })?;
            return Json6902::from_value(&value);
        }
        // Untrimmed: kustomize converts the text as it is (a block scalar
        // ending the text keeps or lacks its final line break accordingly),
        // with sigs.k8s.io/yaml: go-yaml v2's view (YAML 1.1 booleans such
        // as `yes` and `y`, keys made strings), first document only.
        let opts = crate::load::yaml_options().with_decoder(weir_yaml::Decoder::Kustomization);
        let doc = weir_yaml::parse_first_document_with(text, &opts)
            .map_err(|source| Error::Yaml { source })?;
        Json6902::from_value(doc.as_ref().unwrap_or(&Value::Null))
    }

    /// Reads an already parsed op list.
    pub fn from_value(value: &Value) -> Result<Json6902, Error> {
        let Value::Array(items) = value else {
            return Err(Error::NotAList {
                found: kind_name(value),
            });
        };
        let mut ops = Vec::with_capacity(items.len());
        let mut valueless_tests = Vec::new();
        for (index, item) in items.iter().enumerate() {
            // evanphx/json-patch reads a missing `value` as `null` (a `test`
            // without one always fails there).
            let mut item = item.clone();
            if let Value::Object(o) = &mut item
                && let Some(op) = o.get("op").and_then(Value::as_str)
                && matches!(op, "add" | "replace" | "test")
            {
                if op == "test" && !o.contains_key("value") {
                    valueless_tests.push(index);
                }
                o.entry("value").or_insert(Value::Null);
            }
            let op = serde_json::from_value::<PatchOperation>(item.clone()).map_err(|source| {
                Error::InvalidOperation {
                    index,
                    op: item.to_string(),
                    source,
                }
            })?;
            ops.push(op);
        }
        Ok(Json6902 {
            ops: Patch(ops),
            valueless_tests,
        })
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the patch has no operations.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Applies every operation in order. Atomic: when one fails, `target`
    /// is left exactly as it was.
    pub fn apply(&self, target: &mut Value) -> Result<(), Error> {
        let doc = target.clone();
        *target = self.apply_to(doc)?;
        Ok(())
    }

    /// [`Json6902::apply`] to a resource, as kustomize applies it. With
    /// `build_annotations` (kustomize holds internal build annotations on
    /// the resource at that moment, e.g. its previous ids, which a
    /// `patches:` entry always stores first) the resource has a
    /// `metadata.annotations` map for the ops even when it shows none, so
    /// an op on `/metadata/annotations/<key>` works; the map is removed
    /// again when the ops leave it empty. kustomize reads the result back
    /// as YAML, where an annotation set to null reads as the text `null`.
    ///
    /// ```
    /// use serde_json::json;
    /// use weir_kustomize::patch::json6902::Json6902;
    ///
    /// let p = Json6902::parse("- {op: add, path: /metadata/annotations/a, value: b}").unwrap();
    /// let mut cm = json!({"kind": "ConfigMap", "metadata": {"name": "c"}});
    /// assert!(p.apply_to_resource(&mut cm.clone(), false).is_err());
    /// p.apply_to_resource(&mut cm, true).unwrap();
    /// assert_eq!(cm["metadata"]["annotations"], json!({"a": "b"}));
    /// ```
    pub fn apply_to_resource(
        &self,
        resource: &mut Value,
        build_annotations: bool,
    ) -> Result<(), Error> {
        let mut doc = resource.clone();
        let added = match doc.get_mut("metadata") {
            Some(Value::Object(meta))
                if build_annotations && meta.get("annotations").is_none_or(Value::is_null) =>
            {
                meta.insert("annotations".to_string(), Value::Object(Map::new()));
                true
            }
            _ => false,
        };
        let mut doc = self.apply_to(doc)?;
        if let Some(Value::Object(meta)) = doc.get_mut("metadata") {
            match meta.get_mut("annotations") {
                Some(Value::Object(a)) if a.is_empty() && added => {
                    meta.remove("annotations");
                }
                Some(Value::Object(a)) => {
                    for v in a.values_mut().filter(|v| v.is_null()) {
                        *v = Value::String("null".to_string());
                    }
                }
                _ => {}
            }
        }
        *resource = doc;
        Ok(())
    }

    fn apply_to(&self, mut doc: Value) -> Result<Value, Error> {
        for (index, op) in self.ops.iter().enumerate() {
            let op = resolve_negative_indices(&doc, op);
            let refusal = match &op {
                PatchOperation::Add(a) if a.path.is_root() => Some("the root path"),
                PatchOperation::Test(_) if self.valueless_tests.contains(&index) => {
                    Some("no value to test against")
                }
                PatchOperation::Test(t) if has_null_element(&t.value) => {
                    Some("a null element of a list never compares equal")
                }
                _ => None,
            };
            if let Some(reason) = refusal {
                return Err(Error::NotApplicable {
                    index,
                    op: op_name(&op),
                    path: op.path().to_string(),
                    reason,
                });
            }
            if test_null_on_missing_key(&doc, &op) {
                continue;
            }
            let op = lenient(&doc, op);
            json_patch::patch(&mut doc, std::slice::from_ref(&op)).map_err(|source| {
                Error::OperationFailed {
                    index,
                    op: op_name(&op),
                    path: op.path().to_string(),
                    source,
                }
            })?;
        }
        through_float64(&mut doc);
        Ok(doc)
    }
}

/// Whether a list holds a null element, at any depth. evanphx/json-patch,
/// as kustomize uses it, cannot `test` such a value: the null element never
/// compares (kubectl crashes). A null member of a map compares fine.
fn has_null_element(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.values().any(has_null_element),
        Value::Array(items) => items.iter().any(|v| v.is_null() || has_null_element(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => false,
    }
}

/// kustomize applies JSON 6902 patches to the resource encoded as JSON and
/// decodes the result with Go's `encoding/json`, so every number passes
/// through a float64: integers beyond 2^53 come back rounded (printed in
/// Go's shortest form, then read as an integer again).
fn through_float64(v: &mut Value) {
    const EXACT: u64 = 1 << 53;
    match v {
        Value::Number(n) => {
            let big = n.as_u64().is_some_and(|u| u > EXACT)
                || n.as_i64().is_some_and(|i| i.unsigned_abs() > EXACT);
            if !big {
                return;
            }
            let Some(f) = n.as_f64() else { return };
            let shortest = format!("{f}");
            if let Ok(u) = shortest.parse::<u64>() {
                *n = u.into();
            } else if let Ok(i) = shortest.parse::<i64>() {
                *n = i.into();
            } else if let Some(f) = serde_json::Number::from_f64(f) {
                *n = f;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(through_float64),
        Value::Object(m) => m.values_mut().for_each(through_float64),
        _ => {}
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) | Value::Number(_) | Value::String(_) => "a scalar",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

fn op_name(op: &PatchOperation) -> &'static str {
    match op {
        PatchOperation::Add(_) => "add",
        PatchOperation::Remove(_) => "remove",
        PatchOperation::Replace(_) => "replace",
        PatchOperation::Move(_) => "move",
        PatchOperation::Copy(_) => "copy",
        PatchOperation::Test(_) => "test",
    }
}

/// Whether `path` names a key absent from a map that exists.
fn missing_key_of_map(doc: &Value, path: &PointerBuf) -> bool {
    doc.pointer(path.as_str()).is_none()
        && path
            .split_back()
            .and_then(|(parent, _)| doc.pointer(parent.as_str()))
            .is_some_and(Value::is_object)
}

/// evanphx/json-patch looks keys of maps up without checking presence:
/// `replace` of a missing key sets it, `copy` from a missing key copies
/// `null`.
fn lenient(doc: &Value, op: PatchOperation) -> PatchOperation {
    match op {
        PatchOperation::Replace(r) if missing_key_of_map(doc, &r.path) => {
            PatchOperation::Add(json_patch::AddOperation {
                path: r.path,
                value: r.value,
            })
        }
        PatchOperation::Copy(c) if missing_key_of_map(doc, &c.from) => {
            PatchOperation::Add(json_patch::AddOperation {
                path: c.path,
                value: Value::Null,
            })
        }
        op => op,
    }
}

/// evanphx/json-patch: testing for `null` passes when the key is absent
/// from an existing parent.
fn test_null_on_missing_key(doc: &Value, op: &PatchOperation) -> bool {
    let PatchOperation::Test(t) = op else {
        return false;
    };
    if !t.value.is_null() || doc.pointer(t.path.as_str()).is_some() {
        return false;
    }
    t.path
        .split_back()
        .and_then(|(parent, _)| doc.pointer(parent.as_str()))
        .is_some_and(|p| p.is_object() || p.is_array())
}

/// Rewrites negative array indices in the op's pointers to positions counted
/// from the end of the array they address in `doc` (evanphx/json-patch's
/// `SupportNegativeIndices`): `-1` is the last element, and for the last
/// token of an `add` it is the position after the last element.
fn resolve_negative_indices(doc: &Value, op: &PatchOperation) -> PatchOperation {
    let mut op = op.clone();
    match &mut op {
        PatchOperation::Add(o) => o.path = resolve(doc, &o.path, true),
        PatchOperation::Remove(o) => o.path = resolve(doc, &o.path, false),
        PatchOperation::Replace(o) => o.path = resolve(doc, &o.path, false),
        PatchOperation::Test(o) => o.path = resolve(doc, &o.path, false),
        PatchOperation::Move(o) => {
            o.from = resolve(doc, &o.from, false);
            o.path = resolve(doc, &o.path, true);
        }
        PatchOperation::Copy(o) => {
            o.from = resolve(doc, &o.from, false);
            o.path = resolve(doc, &o.path, true);
        }
    }
    op
}

fn resolve(doc: &Value, path: &PointerBuf, is_add: bool) -> PointerBuf {
    let tokens: Vec<String> = path.tokens().map(|t| t.decoded().into_owned()).collect();
    if !tokens
        .iter()
        .any(|t| go_atoi(t).is_some_and(|n| n < 0 || n.to_string() != *t))
    {
        return path.clone();
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut cur = Some(doc);
    let last = tokens.len().saturating_sub(1);
    for (i, token) in tokens.iter().enumerate() {
        let mut token = token.clone();
        if let Some(Value::Array(items)) = cur
            && let Some(n) = go_atoi(&token)
        {
            let len = items.len() as i64 + i64::from(is_add && i == last);
            if n >= 0 {
                token = n.to_string();
            } else if n >= -len {
                token = (n + len).to_string();
            }
        }
        cur = match cur {
            Some(Value::Array(items)) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            Some(Value::Object(obj)) => obj.get(&token),
            _ => None,
        };
        out.push(token);
    }
    PointerBuf::from_tokens(out)
}

/// Go's `strconv.Atoi` for array indices: an optional sign, then decimal
/// digits (leading zeros allowed).
fn go_atoi(token: &str) -> Option<i64> {
    let digits = token.strip_prefix(['+', '-']).unwrap_or(token);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    Some(if token.starts_with('-') { -n } else { n })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn ops(v: Value) -> Json6902 {
        Json6902::from_value(&v).unwrap()
    }

    #[test]
    fn yaml_op_lists_are_read_as_yaml_1_1() {
        let p =
            Json6902::parse("- {op: add, path: /a, value: {y: yes, when: 2001-12-14}}\n").unwrap();
        let mut d = json!({});
        p.apply(&mut d).unwrap();
        assert_eq!(d, json!({"a": {"true": true, "when": "2001-12-14"}}));
    }

    #[test]
    fn a_test_of_a_list_with_a_null_element_fails_a_map_with_a_null_member_does_not() {
        let mut d = json!({"l": [1, null], "m": {"a": null}});
        let list = ops(json!([{"op": "test", "path": "/l", "value": [1, null]}]));
        assert!(matches!(
            list.apply(&mut d),
            Err(Error::NotApplicable { index: 0, .. })
        ));
        let map = ops(json!([{"op": "test", "path": "/m", "value": {"a": null}}]));
        map.apply(&mut d).unwrap();
    }

    #[test]
    fn resource_ops_see_an_annotations_map_only_with_build_annotations() {
        let p = ops(json!([{"op": "add", "path": "/metadata/annotations/x", "value": null}]));
        let cm = json!({"kind": "ConfigMap", "metadata": {"name": "c"}});
        assert!(p.apply_to_resource(&mut cm.clone(), false).is_err());
        let mut got = cm.clone();
        p.apply_to_resource(&mut got, true).unwrap();
        assert_eq!(got["metadata"]["annotations"], json!({"x": "null"}));
        // A map the ops leave empty goes away again.
        let mut got = cm.clone();
        ops(json!([{"op": "test", "path": "/metadata/name", "value": "c"}]))
            .apply_to_resource(&mut got, true)
            .unwrap();
        assert_eq!(got, cm);
    }

    #[test]
    fn all_six_operations_apply_in_order() {
        let mut d = json!({"a": 1, "list": [1, 2], "m": {"x": "y"}});
        ops(json!([
            {"op": "add", "path": "/b", "value": 2},
            {"op": "add", "path": "/list/1", "value": 9},
            {"op": "remove", "path": "/a"},
            {"op": "replace", "path": "/m/x", "value": "z"},
            {"op": "copy", "from": "/m", "path": "/m2"},
            {"op": "move", "from": "/b", "path": "/c"},
            {"op": "test", "path": "/c", "value": 2},
        ]))
        .apply(&mut d)
        .unwrap();
        assert_eq!(
            d,
            json!({"list": [1, 9, 2], "m": {"x": "z"}, "m2": {"x": "z"}, "c": 2})
        );
    }

    #[test]
    fn integers_beyond_2_pow_53_are_rounded_like_go_floats() {
        let mut d = json!({"big": 12345678901234567890_u64, "neg": -9007199254740993_i64, "ok": 9007199254740992_u64});
        ops(json!([])).apply(&mut d).unwrap();
        assert_eq!(
            d,
            json!({"big": 12345678901234567000_u64, "neg": -9007199254740992_i64, "ok": 9007199254740992_u64})
        );
    }

    #[test]
    fn evanphx_leniencies_and_refusals() {
        let mut d = json!({"m": {"a": 1}, "l": ["x", "y"]});
        ops(json!([
            {"op": "replace", "path": "/m/new", "value": 2},
            {"op": "copy", "from": "/m/absent", "path": "/m/copied"},
            {"op": "add", "path": "/l/01", "value": "v"},
            {"op": "add", "path": "/l/+0", "value": "w"},
        ]))
        .apply(&mut d)
        .unwrap();
        assert_eq!(
            d,
            json!({"m": {"a": 1, "new": 2, "copied": null}, "l": ["w", "x", "v", "y"]})
        );
        // Still errors: replace under a missing parent, replace past the end
        // of a list, add at the root, test without a value.
        for bad in [
            json!([{"op": "replace", "path": "/absent/x", "value": 1}]),
            json!([{"op": "replace", "path": "/l/9", "value": 1}]),
            json!([{"op": "add", "path": "", "value": {}}]),
            json!([{"op": "test", "path": "/m/a"}]),
        ] {
            assert!(ops(bad.clone()).apply(&mut d).is_err(), "{bad}");
        }
    }

    #[test]
    fn dash_appends_and_negative_indices_count_from_the_end() {
        let mut d = json!({"args": ["a", "b", "c"]});
        ops(json!([
            {"op": "add", "path": "/args/-", "value": "d"},
            {"op": "replace", "path": "/args/-1", "value": "D"},
            {"op": "remove", "path": "/args/-4"},
            {"op": "add", "path": "/args/-1", "value": "end"},
        ]))
        .apply(&mut d)
        .unwrap();
        assert_eq!(d, json!({"args": ["b", "c", "D", "end"]}));
    }

    #[test]
    fn failed_test_op_is_an_error_naming_the_op_and_leaves_target_unchanged() {
        let original = json!({"spec": {"replicas": 1}});
        let mut d = original.clone();
        let err = ops(json!([
            {"op": "replace", "path": "/spec/replicas", "value": 5},
            {"op": "test", "path": "/spec/replicas", "value": 3},
        ]))
        .apply(&mut d)
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "JSON 6902 patch operation 1 (test /spec/replicas) failed"
        );
        assert_eq!(d, original);
    }

    #[test]
    fn missing_value_is_null_and_testing_null_passes_on_absent_keys() {
        let mut d = json!({"metadata": {"name": "a"}});
        ops(json!([
            {"op": "test", "path": "/metadata/labels", "value": null},
            {"op": "add", "path": "/metadata/labels"},
            {"op": "test", "path": "/metadata/labels", "value": null},
        ]))
        .apply(&mut d)
        .unwrap();
        assert_eq!(d, json!({"metadata": {"name": "a", "labels": null}}));
        let mut d = json!({"metadata": {}});
        assert!(
            ops(json!([{"op": "test", "path": "/spec/x", "value": null}]))
                .apply(&mut d)
                .is_err()
        );
        assert!(
            ops(json!([{"op": "test", "path": "/metadata/x", "value": 1}]))
                .apply(&mut d)
                .is_err()
        );
    }

    #[test]
    fn remove_of_dash_is_an_error() {
        let mut d = json!({"a": [1, 2]});
        assert!(
            ops(json!([{"op": "remove", "path": "/a/-"}]))
                .apply(&mut d)
                .is_err()
        );
    }

    #[test]
    fn missing_paths_fail() {
        for op in [
            json!({"op": "remove", "path": "/nope"}),
            json!({"op": "replace", "path": "/a/b/c", "value": 1}),
            json!({"op": "add", "path": "/a/b/c", "value": 1}),
            json!({"op": "move", "from": "/nope", "path": "/x"}),
            json!({"op": "copy", "from": "/a/b/c", "path": "/x"}),
        ] {
            let mut d = json!({"a": {}});
            assert!(ops(json!([op])).apply(&mut d).is_err(), "{op}");
        }
    }

    #[test]
    fn malformed_patches_are_rejected_with_the_position() {
        assert!(matches!(
            Json6902::from_value(&json!({"op": "add"})),
            Err(Error::NotAList { found: "a map" })
        ));
        let err = Json6902::from_value(
            &json!([{"op": "add", "path": "/a", "value": 1}, {"op": "frobnicate", "path": "/a"}]),
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::InvalidOperation { index: 1, .. }),
            "{err}"
        );
        assert!(Json6902::from_value(&json!([{"op": "remove", "path": "no-slash"}])).is_err());
    }

    #[test]
    fn json_text_is_parsed_without_the_yaml_layer() {
        let p =
            Json6902::parse(" [ {\"op\": \"add\", \"path\": \"/a\", \"value\": [1]} ]\n").unwrap();
        assert_eq!(p.len(), 1);
        let mut d = json!({});
        p.apply(&mut d).unwrap();
        assert_eq!(d, json!({"a": [1]}));
    }

    proptest! {
        #[test]
        fn a_failing_patch_leaves_the_target_unchanged(
            n in 0usize..6,
            values in prop::collection::vec(any::<i32>(), 0..6),
        ) {
            let original = json!({"list": values, "k": "v"});
            let mut d = original.clone();
            let mut list = Vec::new();
            for i in 0..n {
                list.push(json!({"op": "add", "path": format!("/added{i}"), "value": i}));
                list.push(json!({"op": "add", "path": "/list/0", "value": i}));
            }
            list.push(json!({"op": "test", "path": "/k", "value": "not v"}));
            prop_assert!(ops(Value::Array(list)).apply(&mut d).is_err());
            prop_assert_eq!(d, original);
        }
    }
}
