//! Key/value sources of `configMapGenerator`/`secretGenerator`: `literals`,
//! `files` and `envs`, read the way kustomize v5.5.0 reads them.

use super::Error;

/// One `literals` entry, `KEY=VALUE`: split at the first `=`; a value
/// wrapped in matching single or double quotes loses them (`A="x y"` is
/// `x y`, `A="x` stays `"x`).
pub(super) fn parse_literal(source: &str) -> Result<(String, String), Error> {
    match source.split_once('=') {
        Some((key, value)) if !key.is_empty() => {
            Ok((key.to_string(), remove_quotes(value).to_string()))
        }
        _ => Err(Error::InvalidLiteral {
            literal: source.to_string(),
        }),
    }
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// One `files` entry: `path` (the key is the file's base name) or
/// `key=path`.
pub(super) fn parse_file_source(source: &str) -> Result<(String, String), Error> {
    let invalid = |reason: &'static str| Error::InvalidFileSource {
        source_entry: source.to_string(),
        reason,
    };
    match source.split_once('=') {
        None => Ok((base_name(source), source.to_string())),
        Some(("", _)) => Err(invalid("missing key name before '='")),
        Some((_, path)) if path.contains('=') => Err(invalid("key name or file path contains '='")),
        Some((_, "")) => Err(invalid("missing file path after '='")),
        Some((key, path)) => Ok((key.to_string(), path.to_string())),
    }
}

/// Go's `path.Base`: the last `/`-separated element, trailing slashes
/// ignored; `.` for an empty path, `/` for only slashes.
fn base_name(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// The pairs of an env file: one `KEY=VALUE` per line, split at the first
/// `=`, leading whitespace of the line dropped, nothing else trimmed or
/// unquoted; blank lines and lines starting with `#` skipped; a line
/// without `=` gives an empty value; a UTF-8 BOM on the first line is
/// ignored; a line that is not UTF-8 is an error.
pub(super) fn parse_env_file(path: &str, content: &[u8]) -> Result<Vec<(String, String)>, Error> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let mut out = Vec::new();
    let mut lines: Vec<&[u8]> = content.split(|&b| b == b'\n').collect();
    // bufio.ScanLines: no empty token after a final newline.
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for (i, raw) in lines.into_iter().enumerate() {
        let mut line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if i == 0 {
            line = line.strip_prefix(BOM).unwrap_or(line);
        }
        let Ok(line) = std::str::from_utf8(line) else {
            return Err(Error::EnvFileNotUtf8 {
                path: path.to_string(),
                line: i + 1,
            });
        };
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        out.push((key.to_string(), value.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_split_at_first_equals_and_drop_matching_quotes() {
        let cases = [
            ("A=\"quoted value\"", "A", "quoted value"),
            ("B='single'", "B", "single"),
            ("C=\"unbalanced", "C", "\"unbalanced"),
            ("D=", "D", ""),
            ("E==x", "E", "=x"),
            ("F=a=b", "F", "a=b"),
            ("G=''", "G", ""),
            ("H=\"", "H", "\""),
            ("I='mixed\"", "I", "'mixed\""),
            ("bad key=1", "bad key", "1"),
        ];
        for (src, k, v) in cases {
            assert_eq!(
                parse_literal(src).unwrap(),
                (k.to_string(), v.to_string()),
                "{src}"
            );
        }
        for bad in ["noequals", "=x", ""] {
            assert!(parse_literal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_sources_take_base_name_or_explicit_key() {
        assert_eq!(
            parse_file_source("dir/app.properties").unwrap(),
            ("app.properties".into(), "dir/app.properties".into())
        );
        assert_eq!(
            parse_file_source("k=dir/f.txt").unwrap(),
            ("k".into(), "dir/f.txt".into())
        );
        assert_eq!(parse_file_source("dir/").unwrap().0, "dir");
        for bad in ["=f.txt", "k=", "k=f.txt=x"] {
            assert!(parse_file_source(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn env_files_are_read_line_by_line_without_unquoting() {
        let content = b"\xEF\xBB\xBFA=\"quoted value\"\r\nB='single'\n  C=leading ws\nD=trailing ws   \n# comment\n\n   \nE\nG=x=y\nH= spaced\n";
        let got = parse_env_file("app.env", content).unwrap();
        let want = [
            ("A", "\"quoted value\""),
            ("B", "'single'"),
            ("C", "leading ws"),
            ("D", "trailing ws   "),
            ("E", ""),
            ("G", "x=y"),
            ("H", " spaced"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn env_file_with_invalid_utf8_names_the_line() {
        let err = parse_env_file("x.env", b"A=1\nB=\xff\n").unwrap_err();
        assert_eq!(err.to_string(), "env file x.env: line 2 is not valid UTF-8");
    }
}
