//! Flux `ImagePolicy` evaluation: pick the latest image tag from a list.
//!
//! Layer 0 (pure): no I/O beyond the strings it is given, no async, no printing.
//! This crate owns Flux's tag-selection semantics (image-reflector-controller's
//! `internal/policy`), made public, deterministic and explainable:
//!
//! 1. **Filter** (`spec.filterTags`): the Go RE2 `pattern` is *searched* anywhere in
//!    each tag (anchor it with `^…$`); Go semantics are kept where Rust's `regex`
//!    differs (ASCII `\d \w \s \b`, Go-only rejections; see [`RegexError`]).
//!    `extract` is expanded like Go's `Regexp.Expand` (`$name`, `${name}`, `$1`,
//!    `$$`); an empty `extract` keeps the whole tag.
//! 2. **Order** (`spec.policy`): `semver` (Masterminds v3 range over strict SemVer
//!    tags, one leading `v` allowed, via [`weir_semver`]), `alphabetical` (byte
//!    order) or `numerical` (Go `strconv.ParseFloat`, see [`parse_float`]; one
//!    unparsable candidate fails the policy). `asc` picks the greatest, `desc` the
//!    least. Ordering uses the extracted value; the result is the original tag.
//! 3. **Explain**: [`Policy::explain`] gives every tag's fate (filtered out,
//!    rejected and why, or its rank).
//!
//! # Deterministic ties
//!
//! Flux's result sometimes depends on order: without `filterTags` it scans the
//! tags in its store order (byte-wise descending, as the registry scan stores
//! them); with `filterTags` (even an empty pattern) it collects candidates in a
//! Go map and ranges over it, which is random. Weir gives Flux's result
//! wherever Flux is deterministic, whatever order the input is in, and
//! otherwise follows the user's spec (`flux-compat.md` §10.3: prefer the
//! lexically greatest original tag):
//!
//! * two tags with the same extracted value (§5.3): only the byte-wise
//!   **smaller tag** survives (Flux: the later tag in store order overwrites
//!   the map entry). This applies before any ranking;
//! * no `filterTags`, `numerical`: equal numbers (`7`, `07`, `7.0`): the
//!   byte-wise **smaller** tag wins, for `asc` and `desc` (§5.6: the later
//!   candidate in store order wins ties);
//! * no `filterTags`, `semver`: equal precedence (`1.2.3`, `v1.2.3`,
//!   `1.2.3+b1`): the byte-wise **greater** tag wins (§5.4: the first one in
//!   store order is kept);
//! * with `filterTags`, `numerical` or `semver`: equal numbers or precedence
//!   (Flux: random): the byte-wise **greater** original tag wins (§10.3);
//! * `numerical`: `NaN` never wins over a number (in Flux it makes the result
//!   order-dependent);
//! * `alphabetical`: values are distinct after the filter, so there are no ties.
//!
//! # Where Weir departs from the letter of `flux-compat.md`
//!
//! * `extract` names (§5.3 says "the longest run of `[A-Za-z0-9_]`"): Go's
//!   `Regexp.Expand` also counts Unicode letters and digits, so `$vé` names a
//!   group `vé` (which cannot exist, so it expands to nothing), not `$v`
//!   followed by `é`. Weir follows Go so that a policy selects the same tag as
//!   in the cluster; only a non-ASCII letter right after a reference differs.
//! * `\p{…}` names follow Go 1.25 (the Go that builds the Flux releases of the
//!   snapshot): long category aliases and case-insensitive names are accepted.
//! * A repetition right after a flag group that sets `U` (`x(?U)+`) is
//!   rejected; Go accepts it (see the regex module docs).
//! * `order` is case-insensitive in the engine and in flags (Flux's code), and
//!   lower case only in manifests (the CRD enum, §5.5).
//!
//! # Example
//!
//! ```
//! use weir_imagepolicy::{Choice, FilterTags, Policy, PolicySpec};
//!
//! let policy = Policy::new(&PolicySpec {
//!     filter_tags: Some(FilterTags {
//!         pattern: "^main-[a-fA-F0-9]+-(?P<buildnumber>.*)".into(),
//!         extract: "$buildnumber".into(),
//!     }),
//!     choice: Choice::Numerical { order: "asc".into() },
//! })?;
//! let tags = ["main-d480788-1", "main-1f49071-24", "main-0a1b2c3-9", "latest"];
//! assert_eq!(policy.latest(tags)?, "main-1f49071-24");
//!
//! let why = policy.explain(tags);
//! assert_eq!(why.selected(), Some("main-1f49071-24"));
//! assert_eq!(why.entries[3].verdict.to_string(), "filtered out (pattern did not match)");
//! # Ok::<(), weir_imagepolicy::Error>(())
//! ```

mod gofloat;
mod goregex;
pub mod manifest;
mod policy;
mod template;

pub use gofloat::{FloatError, parse_float};
pub use goregex::{RegexError, compile as compile_go_regex, translate as translate_go_regex};
pub use manifest::{ImagePolicyManifest, ManifestError};
pub use policy::{
    Choice, Entry, Error, Explanation, FilterTags, Order, Policy, PolicySpec, Verdict,
};

#[cfg(test)]
mod tests;
