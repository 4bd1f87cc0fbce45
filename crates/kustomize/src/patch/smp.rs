//! Strategic-merge patches, merged the way kustomize v5.5.0 merges them.
//!
//! kustomize does not use Kubernetes' apimachinery for strategic merge; it
//! walks the resource and the patch with kyaml's `merge2`, with new list
//! elements *prepended*. The rules that follow from that walk, and which this
//! module reproduces:
//!
//! - Maps merge key by key; a patch value of `null` deletes the key (and is
//!   a no-op when the key is absent). A null in the resource that the patch
//!   does not touch stays (kyaml keeps an explicit `null`/`~`; it drops an
//!   empty value, `key:`, which [`Value`] cannot tell apart, so that one
//!   is kept too).
//! - Scalars and lists without a merge strategy are replaced by the patch's
//!   value. Which lists merge is decided by the schema only (see
//!   [`schema`](super::schema)): lists of custom resources and of unknown
//!   `apiVersion`s are always replaced, whatever their elements look like.
//! - Merge lists pair elements by their merge keys. The result lists the
//!   patch's elements first (in patch order, merged with their counterpart),
//!   then the resource's remaining elements. Lists keyed by two fields
//!   (container `ports`: `containerPort`+`protocol`; Service `ports`:
//!   `port`+`protocol`) follow kyaml's quirky matching, in which a patch
//!   element without `protocol` does not update an element that has one.
//!   A patch element that lacks its merge key matches nothing and deletes
//!   every resource element that has the key (kyaml's matching), so such a
//!   patch empties the list.
//! - Lists of scalars with a merge strategy (`finalizers`) become the union,
//!   patch values first.
//! - `$patch: delete` removes a map or a list element (a whole resource when
//!   at the top); `$patch: replace` on a map replaces it; `$patch: merge` is
//!   the default. `$patch: replace` on a merge-list *element*, or on the
//!   whole resource, has no effect (kustomize keeps its own nodes).
//! - In a merge list, an element holding only `$patch` is about the list:
//!   `{$patch: replace}` makes the patch's list replace the resource's,
//!   `{$patch: delete}` removes the list, `{$patch: merge}` is dropped. When
//!   the resource has no such list, kyaml keeps the marker and drops the
//!   patch's keyed elements instead. Any other `$patch` value is an error.
//! - apimachinery's other directives (`$setElementOrder/…`, `$retainKeys`,
//!   `$deleteFromPrimitiveList/…`) are not directives here: they are plain
//!   keys and end up in the output like any other key.
//!
//! The walk works on an arena of nodes so that, as in kyaml, a merged element
//! is the resource's own node and later steps of the list merge see it.
//! The resource enters the arena as one unexpanded node holding its own
//! [`Value`]; a map or list is split into nodes (one level, its children
//! again unexpanded) only when the walk looks inside it, and the parts the
//! walk never opens move back into the result as they are. Patching thus
//! costs in proportion to the patch and the parts of the resource it
//! reaches, plus a read-only check of the untouched parts (a walk without
//! patch would still rebuild their merge lists, so they are checked for
//! that). [`apply`] records the first change to
//! each node, to put the resource back as it was when the patch fails.

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::{Map, Number, Value};

use super::schema::Schema;

/// Why a strategic-merge patch could not be applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The patch and the resource have different node kinds at a field.
    #[error("cannot merge `{path}`: the resource has a {dest} there but the patch has a {patch}")]
    KindMismatch {
        /// Field path (`spec.template.spec.containers`).
        path: String,
        /// Node kind in the resource.
        dest: &'static str,
        /// Node kind in the patch.
        patch: &'static str,
    },
    /// A `$patch` directive with a value other than `delete`, `replace` or
    /// `merge`.
    #[error(
        "unknown patch strategy `$patch: {value}` at `{path}` (expected delete, replace or merge)"
    )]
    UnknownDirective {
        /// Field path of the map holding the directive.
        path: String,
        /// The directive's value.
        value: String,
    },
    /// A merge list holds an element that is not a map where kyaml needs one.
    #[error(
        "cannot merge list `{path}`: it holds a {found} where a map with merge keys is expected"
    )]
    ElementNotMap {
        /// Field path of the list.
        path: String,
        /// Node kind found.
        found: &'static str,
    },
    /// The documents are nested deeper than the merge supports.
    #[error("cannot merge `{path}`: nested deeper than {limit} levels")]
    TooDeep {
        /// The start of the field path where the limit was reached.
        path: String,
        /// The limit.
        limit: usize,
    },
}

/// Deepest nesting the merge walks before giving up (Kubernetes objects
/// rarely go past 20).
const MAX_DEPTH: usize = 256;

/// Options of a `patches:` entry that change how a patch applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `options.allowNameChange`: keep the patch's `metadata.name`.
    pub allow_name_change: bool,
    /// `options.allowKindChange`: keep the patch's `kind`.
    pub allow_kind_change: bool,
}

/// What applying a strategic-merge patch did to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    /// The resource was patched in place.
    Patched,
    /// The patch deleted the whole resource (`$patch: delete` at the top, or
    /// every field removed): drop it from the build.
    Deleted,
}

/// Applies strategic-merge patch `patch` to `resource` the way kustomize's
/// `patches:`/`patchesStrategicMerge:` do: the patch takes the resource's
/// `apiVersion`, is merged in, and the resource keeps its `kind`,
/// `metadata.name` (unless `options` allow a change) and
/// `metadata.namespace`.
///
/// On error `resource` is unchanged (the walk's changes are undone, and the
/// resource's own values are moved back). On [`Outcome::Deleted`]
/// `resource` is left unchanged too; the caller drops it.
///
/// ```
/// use serde_json::json;
/// use weir_kustomize::patch::smp;
///
/// let mut deployment = json!({
///     "apiVersion": "apps/v1", "kind": "Deployment",
///     "metadata": {"name": "web"},
///     "spec": {"template": {"spec": {"containers": [
///         {"name": "app", "image": "app:1"},
///         {"name": "sidecar", "image": "side:1"}]}}}
/// });
/// let patch = json!({
///     "apiVersion": "apps/v1", "kind": "Deployment",
///     "metadata": {"name": "web"},
///     "spec": {"template": {"spec": {"containers": [
///         {"name": "app", "image": "app:2"}]}}}
/// });
/// let outcome = smp::apply(&mut deployment, &patch, smp::Options::default()).unwrap();
/// assert_eq!(outcome, smp::Outcome::Patched);
/// assert_eq!(
///     deployment["spec"]["template"]["spec"]["containers"],
///     json!([{"name": "app", "image": "app:2"}, {"name": "sidecar", "image": "side:1"}])
/// );
/// ```
pub fn apply(resource: &mut Value, patch: &Value, options: Options) -> Result<Outcome, Error> {
    apply_with(resource, patch, options, Mode::default())
}

fn apply_with(
    resource: &mut Value,
    patch: &Value,
    options: Options,
    mode: Mode,
) -> Result<Outcome, Error> {
    let kind = resource.get("kind").cloned();
    let name = resource.pointer("/metadata/name").cloned();
    let namespace = resource.pointer("/metadata/namespace").cloned();

    // The patch takes the resource's apiVersion (kustomize copies the GVK
    // of each selected resource into its copy of the patch).
    let api_version = resource.get("apiVersion").cloned();
    // The resource moves into the walk's arena; every path below moves it
    // back into `resource`.
    let target = std::mem::take(resource);
    let mut run = Run::start(target, patch, mode, api_version.as_ref(), true);
    let result = run.walk();
    let live = matches!(result, Ok(Some(id)) if run.is_live(id));
    match result {
        Ok(Some(id)) if live && id == run.dest => {
            *resource = run.m.tree.into_value(id);
        }
        other => {
            // An error, a deleted document, or a new root (`$patch: replace`
            // at the top: kyaml hands back the patch as a new root, and
            // kustomize, which keeps its own root, drops it): the resource
            // goes back as it was.
            run.m.tree.roll_back();
            *resource = run.m.tree.into_value(run.dest);
            return match other {
                Err(e) => Err(e),
                Ok(_) if live => Ok(Outcome::Patched),
                Ok(_) => Ok(Outcome::Deleted),
            };
        }
    }
    if let Value::Object(obj) = resource {
        if !options.allow_kind_change {
            match kind {
                Some(k) => obj.insert("kind".to_string(), k),
                None => obj.remove("kind"),
            };
        }
        let needs_metadata = name.is_some() || namespace.is_some();
        if needs_metadata && !obj.get("metadata").is_some_and(Value::is_object) {
            obj.insert("metadata".to_string(), Value::Object(Map::new()));
        }
        if let Some(Value::Object(meta)) = obj.get_mut("metadata") {
            if !options.allow_name_change {
                match name {
                    Some(n) => meta.insert("name".to_string(), n),
                    None => meta.remove("name"),
                };
            }
            match namespace {
                Some(ns) if ns.as_str() != Some("") => meta.insert("namespace".to_string(), ns),
                _ => meta.remove("namespace"),
            };
        }
    }
    Ok(Outcome::Patched)
}

/// Merges `patch` into `target` with kyaml's rules and returns the result, or
/// `None` when the patch deletes the whole document.
///
/// This is the bare merge: unlike [`apply`] it changes `kind`, `apiVersion`
/// and `metadata` like any other field.
pub fn merge(target: &Value, patch: &Value) -> Result<Option<Value>, Error> {
    merge_tree_with(target.clone(), patch, Mode::default()).map(|(merged, _)| merged)
}

/// The merge, and whether its result is the target's own root (it is not
/// after a top-level `$patch: replace`).
fn merge_tree_with(
    target: Value,
    patch: &Value,
    mode: Mode,
) -> Result<(Option<Value>, bool), Error> {
    let mut run = Run::start(target, patch, mode, None, false);
    Ok(match run.walk()? {
        Some(id) if run.is_live(id) => {
            let same_root = id == run.dest;
            (Some(run.m.tree.into_value(id)), same_root)
        }
        _ => (None, true),
    })
}

/// How the walk treats subtrees (tests compare the variants).
#[derive(Debug, Clone, Copy, Default)]
struct Mode {
    /// Walk every subtree even when the patch does not touch it.
    no_shortcut: bool,
    /// Convert the whole target into nodes before the walk, instead of
    /// only the parts the walk looks into.
    eager: bool,
}

/// One merge: the arena holding the target (`dest`) and the patch
/// (`origin`).
struct Run {
    m: Merger,
    dest: Id,
    origin: Id,
}

impl Run {
    /// Moves `target` into a new arena (as one unexpanded node unless
    /// `mode.eager`) and imports `patch`, with `patch_api_version` as its
    /// `apiVersion` when given. With `journal`, the walk records what it
    /// changes so that [`Tree::roll_back`] can restore the target.
    fn start(
        target: Value,
        patch: &Value,
        mode: Mode,
        patch_api_version: Option<&Value>,
        journal: bool,
    ) -> Run {
        let mut m = Merger {
            tree: Tree::new(),
            path: Vec::new(),
            no_shortcut: mode.no_shortcut,
        };
        let dest = m.tree.add(Node::owned(target));
        if mode.eager {
            m.tree.expand_all(dest);
        }
        let origin = m.tree.import(patch);
        if let Some(api_version) = patch_api_version
            && m.tree.is_map(origin)
        {
            let v = m.tree.import(api_version);
            m.tree.set_field(origin, "apiVersion", Some(v));
        }
        m.tree.journal = journal.then(Vec::new);
        Run { m, dest, origin }
    }

    fn walk(&mut self) -> Result<Option<Id>, Error> {
        self.m.walk([Some(self.dest), Some(self.origin)], None)
    }

    /// Whether a walk result is a document (not null, not an empty map).
    fn is_live(&self, id: Id) -> bool {
        !self.m.tree.is_null(id) && !self.m.tree.is_empty_map(Some(id))
    }
}

type Id = usize;

#[derive(Debug, Clone)]
enum Node {
    Null,
    Scalar(Value),
    Map(Vec<(Rc<str>, Id)>),
    Seq(Vec<Id>),
    /// A map or a list of the target that the walk has not looked into:
    /// the target's own value, moved here untouched, turned into `Map` or
    /// `Seq` one level at a time ([`Tree::expand`]) when the walk needs its
    /// children, and moved back into the result by [`Tree::into_value`].
    /// Never a scalar or null.
    Raw(Value),
}

impl Node {
    /// The node for an owned value, left unexpanded.
    fn owned(v: Value) -> Node {
        match v {
            Value::Null => Node::Null,
            v @ (Value::Object(_) | Value::Array(_)) => Node::Raw(v),
            scalar => Node::Scalar(scalar),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Seq,
    Scalar,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Map => "map",
            Kind::Seq => "list",
            Kind::Scalar => "scalar",
        }
    }
}

#[derive(Debug, Default)]
struct Tree {
    nodes: Vec<Node>,
    /// When recording: each changed node's content before its first
    /// change (expanding a node is not a change).
    journal: Option<Vec<(Id, Node)>>,
    /// Per node: whether it is in the journal already.
    journaled: Vec<bool>,
}

impl Tree {
    /// An arena with room for a typical patch and the part of a resource
    /// it reaches.
    fn new() -> Tree {
        Tree {
            nodes: Vec::with_capacity(64),
            journal: None,
            journaled: Vec::with_capacity(64),
        }
    }

    fn add(&mut self, node: Node) -> Id {
        self.nodes.push(node);
        self.journaled.push(false);
        self.nodes.len() - 1
    }

    /// Copies `v` into nodes, all levels.
    fn import(&mut self, v: &Value) -> Id {
        let node = match v {
            Value::Null => Node::Null,
            Value::Object(obj) => {
                let entries = obj
                    .iter()
                    .map(|(k, v)| (Rc::from(k.as_str()), self.import(v)))
                    .collect();
                Node::Map(entries)
            }
            Value::Array(items) => Node::Seq(items.iter().map(|v| self.import(v)).collect()),
            other => Node::Scalar(other.clone()),
        };
        self.add(node)
    }

    /// Turns an unexpanded node into a `Map` or `Seq` whose children are
    /// unexpanded (moving, not copying, the values). Other nodes stay.
    fn expand(&mut self, id: Id) {
        if !matches!(self.nodes[id], Node::Raw(_)) {
            return;
        }
        let node = match std::mem::replace(&mut self.nodes[id], Node::Null) {
            Node::Raw(Value::Object(obj)) => {
                let mut entries = Vec::with_capacity(obj.len());
                for (k, v) in obj {
                    entries.push((Rc::from(k), self.add(Node::owned(v))));
                }
                Node::Map(entries)
            }
            Node::Raw(Value::Array(items)) => Node::Seq(
                items
                    .into_iter()
                    .map(|v| self.add(Node::owned(v)))
                    .collect(),
            ),
            Node::Raw(other) => Node::owned(other),
            other => other,
        };
        self.nodes[id] = node;
    }

    /// [`Tree::expand`] all the way down.
    fn expand_all(&mut self, id: Id) {
        self.expand(id);
        let children = match &self.nodes[id] {
            Node::Map(entries) => entries.iter().map(|(_, v)| *v).collect(),
            Node::Seq(items) => items.clone(),
            _ => Vec::new(),
        };
        for child in children {
            self.expand_all(child);
        }
    }

    /// Records `id`'s content before its first change (when recording),
    /// expanding it first so that the record is one level deep.
    fn will_change(&mut self, id: Id) {
        self.expand(id);
        if let Some(journal) = &mut self.journal
            && !self.journaled[id]
        {
            self.journaled[id] = true;
            journal.push((id, self.nodes[id].clone()));
        }
    }

    /// Undoes every recorded change: the nodes that held the target hold it
    /// as it was (partly expanded, which is the same value).
    fn roll_back(&mut self) {
        for (id, node) in self.journal.take().unwrap_or_default() {
            self.nodes[id] = node;
        }
    }

    /// The value of node `root`, consuming the arena: unexpanded subtrees
    /// and scalars move into the result; a node the result holds more
    /// than once is copied for all but its last place.
    fn into_value(mut self, root: Id) -> Value {
        let mut places = vec![0u32; self.nodes.len()];
        self.count_places(root, &mut places);
        self.take_value(root, &mut places)
    }

    fn count_places(&self, id: Id, places: &mut [u32]) {
        places[id] += 1;
        match &self.nodes[id] {
            Node::Map(entries) => {
                for (_, v) in entries {
                    self.count_places(*v, places);
                }
            }
            Node::Seq(items) => {
                for &i in items {
                    self.count_places(i, places);
                }
            }
            Node::Null | Node::Scalar(_) | Node::Raw(_) => {}
        }
    }

    fn take_value(&mut self, id: Id, places: &mut [u32]) -> Value {
        places[id] -= 1;
        let last = places[id] == 0;
        match &mut self.nodes[id] {
            Node::Null => Value::Null,
            Node::Scalar(v) | Node::Raw(v) => {
                if last {
                    std::mem::take(v)
                } else {
                    v.clone()
                }
            }
            Node::Map(entries) => {
                let entries = if last {
                    std::mem::take(entries)
                } else {
                    entries.clone()
                };
                let mut obj = Map::new();
                for (k, v) in entries {
                    let value = self.take_value(v, places);
                    obj.insert(k.to_string(), value);
                }
                Value::Object(obj)
            }
            Node::Seq(items) => {
                let items = if last {
                    std::mem::take(items)
                } else {
                    items.clone()
                };
                Value::Array(
                    items
                        .into_iter()
                        .map(|i| self.take_value(i, places))
                        .collect(),
                )
            }
        }
    }

    fn node(&self, id: Id) -> &Node {
        &self.nodes[id]
    }

    fn kind(&self, id: Id) -> Kind {
        match self.node(id) {
            Node::Map(_) | Node::Raw(Value::Object(_)) => Kind::Map,
            Node::Seq(_) | Node::Raw(Value::Array(_)) => Kind::Seq,
            Node::Null | Node::Scalar(_) | Node::Raw(_) => Kind::Scalar,
        }
    }

    fn is_null(&self, id: Id) -> bool {
        matches!(self.node(id), Node::Null)
    }

    /// kyaml `IsMissingOrNull`.
    fn missing_or_null(&self, id: Option<Id>) -> bool {
        id.is_none_or(|id| self.is_null(id))
    }

    fn is_empty_map(&self, id: Option<Id>) -> bool {
        id.is_some_and(|id| match self.node(id) {
            Node::Map(e) => e.is_empty(),
            Node::Raw(Value::Object(obj)) => obj.is_empty(),
            _ => false,
        })
    }

    fn is_map(&self, id: Id) -> bool {
        self.kind(id) == Kind::Map
    }

    /// The text go-yaml keeps for a node (`Node.Value`): a scalar's text,
    /// `null` for a null (as written `~` or nothing, which [`Value`] does
    /// not record), empty for maps and lists. [`Tree::text`] without
    /// allocating for strings.
    fn text_ref(&self, id: Id) -> Cow<'_, str> {
        match self.node(id) {
            Node::Scalar(v) => value_text(v),
            Node::Null => Cow::Borrowed("null"),
            Node::Map(_) | Node::Seq(_) | Node::Raw(_) => Cow::Borrowed(""),
        }
    }

    fn text(&self, id: Id) -> String {
        self.text_ref(id).into_owned()
    }

    /// The value of map field `name` (`None` for non-maps). The map must be
    /// expanded.
    fn field(&self, map: Option<Id>, name: &str) -> Option<Id> {
        match self.node(map?) {
            Node::Map(entries) => entries.iter().find(|(k, _)| &**k == name).map(|(_, v)| *v),
            node => {
                debug_assert!(!matches!(node, Node::Raw(_)), "field of an unexpanded node");
                None
            }
        }
    }

    /// The text of string field `name` of a map, expanded or not.
    fn field_str(&self, map: Id, name: &str) -> Option<&str> {
        match self.node(map) {
            Node::Raw(Value::Object(obj)) => obj.get(name).and_then(Value::as_str),
            Node::Map(_) => match self.field(Some(map), name).map(|v| self.node(v)) {
                Some(Node::Scalar(Value::String(s))) => Some(s.as_str()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The keys of a map. The map must be expanded.
    fn map_keys(&self, id: Option<Id>) -> Vec<Rc<str>> {
        match id.map(|id| self.node(id)) {
            Some(Node::Map(entries)) => entries.iter().map(|(k, _)| Rc::clone(k)).collect(),
            node => {
                debug_assert!(
                    !matches!(node, Some(Node::Raw(_))),
                    "keys of an unexpanded node"
                );
                Vec::new()
            }
        }
    }

    /// The elements of a list. The list must be expanded.
    fn seq(&self, id: Option<Id>) -> Vec<Id> {
        match id.map(|id| self.node(id)) {
            Some(Node::Seq(items)) => items.clone(),
            node => {
                debug_assert!(
                    !matches!(node, Some(Node::Raw(_))),
                    "items of an unexpanded node"
                );
                Vec::new()
            }
        }
    }

    fn set_seq(&mut self, id: Id, items: Vec<Id>) {
        self.will_change(id);
        self.nodes[id] = Node::Seq(items);
    }

    fn push(&mut self, seq: Id, item: Id) {
        self.will_change(seq);
        if let Node::Seq(items) = &mut self.nodes[seq] {
            items.push(item);
        }
    }

    fn remove_field(&mut self, map: Id, name: &str) {
        self.will_change(map);
        if let Node::Map(entries) = &mut self.nodes[map] {
            entries.retain(|(k, _)| &**k != name);
        }
    }

    /// kyaml `FieldSetter`: a missing or null value clears the field, an
    /// existing field gets the new value in place, a new field goes last.
    fn set_field(&mut self, map: Id, name: &str, value: Option<Id>) {
        let Some(value) = value.filter(|&v| !self.is_null(v)) else {
            self.remove_field(map, name);
            return;
        };
        self.will_change(map);
        if let Node::Map(entries) = &mut self.nodes[map] {
            match entries.iter_mut().find(|(k, _)| &**k == name) {
                Some(entry) => entry.1 = value,
                None => entries.push((Rc::from(name), value)),
            }
        }
    }
}

/// The text go-yaml keeps for a scalar.
fn value_text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s.as_str()),
        Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Value::Number(n) => Cow::Owned(n.to_string()),
        // A kept null (see `Merger::walk_map`).
        Value::Null => Cow::Borrowed("null"),
        Value::Array(_) | Value::Object(_) => Cow::Borrowed(""),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

#[derive(Debug, Default)]
struct Merger {
    tree: Tree,
    path: Vec<Rc<str>>,
    /// Walk every subtree even when the patch does not touch it (tests
    /// compare the shortcut against the full walk).
    no_shortcut: bool,
}

impl Merger {
    fn path(&self) -> String {
        self.path.join(".")
    }

    /// kyaml `Walker.Walk` over `[dest, origin]`.
    fn walk(&mut self, src: [Option<Id>; 2], schema: Option<Schema>) -> Result<Option<Id>, Error> {
        if self.path.len() > MAX_DEPTH {
            let mut path: String = self.path.iter().take(6).map(|p| format!("{p}.")).collect();
            path.push('…');
            return Err(Error::TooDeep {
                path,
                limit: MAX_DEPTH,
            });
        }
        let schema = schema.or_else(|| self.schema_from_meta(src));
        if let [Some(dest), None] = src
            && !self.no_shortcut
            && self.is_clean(dest, schema)
        {
            return Ok(Some(dest));
        }
        let kind = src
            .iter()
            .flatten()
            .find(|&&id| !self.tree.is_null(id))
            .map(|&id| self.tree.kind(id));
        let Some(kind) = kind else {
            return self.walk_map(src, schema);
        };
        // kyaml `ErrorIfAnyInvalidAndNonNull`.
        if let [Some(d), Some(o)] = src
            && !self.tree.is_null(d)
            && !self.tree.is_null(o)
            && self.tree.kind(d) != self.tree.kind(o)
        {
            return Err(Error::KindMismatch {
                path: self.path(),
                dest: self.tree.kind(d).name(),
                patch: self.tree.kind(o).name(),
            });
        }
        match kind {
            Kind::Map => self.walk_map(src, schema),
            Kind::Seq if schema.is_some_and(Schema::is_merge_list) => {
                self.walk_merge_list(src, schema)
            }
            // Non-associative lists and scalars: the patch's value wins.
            Kind::Seq | Kind::Scalar => Ok(src[1].or(src[0])),
        }
    }

    /// kyaml `GetSchema` without a schema from the parent: the type named by
    /// the node's own `apiVersion` and `kind`, resource first.
    fn schema_from_meta(&self, src: [Option<Id>; 2]) -> Option<Schema> {
        src.iter().flatten().find_map(|&id| {
            let text = |name| self.tree.field_str(id, name).filter(|s| !s.is_empty());
            Schema::for_type(text("apiVersion")?, text("kind")?)
        })
    }

    /// Whether walking `dest` with no patch counterpart would hand it back
    /// unchanged, so the walk can be skipped. A walk without patch still
    /// rebuilds merge lists (dropping null, empty, keyless or duplicate
    /// elements), so any of those makes a subtree unclean. (A null field
    /// stays: only a null the walk starts at, which its caller would clear,
    /// is unclean.)
    fn is_clean(&self, id: Id, schema: Option<Schema>) -> bool {
        match self.tree.node(id) {
            Node::Null => false,
            Node::Scalar(_) => true,
            Node::Raw(v) => is_clean_value(v, schema),
            Node::Map(entries) => {
                let schema = schema.or_else(|| self.schema_from_meta([Some(id), None]));
                entries.iter().all(|(k, v)| match self.tree.node(*v) {
                    // A null field is kept (see `walk_map`).
                    Node::Null => true,
                    // Only maps and lists need the (costly) schema lookup.
                    Node::Scalar(_) => true,
                    Node::Map(_) | Node::Seq(_) | Node::Raw(_) => {
                        self.is_clean(*v, schema.and_then(|s| s.field(k)))
                    }
                })
            }
            Node::Seq(items) => match schema.filter(|s| s.is_merge_list()) {
                None => true,
                Some(list) => {
                    let keys = list.merge_keys();
                    let mut seen = Vec::with_capacity(items.len());
                    items.iter().all(|&item| match self.tree.node(item) {
                        Node::Raw(v) => {
                            clean_element(&mut seen, key_tuple(v, keys), keys)
                                && (keys.is_empty() || is_clean_value(v, list.elements()))
                        }
                        _ => {
                            clean_element(&mut seen, self.key_tuple(item, keys), keys)
                                && (keys.is_empty() || self.is_clean(item, list.elements()))
                        }
                    })
                }
            },
        }
    }

    /// [`key_tuple`] of an expanded node.
    fn key_tuple(&self, item: Id, keys: &[&str]) -> Option<KeyTuple<'_>> {
        let scalar_text = |id: Id| match self.tree.node(id) {
            Node::Scalar(v) => Some(value_text(v)),
            _ => None,
        };
        let mut tuple = KeyTuple::default();
        if keys.is_empty() {
            tuple[0] = scalar_text(item)?;
            return Some(tuple);
        }
        if keys.len() > tuple.len()
            || !matches!(self.tree.node(item), Node::Map(e) if !e.is_empty())
        {
            return None;
        }
        for (slot, k) in tuple.iter_mut().zip(keys) {
            *slot = self.tree.field(Some(item), k).and_then(scalar_text)?;
        }
        Some(tuple)
    }

    /// The `$patch` directive of a patch node, removed from it once read: a
    /// map's own `$patch` key, or for a list the first element holding
    /// `$patch` and nothing else.
    fn directive(&mut self, origin: Option<Id>) -> Result<Directive, Error> {
        let Some(origin) = origin else {
            return Ok(Directive::Merge);
        };
        self.expand_sources([Some(origin), None], true);
        let (holder, is_list) = match self.tree.node(origin) {
            Node::Map(_) => (origin, false),
            Node::Seq(items) => {
                let holder = items
                    .iter()
                    .copied()
                    .find(|&i| self.tree.field(Some(i), "$patch").is_some());
                match holder {
                    Some(h) if self.tree.map_keys(Some(h)).len() == 1 => (h, true),
                    _ => return Ok(Directive::Merge),
                }
            }
            Node::Null | Node::Scalar(_) | Node::Raw(_) => return Ok(Directive::Merge),
        };
        let Some(value) = self.tree.field(Some(holder), "$patch") else {
            return Ok(Directive::Merge);
        };
        let text = self.tree.text(value);
        let directive = match text.as_str() {
            "delete" => Directive::Delete,
            "replace" => Directive::Replace,
            "merge" => Directive::Merge,
            other => {
                return Err(Error::UnknownDirective {
                    path: self.path(),
                    value: other.to_string(),
                });
            }
        };
        if is_list {
            self.element_setter(origin, None, &["$patch".to_string()], &[text])?;
        } else {
            self.tree.remove_field(origin, "$patch");
        }
        Ok(directive)
    }

    /// Expands the nodes a step of the walk reads: the sources, and with
    /// `elements` their elements too (a merge list reads its elements'
    /// merge keys).
    fn expand_sources(&mut self, src: [Option<Id>; 2], elements: bool) {
        for id in src.into_iter().flatten() {
            self.tree.expand(id);
            if elements {
                for item in self.tree.seq(Some(id)) {
                    self.tree.expand(item);
                }
            }
        }
    }

    /// kyaml `Merger.VisitMap`.
    fn visit_map(&mut self, [dest, origin]: [Option<Id>; 2]) -> Result<Option<Id>, Error> {
        if self.tree.missing_or_null(dest) {
            // Errors are ignored here, as kyaml does: an unknown directive on
            // a map the resource lacks stays in the output as a plain key.
            if self.directive(origin).ok() == Some(Directive::Delete) {
                return Ok(None);
            }
            return Ok(origin);
        }
        if origin.is_some_and(|o| self.tree.is_null(o)) {
            return Ok(None);
        }
        Ok(match self.directive(origin)? {
            Directive::Delete => None,
            Directive::Replace => origin,
            Directive::Merge => dest,
        })
    }

    fn walk_map(
        &mut self,
        mut src: [Option<Id>; 2],
        schema: Option<Schema>,
    ) -> Result<Option<Id>, Error> {
        if let [Some(d), None] = src
            && self.tree.is_null(d)
        {
            // kyaml keeps an explicit null of the resource that the patch
            // does not touch, as a plain scalar (no longer a null that the
            // field setter would clear).
            return Ok(Some(self.tree.add(Node::Scalar(Value::Null))));
        }
        let Some(dest) = self.visit_map(src)? else {
            return Ok(None);
        };
        src[0] = Some(dest);
        self.expand_sources(src, false);
        let mut names = self.tree.map_keys(src[0]);
        names.extend(self.tree.map_keys(src[1]));
        names.sort();
        names.dedup();
        for name in names {
            let fields = [
                self.tree.field(src[0], &name),
                self.tree.field(src[1], &name),
            ];
            // The walk of scalars and nulls does not use the schema: skip
            // its (costly) lookup.
            let field_schema = if fields
                .iter()
                .flatten()
                .all(|&id| self.tree.kind(id) == Kind::Scalar)
            {
                None
            } else {
                schema.and_then(|s| s.field(&name))
            };
            self.path.push(name.clone());
            let val = self.walk(fields, field_schema)?;
            self.path.pop();
            self.tree.set_field(dest, &name, val);
        }
        Ok(Some(dest))
    }

    /// kyaml `walkAssociativeSequence` (with `ListIncreaseDirection: prepend`).
    fn walk_merge_list(
        &mut self,
        mut src: [Option<Id>; 2],
        schema: Option<Schema>,
    ) -> Result<Option<Id>, Error> {
        let [dest, origin] = src;
        // kyaml `Merger.VisitList`: a list the resource lacks is taken as it
        // is (directives and all); otherwise the list's own directive rules.
        let dest = if self.tree.missing_or_null(dest) {
            origin
        } else if origin.is_some_and(|o| self.tree.is_null(o)) {
            None
        } else {
            match self.directive(origin)? {
                Directive::Delete => None,
                Directive::Replace => origin,
                Directive::Merge => dest,
            }
        };
        let Some(dest) = dest else {
            return Ok(None);
        };
        src[0] = Some(dest);
        self.expand_sources(src, true);
        let keys: Vec<String> = schema
            .map(Schema::merge_keys)
            .unwrap_or_default()
            .iter()
            .map(|k| k.to_string())
            .collect();
        let elem_schema = schema.and_then(Schema::elements);
        let values = self.element_values(src, &keys);
        if !values.is_empty() || !keys.is_empty() {
            self.set_elements(src, values, &keys, dest, elem_schema)
        } else {
            let values = self.primitive_values(src);
            self.set_elements(src, values, &[String::new()], dest, elem_schema)
        }
    }

    /// The merge-key values of every element, patch first, without repeats.
    fn element_values(&self, src: [Option<Id>; 2], keys: &[String]) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for list in [src[1], src[0]] {
            for elem in self.tree.seq(list) {
                let values: Vec<String> = keys
                    .iter()
                    .map(|k| {
                        // kyaml `ElementValuesList`: a null key is empty.
                        self.tree
                            .field(Some(elem), k)
                            .filter(|&v| !self.tree.is_null(v))
                            .map(|v| self.tree.text(v))
                            .unwrap_or_default()
                    })
                    .collect();
                if !values.is_empty() && !out.contains(&values) {
                    out.push(values);
                }
            }
        }
        out
    }

    /// The values of a list of scalars, patch first, without repeats.
    fn primitive_values(&self, src: [Option<Id>; 2]) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for list in [src[1], src[0]] {
            for item in self.tree.seq(list) {
                let text = self.tree.text(item);
                if !out.iter().any(|v| v[0] == text) {
                    out.push(vec![text]);
                }
            }
        }
        out
    }

    /// kyaml `setAssociativeSequenceElements`.
    fn set_elements(
        &mut self,
        src: [Option<Id>; 2],
        mut values_list: Vec<Vec<String>>,
        keys: &[String],
        dest: Id,
        elem_schema: Option<Schema>,
    ) -> Result<Option<Id>, Error> {
        let items = self.tree.add(Node::Seq(Vec::new()));
        if keys.len() > 1 {
            merge_values(&mut values_list);
        }
        let mut valid_keys: Vec<String> = Vec::new();
        for values in &values_list {
            if values.is_empty() {
                continue;
            }
            let (vk, vv) = validate_keys(&values_list, values, keys);
            valid_keys.clone_from(&vk);
            let sources = self.element_value_list(src, &vk, &vv);
            let val = self.walk(sources, elem_schema)?;
            if self.tree.missing_or_null(val) || self.tree.is_empty_map(val) {
                self.element_setter(dest, None, &vk, &vv)?;
                continue;
            }
            if let Some(v) = val.filter(|&v| self.tree.is_map(v)) {
                for (key, value) in vk.iter().zip(&vv) {
                    if self.tree.field(Some(v), key).is_none() && !value.is_empty() {
                        let scalar = self.tree.add(Node::Scalar(plain_scalar(value)));
                        self.tree.set_field(v, key, Some(scalar));
                    }
                }
            }
            self.element_setter(items, val, &vk, &vv)?;
        }
        if values_list.is_empty() {
            return Ok(Some(dest));
        }
        // Prepend: the resource's elements are set into the patch's.
        self.append_list_node(items, dest, &valid_keys)?;
        Ok(Some(items))
    }

    /// The element matching `keys`/`values` in each of the sources.
    fn element_value_list(
        &self,
        src: [Option<Id>; 2],
        keys: &[String],
        values: &[String],
    ) -> [Option<Id>; 2] {
        let (keys, values) = validate_keys(std::slice::from_ref(&values.to_vec()), values, keys);
        src.map(|list| list.and_then(|l| self.element_list(l, &keys, &values)))
    }

    /// kyaml `RNode.ElementList`: the first element whose fields `keys`
    /// have exactly the texts `values`.
    fn element_list(&self, list: Id, keys: &[String], values: &[String]) -> Option<Id> {
        let Node::Seq(items) = self.tree.node(list) else {
            return None;
        };
        let first_value = values.first().map(String::as_str).unwrap_or("");
        if keys.first().is_none_or(String::is_empty) {
            return items
                .iter()
                .copied()
                .find(|&i| self.tree.text_ref(i) == first_value);
        }
        for &item in items {
            if !self.tree.is_map(item) {
                continue;
            }
            if keys.len() != values.len() {
                return None;
            }
            let all = keys.iter().zip(values).all(|(k, v)| {
                self.tree
                    .field(Some(item), k)
                    .is_some_and(|f| self.tree.text_ref(f) == v.as_str())
            });
            if all {
                return Some(item);
            }
        }
        None
    }

    /// kyaml `FieldMatcher{Name, StringValue}`: an empty value matches any.
    fn field_matcher(&self, node: Id, name: &str, value: &str) -> Result<Option<Id>, Error> {
        if self.tree.is_null(node) {
            return Ok(None);
        }
        if name.is_empty() {
            if self.tree.kind(node) != Kind::Scalar {
                return Err(Error::ElementNotMap {
                    path: self.path(),
                    found: self.tree.kind(node).name(),
                });
            }
            return Ok((self.tree.text_ref(node) == value).then_some(node));
        }
        let Node::Map(entries) = self.tree.node(node) else {
            return Err(Error::ElementNotMap {
                path: self.path(),
                found: self.tree.kind(node).name(),
            });
        };
        Ok(entries
            .iter()
            .find(|(k, v)| &**k == name && (value.is_empty() || self.tree.text_ref(*v) == value))
            .map(|(_, v)| *v))
    }

    /// kyaml `ElementSetter`: replaces the elements of `list` matching
    /// `keys`/`values` with `element` (deletes them when `None`), appending
    /// `element` when none matched. Null and empty-map elements are dropped.
    fn element_setter(
        &mut self,
        list: Id,
        element: Option<Id>,
        keys: &[String],
        values: &[String],
    ) -> Result<(), Error> {
        let empty_key = [String::new()];
        let keys = if keys.is_empty() {
            &empty_key[..]
        } else {
            keys
        };
        let mapping_setter = keys.first().is_some_and(|k| !k.is_empty())
            && values.first().is_some_and(|v| !v.is_empty());
        let mut kept = Vec::new();
        let mut matched_any = false;
        for elem in self.tree.seq(Some(list)) {
            if self.tree.is_null(elem) || self.tree.is_empty_map(Some(elem)) {
                continue;
            }
            if !self.tree.is_map(elem) && mapping_setter {
                kept.push(elem);
                continue;
            }
            let mut found = true;
            let mut val = None;
            for (j, key) in keys.iter().enumerate() {
                if let Some(v) = values.get(j) {
                    val = self.field_matcher(elem, key, v)?;
                }
                if val.is_none() {
                    found = false;
                    break;
                }
            }
            if !found {
                if !values.is_empty() {
                    kept.push(elem);
                }
                continue;
            }
            matched_any = true;
            if let Some(e) = element {
                kept.push(e);
            }
        }
        self.tree.set_seq(list, kept);
        if let Some(e) = element.filter(|&e| !self.tree.is_null(e))
            && !matched_any
        {
            self.tree.push(list, e);
        }
        Ok(())
    }

    /// kyaml `appendListNode`: sets each element of `src` into `dst`.
    fn append_list_node(&mut self, dst: Id, src: Id, keys: &[String]) -> Result<(), Error> {
        for elem in self.tree.seq(Some(src)) {
            if keys.first().is_none_or(String::is_empty) {
                let text = self.tree.text(elem);
                self.element_setter(dst, Some(elem), &[String::new()], &[text])?;
                continue;
            }
            let mut values = Vec::new();
            for key in keys {
                match self.field_matcher(elem, key, "")? {
                    Some(v) => values.push(self.tree.text(v)),
                    // No key: kyaml appends the element as it is.
                    None => self.tree.push(dst, elem),
                }
            }
            if keys.len() > 1 {
                self.element_setter(dst, None, keys, &values)?;
            }
            self.element_setter(dst, Some(elem), keys, &values)?;
        }
        Ok(())
    }
}

/// [`Merger::is_clean`] of an unexpanded value.
fn is_clean_value(v: &Value, schema: Option<Schema>) -> bool {
    match v {
        Value::Null => false,
        Value::Object(obj) => {
            let schema = schema.or_else(|| {
                let text = |name| {
                    obj.get(name)
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                };
                Schema::for_type(text("apiVersion")?, text("kind")?)
            });
            obj.iter().all(|(k, v)| match v {
                // A null field is kept (see `Merger::walk_map`).
                Value::Null => true,
                // Only maps and lists need the (costly) schema lookup.
                Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
                Value::Object(_) | Value::Array(_) => {
                    is_clean_value(v, schema.and_then(|s| s.field(k)))
                }
            })
        }
        Value::Array(items) => match schema.filter(|s| s.is_merge_list()) {
            None => true,
            Some(list) => {
                let keys = list.merge_keys();
                let mut seen = Vec::with_capacity(items.len());
                items.iter().all(|item| {
                    clean_element(&mut seen, key_tuple(item, keys), keys)
                        && (keys.is_empty() || is_clean_value(item, list.elements()))
                })
            }
        },
        Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
    }
}

/// The merge-key texts of a merge-list element (kyaml's lists have one or
/// two merge keys; unused places are empty).
type KeyTuple<'a> = [Cow<'a, str>; 2];

/// The merge-key texts of a merge-list element, when a walk without patch
/// could keep the element: a scalar in a list without merge keys, else a
/// non-empty map whose merge keys are all scalars. `None` also when the
/// list has more keys than a [`KeyTuple`] holds (the walk then decides).
fn key_tuple<'a>(v: &'a Value, keys: &[&str]) -> Option<KeyTuple<'a>> {
    let scalar_text = |v: &'a Value| match v {
        Value::Bool(_) | Value::Number(_) | Value::String(_) => Some(value_text(v)),
        Value::Null | Value::Object(_) | Value::Array(_) => None,
    };
    let mut tuple = KeyTuple::default();
    if keys.is_empty() {
        tuple[0] = scalar_text(v)?;
        return Some(tuple);
    }
    let Value::Object(obj) = v else {
        return None;
    };
    if obj.is_empty() || keys.len() > tuple.len() {
        return None;
    }
    for (slot, k) in tuple.iter_mut().zip(keys) {
        *slot = obj.get(*k).and_then(scalar_text)?;
    }
    Some(tuple)
}

/// Whether a merge-list element with merge-key texts `tuple` survives a
/// walk without patch: it has every key, none empty, and is the first with
/// those values. Records the tuple in `seen`.
fn clean_element<'a>(
    seen: &mut Vec<KeyTuple<'a>>,
    tuple: Option<KeyTuple<'a>>,
    keys: &[&str],
) -> bool {
    let used = keys.len().max(1);
    let Some(tuple) = tuple.filter(|t| t.iter().take(used).all(|v| !v.is_empty())) else {
        return false;
    };
    if seen.contains(&tuple) {
        return false;
    }
    seen.push(tuple);
    true
}

/// kyaml `validateKeys`: the keys that have a value in any element, and this
/// element's values for them.
fn validate_keys(
    values_list: &[Vec<String>],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let valid: Vec<bool> = (0..keys.len())
        .map(|i| {
            values_list
                .iter()
                .any(|vals| vals.get(i).is_some_and(|v| !v.is_empty()))
        })
        .collect();
    if !valid.iter().any(|&v| v) {
        return (keys.to_vec(), values.to_vec());
    }
    let vk = keys
        .iter()
        .zip(&valid)
        .filter(|(_, ok)| **ok)
        .map(|(k, _)| k.clone())
        .collect();
    let vv = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || valid.get(*i).copied().unwrap_or(false))
        .map(|(_, v)| v.clone())
        .collect();
    (vk, vv)
}

/// kyaml `mergeValues`: key tuples that agree wherever both have a value
/// (and share one) are treated as the same element.
fn merge_values(values_list: &mut [Vec<String>]) {
    for i in 0..values_list.len() {
        let values1 = values_list[i].clone();
        for j in 0..values_list.len() {
            if let Some(merged) = match_values(&values1, &values_list[j]) {
                values_list[i] = merged.clone();
                values_list[j] = merged;
            }
        }
    }
}

fn match_values(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut out = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            out.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if !x.is_empty() {
            out.push(x.clone());
        } else {
            out.push(y.clone());
        }
    }
    common.then_some(out)
}

/// A merge-key value kyaml writes back as a plain scalar: an integer or
/// boolean when it reads as one, else a string.
fn plain_scalar(text: &str) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        return Value::Number(Number::from(i));
    }
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests;
