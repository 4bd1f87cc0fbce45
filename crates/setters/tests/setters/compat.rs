//! `flux-compat.md` §6.3 (setter markers, exact grammar), rule by rule.

use std::path::Path;

use weir_setters::Setters;

fn setters() -> Setters {
    Setters::new([
        (
            "flux-system:app".to_owned(),
            "ghcr.io/org/app:2.0.0".parse().expect("valid"),
        ),
        (
            "flux-system:num".to_owned(),
            "ghcr.io/org/num:1.10".parse().expect("valid"),
        ),
    ])
}

/// The file after applying the setters, and the problem kinds.
fn apply(src: &str) -> (String, Vec<&'static str>) {
    let r = setters().apply_to_bytes(Path::new("f.yaml"), src.as_bytes());
    let out = r
        .new_bytes
        .map_or_else(|| src.to_owned(), |b| String::from_utf8(b).expect("utf-8"));
    (out, r.problems.iter().map(|p| p.kind.name()).collect())
}

#[test]
fn the_five_documented_forms() {
    let src = concat!(
        "image: ghcr.io/org/app:1.0.0 # {\"$imagepolicy\": \"flux-system:app\"}\n",
        "repository: ghcr.io/org/old  # {\"$imagepolicy\": \"flux-system:app:name\"}\n",
        "tag: 1.0.0                   # {\"$imagepolicy\": \"flux-system:app:tag\"}\n",
        "list:\n",
        "- ghcr.io/org/app:1.0.0      # {\"$imagepolicy\": \"flux-system:app\"}\n",
        "- # {\"$imagepolicy\": \"flux-system:app:tag\"}\n",
        "  1.0.0\n",
        "# {\"$imagepolicy\": \"flux-system:app\"}\n",
        "- ghcr.io/org/app:1.0.0\n",
    );
    let (out, problems) = apply(src);
    assert_eq!(
        out,
        concat!(
            "image: ghcr.io/org/app:2.0.0 # {\"$imagepolicy\": \"flux-system:app\"}\n",
            "repository: ghcr.io/org/app  # {\"$imagepolicy\": \"flux-system:app:name\"}\n",
            "tag: 2.0.0                   # {\"$imagepolicy\": \"flux-system:app:tag\"}\n",
            "list:\n",
            "- ghcr.io/org/app:2.0.0      # {\"$imagepolicy\": \"flux-system:app\"}\n",
            "- # {\"$imagepolicy\": \"flux-system:app:tag\"}\n",
            "  2.0.0\n",
            "# {\"$imagepolicy\": \"flux-system:app\"}\n",
            "- ghcr.io/org/app:2.0.0\n",
        )
    );
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn what_is_not_a_marker() {
    for src in [
        // A comment above `key: value` belongs to the key.
        "# {\"$imagepolicy\": \"flux-system:app\"}\nimage: ghcr.io/org/app:1.0.0\n",
        // Extra text around the JSON.
        "image: a:1 # set by {\"$imagepolicy\": \"flux-system:app\"}\n",
        "image: a:1 # {\"$imagepolicy\": \"flux-system:app\"} please\n",
        // Single quotes are not JSON.
        "image: a:1 # {'$imagepolicy': 'flux-system:app'} \"$imagepolicy\"\n",
        // Every value must be a string.
        "image: a:1 # {\"$imagepolicy\": \"flux-system:app\", \"n\": 1}\n",
        // `/` is not a separator; the namespace is mandatory.
        "image: a:1 # {\"$imagepolicy\": \"flux-system/app\"}\n",
        "image: a:1 # {\"$imagepolicy\": \"app\"}\n",
        // No partial substitution inside a longer string.
        "args: [\"--image=a:1\"] # {\"$imagepolicy\": \"flux-system:app\"}\n",
        // An unknown policy leaves the marker untouched.
        "image: a:1 # {\"$imagepolicy\": \"flux-system:nope\"}\n",
    ] {
        let (out, _) = apply(src);
        assert_eq!(out, src, "{src}");
    }
}

#[test]
fn what_is_a_marker() {
    // Leading `#`s are stripped, JSON spacing is free, extra string keys are allowed.
    let (out, problems) = apply(
        "a: x:1 ##{\"$imagepolicy\":\"flux-system:app\",\"note\":\"hi\"}\nb: 1 #   {  \"$imagepolicy\" : \"flux-system:app:tag\" }  \n",
    );
    assert_eq!(
        out,
        "a: ghcr.io/org/app:2.0.0 ##{\"$imagepolicy\":\"flux-system:app\",\"note\":\"hi\"}\nb: 2.0.0 #   {  \"$imagepolicy\" : \"flux-system:app:tag\" }  \n"
    );
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn values_that_would_not_read_as_strings_get_double_quotes() {
    // `1.10` reads as a float in YAML: a plain scalar is double-quoted, a
    // quoted one keeps its quotes.
    let (out, _) = apply(
        "a: v1 # {\"$imagepolicy\": \"flux-system:num:tag\"}\nb: 'v1' # {\"$imagepolicy\": \"flux-system:num:tag\"}\n",
    );
    assert_eq!(
        out,
        "a: \"1.10\" # {\"$imagepolicy\": \"flux-system:num:tag\"}\nb: '1.10' # {\"$imagepolicy\": \"flux-system:num:tag\"}\n"
    );
    for tag in ["123", "true", "1e3", "yes", "null"] {
        let s = Setters::new([(
            "ns:x".to_owned(),
            format!("ghcr.io/org/x:{tag}").parse().expect("valid"),
        )]);
        let r = s.apply_to_bytes(
            Path::new("f.yaml"),
            b"t: v # {\"$imagepolicy\": \"ns:x:tag\"}\n",
        );
        let out = String::from_utf8(r.new_bytes.expect("changed")).expect("utf-8");
        assert_eq!(
            out,
            format!("t: \"{tag}\" # {{\"$imagepolicy\": \"ns:x:tag\"}}\n")
        );
    }
}

#[test]
fn only_files_with_the_quoted_token_are_read() {
    // The screen looks for `"$imagepolicy"` with its quotes.
    let src = "image: a:1 # {$imagepolicy: flux-system:app}\n";
    let r = setters().apply_to_bytes(Path::new("f.yaml"), src.as_bytes());
    assert!(r.changes.is_empty() && r.problems.is_empty());
}
