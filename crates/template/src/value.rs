//! The data model templates run over: a small dynamic value type shaped after what Go's
//! `reflect` sees in the data Flux hands to its commit-message template.
//!
//! | Go                                   | here                                   | `%v` prints          |
//! | ------------------------------------ | -------------------------------------- | -------------------- |
//! | `nil` (`interface{}`)                | [`Value::Nil`]                         | `<nil>`              |
//! | `bool`, `int`, `float64`, `string`   | [`Value::Bool`], `Int`, `Float`, `String` | as Go's `fmt`     |
//! | `[]T`                                | [`Value::List`]                        | `[a b c]`            |
//! | `map[K]V`                            | [`Value::Map`] (keys kept sorted)      | `map[k:v k2:v2]`     |
//! | a struct, with or without `String()` | [`Value::Object`]                      | `{f1 f2}` or `String()` |
//!
//! Objects carry fields (in declaration order, for `{…}` printing), zero-argument methods
//! (their results are computed by the caller up front) and an optional display string that
//! plays the role of Go's `String()` method.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How deep template-built values may nest (lists of lists of …). Values the caller builds
/// are not limited; values built by template functions (`list`, `dict`, `append`) are.
pub(crate) const MAX_BUILT_DEPTH: usize = 64;

/// A template value.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// Go's untyped `nil`.
    #[default]
    Nil,
    /// A `bool`.
    Bool(bool),
    /// An `int` (Go's `int` is 64 bits on the platforms Flux runs on).
    Int(i64),
    /// A `float64`.
    Float(f64),
    /// A `string`.
    String(String),
    /// A slice.
    List(List),
    /// A map.
    Map(Map),
    /// A struct value, with fields, zero-argument methods and an optional `String()`.
    Object(Object),
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A list value from anything that yields values.
    pub fn list<I, V>(items: I) -> Value
    where
        I: IntoIterator<Item = V>,
        V: Into<Value>,
    {
        Value::List(List::new(items.into_iter().map(Into::into).collect()))
    }

    /// A `map[string]string`-like map: missing keys read through `index` give `""`, as Go's
    /// zero string (a missing key read as a field still prints `<no value>`, as in Go).
    pub fn string_map<I, K, V>(entries: I) -> Value
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut map = Map::with_zero(Value::String(String::new()));
        for (k, v) in entries {
            map.insert(Value::String(k.into()), Value::String(v.into()));
        }
        Value::Map(map)
    }

    /// The name Go would give this value's type in error messages and `%T`.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Int(_) => "int".to_string(),
            Value::Float(_) => "float64".to_string(),
            Value::String(_) => "string".to_string(),
            Value::List(_) => "[]interface {}".to_string(),
            Value::Map(m) => {
                let key = match m.entries().first() {
                    Some((Value::String(_), _)) | None => "string".to_string(),
                    Some((k, _)) => k.type_name(),
                };
                let elem = match m.zero() {
                    Value::String(_) => "string",
                    _ => "interface {}",
                };
                format!("map[{key}]{elem}")
            }
            Value::Object(o) => o.type_name().to_string(),
        }
    }

    /// Go's notion of truth used by `if`, `with`, `and`, `or`, `not`: false, 0, nil and empty
    /// strings, lists and maps are false; everything else (including every struct) is true.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(_) => true,
        }
    }

    /// The string inside a [`Value::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Nesting depth: 0 for scalars, 1 + the deepest child for containers.
    pub(crate) fn depth(&self) -> usize {
        match self {
            Value::List(l) => l.0.depth,
            Value::Map(m) => m.0.depth,
            Value::Object(o) => o.0.depth,
            _ => 0,
        }
    }

    fn kind_rank(&self) -> u8 {
        match self {
            Value::Nil => 0,
            Value::Bool(_) => 1,
            Value::Int(_) => 2,
            Value::Float(_) => 3,
            Value::String(_) => 4,
            Value::Object(_) => 5,
            Value::List(_) => 6,
            Value::Map(_) => 7,
        }
    }
}

/// Go's `%v` formatting (`fmt.Sprint`), bounded by the default [`crate::Limits`]: text past
/// the output limit is cut and ends with `…`.
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut budget = crate::budget::Budget::new(&crate::Limits::default());
        let mut w = crate::gofmt::Writer::new(&mut budget);
        let complete = crate::gofmt::write_value(&mut w, self).is_ok();
        f.write_str(&w.out)?;
        if !complete {
            f.write_str("…")?;
        }
        Ok(())
    }
}

/// The order Go's `fmt` (package `internal/fmtsort`) sorts map keys in, which is also the
/// order `range` visits a map: numbers numerically, strings bytewise, `false` before `true`,
/// structs field by field. Keys of different types are grouped by type.
pub(crate) fn compare_keys(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Nil, Value::Nil) => Ordering::Equal,
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => match x.partial_cmp(y) {
            Some(o) => o,
            None => x.is_nan().cmp(&y.is_nan()).reverse(),
        },
        (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Object(x), Value::Object(y)) => {
            let by_type = x.type_name().cmp(y.type_name());
            if by_type != Ordering::Equal {
                return by_type;
            }
            for (fx, fy) in x.0.fields.iter().zip(y.0.fields.iter()) {
                let o = compare_keys(&fx.value, &fy.value);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.0.fields.len().cmp(&y.0.fields.len())
        }
        (Value::List(x), Value::List(y)) => {
            for (ex, ey) in x.iter().zip(y.iter()) {
                let o = compare_keys(ex, ey);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Map(x), Value::Map(y)) => x.len().cmp(&y.len()),
        _ => a.kind_rank().cmp(&b.kind_rank()),
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::String(s.clone())
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i64::from(i))
    }
}
impl From<usize> for Value {
    fn from(i: usize) -> Value {
        Value::Int(i64::try_from(i).unwrap_or(i64::MAX))
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<List> for Value {
    fn from(l: List) -> Value {
        Value::List(l)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Map(m)
    }
}
impl From<Object> for Value {
    fn from(o: Object) -> Value {
        Value::Object(o)
    }
}
impl<V: Into<Value>> From<Vec<V>> for Value {
    fn from(v: Vec<V>) -> Value {
        Value::list(v)
    }
}
impl<V: Into<Value>> From<BTreeMap<String, V>> for Value {
    fn from(m: BTreeMap<String, V>) -> Value {
        let mut map = Map::new();
        for (k, v) in m {
            map.insert(Value::String(k), v.into());
        }
        Value::Map(map)
    }
}

/// JSON data as Go's `encoding/json` would decode it into `interface{}`, except that
/// integers stay integers (Go would make every number a `float64`).
impl From<serde_json::Value> for Value {
    fn from(j: serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::list(a),
            serde_json::Value::Object(o) => {
                let mut map = Map::new();
                for (k, v) in o {
                    map.insert(Value::String(k), v.into());
                }
                Value::Map(map)
            }
        }
    }
}

#[derive(Debug)]
struct ListData {
    items: Vec<Value>,
    depth: usize,
}

/// An immutable, cheaply cloned list (Go slice).
#[derive(Debug, Clone)]
pub struct List(Arc<ListData>);

impl List {
    /// A list of these items.
    pub fn new(items: Vec<Value>) -> List {
        let depth = 1 + items.iter().map(Value::depth).max().unwrap_or(0);
        List(Arc::new(ListData { items, depth }))
    }

    /// The items.
    pub fn items(&self) -> &[Value] {
        &self.0.items
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.0.items.len()
    }

    /// Whether the list has no items.
    pub fn is_empty(&self) -> bool {
        self.0.items.is_empty()
    }

    /// Iterates over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, Value> {
        self.0.items.iter()
    }

    pub(crate) fn ptr_eq(&self, other: &List) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Debug, Clone)]
struct MapData {
    entries: Vec<(Value, Value)>,
    zero: Value,
    depth: usize,
    string_keys: bool,
}

/// An immutable-once-shared map whose entries are kept in Go's `fmt` key order (which is
/// also the order `range` visits them).
#[derive(Debug, Clone)]
pub struct Map(Arc<MapData>);

impl Default for Map {
    fn default() -> Self {
        Map::new()
    }
}

impl Map {
    /// An empty map whose element type is `interface{}` (missing keys read as nil).
    pub fn new() -> Map {
        Map::with_zero(Value::Nil)
    }

    /// An empty map whose element type's zero value is `zero`: what `index` returns for a
    /// missing key (e.g. `""` for a `map[string]string`).
    pub fn with_zero(zero: Value) -> Map {
        Map(Arc::new(MapData {
            entries: Vec::new(),
            zero,
            depth: 1,
            string_keys: true,
        }))
    }

    /// A map of these entries (a later entry replaces an earlier one with an equal key),
    /// built in one sort rather than entry by entry.
    pub fn from_entries(entries: Vec<(Value, Value)>, zero: Value) -> Map {
        let mut entries = entries;
        entries.sort_by(|a, b| compare_keys(&a.0, &b.0));
        let mut kept: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
        for e in entries {
            match kept.last_mut() {
                Some(last) if compare_keys(&last.0, &e.0) == Ordering::Equal => *last = e,
                _ => kept.push(e),
            }
        }
        let depth = 1 + kept
            .iter()
            .map(|(k, v)| k.depth().max(v.depth()))
            .max()
            .unwrap_or(0);
        let string_keys = kept.iter().all(|(k, _)| matches!(k, Value::String(_)));
        Map(Arc::new(MapData {
            entries: kept,
            zero,
            depth,
            string_keys,
        }))
    }

    /// Inserts or replaces the entry for `key`.
    pub fn insert(&mut self, key: Value, value: Value) {
        let data = Arc::make_mut(&mut self.0);
        data.depth = data.depth.max(1 + key.depth().max(value.depth()));
        data.string_keys &= matches!(key, Value::String(_));
        match data
            .entries
            .binary_search_by(|(k, _)| compare_keys(k, &key))
        {
            Ok(i) => data.entries[i].1 = value,
            Err(i) => data.entries.insert(i, (key, value)),
        }
    }

    /// Builder form of [`Map::insert`] with a string key.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Map {
        self.insert(Value::String(key.into()), value.into());
        self
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &Value) -> Option<&Value> {
        self.0
            .entries
            .binary_search_by(|(k, _)| compare_keys(k, key))
            .ok()
            .and_then(|i| self.0.entries.get(i))
            .map(|(_, v)| v)
    }

    /// The value stored under the string `key`.
    pub fn get_str(&self, key: &str) -> Option<&Value> {
        self.0
            .entries
            .binary_search_by(|(k, _)| match k {
                Value::String(s) => s.as_bytes().cmp(key.as_bytes()),
                other => other.kind_rank().cmp(&4),
            })
            .ok()
            .and_then(|i| self.0.entries.get(i))
            .map(|(_, v)| v)
    }

    /// Entries in key order.
    pub fn entries(&self) -> &[(Value, Value)] {
        &self.0.entries
    }

    /// The zero value of the element type.
    pub fn zero(&self) -> &Value {
        &self.0.zero
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.entries.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.0.entries.is_empty()
    }

    /// Whether every key is a string (an empty map counts as string-keyed): only such maps
    /// answer `.key` field syntax.
    pub(crate) fn has_string_keys(&self) -> bool {
        self.0.string_keys
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) value: Value,
    pub(crate) embedded: bool,
}

#[derive(Debug, Clone)]
struct ObjectData {
    type_name: String,
    fields: Vec<Field>,
    methods: Vec<(String, Value)>,
    display: Option<String>,
    depth: usize,
}

/// A struct value: named fields in declaration order, zero-argument methods whose results
/// the caller computes up front, and optionally the result of a `String()` method, which is
/// what `{{.}}`, `print` and `%v`/`%s` show instead of `{field1 field2}`.
///
/// ```
/// use weir_template::{Object, Value};
/// let change = Object::new("update.Change")
///     .field("OldValue", "1.0")
///     .field("NewValue", "1.1")
///     .field("Setter", "flux-system:app:tag");
/// let t = weir_template::Template::parse("t", "{{.OldValue}} -> {{.NewValue}} {{.}}").unwrap();
/// assert_eq!(
///     t.render(&Value::Object(change)).unwrap(),
///     "1.0 -> 1.1 {1.0 1.1 flux-system:app:tag}"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct Object(Arc<ObjectData>);

impl Object {
    /// An object of the Go type `type_name` (used in error messages and `%T`), without fields.
    pub fn new(type_name: impl Into<String>) -> Object {
        Object(Arc::new(ObjectData {
            type_name: type_name.into(),
            fields: Vec::new(),
            methods: Vec::new(),
            display: None,
            depth: 1,
        }))
    }

    fn data(&mut self) -> &mut ObjectData {
        Arc::make_mut(&mut self.0)
    }

    /// Adds a field (fields print in the order they are added).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Object {
        let value = value.into();
        let data = self.data();
        data.depth = data.depth.max(1 + value.depth());
        data.fields.push(Field {
            name: name.into(),
            value,
            embedded: false,
        });
        self
    }

    /// Adds an embedded struct: its fields and methods are promoted (reachable directly
    /// from this object), and it prints as a nested `{…}` like Go's embedded fields.
    pub fn embed(mut self, type_name: impl Into<String>, inner: Object) -> Object {
        let value = Value::Object(inner);
        let data = self.data();
        data.depth = data.depth.max(1 + value.depth());
        data.fields.push(Field {
            name: type_name.into(),
            value,
            embedded: true,
        });
        self
    }

    /// Adds a method without arguments, with its result.
    pub fn method(mut self, name: impl Into<String>, result: impl Into<Value>) -> Object {
        let value = result.into();
        let data = self.data();
        data.depth = data.depth.max(1 + value.depth());
        data.methods.push((name.into(), value));
        self
    }

    /// Sets what Go's `String()` method returns; also makes `.String` callable.
    pub fn display(mut self, shown: impl Into<String>) -> Object {
        let shown = shown.into();
        let data = self.data();
        data.methods
            .push(("String".to_string(), Value::String(shown.clone())));
        data.display = Some(shown);
        self
    }

    /// The Go type name.
    pub fn type_name(&self) -> &str {
        &self.0.type_name
    }

    /// What `String()` returns, when the object has one.
    pub fn shown(&self) -> Option<&str> {
        self.0.display.as_deref()
    }

    pub(crate) fn fields(&self) -> &[Field] {
        &self.0.fields
    }

    /// Looks a name up as Go's `.Name` does: methods first, then fields, then members
    /// promoted from embedded structs (breadth first).
    pub(crate) fn lookup(&self, name: &str) -> Option<(&Value, bool)> {
        if let Some((_, v)) = self.0.methods.iter().find(|(n, _)| n == name) {
            return Some((v, true));
        }
        if let Some(f) = self.0.fields.iter().find(|f| f.name == name) {
            return Some((&f.value, false));
        }
        for f in self.0.fields.iter().filter(|f| f.embedded) {
            if let Value::Object(inner) = &f.value
                && let Some(found) = inner.lookup(name)
            {
                return Some(found);
            }
        }
        None
    }

    /// The value of field or method `name` (promoted members included).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.lookup(name).map(|(v, _)| v)
    }
}

/// Deep equality (Go's `reflect.DeepEqual` for our kinds), charging one step per node.
pub(crate) fn deep_equal(
    a: &Value,
    b: &Value,
    steps: &mut dyn FnMut() -> bool,
) -> Result<bool, ()> {
    if !steps() {
        return Err(());
    }
    Ok(match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            if x.ptr_eq(y) {
                return Ok(true);
            }
            if x.len() != y.len() {
                return Ok(false);
            }
            for (ex, ey) in x.iter().zip(y.iter()) {
                if !deep_equal(ex, ey, steps)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for ((kx, vx), (ky, vy)) in x.entries().iter().zip(y.entries().iter()) {
                if !deep_equal(kx, ky, steps)? || !deep_equal(vx, vy, steps)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.type_name() != y.type_name() || x.fields().len() != y.fields().len() {
                return Ok(false);
            }
            for (fx, fy) in x.fields().iter().zip(y.fields().iter()) {
                if !deep_equal(&fx.value, &fy.value, steps)? {
                    return Ok(false);
                }
            }
            true
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_keep_fmt_key_order() {
        let mut m = Map::new();
        for k in ["b", "a", "B", "aa"] {
            m.insert(Value::from(k), Value::Int(1));
        }
        let keys: Vec<_> = m
            .entries()
            .iter()
            .map(|(k, _)| k.as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(keys, ["B", "a", "aa", "b"]);
        assert!(m.get_str("aa").is_some());
        assert!(m.get_str("c").is_none());
    }

    #[test]
    fn bulk_maps_keep_the_last_duplicate() {
        let m = Map::from_entries(
            vec![
                (Value::from("b"), Value::Int(1)),
                (Value::from("a"), Value::Int(2)),
                (Value::from("b"), Value::Int(3)),
            ],
            Value::Nil,
        );
        assert_eq!(m.len(), 2);
        assert!(matches!(m.get_str("b"), Some(Value::Int(3))));
        assert!(m.has_string_keys());
    }

    #[test]
    fn struct_keys_sort_field_by_field() {
        let k = |a: &str, b: &str| Value::Object(Object::new("K").field("A", a).field("B", b));
        let mut m = Map::new();
        m.insert(k("x", "2"), Value::Int(1));
        m.insert(k("x", "1"), Value::Int(2));
        m.insert(k("a", "9"), Value::Int(3));
        let firsts: Vec<_> = m.entries().iter().map(|(_, v)| v.clone()).collect();
        assert!(matches!(
            firsts[..],
            [Value::Int(3), Value::Int(2), Value::Int(1)]
        ));
    }

    #[test]
    fn truthiness_follows_go() {
        assert!(!Value::Nil.is_truthy());
        assert!(!Value::Int(0).is_truthy());
        assert!(!Value::Float(0.0).is_truthy());
        assert!(!Value::from("").is_truthy());
        assert!(!Value::list(Vec::<Value>::new()).is_truthy());
        assert!(!Value::Map(Map::new()).is_truthy());
        assert!(Value::Object(Object::new("T")).is_truthy());
        assert!(Value::from("x").is_truthy());
    }

    #[test]
    fn display_is_go_percent_v() {
        let v = Value::list([
            Value::from("a"),
            Value::Int(1),
            Value::Float(2.5),
            Value::Nil,
        ]);
        assert_eq!(v.to_string(), "[a 1 2.5 <nil>]");
        let m = Map::new().with("k", Value::Bool(true));
        assert_eq!(Value::Map(m).to_string(), "map[k:true]");
    }

    #[test]
    fn templates_and_values_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Value>();
        send_sync::<crate::Template>();
        send_sync::<crate::ExecError>();
        send_sync::<crate::ParseError>();
    }

    #[test]
    fn embedded_members_are_promoted() {
        let inner = Object::new("yaml.NameMeta").field("Name", "app");
        let outer = Object::new("update.ObjectIdentifier").embed("NameMeta", inner);
        assert!(matches!(outer.get("Name"), Some(Value::String(s)) if s == "app"));
    }
}
