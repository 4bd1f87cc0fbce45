//! The parser: tokens into a tree, with Go's parse-time checks (functions exist, variables
//! are declared, `break`/`continue` only inside `range`, pipeline stages are callable).

use std::collections::{BTreeMap, HashMap};

use crate::error::ParseErrorKind;
use crate::funcs;
use crate::lex::{Kw, Tok, Token, lex};
use crate::value::Value;

/// How deep control structures and parentheses may nest.
pub(crate) const MAX_NESTING: usize = 50;

/// A byte range of the template source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Text(String, Span),
    Action(Pipe),
    If(Control),
    With(Control),
    Range(Control),
    Template {
        name: String,
        pipe: Option<Pipe>,
        span: Span,
    },
    Break,
    Continue,
}

#[derive(Debug, Clone)]
pub(crate) struct Control {
    pub(crate) pipe: Pipe,
    pub(crate) list: Vec<Node>,
    pub(crate) else_list: Option<Vec<Node>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Pipe {
    pub(crate) decl: Vec<String>,
    pub(crate) is_assign: bool,
    pub(crate) cmds: Vec<Command>,
    pub(crate) span: Span,
}

#[derive(Debug, Clone)]
pub(crate) struct Command {
    pub(crate) args: Vec<Operand>,
    pub(crate) span: Span,
}

#[derive(Debug, Clone)]
pub(crate) enum Term {
    Dot,
    Nil,
    Literal(Value),
    /// `.A.B`: field names.
    Field(Vec<String>),
    /// `$x.A.B`: the variable and the fields after it.
    Variable(String, Vec<String>),
    /// `(pipe).A.B` or `func.A` after a non-field term.
    Chain(Box<Operand>, Vec<String>),
    Function(String),
    Pipe(Box<Pipe>),
}

#[derive(Debug, Clone)]
pub(crate) struct Operand {
    pub(crate) term: Term,
    pub(crate) span: Span,
}

/// A parsed template set: the main tree and the `define`d ones.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub(crate) root: Vec<Node>,
    pub(crate) defines: BTreeMap<String, Vec<Node>>,
}

pub(crate) struct ParseFailure {
    pub(crate) pos: usize,
    pub(crate) kind: ParseErrorKind,
}

type PResult<T> = Result<T, ParseFailure>;

pub(crate) fn parse(name: &str, src: &str) -> PResult<Parsed> {
    let mut p = Parser {
        toks: lex(src),
        i: 0,
        vars: Scope::root(),
        range_depth: 0,
        nesting: 0,
        defines: BTreeMap::new(),
    };
    let mut root = Vec::new();
    loop {
        if matches!(p.peek().tok, Tok::Eof) {
            break;
        }
        if matches!(p.peek().tok, Tok::LeftDelim) {
            let save = p.i;
            p.next();
            if matches!(p.next_non_space().tok, Tok::Keyword(Kw::Define)) {
                p.parse_definition()?;
                continue;
            }
            p.i = save;
        }
        let (node, end) = p.text_or_action()?;
        match end {
            Some(e) => return Err(p.unexpected_at(&e, "input")),
            None => root.extend(node),
        }
    }
    if let Some(main) = p.defines.remove(name) {
        if !is_empty_tree(&root) {
            return Err(ParseFailure {
                pos: 0,
                kind: ParseErrorKind::DuplicateDefinition {
                    name: name.to_string(),
                },
            });
        }
        root = main;
    }
    Ok(Parsed {
        root,
        defines: p.defines,
    })
}

fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text(t, _) => t.trim().is_empty(),
        _ => false,
    })
}

/// The `{{else}}` / `{{end}}` that closed a list.
#[derive(Debug, Clone)]
enum Ender {
    End(usize),
    Else(usize),
}

/// Variables in scope: a stack (for leaving blocks) with per-name counts, so that checking
/// a use costs the same however many variables a template declares.
struct Scope {
    stack: Vec<String>,
    counts: HashMap<String, usize>,
}

impl Scope {
    fn root() -> Scope {
        let mut s = Scope {
            stack: Vec::new(),
            counts: HashMap::new(),
        };
        s.push("$".to_string());
        s
    }

    fn push(&mut self, name: String) {
        *self.counts.entry(name.clone()).or_insert(0) += 1;
        self.stack.push(name);
    }

    fn len(&self) -> usize {
        self.stack.len()
    }

    fn truncate(&mut self, n: usize) {
        while self.stack.len() > n {
            if let Some(name) = self.stack.pop()
                && let Some(c) = self.counts.get_mut(&name)
            {
                *c -= 1;
            }
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.counts.get(name).is_some_and(|c| *c > 0)
    }
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    vars: Scope,
    range_depth: usize,
    nesting: usize,
    defines: BTreeMap<String, Vec<Node>>,
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Eof => "EOF".to_string(),
        Tok::Keyword(k) => format!("<{}>", k.word()),
        Tok::Text(t) | Tok::Number(t) | Tok::Ident(t) | Tok::Variable(t) => shorten_quoted(t),
        Tok::Field(f) => shorten_quoted(&format!(".{f}")),
        Tok::Str(s) => shorten_quoted(&format!("{s:?}")),
        Tok::LeftDelim => "\"{{\"".to_string(),
        Tok::RightDelim => "\"}}\"".to_string(),
        Tok::Space => "space".to_string(),
        Tok::Assign => "\"=\"".to_string(),
        Tok::Declare => "\":=\"".to_string(),
        Tok::Pipe => "\"|\"".to_string(),
        Tok::LeftParen => "\"(\"".to_string(),
        Tok::RightParen => "\")\"".to_string(),
        Tok::Char(c) => format!("{:?}", c.to_string()),
        Tok::CharConst(c) => format!("character {c}"),
        Tok::Bool(b) => format!("\"{b}\""),
        Tok::Dot => "\".\"".to_string(),
        Tok::Nil => "<nil>".to_string(),
        Tok::Error(_) => "error".to_string(),
    }
}

fn shorten_quoted(s: &str) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(10).collect();
    if chars.next().is_some() {
        format!("{head:?}...")
    } else {
        format!("{s:?}")
    }
}

impl Parser {
    fn peek(&self) -> &Token {
        let last = self.toks.len() - 1;
        &self.toks[self.i.min(last)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if !matches!(t.tok, Tok::Space) {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.i -= 1;
        t
    }

    fn fail<T>(&self, pos: usize, kind: ParseErrorKind) -> PResult<T> {
        Err(ParseFailure { pos, kind })
    }

    /// The error for an unexpected token; lexer errors win.
    fn unexpected(&self, t: &Token, context: &str) -> ParseFailure {
        match &t.tok {
            Tok::Error(kind) => ParseFailure {
                pos: t.pos,
                kind: kind.clone(),
            },
            Tok::Eof => ParseFailure {
                pos: t.pos,
                kind: ParseErrorKind::UnexpectedEof,
            },
            other => ParseFailure {
                pos: t.pos,
                kind: ParseErrorKind::Unexpected {
                    found: describe(other),
                    context: context.to_string(),
                },
            },
        }
    }

    fn unexpected_at(&self, e: &Ender, context: &str) -> ParseFailure {
        let (pos, word) = match e {
            Ender::End(p) => (*p, "<end>"),
            Ender::Else(p) => (*p, "<else>"),
        };
        ParseFailure {
            pos,
            kind: ParseErrorKind::Unexpected {
                found: word.to_string(),
                context: context.to_string(),
            },
        }
    }

    fn expect_right_delim(&mut self, context: &str) -> PResult<Token> {
        let t = self.next_non_space();
        if matches!(t.tok, Tok::RightDelim) {
            Ok(t)
        } else {
            Err(self.unexpected(&t, context))
        }
    }

    fn enter(&mut self, pos: usize) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return self.fail(pos, ParseErrorKind::TooDeeplyNested { limit: MAX_NESTING });
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting -= 1;
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let t = self.next_non_space();
        let name = match t.tok {
            Tok::Str(s) => s,
            _ => return Err(self.unexpected(&t, context)),
        };
        self.expect_right_delim(context)?;
        let saved_vars = std::mem::replace(&mut self.vars, Scope::root());
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let Ender::Else(_) = end {
            return Err(self.unexpected_at(&end, context));
        }
        self.add_define(name, list, t.pos)
    }

    fn add_define(&mut self, name: String, list: Vec<Node>, pos: usize) -> PResult<()> {
        match self.defines.get(&name) {
            Some(existing) if !is_empty_tree(existing) && !is_empty_tree(&list) => {
                self.fail(pos, ParseErrorKind::DuplicateDefinition { name })
            }
            Some(existing) if !is_empty_tree(existing) => Ok(()),
            _ => {
                self.defines.insert(name, list);
                Ok(())
            }
        }
    }

    /// Nodes up to the `{{end}}` or `{{else}}` that closes them.
    fn item_list(&mut self) -> PResult<(Vec<Node>, Ender)> {
        let mut list = Vec::new();
        loop {
            let t = self.peek_non_space();
            if matches!(t.tok, Tok::Eof | Tok::Error(_)) {
                if let Tok::Error(kind) = t.tok {
                    return self.fail(t.pos, kind);
                }
                return self.fail(t.pos, ParseErrorKind::UnexpectedEof);
            }
            let (nodes, end) = self.text_or_action()?;
            if let Some(end) = end {
                return Ok((list, end));
            }
            list.extend(nodes);
        }
    }

    fn text_or_action(&mut self) -> PResult<(Option<Node>, Option<Ender>)> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Text(s) => Ok((
                Some(Node::Text(
                    s,
                    Span {
                        start: t.pos,
                        end: t.end,
                    },
                )),
                None,
            )),
            Tok::LeftDelim => self.action(),
            _ => Err(self.unexpected(&t, "input")),
        }
    }

    fn action(&mut self) -> PResult<(Option<Node>, Option<Ender>)> {
        let t = self.next_non_space();
        let node = match t.tok {
            Tok::Keyword(Kw::Block) => self.block_control(t.pos)?,
            Tok::Keyword(Kw::Break) => {
                self.loop_control(&t, "break")?;
                Node::Break
            }
            Tok::Keyword(Kw::Continue) => {
                self.loop_control(&t, "continue")?;
                Node::Continue
            }
            Tok::Keyword(Kw::Else) => {
                // `{{else if …}}` / `{{else with …}}` leave the keyword pending.
                let p = self.peek_non_space();
                if !matches!(p.tok, Tok::Keyword(Kw::If | Kw::With)) {
                    self.expect_right_delim("else")?;
                }
                return Ok((None, Some(Ender::Else(t.pos))));
            }
            Tok::Keyword(Kw::End) => {
                self.expect_right_delim("end")?;
                return Ok((None, Some(Ender::End(t.pos))));
            }
            Tok::Keyword(Kw::If) => Node::If(self.control("if", t.pos)?),
            Tok::Keyword(Kw::Range) => Node::Range(self.control("range", t.pos)?),
            Tok::Keyword(Kw::With) => Node::With(self.control("with", t.pos)?),
            Tok::Keyword(Kw::Template) => self.template_control(t.pos)?,
            _ => {
                self.i -= 1;
                Node::Action(self.pipeline("command", true)?)
            }
        };
        Ok((Some(node), None))
    }

    fn loop_control(&mut self, t: &Token, word: &str) -> PResult<()> {
        let next = self.next_non_space();
        if !matches!(next.tok, Tok::RightDelim) {
            return Err(self.unexpected(&next, &format!("{{{{{word}}}}}")));
        }
        if self.range_depth == 0 {
            return self.fail(
                t.pos,
                ParseErrorKind::OutsideRange {
                    keyword: word.to_string(),
                },
            );
        }
        Ok(())
    }

    fn control(&mut self, context: &str, pos: usize) -> PResult<Control> {
        self.enter(pos)?;
        let vars_mark = self.vars.len();
        let result = self.control_inner(context);
        self.vars.truncate(vars_mark);
        self.leave();
        result
    }

    fn control_inner(&mut self, context: &str) -> PResult<Control> {
        let pipe = self.pipeline(context, true)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, end) = listed?;
        let else_list = match end {
            Ender::End(_) => None,
            Ender::Else(_) => {
                let p = self.peek_non_space();
                match (context, &p.tok) {
                    ("if", Tok::Keyword(Kw::If)) => {
                        self.next_non_space();
                        Some(vec![Node::If(self.control("if", p.pos)?)])
                    }
                    ("with", Tok::Keyword(Kw::With)) => {
                        self.next_non_space();
                        Some(vec![Node::With(self.control("with", p.pos)?)])
                    }
                    (_, Tok::Keyword(Kw::If | Kw::With)) => {
                        return Err(self.unexpected(&p, "input"));
                    }
                    _ => {
                        let (list, end) = self.item_list()?;
                        if let Ender::Else(p) = end {
                            return self.fail(
                                p,
                                ParseErrorKind::Unexpected {
                                    found: "<else>".to_string(),
                                    context: format!("{context}: expected {{{{end}}}}"),
                                },
                            );
                        }
                        Some(list)
                    }
                }
            }
        };
        Ok(Control {
            pipe,
            list,
            else_list,
        })
    }

    fn template_name(&mut self, context: &str) -> PResult<String> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Str(s) => Ok(s),
            _ => Err(self.unexpected(&t, context)),
        }
    }

    fn template_control(&mut self, pos: usize) -> PResult<Node> {
        let context = "template clause";
        let name = self.template_name(context)?;
        let t = self.next_non_space();
        let pipe = if matches!(t.tok, Tok::RightDelim) {
            None
        } else {
            self.i -= 1;
            Some(self.pipeline(context, true)?)
        };
        let end = self.toks[self.i.saturating_sub(1)].pos;
        Ok(Node::Template {
            name,
            pipe,
            span: Span { start: pos, end },
        })
    }

    fn block_control(&mut self, pos: usize) -> PResult<Node> {
        let context = "block clause";
        let name = self.template_name(context)?;
        let pipe = self.pipeline(context, true)?;
        let end_pos = self.toks[self.i.saturating_sub(1)].pos;
        self.enter(pos)?;
        let saved_vars = std::mem::replace(&mut self.vars, Scope::root());
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let listed = self.item_list();
        self.vars = saved_vars;
        self.range_depth = saved_range;
        self.leave();
        let (list, end) = listed?;
        if let Ender::Else(_) = end {
            return Err(self.unexpected_at(&end, context));
        }
        self.add_define(name.clone(), list, pos)?;
        Ok(Node::Template {
            name,
            pipe: Some(pipe),
            span: Span {
                start: pos,
                end: end_pos,
            },
        })
    }

    /// A pipeline up to `}}` (`delim`) or `)`.
    fn pipeline(&mut self, context: &str, delim: bool) -> PResult<Pipe> {
        let start_tok = self.peek_non_space();
        let mut pipe = Pipe {
            decl: Vec::new(),
            is_assign: false,
            cmds: Vec::new(),
            span: Span {
                start: start_tok.pos,
                end: start_tok.pos,
            },
        };
        // Declarations: `$x :=`, `$x =`, `$i, $v :=` (range only).
        loop {
            let v = self.peek_non_space();
            let Tok::Variable(name) = &v.tok else { break };
            let save = self.i;
            self.next_non_space();
            let next = self.peek_non_space();
            match next.tok {
                Tok::Assign | Tok::Declare => {
                    let assign = matches!(next.tok, Tok::Assign);
                    self.next_non_space();
                    // As in Go, assigning an undeclared variable is an execution error (only
                    // if it runs), and the name counts as declared from here on.
                    pipe.is_assign = assign;
                    pipe.decl.push(name.clone());
                    self.vars.push(name.clone());
                    break;
                }
                Tok::Char(',') => {
                    self.next_non_space();
                    pipe.decl.push(name.clone());
                    self.vars.push(name.clone());
                    if context == "range" && pipe.decl.len() < 2 {
                        let p = self.peek_non_space();
                        match p.tok {
                            Tok::Variable(_) => continue,
                            _ => return self.fail(p.pos, ParseErrorKind::RangeOnlyVariables),
                        }
                    }
                    return self.fail(
                        v.pos,
                        ParseErrorKind::TooManyDeclarations {
                            context: context.to_string(),
                        },
                    );
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            let is_end = if delim {
                matches!(t.tok, Tok::RightDelim)
            } else {
                matches!(t.tok, Tok::RightParen)
            };
            if is_end {
                pipe.span.end = t.pos;
                self.check_pipeline(&pipe, context, t.pos)?;
                return Ok(pipe);
            }
            match t.tok {
                Tok::Bool(_)
                | Tok::CharConst(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Ident(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    self.i -= 1;
                    pipe.cmds.push(self.command()?);
                }
                _ => return Err(self.unexpected(&t, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str, pos: usize) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.fail(
                pos,
                ParseErrorKind::MissingValue {
                    context: context.to_string(),
                },
            );
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if let Some(first) = c.args.first()
                && matches!(first.term, Term::Dot | Term::Nil | Term::Literal(_))
            {
                {
                    return self.fail(
                        first.span.start,
                        ParseErrorKind::NonExecutableCommand { stage: i + 1 },
                    );
                }
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let start = self.peek_non_space().pos;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                args.push(op);
            }
            let t = self.next();
            match t.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => {
                    self.i -= 1;
                }
                Tok::Pipe => {}
                _ => return Err(self.unexpected(&t, "operand")),
            }
            break;
        }
        let end = args.last().map_or(start, |a: &Operand| a.span.end);
        if args.is_empty() {
            return self.fail(
                start,
                ParseErrorKind::MissingValue {
                    context: "command".to_string(),
                },
            );
        }
        Ok(Command {
            args,
            span: Span { start, end },
        })
    }

    fn operand(&mut self) -> PResult<Option<Operand>> {
        let Some(mut op) = self.term()? else {
            return Ok(None);
        };
        if matches!(self.peek().tok, Tok::Field(_)) {
            let mut fields = Vec::new();
            while let Tok::Field(f) = &self.peek().tok {
                fields.push(f.clone());
                self.next();
            }
            let end = self.toks[self.i - 1].end;
            let span = Span {
                start: op.span.start,
                end,
            };
            op = match op.term {
                Term::Field(mut f) => {
                    f.extend(fields);
                    Operand {
                        term: Term::Field(f),
                        span,
                    }
                }
                Term::Variable(v, mut f) => {
                    f.extend(fields);
                    Operand {
                        term: Term::Variable(v, f),
                        span,
                    }
                }
                Term::Literal(_) | Term::Nil | Term::Dot => {
                    return self.fail(
                        op.span.start,
                        ParseErrorKind::DotAfterTerm {
                            term: self.text_of(op.span),
                        },
                    );
                }
                _ => Operand {
                    term: Term::Chain(Box::new(op), fields),
                    span,
                },
            };
        }
        Ok(Some(op))
    }

    fn text_of(&self, span: Span) -> String {
        // Tokens keep no source; rebuild the literal from the token list.
        self.toks
            .iter()
            .find(|t| t.pos == span.start)
            .map(|t| match &t.tok {
                Tok::Number(n) => n.clone(),
                Tok::Str(s) => format!("{s:?}"),
                Tok::Bool(b) => b.to_string(),
                Tok::Nil => "nil".to_string(),
                Tok::Dot => ".".to_string(),
                other => describe(other),
            })
            .unwrap_or_default()
    }

    fn term(&mut self) -> PResult<Option<Operand>> {
        let t = self.next_non_space();
        let span = Span {
            start: t.pos,
            end: t.end,
        };
        let term = match t.tok {
            Tok::Ident(name) => {
                if !funcs::exists(&name) {
                    return self.fail(t.pos, ParseErrorKind::UndefinedFunction { name });
                }
                Term::Function(name)
            }
            Tok::Dot => Term::Dot,
            Tok::Nil => Term::Nil,
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return self.fail(t.pos, ParseErrorKind::UndefinedVariable { name });
                }
                Term::Variable(name, Vec::new())
            }
            Tok::Field(f) => Term::Field(vec![f]),
            Tok::Bool(b) => Term::Literal(Value::Bool(b)),
            Tok::CharConst(c) => Term::Literal(Value::Int(i64::from(c))),
            Tok::Number(text) => {
                Term::Literal(number(&text).map_err(|kind| ParseFailure { pos: t.pos, kind })?)
            }
            Tok::LeftParen => {
                self.enter(t.pos)?;
                let pipe = self.pipeline("parenthesized pipeline", false);
                self.leave();
                let pipe = pipe?;
                let end = self.toks[self.i - 1].end;
                return Ok(Some(Operand {
                    term: Term::Pipe(Box::new(pipe)),
                    span: Span { start: t.pos, end },
                }));
            }
            Tok::Str(s) => Term::Literal(Value::String(s)),
            _ => {
                self.i -= 1;
                return Ok(None);
            }
        };
        Ok(Some(Operand { term, span }))
    }
}

/// A number literal as Go's text/template types it when the context does not: a `float64`
/// when written with a fraction or exponent, otherwise an `int`.
fn number(text: &str) -> Result<Value, ParseErrorKind> {
    let bad = || ParseErrorKind::BadNumber {
        text: text.to_string(),
    };
    if text.ends_with('i') {
        return Err(ParseErrorKind::ComplexNumber {
            text: text.to_string(),
        });
    }
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let clean: String = body.chars().filter(|c| *c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    let radix_int = if let Some(h) = lower.strip_prefix("0x") {
        if h.contains('.') || h.contains('p') {
            None
        } else {
            Some((h.to_string(), 16))
        }
    } else if let Some(o) = lower.strip_prefix("0o") {
        Some((o.to_string(), 8))
    } else if let Some(b) = lower.strip_prefix("0b") {
        Some((b.to_string(), 2))
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit())
    {
        Some((lower[1..].to_string(), 8))
    } else if !lower.is_empty() && lower.bytes().all(|b| b.is_ascii_digit()) {
        Some((lower.clone(), 10))
    } else {
        None
    };
    if let Some((digits, radix)) = radix_int {
        if digits.is_empty() {
            return Err(bad());
        }
        let magnitude = u64::from_str_radix(&digits, radix).map_err(|_| {
            if digits.chars().all(|c| c.is_digit(radix)) {
                ParseErrorKind::IntegerOverflow {
                    text: text.to_string(),
                }
            } else {
                bad()
            }
        })?;
        let value = if neg {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        };
        return value
            .map(Value::Int)
            .ok_or_else(|| ParseErrorKind::IntegerOverflow {
                text: text.to_string(),
            });
    }
    if lower.starts_with("0x") {
        return Err(bad());
    }
    if !lower.contains(['.', 'e']) {
        return Err(bad());
    }
    let f: f64 = lower.parse().map_err(|_| bad())?;
    Ok(Value::Float(if neg { -f } else { f }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_go_typing() {
        assert!(matches!(number("42"), Ok(Value::Int(42))));
        assert!(matches!(number("-7"), Ok(Value::Int(-7))));
        assert!(matches!(number("0x1F"), Ok(Value::Int(31))));
        assert!(matches!(number("017"), Ok(Value::Int(15))));
        assert!(matches!(number("0b101"), Ok(Value::Int(5))));
        assert!(matches!(number("1_000"), Ok(Value::Int(1000))));
        assert!(matches!(number("1.5"), Ok(Value::Float(f)) if f == 1.5));
        assert!(matches!(number("1e3"), Ok(Value::Float(f)) if f == 1000.0));
        assert!(matches!(number(".5"), Ok(Value::Float(f)) if f == 0.5));
        assert!(matches!(
            number("99999999999999999999"),
            Err(ParseErrorKind::IntegerOverflow { .. })
        ));
        assert!(matches!(
            number("1i"),
            Err(ParseErrorKind::ComplexNumber { .. })
        ));
        assert!(matches!(
            number("09"),
            Err(ParseErrorKind::BadNumber { .. })
        ));
    }
}
