//! Unit tests: Masterminds' documented behaviour, Flux's strict tag parsing.

use super::*;
use proptest::prelude::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("test version {s}: {e}"))
}

fn check(range: &str, version: &str) -> bool {
    Constraints::parse(range)
        .unwrap_or_else(|e| panic!("range {range:?}: {e}"))
        .matches(&v(version))
}

/// (range, version, expected) rows, grouped by the rule they exercise.
const CASES: &[(&str, &str, bool)] = &[
    // Exact and partial equality: a partial version means a wildcard.
    ("=2.0.0", "1.2.3", false),
    ("=2.0.0", "2.0.0", true),
    ("2.0.0", "2.0.0+build.7", true),
    ("=2.0", "2.0.1", true),
    ("=2.0", "2.1.0", false),
    ("1.2", "1.2.9", true),
    ("1.2", "1.3.0", false),
    ("v1.2.3", "1.2.3", true),
    ("=0", "1.0.0", false),
    ("4.1", "4.1.0", true),
    // Not equal, with wildcards.
    ("!=4.1.0", "4.1.0", false),
    ("!=4.1.0", "4.1.1", true),
    ("!=4.1", "4.1.0", false),
    ("!=4.1", "4.1.7", false),
    ("!=4.1", "5.1.0", true),
    ("!=4.x", "4.9.0", false),
    ("!=4.x", "5.1.0", true),
    ("!=4.1.x", "4.2.0", true),
    ("!=4.2.x", "4.2.3", false),
    ("!=4.1-alpha", "4.1.0", true),
    // Greater / less with partial versions.
    (">1.1", "4.1.0", true),
    (">1.1", "1.1.0", false),
    (">1.1", "1.1.9", false),
    (">1.1", "1.2.0", true),
    (">11", "11.1.0", false),
    (">11", "12.0.0", true),
    ("<11", "0.1.0", true),
    ("<11", "11.1.0", false),
    ("<1.1", "1.0.9", true),
    ("<1.1", "1.1.0", false),
    ("<1.x", "0.1.1", true),
    ("<1.x", "1.1.1", false),
    ("<1.1.x", "1.0.500", true),
    ("<1.1.x", "1.1.500", false),
    (">=1.1", "1.1.0", true),
    (">=1.1", "0.0.9", false),
    (">=11.1", "11.0.2", false),
    ("<=1.1", "1.1.1", true),
    ("<=1.1", "1.2.3", false),
    ("<=11", "11.2.3", true),
    ("<=11", "12.2.3", false),
    ("<=1.x", "1.9.0", true),
    ("<=2.x", "3.0.0", false),
    ("<=1.1.x", "1.2.500", false),
    ("=>1.2", "1.2.0", true),
    ("=<1.2", "1.2.5", true),
    // Wildcards.
    ("*", "4.5.6", true),
    ("x", "0.0.0", true),
    ("2.*", "2.1.1", true),
    ("2.*", "3.4.5", false),
    ("2.1.*", "2.1.1", true),
    ("2.1.X", "2.2.1", false),
    ("0.x.x", "1.2.3", false),
    ("0.0.x", "0.0.7", true),
    // Tilde.
    ("~1.2.3", "1.2.4", true),
    ("~1.2.3", "1.2.2", false),
    ("~1.2.3", "1.3.4", false),
    ("~1.2", "1.2.4", true),
    ("~1.2", "1.3.0", false),
    ("~1", "1.9.4", true),
    ("~1", "2.0.0", false),
    ("~1.x", "1.3.5", true),
    ("~>1.2", "1.2.8", true),
    ("~0.2.3", "0.2.5", true),
    ("~0.2.3", "0.3.5", false),
    ("~*", "2.1.1", true),
    ("~0.0.0", "1.2.3", true),
    // Caret.
    ("^1.2.3", "1.8.9", true),
    ("^1.2.3", "2.0.0", false),
    ("^1.2.3", "1.2.1", false),
    ("^1.2", "1.8.9", true),
    ("^1", "1.8.9", true),
    ("^1", "2.8.9", false),
    ("^1.x", "1.1.1", true),
    ("^2.x", "1.1.1", false),
    ("^0.2.3", "0.2.5", true),
    ("^0.2.3", "0.3.0", false),
    ("^0.2", "0.2.5", true),
    ("^0.0.3", "0.0.3", true),
    ("^0.0.3", "0.0.4", false),
    ("^0.0", "0.0.3", true),
    ("^0.0", "0.1.0", false),
    ("^0", "0.9.3", true),
    ("^0", "1.0.0", false),
    ("^0.0.0", "1.2.3", false),
    // AND by space or comma, OR by ||.
    (">1.1, <2", "1.1.1", false),
    (">1.1, <2", "1.2.1", true),
    (">1.1 <2", "1.2.1", true),
    (">1.1    <3", "4.3.2", false),
    ("> 1.1 ,  < 2", "1.5.0", true),
    (">=1.1 <2 !=1.2.3", "1.2.3", false),
    (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
    (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", false),
    (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true),
    (">=1.2 <2.0 || ^3.1", "3.9.1", true),
    // Hyphen ranges (spaces around the hyphen are required).
    ("1.1 - 2", "1.1.1", true),
    ("1.1 - 2", "2.9.9", true),
    ("1.1 - 2", "3.0.0", false),
    ("1.5.0 - 4.5", "3.7.0", true),
    ("1.2 - 1.4.5", "1.4.6", false),
    ("1.0.0 - 2.0.0 <=2.0.0", "1.5.0", true),
    ("1.0.0 - 2.0.0, <=2.0.0", "1.5.0", true),
    ("1.1-3", "4.3.2", false),
    ("3 - 4 || => 3.0, < 4", "4.5.0", true),
    // Prereleases: only when the AND group names one, then of any tuple.
    ("*", "1.2.3-alpha.1", false),
    ("*-0", "1.2.3-alpha.1", true),
    (">=1.1", "4.1.0-beta", false),
    ("<=1.1-a", "0.1.0-alpha", true),
    ("^1.x", "1.1.1-beta1", false),
    ("^1.1.2-alpha", "1.2.1-beta1", true),
    ("^1.2.0-alpha.0", "1.2.1-alpha.1", true),
    ("^1.2.0-alpha.2", "1.2.0-alpha.1", false),
    ("~1.2.3-beta.2", "1.2.4-beta.2", true),
    ("~1.2.3-beta.2", "1.3.4-beta.2", false),
    ("~1.1.1-beta", "1.1.1-alpha", false),
    ("~1.1.1-beta", "1.1.1", true),
    (">=0.0.0-0", "3.4.5-beta.1", true),
    (">0-0", "0.0.1-alpha", false),
    (">=0-0", "0.0.1-alpha", true),
    ("<0-z", "0.0.0-alpha", true),
    (">1.2.3-alpha.1", "1.3.3-alpha.2", true),
    // The AND-group rule: one prerelease comparator opens the whole group.
    (">=1.2.0-alpha <1.3.0", "1.3.0-alpha", true),
    (">=1.0.0-0 <2.0.0", "1.5.0-rc.1", true),
    (">=1.0.0 <2.0.0", "1.5.0-rc.1", false),
    (">=1.0.0 <2.0.0 || >=3.0.0-0", "1.5.0-rc.1", false),
    (">=1.0.0 <2.0.0 || >=3.0.0-0", "3.5.0-rc.1", true),
    // Prerelease precedence follows semver §11.
    (">1.0.0-rc.9", "1.0.0-rc.10", true),
    (">1.0.0-rc9", "1.0.0-rc10", false),
];

#[test]
fn masterminds_documented_examples() {
    let mut failures = Vec::new();
    for &(range, version, expected) in CASES {
        if check(range, version) != expected {
            failures.push(format!("{range:?} vs {version}: expected {expected}"));
        }
    }
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}

#[test]
fn group_and_comparator_counts() {
    for (range, groups, first_group_len) in [
        (">= 1.1", 1, 1),
        (">40.50.60, < 50.70", 1, 2),
        ("v2.3.5-20161202202307-sha.e8fc5e5", 1, 1),
        (">= 1.2.3 < 2.0 || => 3.0 < 4", 2, 2),
        ("3 - 4 || => 3.0, < 4", 2, 2),
        ("12.3.34 ~1.2.3", 1, 2),
        ("1.0.0 - 2.0.0, <=2.0.0", 1, 3),
    ] {
        let c = Constraints::parse(range).unwrap();
        assert_eq!(c.groups.len(), groups, "{range}");
        assert_eq!(c.groups[0].comparators.len(), first_group_len, "{range}");
    }
}

#[test]
fn rejected_constraints() {
    for range in [
        "",
        "   ",
        "foo",
        ">= bar",
        "BAR >= 1.2.3",
        "12.3.4.1234",
        "12.3.34~ 1.2.3",
        "1.2.",
        ">=1.0 ||",
        "|| 1.0",
        ">=1.0,,<2",
        ">=1.0,",
        "1.2.3-01",
        "1.2.3-",
        "99999999999999999999.0.0",
        "1|2.0",
        ">=1.0 - 2.0",
        "~ 1.x.y",
    ] {
        assert!(
            Constraints::parse(range).is_err(),
            "{range:?} should be rejected"
        );
    }
    let long = "1".repeat(MAX_CONSTRAINT_LEN + 1);
    assert_eq!(
        Constraints::parse(&long),
        Err(ParseError::TooLong {
            len: MAX_CONSTRAINT_LEN + 1
        })
    );
    let many = vec!["1.0.0"; MAX_CONSTRAINT_GROUPS + 1].join("||");
    assert_eq!(
        Constraints::parse(&many),
        Err(ParseError::TooManyGroups {
            groups: MAX_CONSTRAINT_GROUPS + 1
        })
    );
}

#[test]
fn accepted_odd_but_valid_constraints() {
    // Masterminds coerces leading zeros in constraint versions and allows a
    // space between operator and version.
    assert!(check("01.2.3", "1.2.3"));
    assert!(check(">=   1.2", "1.2.0"));
    assert!(check("\t>=1.2\n", "1.2.0"));
    assert!(check(">=1.2.3+build.5", "1.2.3"));
}

#[test]
fn hyphen_rewrite_matches_masterminds() {
    for (input, expected) in [
        ("2 - 3", ">= 2, <= 3 "),
        ("2 - 3, 2 - 3", ">= 2, <= 3 ,>= 2, <= 3 "),
        ("2 - 3 4.0.0 - 5.1", ">= 2, <= 3 >= 4.0.0, <= 5.1 "),
        ("1.0.0 - 2.0.0 <=2.0.0", ">= 1.0.0, <= 2.0.0 <=2.0.0"),
        ("1.2.3-beta - 2", ">= 1.2.3-beta, <= 2 "),
        ("1.1-3", "1.1-3"),
        (">=1.0", ">=1.0"),
    ] {
        assert_eq!(rewrite_hyphen_ranges(input), expected, "{input}");
    }
}

#[test]
fn flux_tag_parsing_is_strict() {
    for ok in [
        "1.2.3",
        "v1.2.3",
        "1.2.3-rc.1+b5",
        "v0.0.0",
        "1.0.0-0A.is.legal",
        "2.0.0+build.01",
    ] {
        assert!(parse_tag(ok).is_some(), "{ok} should parse");
    }
    for bad in [
        "1.2",
        "v1",
        "latest",
        "1.2.3.4",
        "01.2.3",
        "1.02.3",
        "1.2.03",
        "vv1.2.3",
        "V1.2.3",
        "sha-abc",
        "1.2.3-",
        "1.2.3+",
        "1.2.3-01",
        "1.2.3-rc..1",
        " 1.2.3",
        "1.2.3_build.4",
        "18446744073709551616.0.0",
        "",
    ] {
        assert!(parse_tag(bad).is_none(), "{bad} should not parse");
    }
    // The original text is kept by the caller; precedence ignores build metadata.
    let a = parse_tag("v1.2.3").unwrap();
    let b = parse_tag("1.2.3+build").unwrap();
    assert_eq!(cmp_precedence(&a, &b), Ordering::Equal);
}

#[test]
fn display_keeps_the_original_text() {
    let c: Constraints = ">= 1.2, < 2".parse().unwrap();
    assert_eq!(c.to_string(), ">= 1.2, < 2");
    assert_eq!(c.as_str(), ">= 1.2, < 2");
    assert!(!c.admits_prereleases());
    assert!(Constraints::parse("^1.0.0-0").unwrap().admits_prereleases());
}

#[test]
fn error_messages() {
    let e = Constraints::parse(">= bar").unwrap_err();
    assert_eq!(e.to_string(), "improper constraint \">= bar\"");
    let e = Constraints::parse("1.2.3-01").unwrap_err();
    assert_eq!(e.to_string(), "invalid version \"1.2.3-01\" in constraint");
    let e = Constraints::parse("1.0 ||").unwrap_err();
    assert_eq!(e.to_string(), "empty constraint group \"\"");
}

proptest! {
    #[test]
    fn parsing_never_panics(s in "\\PC{0,40}") {
        let _ = Constraints::parse(&s);
        let _ = parse_tag(&s);
    }

    #[test]
    fn parsing_grammar_like_input_never_panics(s in "[ v0-9xX*.,|<>=!~^+a-z-]{0,30}") {
        if let Ok(c) = Constraints::parse(&s) {
            for t in ["0.0.0", "1.2.3", "1.2.3-rc.1", "10.0.0"] {
                let _ = c.matches(&v(t));
            }
        }
    }

    #[test]
    fn exact_version_matches_itself(major in 0u64..50, minor in 0u64..50, patch in 0u64..50) {
        let text = format!("{major}.{minor}.{patch}");
        prop_assert!(check(&text, &text));
        let (ge, gt) = (format!(">={text}"), format!(">{text}"));
        let (tilde, caret) = (format!("~{text}"), format!("^{text}"));
        prop_assert!(check(&ge, &text));
        prop_assert!(!check(&gt, &text));
        prop_assert!(check(&tilde, &text));
        prop_assert!(check(&caret, &text));
    }

    #[test]
    fn or_is_union(a in 0u64..5, b in 0u64..5, x in 0u64..6) {
        let left = format!("^{a}.0.0");
        let right = format!("~{b}.1");
        let version = format!("{x}.1.0");
        prop_assert_eq!(
            check(&format!("{left} || {right}"), &version),
            check(&left, &version) || check(&right, &version)
        );
    }
}

/// Every example of `flux-compat.md` §5.4 (constraint table, prerelease rule,
/// prerelease ordering, build metadata, strict tag parsing).
#[test]
fn flux_compat_5_4_examples() {
    let rows: &[(&str, &str, bool)] = &[
        ("1.2.3", "1.2.3", true),
        ("=1.2.3", "1.2.4", false),
        ("!=1.2.3", "1.2.3", false),
        (">1.2.3", "1.2.4", true),
        ("<1.2.3", "1.2.2", true),
        (">=1.2 <2.0", "1.9.9", true),
        (">=1.2, <2.0", "2.0.0", false),
        ("<1.0 || >=2.0", "1.5.0", false),
        ("<1.0 || >=2.0", "2.1.0", true),
        ("1.2 - 1.4.5", "1.2.0", true),
        ("1.2 - 1.4.5", "1.4.5", true),
        ("1.2 - 1.4.5", "1.4.6", false),
        ("1.2.x", "1.2.9", true),
        ("1.2.x", "1.3.0", false),
        ("1.2.*", "1.2.0", true),
        ("1.2.X", "1.1.9", false),
        ("*", "0.0.0", true),
        ("x", "9.9.9", true),
        ("~1.2.3", "1.2.9", true),
        ("~1.2.3", "1.3.0", false),
        ("~1.2", "1.2.0", true),
        ("~1.2", "1.3.0", false),
        ("~1", "1.9.0", true),
        ("~1", "2.0.0", false),
        ("^1.2.3", "1.9.9", true),
        ("^1.2.3", "2.0.0", false),
        ("^0.2.3", "0.2.9", true),
        ("^0.2.3", "0.3.0", false),
        ("^0.0.3", "0.0.3", true),
        ("^0.0.3", "0.0.4", false),
        ("^0", "0.9.9", true),
        ("^0", "1.0.0", false),
        (">=v1.0.0", "1.0.0", true),
        // Prerelease rule: none in the group rejects every prerelease...
        ("*", "1.0.0-rc.1", false),
        (">=1.0.0", "1.5.0-rc.1", false),
        // ...one `-0` comparator admits prereleases of any tuple.
        (">=1.0.0-0", "1.5.0-rc.1", true),
        ("^1.x-0", "1.5.0-rc.1", true),
        ("^1.x-0", "2.0.0-rc.1", false),
        (">=1.0.0-0 <2.0.0", "1.9.0-alpha", true),
        // Build metadata is ignored for matching.
        ("1.2.3", "1.2.3+b5", true),
        ("<=1.2.3", "1.2.3+b5", true),
    ];
    for (range, version, expected) in rows {
        assert_eq!(check(range, version), *expected, "{range} on {version}");
    }
    // Prerelease ordering follows semver §11.
    let lt = |a: &str, b: &str| cmp_precedence(&v(a), &v(b)) == Ordering::Less;
    assert!(lt("1.0.0-rc10", "1.0.0-rc9"));
    assert!(lt("1.0.0-rc.9", "1.0.0-rc.10"));
    assert!(lt("1.0.0-RC1", "1.0.0-rc1"), "upper case sorts first");
    assert!(lt("1.0.0-rc.1", "1.0.0"));
    assert_eq!(
        cmp_precedence(&v("1.2.3"), &v("1.2.3+build")),
        Ordering::Equal
    );
    // Tag parsing: one leading `v`, then strict SemVer.
    for ok in ["v1.2.3", "1.2.3-rc.1+b5"] {
        assert!(parse_tag(ok).is_some(), "{ok}");
    }
    for bad in [
        "1.2", "v1", "latest", "1.2.3.4", "01.2.3", "1.02.3", "sha-abc",
    ] {
        assert!(parse_tag(bad).is_none(), "{bad}");
    }
}
