//! Property tests: bytes outside marked scalars never change, applying twice
//! equals applying once, and nothing panics on arbitrary input.

use std::path::Path;

use proptest::prelude::*;
use weir_setters::Setters;

fn setters() -> Setters {
    Setters::new([
        (
            "ns:app".to_owned(),
            "registry.local:5000/team/app:20240101".parse().expect("valid"),
        ),
        (
            "ns:web".to_owned(),
            "ghcr.io/acme/web:1.2.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                .parse()
                .expect("valid"),
        ),
        ("ns:bool".to_owned(), "ghcr.io/acme/b:true".parse().expect("valid")),
    ])
}

/// One generated line (or small group of lines) of a YAML mapping.
#[derive(Debug, Clone)]
enum Piece {
    /// `key: <scalar> <gap># {"$imagepolicy": "<setter>"}`; the scalar is marked.
    Marked {
        scalar: String,
        setter: String,
        gap: String,
    },
    /// A sequence under a key whose item carries a head-comment marker.
    HeadMarked { scalar: String, setter: String },
    /// Unmarked noise: plain values, comments, block scalars with decoys, flow maps.
    Noise(String),
}

fn scalar() -> impl Strategy<Value = String> {
    let raw = prop_oneof![
        Just("ghcr.io/acme/app".to_owned()),
        Just("localhost:5000/x/app:1.0.0".to_owned()),
        Just("1.0.0".to_owned()),
        Just("20231231".to_owned()),
        Just("v1".to_owned()),
        Just("main-abc1234-7".to_owned()),
        Just("true".to_owned()),
        Just("é✓".to_owned()),
        "[a-z0-9][a-z0-9.:/_-]{0,20}",
    ];
    (raw, 0..3u8).prop_map(|(v, quote)| match quote {
        0 if !v.contains(": ") && !v.ends_with(':') => v,
        1 => format!("'{v}'"),
        _ => format!("\"{v}\""),
    })
}

fn setter() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("ns:app"),
            Just("ns:web"),
            Just("ns:bool"),
            Just("ns:none")
        ],
        prop_oneof![
            Just(""),
            Just(":tag"),
            Just(":name"),
            Just(":digest"),
            Just(":bad")
        ],
    )
        .prop_map(|(p, f)| format!("{p}{f}"))
}

fn noise() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}".prop_map(|v| format!("plain: {v}")),
        Just("# a comment with \"$imagepolicy\" in prose".to_owned()),
        Just("block: |\n  image: x:1 # {\"$imagepolicy\": \"ns:app\"}\n  more".to_owned()),
        Just("folded: >-\n  # {\"$imagepolicy\": \"ns:app:tag\"}".to_owned()),
        Just("flow: {a: 1, b: \"# {\\\"$imagepolicy\\\": \\\"ns:app\\\"}\"}".to_owned()),
        Just("anchor: &a value".to_owned()),
        Just("quoted: 'it''s # {\"$imagepolicy\": \"ns:app\"}'".to_owned()),
        Just("list:\n  - one\n  - two".to_owned()),
    ]
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        (
            scalar(),
            setter(),
            prop_oneof![Just(" "), Just("   "), Just("\t"), Just(" \t ")]
        )
            .prop_map(|(scalar, setter, gap)| Piece::Marked {
                scalar,
                setter,
                gap: gap.to_owned()
            }),
        (scalar(), setter()).prop_map(|(scalar, setter)| Piece::HeadMarked { scalar, setter }),
        noise().prop_map(Piece::Noise),
    ]
}

/// A generated document and the byte ranges of its marked scalars.
#[derive(Debug, Clone)]
struct Doc {
    bytes: Vec<u8>,
    marked: Vec<std::ops::Range<usize>>,
}

fn doc() -> impl Strategy<Value = Doc> {
    (
        prop::collection::vec(piece(), 1..12),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(pieces, crlf, bom, final_newline)| {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            let mut marked = Vec::new();
            for (i, p) in pieces.iter().enumerate() {
                if i > 0 {
                    text.push_str(nl);
                }
                match p {
                    Piece::Marked {
                        scalar,
                        setter,
                        gap,
                    } => {
                        text.push_str(&format!("k{i}: "));
                        marked.push(text.len()..text.len() + scalar.len());
                        text.push_str(&format!(
                            "{scalar}{gap}# {{\"$imagepolicy\": \"{setter}\"}}"
                        ));
                    }
                    Piece::HeadMarked { scalar, setter } => {
                        text.push_str(&format!(
                            "s{i}:{nl}- first{nl}# {{\"$imagepolicy\": \"{setter}\"}}{nl}- "
                        ));
                        marked.push(text.len()..text.len() + scalar.len());
                        text.push_str(scalar);
                    }
                    Piece::Noise(n) => text.push_str(&n.replace('\n', nl)),
                }
            }
            if final_newline {
                text.push_str(nl);
            }
            Doc {
                bytes: text.into_bytes(),
                marked,
            }
        })
}

/// Checks that `out` is `input` with (at most) the `marked` ranges replaced,
/// each replacement being a single-line scalar.
fn only_marked_changed(input: &[u8], marked: &[std::ops::Range<usize>], out: &[u8]) {
    let mut segments = Vec::new();
    let mut at = 0;
    for r in marked {
        segments.push(&input[at..r.start]);
        at = r.end;
    }
    segments.push(&input[at..]);
    let out_str = String::from_utf8_lossy(out);
    let mut rest: &[u8] = out;
    for (i, seg) in segments.iter().enumerate() {
        if i == 0 {
            assert!(rest.starts_with(seg), "prefix changed:\n{out_str}");
            rest = &rest[seg.len()..];
            continue;
        }
        let pos = find(rest, seg).unwrap_or_else(|| panic!("segment {i} changed:\n{out_str}"));
        let replacement = &rest[..pos];
        assert!(
            !replacement.is_empty()
                && !replacement.contains(&b'\n')
                && !replacement.contains(&b'#'),
            "replacement {i} is not a single scalar: {:?}",
            String::from_utf8_lossy(replacement)
        );
        rest = &rest[pos + seg.len()..];
        if i == segments.len() - 1 {
            assert!(rest.is_empty(), "trailing bytes added:\n{out_str}");
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(hay.len());
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn bytes_outside_marked_scalars_never_change(d in doc()) {
        let s = setters();
        let once = s.apply_to_bytes(Path::new("g.yaml"), &d.bytes);
        let out = once.new_bytes.clone().unwrap_or_else(|| d.bytes.clone());
        only_marked_changed(&d.bytes, &d.marked, &out);
        // Every usable marker is reported exactly once, every other one is a problem.
        prop_assert_eq!(once.changes.len() + once.problems.len(), d.marked.len() + problems_from_noise(&d.bytes));

        let twice = s.apply_to_bytes(Path::new("g.yaml"), &out);
        prop_assert!(twice.new_bytes.is_none(), "second run changed:\n{}", String::from_utf8_lossy(&out));
        prop_assert!(twice.changes.iter().all(|c| !c.is_change()));
        prop_assert_eq!(twice.changes.len(), once.changes.len());
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut input = b"\"$imagepolicy\"".to_vec();
        input.extend_from_slice(&bytes);
        let _ = weir_setters::scan(&input);
        let _ = setters().apply_to_bytes(Path::new("x.yaml"), &input);
    }

    #[test]
    fn never_panics_on_yamlish_text(text in "[-:#{}\\[\\]'\"|>&*!?,. \n\t\r\\\\a-z0-9é$]{0,300}") {
        let input = format!("{text} # {{\"$imagepolicy\": \"ns:app\"}}\n{text}");
        let r = setters().apply_to_bytes(Path::new("x.yaml"), input.as_bytes());
        if let Some(out) = r.new_bytes {
            // A rewrite must itself be stable.
            let again = setters().apply_to_bytes(Path::new("x.yaml"), &out);
            prop_assert!(again.new_bytes.is_none());
        }
    }
}

/// The prose comment noise mentions `"$imagepolicy"` without being a marker:
/// one bad-JSON problem per occurrence.
fn problems_from_noise(bytes: &[u8]) -> usize {
    let text = String::from_utf8_lossy(bytes);
    text.matches("# a comment with \"$imagepolicy\" in prose")
        .count()
}
