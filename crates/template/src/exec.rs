//! The executor: walks the tree over the data, following Go's `text/template` evaluation
//! rules (missing map keys are "no value", nil interfaces are dug out after each pipeline
//! command, variables are scoped to the enclosing control structure).
//!
//! Values are `Option<Value>`: `None` is Go's invalid `reflect.Value` (a missing map key, a
//! nil dug out of an interface), which prints as `<no value>` and is nil as an argument.

use crate::budget::{Budget, Limits};
use crate::error::{ExecError, ExecErrorKind};
use crate::funcs;
use crate::gofmt::{self, Writer};
use crate::parse::{Control, Node, Operand, Parsed, Pipe, Span, Term};
use crate::value::Value;

type V = Option<Value>;

struct Fail {
    span: Span,
    kind: ExecErrorKind,
}

type X<T> = Result<T, Fail>;

trait At<T> {
    fn at(self, span: Span) -> X<T>;
}

impl<T> At<T> for Result<T, ExecErrorKind> {
    fn at(self, span: Span) -> X<T> {
        self.map_err(|kind| Fail { span, kind })
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

pub(crate) struct Exec<'t> {
    parsed: &'t Parsed,
    name: &'t str,
    max_output: usize,
    max_depth: usize,
    budget: Budget,
    out: String,
    vars: Vec<(String, V)>,
    depth: usize,
    executing: String,
}

/// A nil inside an interface becomes "no value" (Go digs one level after each command).
fn dig(v: V) -> V {
    match v {
        Some(Value::Nil) => None,
        v => v,
    }
}

fn truthy(v: &V) -> bool {
    v.as_ref().is_some_and(Value::is_truthy)
}

pub(crate) fn execute(
    parsed: &Parsed,
    name: &str,
    src: &str,
    data: &Value,
    limits: &Limits,
) -> Result<String, ExecError> {
    let mut ex = Exec {
        parsed,
        name,
        max_output: limits.max_output_bytes,
        max_depth: limits.max_depth,
        budget: Budget::new(limits),
        out: String::new(),
        vars: vec![("$".to_string(), Some(data.clone()))],
        depth: 0,
        executing: name.to_string(),
    };
    let dot = Some(data.clone());
    match ex.walk_list(&dot, &parsed.root) {
        Ok(_) => Ok(ex.out),
        Err(f) => Err(to_error(name, &ex.executing, src, f)),
    }
}

fn to_error(name: &str, executing: &str, src: &str, f: Fail) -> ExecError {
    let start = f.span.start.min(src.len());
    let end = f.span.end.clamp(start, src.len());
    let before = src.get(..start).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, l)| l)
        .chars()
        .count()
        + 1;
    let near_full = src.get(start..end).unwrap_or("").trim();
    let mut near: String = near_full.chars().take(60).collect();
    if near.len() < near_full.len() {
        near.push('…');
    }
    ExecError {
        template: name.to_string(),
        executing: executing.to_string(),
        line,
        column,
        near,
        kind: Box::new(f.kind),
    }
}

impl Exec<'_> {
    fn write(&mut self, s: &str, span: Span) -> X<()> {
        if self.out.len() + s.len() > self.max_output {
            return Err(Fail {
                span,
                kind: ExecErrorKind::OutputTooLarge {
                    limit: self.max_output,
                },
            });
        }
        self.out.push_str(s);
        Ok(())
    }

    fn enter(&mut self, span: Span) -> X<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Fail {
                span,
                kind: ExecErrorKind::TooDeep {
                    limit: self.max_depth,
                },
            });
        }
        Ok(())
    }

    fn walk_list(&mut self, dot: &V, nodes: &[Node]) -> X<Flow> {
        for node in nodes {
            let flow = self.walk(dot, node)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &V, node: &Node) -> X<Flow> {
        match node {
            Node::Text(t, span) => {
                self.write(t, *span)?;
            }
            Node::Action(pipe) => {
                self.budget.step().at(pipe.span)?;
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print(&v, pipe.span)?;
                }
            }
            Node::If(c) => return self.walk_if_with(dot, c, false),
            Node::With(c) => return self.walk_if_with(dot, c, true),
            Node::Range(c) => return self.walk_range(dot, c),
            Node::Template { name, pipe, span } => {
                self.walk_template(dot, name, pipe.as_ref(), *span)?;
            }
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn print(&mut self, v: &V, span: Span) -> X<()> {
        match v {
            None => self.write("<no value>", span),
            Some(Value::String(s)) => self.write(s, span),
            Some(v) => {
                let mut w = Writer::new(&mut self.budget);
                gofmt::write_value(&mut w, v).at(span)?;
                let s = w.out;
                self.write(&s, span)
            }
        }
    }

    fn walk_if_with(&mut self, dot: &V, c: &Control, with: bool) -> X<Flow> {
        self.enter(c.pipe.span)?;
        let mark = self.vars.len();
        let result = (|| {
            let val = self.eval_pipeline(dot, &c.pipe)?;
            if truthy(&val) {
                if with {
                    self.walk_list(&val, &c.list)
                } else {
                    self.walk_list(dot, &c.list)
                }
            } else if let Some(else_list) = &c.else_list {
                self.walk_list(dot, else_list)
            } else {
                Ok(Flow::Normal)
            }
        })();
        self.vars.truncate(mark);
        self.depth -= 1;
        result
    }

    /// The stack index of the innermost variable `name`, charging the search to the budget.
    fn find_var(&mut self, name: &str, span: Span) -> X<Option<usize>> {
        let found = self.vars.iter().rposition(|(n, _)| n == name);
        let distance = self.vars.len() - found.unwrap_or(0);
        self.budget.steps(distance / 16).at(span)?;
        Ok(found)
    }

    fn set_var(&mut self, name: &str, v: V, span: Span) -> X<()> {
        match self.find_var(name, span)? {
            Some(i) => {
                self.vars[i].1 = v;
                Ok(())
            }
            None => Err(Fail {
                span,
                kind: ExecErrorKind::UndefinedVariable {
                    name: name.to_string(),
                },
            }),
        }
    }

    fn set_top_var(&mut self, n: usize, v: V) {
        let len = self.vars.len();
        if let Some(slot) = len.checked_sub(n).and_then(|i| self.vars.get_mut(i)) {
            slot.1 = v;
        }
    }

    fn var_value(&mut self, name: &str, span: Span) -> X<V> {
        match self.find_var(name, span)? {
            Some(i) => Ok(self.vars[i].1.clone()),
            None => Err(Fail {
                span,
                kind: ExecErrorKind::UndefinedVariable {
                    name: name.to_string(),
                },
            }),
        }
    }

    fn one_iteration(&mut self, c: &Control, body_mark: usize, index: V, elem: V) -> X<Flow> {
        let decl = &c.pipe.decl;
        if !decl.is_empty() {
            if c.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(&decl[0], index.clone(), c.pipe.span)?;
                } else {
                    self.set_var(&decl[0], elem.clone(), c.pipe.span)?;
                }
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if decl.len() > 1 {
            if c.pipe.is_assign {
                self.set_var(&decl[1], elem.clone(), c.pipe.span)?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let flow = self.walk_list(&elem, &c.list);
        self.vars.truncate(body_mark);
        flow
    }

    fn walk_range(&mut self, dot: &V, c: &Control) -> X<Flow> {
        self.enter(c.pipe.span)?;
        let mark = self.vars.len();
        let result = self.walk_range_inner(dot, c);
        self.vars.truncate(mark);
        self.depth -= 1;
        result.map(|_| Flow::Normal)
    }

    fn walk_range_inner(&mut self, dot: &V, c: &Control) -> X<()> {
        let span = c.pipe.span;
        let val = self.eval_pipeline(dot, &c.pipe)?;
        let body_mark = self.vars.len();
        let mut ran = false;
        match &val {
            Some(Value::List(l)) => {
                for (i, item) in l.iter().enumerate() {
                    ran = true;
                    self.budget.step().at(span)?;
                    let flow =
                        self.one_iteration(c, body_mark, Some(Value::from(i)), Some(item.clone()))?;
                    if flow == Flow::Break {
                        break;
                    }
                }
            }
            Some(Value::Map(m)) => {
                for (k, v) in m.entries() {
                    ran = true;
                    self.budget.step().at(span)?;
                    let flow =
                        self.one_iteration(c, body_mark, Some(k.clone()), Some(v.clone()))?;
                    if flow == Flow::Break {
                        break;
                    }
                }
            }
            Some(Value::Int(n)) => {
                if c.pipe.decl.len() > 1 {
                    return Err(Fail {
                        span,
                        kind: ExecErrorKind::RangeIntTwoVariables { value: *n },
                    });
                }
                for i in 0..(*n).max(0) {
                    ran = true;
                    self.budget.step().at(span)?;
                    let flow =
                        self.one_iteration(c, body_mark, Some(Value::Int(i)), Some(Value::Int(i)))?;
                    if flow == Flow::Break {
                        break;
                    }
                }
            }
            None | Some(Value::Nil) => {}
            Some(other) => {
                let mut w = Writer::new(&mut self.budget);
                gofmt::write_value(&mut w, other).at(span)?;
                return Err(Fail {
                    span,
                    kind: ExecErrorKind::CannotRange { value: w.out },
                });
            }
        }
        if !ran && let Some(else_list) = &c.else_list {
            self.walk_list(dot, else_list)?;
        }
        Ok(())
    }

    fn walk_template(&mut self, dot: &V, name: &str, pipe: Option<&Pipe>, span: Span) -> X<()> {
        let tree = match self.parsed.defines.get(name) {
            Some(t) => t,
            None if name == self.name => &self.parsed.root,
            None => {
                return Err(Fail {
                    span,
                    kind: ExecErrorKind::NoSuchTemplate {
                        name: name.to_string(),
                    },
                });
            }
        };
        let new_dot = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => None,
        };
        self.enter(span)?;
        let saved_vars =
            std::mem::replace(&mut self.vars, vec![("$".to_string(), new_dot.clone())]);
        let saved_name = std::mem::replace(&mut self.executing, name.to_string());
        let result = self.walk_list(&new_dot, tree);
        if result.is_ok() {
            self.executing = saved_name;
        }
        self.vars = saved_vars;
        self.depth -= 1;
        result.map(|_| ())
    }

    fn eval_pipeline(&mut self, dot: &V, pipe: &Pipe) -> X<V> {
        let mut value: Option<V> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, &cmd.args, cmd.span, value.take())?;
            value = Some(dig(v));
        }
        let v = value.unwrap_or(None);
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, v.clone(), pipe.span)?;
            } else {
                self.vars.push((name.clone(), v.clone()));
            }
        }
        Ok(v)
    }

    fn not_a_function(&self, args: &[Operand], fin: &Option<V>, span: Span) -> X<()> {
        if args.len() > 1 || fin.is_some() {
            let first = args.first().map_or(span, |a| a.span);
            return Err(Fail {
                span: first,
                kind: ExecErrorKind::NotAFunction {
                    what: describe_term(args.first().map(|a| &a.term)),
                },
            });
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &V, args: &[Operand], span: Span, fin: Option<V>) -> X<V> {
        self.budget.step().at(span)?;
        let Some(first) = args.first() else {
            return Ok(None);
        };
        let has_args = args.len() > 1 || fin.is_some();
        match &first.term {
            Term::Field(idents) => self.eval_field_chain(dot.clone(), idents, has_args, first.span),
            Term::Chain(inner, idents) => {
                if matches!(inner.term, Term::Nil) {
                    return Err(Fail {
                        span: first.span,
                        kind: ExecErrorKind::NilField {
                            field: idents.first().cloned().unwrap_or_default(),
                        },
                    });
                }
                let recv = self.eval_arg(dot, inner)?;
                self.eval_field_chain(recv, idents, has_args, first.span)
            }
            Term::Function(name) => self.eval_function(dot, name, &args[1..], fin, span),
            Term::Pipe(p) => {
                self.not_a_function(args, &fin, span)?;
                self.eval_pipeline(dot, p)
            }
            Term::Variable(name, idents) => {
                let v = self.var_value(name, first.span)?;
                if idents.is_empty() {
                    self.not_a_function(args, &fin, span)?;
                    Ok(v)
                } else {
                    self.eval_field_chain(v, idents, has_args, first.span)
                }
            }
            Term::Dot => {
                self.not_a_function(args, &fin, span)?;
                Ok(dot.clone())
            }
            Term::Nil => Err(Fail {
                span: first.span,
                kind: ExecErrorKind::NilCommand,
            }),
            Term::Literal(v) => {
                self.not_a_function(args, &fin, span)?;
                Ok(Some(v.clone()))
            }
        }
    }

    fn eval_field_chain(&mut self, recv: V, idents: &[String], has_args: bool, span: Span) -> X<V> {
        let mut recv = recv;
        let last = idents.len().saturating_sub(1);
        for (i, name) in idents.iter().enumerate() {
            self.budget.step().at(span)?;
            recv = eval_field(name, recv, has_args && i == last).at(span)?;
        }
        Ok(recv)
    }

    fn eval_function(
        &mut self,
        dot: &V,
        name: &str,
        args: &[Operand],
        fin: Option<V>,
        span: Span,
    ) -> X<V> {
        let got = args.len() + usize::from(fin.is_some());
        let (min, max) = funcs::arity(name).unwrap_or((0, None));
        if got < min || max.is_some_and(|m| got > m) {
            let want = match max {
                Some(m) if m == min => m.to_string(),
                _ => format!("at least {min}"),
            };
            return Err(Fail {
                span,
                kind: ExecErrorKind::ArgCount {
                    function: name.to_string(),
                    want,
                    got,
                },
            });
        }
        if name == "and" || name == "or" {
            let mut last = None;
            for a in args {
                let v = self.eval_arg(dot, a)?;
                if truthy(&v) == (name == "or") {
                    return Ok(v);
                }
                last = v;
            }
            if let Some(f) = fin {
                return Ok(f);
            }
            return Ok(last);
        }
        let mut vals = Vec::with_capacity(got);
        for a in args {
            vals.push(self.eval_arg(dot, a)?.unwrap_or(Value::Nil));
        }
        if let Some(f) = fin {
            vals.push(f.unwrap_or(Value::Nil));
        }
        funcs::call(name, &vals, &mut self.budget)
            .map(Some)
            .at(span)
    }

    fn eval_arg(&mut self, dot: &V, op: &Operand) -> X<V> {
        self.budget.step().at(op.span)?;
        match &op.term {
            Term::Dot => Ok(dot.clone()),
            Term::Nil => Ok(Some(Value::Nil)),
            Term::Literal(v) => Ok(Some(v.clone())),
            Term::Field(idents) => self.eval_field_chain(dot.clone(), idents, false, op.span),
            Term::Variable(name, idents) => {
                let v = self.var_value(name, op.span)?;
                self.eval_field_chain(v, idents, false, op.span)
            }
            Term::Chain(inner, idents) => {
                if matches!(inner.term, Term::Nil) {
                    return Err(Fail {
                        span: op.span,
                        kind: ExecErrorKind::NilField {
                            field: idents.first().cloned().unwrap_or_default(),
                        },
                    });
                }
                let recv = self.eval_arg(dot, inner)?;
                self.eval_field_chain(recv, idents, false, op.span)
            }
            Term::Function(name) => self.eval_function(dot, name, &[], None, op.span),
            Term::Pipe(p) => self.eval_pipeline(dot, p),
        }
    }
}

fn describe_term(t: Option<&Term>) -> String {
    match t {
        Some(Term::Dot) => ".".to_string(),
        Some(Term::Nil) => "nil".to_string(),
        Some(Term::Literal(Value::String(s))) => format!("{s:?}"),
        Some(Term::Literal(v)) => {
            let mut b = Budget::new(&Limits::default());
            let mut w = Writer::new(&mut b);
            match gofmt::write_value(&mut w, v) {
                Ok(()) => w.out,
                Err(_) => v.type_name(),
            }
        }
        Some(Term::Variable(n, f)) => {
            let mut s = n.clone();
            for x in f {
                s.push('.');
                s.push_str(x);
            }
            s
        }
        Some(Term::Pipe(_)) => "(…)".to_string(),
        Some(Term::Field(f)) => format!(".{}", f.join(".")),
        Some(Term::Chain(_, f)) => format!("(…).{}", f.join(".")),
        Some(Term::Function(n)) => n.clone(),
        None => String::new(),
    }
}

/// `.Name` on a value: methods and fields of objects, keys of string-keyed maps.
fn eval_field(name: &str, recv: V, has_args: bool) -> Result<V, ExecErrorKind> {
    match recv {
        None => Ok(None),
        Some(Value::Nil) => Err(ExecErrorKind::NilField {
            field: name.to_string(),
        }),
        Some(Value::Object(o)) => match o.lookup(name) {
            Some((v, _)) => {
                if has_args {
                    return Err(ExecErrorKind::ArgumentsToField {
                        name: name.to_string(),
                    });
                }
                Ok(Some(v.clone()))
            }
            None => Err(ExecErrorKind::NoField {
                field: name.to_string(),
                type_name: o.type_name().to_string(),
            }),
        },
        Some(Value::Map(m)) if m.has_string_keys() => {
            if has_args {
                return Err(ExecErrorKind::ArgumentsToField {
                    name: name.to_string(),
                });
            }
            Ok(m.get_str(name).cloned())
        }
        Some(other) => Err(ExecErrorKind::NoField {
            field: name.to_string(),
            type_name: other.type_name(),
        }),
    }
}
