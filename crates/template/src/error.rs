//! Parse and execution errors. Both print as
//! `template: <name>:<line>:<column>: …`, the shape Go's `text/template` uses, so messages
//! read familiar to Flux users; the wording is ours. Columns count characters from 1 (Go
//! prints no column for parse errors and a 0-based byte offset for execution errors).

/// A template that could not be parsed. Nothing was executed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template: {template}:{line}:{column}: {kind}")]
#[non_exhaustive]
pub struct ParseError {
    /// The template's name (e.g. `commit message`).
    pub template: String,
    /// 1-based line of the offending input.
    pub line: usize,
    /// 1-based column (in characters) of the offending input.
    pub column: usize,
    /// What was wrong.
    pub kind: ParseErrorKind,
}

/// What was wrong with a template's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// `{{` without a matching `}}`.
    #[error("unclosed action")]
    UnclosedAction,
    /// `{{/*` without `*/`.
    #[error("unclosed comment")]
    UnclosedComment,
    /// A comment followed by something other than the closing delimiter.
    #[error("a comment must end right at the closing delimiter")]
    CommentNotAtDelimiter,
    /// A `"…"` string that hits the end of the line or input.
    #[error("unterminated quoted string")]
    UnterminatedString,
    /// A `` `…` `` string that hits the end of the input.
    #[error("unterminated raw quoted string")]
    UnterminatedRawString,
    /// A `'…'` character constant that is not closed.
    #[error("unterminated character constant")]
    UnterminatedChar,
    /// A malformed escape or character constant.
    #[error("bad escape or character constant {text:?}")]
    BadQuoted {
        /// The literal as written.
        text: String,
    },
    /// A malformed number.
    #[error("bad number syntax: {text:?}")]
    BadNumber {
        /// The number as written.
        text: String,
    },
    /// An integer that does not fit Go's 64-bit `int`.
    #[error("integer {text:?} does not fit in an int")]
    IntegerOverflow {
        /// The number as written.
        text: String,
    },
    /// Complex-number literals (`1i`) are not supported.
    #[error("complex number {text:?} is not supported")]
    ComplexNumber {
        /// The number as written.
        text: String,
    },
    /// A character that cannot follow a name (e.g. `.a-b`).
    #[error("bad character {found:?} after a name")]
    BadCharacter {
        /// The character.
        found: char,
    },
    /// A character that has no meaning inside an action.
    #[error("unrecognized character in action: {found:?}")]
    UnrecognizedCharacter {
        /// The character.
        found: char,
    },
    /// `:` not followed by `=`.
    #[error("expected :=")]
    ExpectedDeclare,
    /// A `)` without `(`.
    #[error("unexpected right parenthesis")]
    UnexpectedRightParen,
    /// An action closed while a `(` is open.
    #[error("unclosed left parenthesis")]
    UnclosedLeftParen,
    /// A token that makes no sense where it stands.
    #[error("unexpected {found} in {context}")]
    Unexpected {
        /// The token, as written or described (`<end>`, `EOF`).
        found: String,
        /// Where it was found (`command`, `operand`, `if`, `input`, …).
        context: String,
    },
    /// The input ended inside `if`/`range`/`with`/`define`/`block`.
    #[error("unexpected EOF: missing {{{{end}}}}")]
    UnexpectedEof,
    /// A function name that is neither a Go builtin nor a supported Sprig function.
    #[error("function {name:?} not defined")]
    UndefinedFunction {
        /// The name used.
        name: String,
    },
    /// A variable used before any declaration or assignment of it in scope.
    #[error("undefined variable {name:?}")]
    UndefinedVariable {
        /// The variable, with its `$`.
        name: String,
    },
    /// An action, `if`, `range`… without a value.
    #[error("missing value for {context}")]
    MissingValue {
        /// The construct.
        context: String,
    },
    /// A literal or `.` after a `|` (a pipeline stage must be callable).
    #[error("non executable command in pipeline stage {stage}")]
    NonExecutableCommand {
        /// 1-based stage number.
        stage: usize,
    },
    /// More variables declared than the construct allows.
    #[error("too many declarations in {context}")]
    TooManyDeclarations {
        /// The construct.
        context: String,
    },
    /// `range $a, X` where X is not a variable.
    #[error("range can only initialize variables")]
    RangeOnlyVariables,
    /// `{{break}}` or `{{continue}}` outside `{{range}}`.
    #[error("{{{{{keyword}}}}} outside {{{{range}}}}")]
    OutsideRange {
        /// `break` or `continue`.
        keyword: String,
    },
    /// Two non-empty `define`s of one name.
    #[error("template {name:?} is defined more than once")]
    DuplicateDefinition {
        /// The template name.
        name: String,
    },
    /// A field access after a literal (`"x".Foo`, `nil.Foo`).
    #[error("unexpected . after term {term:?}")]
    DotAfterTerm {
        /// The literal.
        term: String,
    },
    /// Control structures or parentheses nested beyond the limit.
    #[error("nesting deeper than {limit} levels")]
    TooDeeplyNested {
        /// The nesting limit.
        limit: usize,
    },
}

/// A template that failed while running. No partial output is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template: {template}:{line}:{column}: executing {executing:?} at <{near}>: {kind}")]
#[non_exhaustive]
pub struct ExecError {
    /// The name of the parsed template (locations refer to its text).
    pub template: String,
    /// The (sub)template being executed: the main one or a `define`d one.
    pub executing: String,
    /// 1-based line of the failing expression.
    pub line: usize,
    /// 1-based column (in characters) of the failing expression.
    pub column: usize,
    /// The failing expression as written (shortened when long).
    pub near: String,
    /// What failed (boxed to keep the error small).
    pub kind: Box<ExecErrorKind>,
}

/// What failed while executing a template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExecErrorKind {
    /// `.Name` on a value that has no such field, method or key.
    #[error("can't evaluate field {field} in type {type_name}")]
    NoField {
        /// The field.
        field: String,
        /// The value's Go type.
        type_name: String,
    },
    /// `.Name` on nil.
    #[error("nil pointer evaluating {field}")]
    NilField {
        /// The field.
        field: String,
    },
    /// Arguments given to a field, a map key or a method without parameters.
    #[error("{name} takes no arguments")]
    ArgumentsToField {
        /// The field or method.
        name: String,
    },
    /// Arguments or a piped value given to something that is not a function.
    #[error("can't give argument to non-function {what}")]
    NotAFunction {
        /// The operand as written.
        what: String,
    },
    /// A variable assigned (`$x = …`) or read where no declaration of it is in scope.
    #[error("undefined variable {name}")]
    UndefinedVariable {
        /// The variable, with its `$`.
        name: String,
    },
    /// `{{nil}}` as a command.
    #[error("nil is not a command")]
    NilCommand,
    /// A function called with the wrong number of arguments.
    #[error("wrong number of args for {function}: want {want} got {got}")]
    ArgCount {
        /// The function.
        function: String,
        /// What it takes (`2`, `at least 1`).
        want: String,
        /// How many it got.
        got: usize,
    },
    /// A function argument of the wrong type.
    #[error("wrong type for value; expected {expected}; got {got}")]
    ArgType {
        /// The Go type expected.
        expected: String,
        /// The Go type given.
        got: String,
    },
    /// A function that failed.
    #[error("error calling {function}: {message}")]
    Function {
        /// The function.
        function: String,
        /// Why it failed.
        message: String,
    },
    /// `range` over something that cannot be iterated.
    #[error("range can't iterate over {value}")]
    CannotRange {
        /// The value, printed.
        value: String,
    },
    /// Two variables in a `range` over an integer.
    #[error("can't use two variables to range over integer {value}")]
    RangeIntTwoVariables {
        /// The integer.
        value: i64,
    },
    /// `{{template "x"}}` with no such definition.
    #[error("no such template {name:?}")]
    NoSuchTemplate {
        /// The name.
        name: String,
    },
    /// Template calls or nesting deeper than the limit.
    #[error("exceeded maximum template depth ({limit})")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The rendered text would exceed the output limit.
    #[error("output exceeds the limit of {limit} bytes")]
    OutputTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The template did more work than allowed (ranges, calls, string building).
    #[error("execution exceeded its budget of {limit} steps")]
    TooManySteps {
        /// The step limit.
        limit: u64,
    },
    /// Template functions allocated more text than allowed in total.
    #[error("execution built more than {limit} bytes of strings")]
    TooMuchText {
        /// The byte limit.
        limit: u64,
    },
    /// A template-built value nested too deeply.
    #[error("value nested deeper than {limit} levels")]
    ValueTooDeep {
        /// The nesting limit.
        limit: usize,
    },
}
