//! Folded block scalars as kustomize ends up reading them.
//!
//! kustomize (kyaml) turns each resource into JSON by encoding its go-yaml
//! v3 node tree back to YAML text and decoding that text again. Scalars keep
//! their style in that trip, and for folded (`>`) scalars the trip is not
//! the identity: go-yaml v3's folded writer and its folded reader disagree
//! about lines that start with a space ("more indented" lines), and about
//! trailing line breaks. This module replays both halves so that
//! [`crate::parse_documents`] yields what kustomize prints.

use crate::emit::{analyze_v3, is_blankz, is_break};

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The value of a folded scalar after go-yaml v3 wrote it as a folded block
/// and read it back.
pub(crate) fn v3_folded_round_trip(value: &str) -> String {
    // The writer only uses the folded style when a block is allowed;
    // otherwise it falls back to double quotes, which round-trip exactly.
    if value.is_empty() || !analyze_v3(value).block_allowed {
        return value.to_owned();
    }
    let chars: Vec<char> = value.chars().collect();

    // Chomping indicator the writer chooses.
    let last = chars.len() - 1;
    let chomping: i8 = if !is_break(chars[last]) {
        -1
    } else if last == 0 || is_break(chars[last - 1]) {
        1
    } else {
        0
    };

    // The writer's content lines (block indentation left out). A line break
    // after a line that does not start with a blank is doubled, unless the
    // value itself starts with breaks followed by a blank (go-yaml looks at
    // the start of the value there, not at the current position).
    let mut k = 0;
    while k < chars.len() && is_break(chars[k]) {
        k += 1;
    }
    let double_breaks = !(k >= chars.len() || is_blankz(chars[k]));
    let mut text: Vec<char> = Vec::with_capacity(chars.len() + 16);
    let mut breaks = true;
    let mut leading_spaces = true;
    for &c in &chars {
        if is_break(c) {
            if !breaks && !leading_spaces && c == '\n' && double_breaks {
                text.push('\n');
            }
            text.push(c);
            breaks = true;
        } else {
            if breaks {
                leading_spaces = is_blank(c);
            }
            text.push(c);
            breaks = false;
        }
    }
    if !is_break(text[text.len() - 1]) {
        // The next key starts on a new line.
        text.push('\n');
    }
    read_folded(&text, chomping)
}

/// Reads a line break the way go-yaml's `read_line` does: CR LF, CR, LF and
/// NEL become `\n`; LS and PS stay. Returns the break and its length.
fn read_line(text: &[char], i: usize) -> (char, usize) {
    match text[i] {
        '\r' if text.get(i + 1) == Some(&'\n') => ('\n', 2),
        '\r' | '\n' | '\u{85}' => ('\n', 1),
        c => (c, 1),
    }
}

/// go-yaml v3's folded block scalar reader over content lines that start at
/// the block indentation.
fn read_folded(text: &[char], chomping: i8) -> String {
    let mut s = String::with_capacity(text.len());
    let mut leading_break = String::new();
    let mut trailing_breaks = String::new();
    let mut i = 0;
    while i < text.len() && is_break(text[i]) {
        let (b, n) = read_line(text, i);
        trailing_breaks.push(b);
        i += n;
    }
    let mut leading_blank = false;
    while i < text.len() {
        let trailing_blank = is_blank(text[i]);
        if !leading_blank && !trailing_blank && leading_break.starts_with('\n') {
            if trailing_breaks.is_empty() {
                s.push(' ');
            }
        } else {
            s.push_str(&leading_break);
        }
        leading_break.clear();
        s.push_str(&trailing_breaks);
        trailing_breaks.clear();
        leading_blank = is_blank(text[i]);
        while i < text.len() && !is_break(text[i]) {
            s.push(text[i]);
            i += 1;
        }
        if i < text.len() {
            let (b, n) = read_line(text, i);
            leading_break.push(b);
            i += n;
        }
        while i < text.len() && is_break(text[i]) {
            let (b, n) = read_line(text, i);
            trailing_breaks.push(b);
            i += n;
        }
    }
    if chomping != -1 {
        s.push_str(&leading_break);
    }
    if chomping == 1 {
        s.push_str(&trailing_breaks);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::v3_folded_round_trip as rt;

    #[test]
    fn plain_paragraphs_survive() {
        assert_eq!(
            rt("folded text here\nnext para\n"),
            "folded text here\nnext para\n"
        );
        assert_eq!(rt("folded text"), "folded text");
    }

    #[test]
    fn more_indented_lines_gain_a_break() {
        assert_eq!(rt("a\n  b indented\nc\n"), "a\n\n  b indented\nc\n");
    }

    #[test]
    fn kept_trailing_breaks_gain_one() {
        assert_eq!(rt("folded text\n\n"), "folded text\n\n\n");
    }
}
