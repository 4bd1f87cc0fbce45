//! `configMapGenerator` and `secretGenerator`, as kustomize v5.5.0 runs them.
//!
//! Pure: files are read through a closure the caller passes in (the build
//! owns the file system and its load restrictor), nothing else is touched.
//!
//! # How the build uses this module
//!
//! For each kustomization, after its resources are loaded:
//!
//! 1. Parse `generatorOptions` once with [`GeneratorOptions::from_value`].
//! 2. For each `configMapGenerator` entry (then each `secretGenerator`
//!    entry), [`GeneratorArgs::from_value`] then [`generate`] with the
//!    global options and a closure that reads a path relative to the
//!    kustomization directory (restrictor applied). It returns a
//!    [`Generated`]: the object, its [`Behavior`], and whether it
//!    [`needs_hash`](Generated::needs_hash).
//! 3. Look the generated object's id up among the resources accumulated so
//!    far (`v1`, `ConfigMap`/`Secret`, the generator's `name` and
//!    `namespace`; matched against *any* id of a resource — current,
//!    original, previous — as kustomize does):
//!    - no match: [`Behavior::Create`] appends it; `merge`/`replace` is an
//!      error ([`Error::NothingToMerge`] via [`check_new`]);
//!    - one match: [`merge_into`]`(existing, existing_needs_hash, generated)`
//!      and put the result *in place of* the existing resource (its position
//!      in the list is kept); `create` is an error ([`Error::AlreadyExists`]);
//!    - more than one: an error.
//! 4. At the very end of the whole build (after every layer's transformers
//!    and patches, before name references are fixed up), rename each object
//!    that still needs a hash with [`append_hash_suffix`] (`name-<hash>`),
//!    and let references to the old name follow.
//!
//! ```
//! use serde_json::json;
//! use weir_kustomize::generate::{self, GeneratorArgs, GeneratorKind};
//!
//! let entry = json!({"name": "settings", "literals": ["color=blue", "size=\"small\""]});
//! let args = GeneratorArgs::from_value(GeneratorKind::ConfigMap, &entry)?;
//! let mut read = |path: &str| Err(format!("unexpected read of {path}").into());
//! let mut generated = generate::generate(&args, None, &mut read)?;
//! assert_eq!(generated.object["data"], json!({"color": "blue", "size": "small"}));
//! assert!(generated.needs_hash);
//! generate::append_hash_suffix(&mut generated.object);
//! // The same name `kubectl kustomize` prints for this generator.
//! assert_eq!(generated.object["metadata"]["name"], "settings-4m94d7kgck");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(test)]
mod corpus_tests;
mod hash;
mod kv;

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value};

pub use hash::content_hash;

/// An error from the caller's file reader.
pub type ReadError = Box<dyn std::error::Error + Send + Sync>;

/// Why a generator could not produce its object.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A generator entry or `generatorOptions` field has the wrong shape.
    #[error("{generator}: field `{field}` {reason}")]
    InvalidField {
        /// Which generator (`configMapGenerator "name"`, `generatorOptions`).
        generator: String,
        /// The field.
        field: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A generator without `name`.
    #[error("a {kind} generator must have a name")]
    MissingName {
        /// `configmap` or `secret`.
        kind: &'static str,
    },
    /// A `literals` entry that is not `KEY=VALUE`.
    #[error("invalid literal source {literal}, expected key=value")]
    InvalidLiteral {
        /// The entry as written.
        literal: String,
    },
    /// A malformed `files` entry.
    #[error("invalid file source {source_entry}: {reason}")]
    InvalidFileSource {
        /// The entry as written.
        source_entry: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A line of an env file is not UTF-8.
    #[error("env file {path}: line {line} is not valid UTF-8")]
    EnvFileNotUtf8 {
        /// The env file.
        path: String,
        /// 1-based line number.
        line: usize,
    },
    /// The caller's reader failed.
    #[error("reading {path}")]
    ReadFile {
        /// The path as written in the generator.
        path: String,
        /// The reader's error.
        #[source]
        source: ReadError,
    },
    /// Two sources produced the same key.
    #[error("{kind} {name} illegally repeats the key `{key}`")]
    DuplicateKey {
        /// `configmap` or `secret`.
        kind: &'static str,
        /// Generator name.
        name: String,
        /// The repeated key.
        key: String,
    },
    /// `behavior: merge|replace` with nothing to merge into.
    #[error(
        "{kind} {name}: behavior {behavior} needs an existing object with the same id, and there is none"
    )]
    NothingToMerge {
        /// `ConfigMap` or `Secret`.
        kind: &'static str,
        /// Generator name.
        name: String,
        /// `merge` or `replace`.
        behavior: &'static str,
    },
    /// A data, label or annotation key that kustomize writes as a plain
    /// YAML scalar and that then reads back as a bool, null or number
    /// (`true`, `1`): kubectl cannot encode the object and fails.
    #[error("{kind} {name}: key {key:?} would not stay a string (kustomize cannot encode it)")]
    NonStringKey {
        /// `configmap` or `secret`.
        kind: &'static str,
        /// Generator name.
        name: String,
        /// The key.
        key: String,
    },
    /// `behavior: create` (the default) but an object with the id exists.
    #[error("{kind} {name} already exists; use behavior merge or replace")]
    AlreadyExists {
        /// `ConfigMap` or `Secret`.
        kind: &'static str,
        /// Generator name.
        name: String,
    },
}

/// Which generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratorKind {
    /// `configMapGenerator`.
    ConfigMap,
    /// `secretGenerator`.
    Secret,
}

impl GeneratorKind {
    /// The generated `kind`.
    pub fn kind(self) -> &'static str {
        match self {
            GeneratorKind::ConfigMap => "ConfigMap",
            GeneratorKind::Secret => "Secret",
        }
    }

    fn lower(self) -> &'static str {
        match self {
            GeneratorKind::ConfigMap => "configmap",
            GeneratorKind::Secret => "secret",
        }
    }

    fn field(self) -> &'static str {
        match self {
            GeneratorKind::ConfigMap => "configMapGenerator",
            GeneratorKind::Secret => "secretGenerator",
        }
    }
}

/// What a generated object does to an existing object with its id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Behavior {
    /// Add a new object (the default; also any unknown value, as in kustomize).
    #[default]
    Create,
    /// Merge into the existing object: its data and metadata stay unless
    /// overridden.
    Merge,
    /// Replace the existing object's data, keeping its metadata.
    Replace,
}

impl Behavior {
    fn parse(s: &str) -> Behavior {
        match s {
            "merge" => Behavior::Merge,
            "replace" => Behavior::Replace,
            _ => Behavior::Create,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Behavior::Create => "create",
            Behavior::Merge => "merge",
            Behavior::Replace => "replace",
        }
    }
}

/// `generatorOptions`, or a generator's own `options`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratorOptions {
    /// Labels added to the object.
    pub labels: BTreeMap<String, String>,
    /// Annotations added to the object.
    pub annotations: BTreeMap<String, String>,
    /// No `-<hash>` name suffix.
    pub disable_name_suffix_hash: bool,
    /// Sets `immutable: true`.
    pub immutable: bool,
}

impl GeneratorOptions {
    /// Reads `generatorOptions` (or a generator's `options`). Unknown fields
    /// and values of the wrong type are errors, as in kustomize.
    pub fn from_value(v: &Value) -> Result<GeneratorOptions, Error> {
        GeneratorOptions::read(v, "generatorOptions")
    }

    fn read(v: &Value, context: &str) -> Result<GeneratorOptions, Error> {
        let invalid = |field: &str, reason| Error::InvalidField {
            generator: context.to_string(),
            field: field.to_string(),
            reason,
        };
        let mut opts = GeneratorOptions::default();
        let map = match v {
            Value::Null => return Ok(opts),
            Value::Object(m) => m,
            _ => return Err(invalid("options", "must be a map")),
        };
        for (k, val) in map {
            match k.as_str() {
                "labels" => {
                    opts.labels =
                        string_map(val).ok_or_else(|| invalid(k, "must map strings to strings"))?
                }
                "annotations" => {
                    opts.annotations =
                        string_map(val).ok_or_else(|| invalid(k, "must map strings to strings"))?;
                }
                "disableNameSuffixHash" => {
                    opts.disable_name_suffix_hash =
                        boolean(val).ok_or_else(|| invalid(k, "must be a boolean"))?
                }
                "immutable" => {
                    opts.immutable = boolean(val).ok_or_else(|| invalid(k, "must be a boolean"))?
                }
                _ => return Err(invalid(k, "is not a known field")),
            }
        }
        Ok(opts)
    }

    /// These (local) options combined with `generatorOptions`: labels and
    /// annotations from both (the generator's own win a conflict), and
    /// either one's `disableNameSuffixHash`/`immutable`.
    pub fn merged_with_global(&self, global: Option<&GeneratorOptions>) -> GeneratorOptions {
        let Some(global) = global else {
            return self.clone();
        };
        let mut out = global.clone();
        out.labels.extend(self.labels.clone());
        out.annotations.extend(self.annotations.clone());
        out.disable_name_suffix_hash |= self.disable_name_suffix_hash;
        out.immutable |= self.immutable;
        out
    }
}

fn string_map(v: &Value) -> Option<BTreeMap<String, String>> {
    match v {
        Value::Null => Some(BTreeMap::new()),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                // Go's decoder leaves a string it is given null for empty.
                Value::Null => Some((k.clone(), String::new())),
                _ => v.as_str().map(|s| (k.clone(), s.to_string())),
            })
            .collect(),
        _ => None,
    }
}

fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Null => Some(false),
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// One `configMapGenerator`/`secretGenerator` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratorArgs {
    /// Which generator.
    pub kind: Option<GeneratorKind>,
    /// `name`.
    pub name: String,
    /// `namespace` (`""` when unset).
    pub namespace: String,
    /// `behavior`.
    pub behavior: Behavior,
    /// `literals`: `KEY=VALUE` strings.
    pub literals: Vec<String>,
    /// `files`: `path` or `key=path`.
    pub files: Vec<String>,
    /// `envs` (then the deprecated `env`): env-file paths.
    pub envs: Vec<String>,
    /// `options`.
    pub options: Option<GeneratorOptions>,
    /// `type` (secrets only; `Opaque` when unset).
    pub secret_type: Option<String>,
}

impl GeneratorArgs {
    /// Reads a generator entry. Unknown fields and values of the wrong type
    /// are errors, as in kustomize's strict decoding.
    pub fn from_value(kind: GeneratorKind, v: &Value) -> Result<GeneratorArgs, Error> {
        let label = match v.get("name").and_then(Value::as_str) {
            Some(n) => format!("{} {n:?}", kind.field()),
            None => kind.field().to_string(),
        };
        let invalid = |field: &str, reason| Error::InvalidField {
            generator: label.clone(),
            field: field.to_string(),
            reason,
        };
        let Value::Object(map) = v else {
            return Err(invalid("entry", "must be a map"));
        };
        let mut args = GeneratorArgs {
            kind: Some(kind),
            ..GeneratorArgs::default()
        };
        let mut env = None;
        for (k, val) in map {
            let text = || match val {
                Value::Null => Some(String::new()),
                Value::String(s) => Some(s.clone()),
                _ => None,
            };
            match k.as_str() {
                "name" => args.name = text().ok_or_else(|| invalid(k, "must be a string"))?,
                "namespace" => {
                    args.namespace = text().ok_or_else(|| invalid(k, "must be a string"))?
                }
                "behavior" => {
                    args.behavior =
                        Behavior::parse(&text().ok_or_else(|| invalid(k, "must be a string"))?)
                }
                "literals" => {
                    args.literals =
                        string_list(val).ok_or_else(|| invalid(k, "must be a list of strings"))?
                }
                "files" => {
                    args.files =
                        string_list(val).ok_or_else(|| invalid(k, "must be a list of strings"))?
                }
                "envs" => {
                    args.envs =
                        string_list(val).ok_or_else(|| invalid(k, "must be a list of strings"))?
                }
                "env" => env = Some(text().ok_or_else(|| invalid(k, "must be a string"))?),
                "options" => args.options = Some(GeneratorOptions::read(val, &label)?),
                "type" if kind == GeneratorKind::Secret => {
                    args.secret_type = Some(text().ok_or_else(|| invalid(k, "must be a string"))?);
                }
                _ => return Err(invalid(k, "is not a known field")),
            }
        }
        if let Some(env) = env.filter(|e| !e.is_empty()) {
            args.envs.push(env);
        }
        Ok(args)
    }
}

/// A generated object and what the build must do with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The ConfigMap or Secret.
    pub object: Value,
    /// How it combines with an existing object of the same id.
    pub behavior: Behavior,
    /// Whether the build must append the content hash to its name at the
    /// end ([`append_hash_suffix`]).
    pub needs_hash: bool,
}

/// Runs one generator. `global` is the kustomization's
/// `generatorOptions`; `read_file` reads a path as written in the entry.
///
/// Keys come from `envs`, then `literals`, then `files`; a repeated key is
/// an error. ConfigMap values that are not UTF-8 go to `binaryData`
/// (base64); Secret values are all base64. Base64 longer than 70
/// characters is split into 70-character lines, as kustomize does.
pub fn generate(
    args: &GeneratorArgs,
    global: Option<&GeneratorOptions>,
    read_file: &mut dyn FnMut(&str) -> Result<Vec<u8>, ReadError>,
) -> Result<Generated, Error> {
    let kind = args.kind.unwrap_or(GeneratorKind::ConfigMap);
    if args.name.is_empty() {
        return Err(Error::MissingName { kind: kind.lower() });
    }
    let mut read = |path: &str| {
        read_file(path).map_err(|source| Error::ReadFile {
            path: path.to_string(),
            source,
        })
    };
    let mut pairs: Vec<(String, Vec<u8>)> = Vec::new();
    for path in &args.envs {
        let content = read(path)?;
        for (k, v) in kv::parse_env_file(path, &content)? {
            pairs.push((k, v.into_bytes()));
        }
    }
    for lit in &args.literals {
        let (k, v) = kv::parse_literal(lit)?;
        pairs.push((k, v.into_bytes()));
    }
    for src in &args.files {
        let (k, path) = kv::parse_file_source(src)?;
        pairs.push((k, read(&path)?));
    }
    let mut data: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (k, v) in pairs {
        if data.contains_key(&k) {
            return Err(Error::DuplicateKey {
                kind: kind.lower(),
                name: args.name.clone(),
                key: k,
            });
        }
        data.insert(k, v);
    }

    let opts = args
        .options
        .clone()
        .unwrap_or_default()
        .merged_with_global(global);
    let keys = data
        .keys()
        .chain(opts.labels.keys())
        .chain(opts.annotations.keys());
    for key in keys {
        if !plain_key_is_string(key) {
            return Err(Error::NonStringKey {
                kind: kind.lower(),
                name: args.name.clone(),
                key: key.clone(),
            });
        }
    }
    let mut metadata = Map::new();
    metadata.insert("name".into(), Value::String(args.name.clone()));
    if !args.namespace.is_empty() {
        metadata.insert("namespace".into(), Value::String(args.namespace.clone()));
    }
    if !opts.labels.is_empty() {
        metadata.insert("labels".into(), to_object(&opts.labels));
    }
    if !opts.annotations.is_empty() {
        metadata.insert("annotations".into(), to_object(&opts.annotations));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), Value::String("v1".into()));
    obj.insert("kind".into(), Value::String(kind.kind().into()));
    obj.insert("metadata".into(), Value::Object(metadata));
    let mut text = Map::new();
    let mut binary = Map::new();
    for (k, v) in data {
        match (kind, String::from_utf8(v)) {
            (GeneratorKind::ConfigMap, Ok(s)) => {
                text.insert(k, Value::String(s));
            }
            (GeneratorKind::ConfigMap, Err(e)) => {
                binary.insert(k, Value::String(encode_base64(e.as_bytes())));
            }
            (GeneratorKind::Secret, v) => {
                let bytes = v.map(String::into_bytes).unwrap_or_else(|e| e.into_bytes());
                text.insert(k, Value::String(encode_base64(&bytes)));
            }
        }
    }
    // A Secret always gets `data` (kustomize creates it up front); a
    // ConfigMap only when it has text values.
    if !text.is_empty() || kind == GeneratorKind::Secret {
        obj.insert("data".into(), Value::Object(text));
    }
    if !binary.is_empty() {
        obj.insert("binaryData".into(), Value::Object(binary));
    }
    if kind == GeneratorKind::Secret {
        let ty = args
            .secret_type
            .clone()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "Opaque".into());
        obj.insert("type".into(), Value::String(ty));
    }
    if opts.immutable {
        obj.insert("immutable".into(), Value::Bool(true));
    }
    Ok(Generated {
        object: Value::Object(obj),
        behavior: args.behavior,
        needs_hash: !opts.disable_name_suffix_hash,
    })
}

/// Whether a map key that kustomize creates as a plain (untagged) YAML
/// scalar reads back as a string under go-yaml v3's resolution: `true`,
/// `null`, `~`, `1`, `0x1F`, `1_000`, `1.5`, `.inf`, `2024-01-01` do not
/// (kubectl then cannot encode the object).
pub(crate) fn plain_key_is_string(key: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", ".inf",
        ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN",
        ".NAN",
    ];
    if SPECIAL.contains(&key) {
        return false;
    }
    match key.as_bytes().first() {
        Some(b'.') => key.parse::<f64>().is_err(),
        Some(b'0'..=b'9' | b'+' | b'-') => {
            if is_timestamp(key) {
                return false;
            }
            let plain = key.replace('_', "");
            !(go_base0_int(&plain) || yaml_style_float(&plain))
        }
        _ => true,
    }
}

/// go-yaml v3's timestamp forms: `YYYY-M-D`, optionally followed by a time.
fn is_timestamp(s: &str) -> bool {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt]| +)\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d*)?(?:Z|[+-]\d{1,2}(?::\d{2})?)?)?$",
        )
        .ok()
    });
    let Some(c) = RE.as_ref().and_then(|re| re.captures(s)) else {
        return false;
    };
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    matches!((num(2), num(3)), (Some(1..=12), Some(1..=31)))
}

/// Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint` syntax: sign, then
/// `0x`/`0o`/`0b` prefixed or `0`-led octal or decimal digits.
fn go_base0_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let digits = |t: &str, ok: fn(u8) -> bool| !t.is_empty() && t.bytes().all(ok);
    let lower = body.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        digits(h, |b| b.is_ascii_hexdigit())
    } else if let Some(o) = lower.strip_prefix("0o") {
        digits(o, |b| (b'0'..=b'7').contains(&b))
    } else if let Some(bin) = lower.strip_prefix("0b") {
        digits(bin, |b| b == b'0' || b == b'1')
    } else if body.len() > 1 && body.starts_with('0') {
        digits(&body[1..], |b| (b'0'..=b'7').contains(&b))
    } else {
        digits(body, |b| b.is_ascii_digit())
    }
}

/// go-yaml v3's float syntax `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn yaml_style_float(s: &str) -> bool {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").ok()
    });
    RE.as_ref().is_some_and(|re| re.is_match(s))
}

fn to_object(m: &BTreeMap<String, String>) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// Base64 the way kustomize writes generated values: standard alphabet, and
/// when 70 characters or more, cut into 70-character lines each ending in
/// a newline.
pub fn encode_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let enc = base64::engine::general_purpose::STANDARD.encode(bytes);
    if enc.len() < LINE {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / LINE + 1);
    for chunk in enc.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Checks a generated object that matched no existing object: only
/// `create` may add one.
pub fn check_new(generated: &Generated) -> Result<(), Error> {
    match generated.behavior {
        Behavior::Create => Ok(()),
        other => Err(Error::NothingToMerge {
            kind: kind_of(&generated.object),
            name: name_of(&generated.object),
            behavior: other.name(),
        }),
    }
}

fn kind_of(obj: &Value) -> &'static str {
    match obj.get("kind").and_then(Value::as_str) {
        Some("Secret") => "Secret",
        _ => "ConfigMap",
    }
}

fn name_of(obj: &Value) -> String {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Combines a generated object with the existing object of the same id
/// (`merge` or `replace`): the result keeps the existing object's name and
/// namespace, has the labels and annotations of both (the generated
/// object's win), and for `merge` the `data`/`binaryData` of both (the
/// generated object's win). It needs a hash only when both did.
pub fn merge_into(
    existing: &Value,
    existing_needs_hash: bool,
    generated: Generated,
) -> Result<Generated, Error> {
    let merge_data = match generated.behavior {
        Behavior::Create => {
            return Err(Error::AlreadyExists {
                kind: kind_of(&generated.object),
                name: name_of(&generated.object),
            });
        }
        Behavior::Merge => true,
        Behavior::Replace => false,
    };
    let mut obj = generated.object;
    let old_meta = |field: &str| string_values(existing.pointer(&format!("/metadata/{field}")));
    if let Value::Object(o) = &mut obj {
        let meta = o
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(meta) = meta {
            for field in ["labels", "annotations"] {
                let mut merged = old_meta(field);
                merged.extend(string_values(meta.get(field)));
                if merged.is_empty() {
                    meta.remove(field);
                } else {
                    meta.insert(field.to_string(), to_object(&merged));
                }
            }
            match existing.pointer("/metadata/name") {
                Some(n) => meta.insert("name".into(), n.clone()),
                None => meta.remove("name"),
            };
            match existing
                .pointer("/metadata/namespace")
                .filter(|n| n.as_str() != Some(""))
            {
                Some(n) => meta.insert("namespace".into(), n.clone()),
                None => meta.remove("namespace"),
            };
        }
        if merge_data {
            for field in ["data", "binaryData"] {
                let mut merged = string_values(existing.get(field));
                merged.extend(string_values(o.get(field)));
                if merged.is_empty() {
                    o.remove(field);
                } else {
                    o.insert(field.to_string(), to_object(&merged));
                }
            }
        }
    }
    Ok(Generated {
        object: obj,
        behavior: generated.behavior,
        needs_hash: existing_needs_hash && generated.needs_hash,
    })
}

/// A string map as kustomize reads one (`GetDataMap`, `GetLabels`):
/// scalars as their text.
fn string_values(v: Option<&Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(m)) = v else {
        return BTreeMap::new();
    };
    m.iter()
        .filter_map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::Null => String::new(),
                Value::Array(_) | Value::Object(_) => return None,
            };
            Some((k.clone(), s))
        })
        .collect()
}

/// Renames `obj` to `name-<hash>` with its current content's hash.
pub fn append_hash_suffix(obj: &mut Value) {
    let hash = content_hash(obj);
    if let Some(Value::String(name)) = obj.pointer_mut("/metadata/name") {
        name.push('-');
        name.push_str(&hash);
    }
}

#[cfg(test)]
mod tests;
