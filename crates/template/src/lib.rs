//! Go `text/template` for Flux commit messages (pure, layer 0).
//!
//! This crate owns the template language Flux users write in
//! `ImageUpdateAutomation.spec.git.commit.messageTemplate`: Go's `text/template` syntax and
//! evaluation rules, Go's builtin functions with `fmt` printing, the hermetic Sprig
//! functions, and (in [`flux`]) the data model Flux hands to the template. It does no I/O.
//!
//! ```
//! use weir_template::{Template, flux};
//!
//! let t = Template::parse("commit message", "{{range .Updated.Images}}{{println .}}{{end}}")?;
//! let mut data = flux::CommitData::new("flux-system", "flux-system");
//! let id = flux::ObjectId::new("apps/v1", "Deployment", "sock-shop", "front-end");
//! data.add_image("deploy.yaml", &id, flux::ImageRef::parse("weaveworksdemos/front-end:main-1a2b3c4-7"));
//! assert_eq!(t.render(&data.to_value())?, "weaveworksdemos/front-end:main-1a2b3c4-7\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What is supported (as Go does it): text and `{{ }}` actions with `{{- ` / ` -}}` trimming,
//! comments, pipelines, parenthesised pipelines, field chains, `$`, `$x :=` / `$x =`,
//! `if`/`else if`/`else`, `with`/`else with`, `range` over lists, maps (sorted keys) and
//! integers with `{{else}}`, `break`, `continue`, `define`/`template`/`block`, and all
//! literal forms except complex numbers. Missing map keys print `<no value>`; missing struct
//! fields are errors. Execution is bounded by [`Limits`].
//!
//! Functions (the set Flux's `sprig.HermeticTxtFuncMap()` gives, minus cryptography,
//! semver, dates, URLs and the float helpers): Go's builtins `and or not len index print
//! printf println eq ne lt le gt ge html js urlquery`; and from Sprig `upper lower title
//! untitle trim trimAll trimPrefix trimSuffix nospace replace contains hasPrefix hasSuffix
//! repeat indent nindent trunc abbrev substr cat quote squote plural toString toStrings join
//! split splitn splitList sortAlpha list tuple first last rest initial reverse compact uniq
//! without append push prepend concat has slice until dict keys values hasKey get default
//! empty coalesce ternary all any kindOf kindIs typeOf typeIs deepEqual int int64 float64
//! atoi add add1 sub mul div mod max min base dir ext clean isAbs regexMatch regexFind
//! regexFindAll regexReplaceAll regexReplaceAllLiteral regexSplit regexQuoteMeta toJson
//! toPrettyJson toRawJson sha256sum b64enc b64dec`. As in Flux, `slice` is Sprig's (lists
//! only), not Go's builtin. `printf` supports the verbs `%v %+v %s %q %d %b %o %O %x %X %c
//! %U %t %e %E %f %F %g %G %T %%` with flags, width, precision and `%[n]` argument indexes,
//! and reports bad verbs and missing or extra arguments the way Go's `fmt` does.
//!
//! Limits: control structures and parentheses nest at most 50 levels (an `else if` counts as
//! one more level), so the deepest template parses and runs on a 1 MiB stack.
//!
//! Deviations from Go, all deliberate: maps are always visited in sorted key order (Go does
//! the same for `range` and printing); objects' methods take no arguments and their results
//! are computed up front; `call` is not provided (data holds no functions); Sprig's `keys` and
//! `values` return key order instead of random order; integer literals that overflow are
//! parse errors rather than execution errors.

mod budget;
mod error;
mod exec;
pub mod flux;
mod funcs;
mod gofmt;
mod gojson;
mod gopath;
mod lex;
mod parse;
mod value;

pub use budget::Limits;
pub use error::{ExecError, ExecErrorKind, ParseError, ParseErrorKind};
pub use value::{List, Map, Object, Value};

use parse::{Node, Operand, Parsed, Pipe, Term};

/// A parsed template, ready to render any number of times.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    source: String,
    parsed: Parsed,
}

impl Template {
    /// Parses `text` as the template `name` (the name appears in error messages; Flux uses
    /// `commit message`). Every syntax error, unknown function and undeclared variable is
    /// reported here, before anything runs.
    pub fn parse(name: impl Into<String>, text: impl Into<String>) -> Result<Template, ParseError> {
        let name = name.into();
        let source = text.into();
        match parse::parse(&name, &source) {
            Ok(parsed) => Ok(Template {
                name,
                source,
                parsed,
            }),
            Err(f) => {
                let (line, column) = line_col(&source, f.pos);
                Err(ParseError {
                    template: name,
                    line,
                    column,
                    kind: f.kind,
                })
            }
        }
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The template's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Names of the templates declared with `define` or `block`.
    pub fn defined_templates(&self) -> impl Iterator<Item = &str> {
        self.parsed.defines.keys().map(String::as_str)
    }

    /// Renders with `data` as `.` and `$`, under the default [`Limits`].
    pub fn render(&self, data: &Value) -> Result<String, ExecError> {
        self.render_with_limits(data, &Limits::default())
    }

    /// Renders with `data` as `.` and `$` under `limits`.
    pub fn render_with_limits(&self, data: &Value, limits: &Limits) -> Result<String, ExecError> {
        exec::execute(&self.parsed, &self.name, &self.source, data, limits)
    }

    /// Whether any field chain in the template names `field` (e.g. `Updated`, to spot
    /// templates written for Flux's removed `.Updated` data).
    pub fn uses_field(&self, field: &str) -> bool {
        let in_list = |nodes: &[Node]| nodes.iter().any(|n| node_uses(n, field));
        in_list(&self.parsed.root) || self.parsed.defines.values().any(|t| in_list(t))
    }
}

fn node_uses(n: &Node, field: &str) -> bool {
    match n {
        Node::Text(..) | Node::Break | Node::Continue => false,
        Node::Action(p) => pipe_uses(p, field),
        Node::If(c) | Node::With(c) | Node::Range(c) => {
            pipe_uses(&c.pipe, field)
                || c.list.iter().any(|n| node_uses(n, field))
                || c.else_list
                    .as_ref()
                    .is_some_and(|l| l.iter().any(|n| node_uses(n, field)))
        }
        Node::Template { pipe, .. } => pipe.as_ref().is_some_and(|p| pipe_uses(p, field)),
    }
}

fn pipe_uses(p: &Pipe, field: &str) -> bool {
    p.cmds
        .iter()
        .any(|c| c.args.iter().any(|a| operand_uses(a, field)))
}

fn operand_uses(op: &Operand, field: &str) -> bool {
    match &op.term {
        Term::Field(f) | Term::Variable(_, f) => f.iter().any(|x| x == field),
        Term::Chain(inner, f) => f.iter().any(|x| x == field) || operand_uses(inner, field),
        Term::Pipe(p) => pipe_uses(p, field),
        _ => false,
    }
}

fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(src.len());
    let before = src.get(..pos).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, l)| l)
        .chars()
        .count()
        + 1;
    (line, column)
}
