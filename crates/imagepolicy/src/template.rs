//! `filterTags.extract`: Go's `Regexp.Expand` template language.
//!
//! Rules (from Go's `regexp` package):
//!
//! * `$$` is a literal `$`.
//! * `$name` / `${name}`: `name` is the longest run of Unicode letters, decimal
//!   digits and `_` (so `$ts_x` names the group `ts_x`; write `${ts}_x`).
//! * A name of ASCII digits without a leading zero (and below 10^8) is a group
//!   number (`$1`, `${10}`); anything else is a group name.
//! * A group that does not exist or did not take part in the match expands to
//!   nothing.
//! * A `$` not followed by a valid reference (`$-`, `$` at the end, `${x` with no
//!   closing brace, `${}`) is copied literally, and scanning resumes right after it.

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Text copied as is.
    Literal(String),
    /// The text of capture group `n` (if it took part in the match).
    Group(usize),
    /// A reference to a group that does not exist: expands to nothing.
    Nothing,
}

/// A parsed `extract` template bound to a regex's capture groups.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pieces: Vec<Piece>,
}

/// How a template produces its result for a match, cheapest first.
pub(crate) enum Shape {
    /// The template is exactly one group reference: the result is a slice of the tag.
    SingleGroup(usize),
    /// Anything else: expand into a buffer.
    General,
}

impl Template {
    /// Parses `template` against the capture groups of `re`.
    pub(crate) fn parse(template: &str, re: &regex::Regex) -> Template {
        let groups = re.captures_len(); // including group 0
        let lookup = |name: &str| -> Piece {
            if let Some(n) = group_number(name) {
                return if n < groups {
                    Piece::Group(n)
                } else {
                    Piece::Nothing
                };
            }
            re.capture_names()
                .position(|n| n == Some(name))
                .map_or(Piece::Nothing, Piece::Group)
        };
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = template;
        while let Some(i) = rest.find('$') {
            literal.push_str(&rest[..i]);
            rest = &rest[i..];
            if rest.as_bytes().get(1) == Some(&b'$') {
                literal.push('$');
                rest = &rest[2..];
                continue;
            }
            match reference(rest) {
                Some((name, after)) => {
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(lookup(name));
                    rest = after;
                }
                None => {
                    literal.push('$');
                    rest = &rest[1..];
                }
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Template { pieces }
    }

    /// The cheapest way to evaluate this template.
    pub(crate) fn shape(&self) -> Shape {
        match self.pieces.as_slice() {
            [Piece::Group(n)] => Shape::SingleGroup(*n),
            _ => Shape::General,
        }
    }

    /// Appends the expansion for one match to `out`.
    pub(crate) fn expand_into(&self, tag: &str, locs: &regex::CaptureLocations, out: &mut String) {
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Group(n) => {
                    if let Some((start, end)) = locs.get(*n) {
                        out.push_str(&tag[start..end]);
                    }
                }
                Piece::Nothing => {}
            }
        }
    }
}

/// A group number as Go reads one: ASCII digits, no leading zero, below 10^8.
fn group_number(name: &str) -> Option<usize> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if name.len() > 1 && name.starts_with('0') {
        return None;
    }
    let mut n: usize = 0;
    for b in name.bytes() {
        if n >= 100_000_000 {
            return None;
        }
        n = n * 10 + usize::from(b - b'0');
    }
    Some(n)
}

/// Go's `unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_'`.
fn is_name_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    // Letters (general category L) and decimal digits (Nd), as Go's unicode
    // package defines them; `char::is_alphabetic` / `is_numeric` are wider.
    // Only reached for non-ASCII text in a template, once per policy.
    let mut buf = [0u8; 4];
    regex::Regex::new(r"^[\p{L}\p{Nd}]$").is_ok_and(|re| re.is_match(c.encode_utf8(&mut buf)))
}

/// Reads a `$name` or `${name}` reference at the start of `s` (which starts with
/// `$`). Returns the name and the text after the reference.
fn reference(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('$')?;
    let (braced, body) = match body.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, body),
    };
    let end = body
        .char_indices()
        .find(|&(_, c)| !is_name_char(c))
        .map_or(body.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    let (name, after) = body.split_at(end);
    if braced {
        let after = after.strip_prefix('}')?;
        return Some((name, after));
    }
    Some((name, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(pattern: &str, template: &str, tag: &str) -> String {
        let re = regex::Regex::new(pattern).unwrap();
        let t = Template::parse(template, &re);
        let mut locs = re.capture_locations();
        assert!(
            re.captures_read(&mut locs, tag).is_some(),
            "{pattern} vs {tag}"
        );
        let mut out = String::new();
        t.expand_into(tag, &locs, &mut out);
        out
    }

    const RE: &str = r"^(?P<ts>\d+)-(?P<ts_x>[a-z]+)-(?P<inc>\d+)(?P<opt>z)?$";
    const TAG: &str = "20240101-abc-7";

    #[test]
    fn go_expand_rules() {
        for (template, expected) in [
            ("$ts", "20240101"),
            ("${ts}", "20240101"),
            ("$ts_x", "abc"), // longest name wins
            ("${ts}_x", "20240101_x"),
            ("$ts$inc", "202401017"),
            ("$1", "20240101"),
            ("${1}", "20240101"),
            ("$3", "7"),
            ("$0", TAG),
            ("$10", ""),  // group 10 does not exist
            ("$1x", ""),  // name "1x" does not exist
            ("$01", ""),  // leading zero: a name, not a number
            ("$opt", ""), // did not take part in the match
            ("$nope", ""),
            ("$$", "$"),
            ("$$ts", "$ts"),
            ("cost: $", "cost: $"), // trailing $ is literal
            ("$-$inc", "$-7"),      // $ followed by a non-name is literal
            ("${ts", "${ts"),       // missing closing brace: literal
            ("${}", "${}"),
            ("${ts-x}", "${ts-x}"),
            ("a$ts.b", "a20240101.b"),
            ("v${inc}.0", "v7.0"),
            ("", ""),
        ] {
            assert_eq!(expand(RE, template, TAG), expected, "template {template:?}");
        }
    }

    #[test]
    fn unicode_letters_extend_names_like_go() {
        // Go takes "tsé" as the name (IsLetter('é')), which does not exist.
        assert_eq!(expand(RE, "$tsé", TAG), "");
        // A symbol ends the name.
        assert_eq!(expand(RE, "$ts€", TAG), "20240101€");
    }

    #[test]
    fn shapes() {
        let re = regex::Regex::new(RE).unwrap();
        assert!(matches!(
            Template::parse("$inc", &re).shape(),
            Shape::SingleGroup(3)
        ));
        assert!(matches!(
            Template::parse("${ts}", &re).shape(),
            Shape::SingleGroup(1)
        ));
        assert!(matches!(
            Template::parse("x$inc", &re).shape(),
            Shape::General
        ));
        assert!(matches!(
            Template::parse("$nope", &re).shape(),
            Shape::General
        ));
    }
}
