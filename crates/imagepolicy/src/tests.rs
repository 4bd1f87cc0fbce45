//! Policy tests: Flux's documented behaviour, the seed policy, tie rules, errors,
//! explanations, and property tests.

use super::*;
use proptest::prelude::*;

fn spec(pattern: Option<(&str, &str)>, choice: Choice) -> PolicySpec {
    PolicySpec {
        filter_tags: pattern.map(|(p, e)| FilterTags {
            pattern: p.into(),
            extract: e.into(),
        }),
        choice,
    }
}

fn numerical(order: &str) -> Choice {
    Choice::Numerical {
        order: order.into(),
    }
}

fn alphabetical(order: &str) -> Choice {
    Choice::Alphabetical {
        order: order.into(),
    }
}

fn semver(range: &str) -> Choice {
    Choice::Semver {
        range: range.into(),
    }
}

fn latest<'t>(spec: &PolicySpec, tags: &[&'t str]) -> Result<&'t str, Error> {
    let policy = Policy::new(spec).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
    let result = policy.latest(tags.iter().copied());
    // `explain` must always agree with `latest`.
    let why = policy.explain(tags.iter().copied());
    match (&result, why.selected()) {
        (Ok(t), Some(s)) => assert_eq!(*t, s, "latest and explain disagree"),
        (Err(e), None) => assert_eq!(
            e.to_string(),
            why.outcome
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default()
        ),
        (r, s) => panic!("latest {r:?} but explain selected {s:?}"),
    }
    result
}

const SEED_PATTERN: &str = "^main-[a-fA-F0-9]+-(?P<buildnumber>.*)";

const SEED_TAGS: &[&str] = &[
    "main-d480788-1",
    "main-3c2e5f1-2",
    "main-9b7a0e4-10",
    "main-1f49071-24",
    "main-77aa01c-3",
    "main-e0e0e0e-23",
    "latest",
    "feature-login-4a5b6c7-30",
    "main-abcdef0-9.sig",
    "sha256-1f49071.sig",
];

#[test]
fn seed_policy_selects_highest_build() {
    let s = spec(Some((SEED_PATTERN, "$buildnumber")), numerical("asc"));
    // `main-abcdef0-9.sig` passes the filter with the value `9.sig`, which is not
    // a number: Flux fails the whole policy, and so do we.
    let err = latest(&s, SEED_TAGS).unwrap_err();
    assert_eq!(
        err.to_string(),
        "numerical policy: candidate \"9.sig\" (from tag \"main-abcdef0-9.sig\") is not a number"
    );
    let tags: Vec<&str> = SEED_TAGS
        .iter()
        .copied()
        .filter(|t| !t.ends_with(".sig"))
        .collect();
    assert_eq!(latest(&s, &tags).unwrap(), "main-1f49071-24");
    let desc = spec(Some((SEED_PATTERN, "$buildnumber")), numerical("desc"));
    assert_eq!(latest(&desc, &tags).unwrap(), "main-d480788-1");
}

#[test]
fn filter_is_an_unanchored_search() {
    // Flux docs: pattern '1\.0' also matches 11.0.5 and v1.0-rc.
    let s = spec(Some((r"1\.0", "")), alphabetical("asc"));
    let policy = Policy::new(&s).unwrap();
    let why = policy.explain(["11.0.5", "v1.0-rc", "2.0.0"]);
    let verdicts: Vec<String> = why.entries.iter().map(|e| e.verdict.to_string()).collect();
    assert_eq!(
        verdicts,
        [
            "rank 2 of 2",
            "selected (rank 1 of 2)",
            "filtered out (pattern did not match)"
        ]
    );
}

#[test]
fn flux_documented_examples() {
    // Timestamps extracted from `main-<sha>-<unix ts>`, numerical asc.
    let s = spec(
        Some(("^main-[a-fA-F0-9]+-(?P<ts>.*)", "$ts")),
        numerical("asc"),
    );
    assert_eq!(
        latest(
            &s,
            &[
                "main-abc1234-1651234567",
                "main-def5678-1651299999",
                "main-0000000-1651000000"
            ]
        )
        .unwrap(),
        "main-def5678-1651299999"
    );
    // MinIO-style release stamps, alphabetical asc.
    let s = spec(
        Some((r"^RELEASE\.(?P<timestamp>.*)Z$", "$timestamp")),
        alphabetical("asc"),
    );
    assert_eq!(
        latest(
            &s,
            &[
                "RELEASE.2023-01-31T08-42-01Z",
                "RELEASE.2024-02-01T00-00-00Z",
                "RELEASE.2022-12-12T19-27-27Z",
                "latest"
            ]
        )
        .unwrap(),
        "RELEASE.2024-02-01T00-00-00Z"
    );
    // Semver with a v prefix; the original tag text is returned.
    let s = spec(None, semver(">=1.0.0"));
    assert_eq!(
        latest(&s, &["v1.2.3", "1.1.0", "0.9.0", "latest"]).unwrap(),
        "v1.2.3"
    );
    // 5.0.x picks the newest patch.
    let s = spec(None, semver("5.0.x"));
    assert_eq!(
        latest(&s, &["5.0.1", "5.0.12", "5.1.0", "5.0.3"]).unwrap(),
        "5.0.12"
    );
    // Prereleases only with a prerelease in the range.
    let s = spec(None, semver(">=1.0.0"));
    assert_eq!(latest(&s, &["1.0.0", "1.1.0-rc.1"]).unwrap(), "1.0.0");
    let s = spec(None, semver(">=1.0.0-0"));
    assert_eq!(latest(&s, &["1.0.0", "1.1.0-rc.1"]).unwrap(), "1.1.0-rc.1");
    // Prerelease order is semver §11: rc.10 > rc.9, but rc10 < rc9.
    let s = spec(None, semver(">=1.0.0-0"));
    assert_eq!(
        latest(&s, &["1.0.0-rc.9", "1.0.0-rc.10"]).unwrap(),
        "1.0.0-rc.10"
    );
    assert_eq!(
        latest(&s, &["1.0.0-rc9", "1.0.0-rc10"]).unwrap(),
        "1.0.0-rc9"
    );
}

#[test]
fn alphabetical_is_byte_order() {
    let names = ["xenial", "yakkety", "zesty", "artful", "bionic", "Zeta"];
    assert_eq!(
        latest(&spec(None, alphabetical("asc")), &names).unwrap(),
        "zesty"
    );
    assert_eq!(
        latest(&spec(None, alphabetical("desc")), &names).unwrap(),
        "Zeta"
    );
    assert_eq!(
        latest(&spec(None, alphabetical("")), &names).unwrap(),
        "zesty"
    );
    assert_eq!(
        latest(&spec(None, alphabetical("DESC")), &names).unwrap(),
        "Zeta"
    );
    // No natural ordering: 9 > 10.
    assert_eq!(
        latest(&spec(None, alphabetical("asc")), &["9", "10"]).unwrap(),
        "9"
    );
}

#[test]
fn numerical_uses_go_parse_float() {
    let s = spec(None, numerical("asc"));
    assert_eq!(
        latest(&s, &["1", "0x1p4", "1_5", "-3", "1e1"]).unwrap(),
        "0x1p4"
    );
    assert_eq!(
        latest(
            &spec(None, numerical("desc")),
            &["1", "0x1p4", "-3", "+Inf", "-inf"]
        )
        .unwrap(),
        "-inf"
    );
    assert_eq!(latest(&s, &["1", "Infinity"]).unwrap(), "Infinity");
    // NaN never wins over a number, in either order and any input order.
    assert_eq!(latest(&s, &["NaN", "3", "nan"]).unwrap(), "3");
    assert_eq!(
        latest(&spec(None, numerical("desc")), &["3", "NaN", "5"]).unwrap(),
        "3"
    );
    assert_eq!(latest(&s, &["NaN"]).unwrap(), "NaN");
    // Errors name the candidate and its tag.
    for bad in ["1.2.3", "+NaN", "1e309", "v1", "1_"] {
        let err = latest(&s, &["1", bad]).unwrap_err();
        assert!(
            matches!(&err, Error::NumericalParse { value, .. } if value == bad),
            "{bad}: {err}"
        );
    }
    let err = latest(&s, &["1", "1e400"]).unwrap_err();
    assert!(matches!(
        err,
        Error::NumericalParse {
            source: FloatError::Range,
            ..
        }
    ));
}

#[test]
fn tie_rules() {
    // Same extracted value: the byte-wise smaller tag is kept, in any input order.
    let s = spec(Some(("^[a-z]+-(?P<n>[0-9]+)$", "$n")), numerical("asc"));
    assert_eq!(latest(&s, &["b-7", "a-7", "c-3"]).unwrap(), "a-7");
    assert_eq!(latest(&s, &["a-7", "b-7", "c-3"]).unwrap(), "a-7");
    // Equal numbers with different text: the smaller text wins, asc and desc.
    let s = spec(None, numerical("asc"));
    assert_eq!(latest(&s, &["7", "07", "7.0", "3"]).unwrap(), "07");
    assert_eq!(latest(&s, &["7.0", "3", "07", "7"]).unwrap(), "07");
    let s = spec(None, numerical("desc"));
    assert_eq!(latest(&s, &["3.0", "9", "3"]).unwrap(), "3");
    // Equal semver precedence: the greater text wins.
    let s = spec(None, semver("*"));
    assert_eq!(
        latest(&s, &["1.2.3", "v1.2.3", "1.2.3+b1", "1.0.0"]).unwrap(),
        "v1.2.3"
    );
    assert_eq!(latest(&s, &["1.2.3+b1", "1.2.3"]).unwrap(), "1.2.3+b1");
    // With filterTags, Flux ranges over a Go map (random): Weir picks the
    // byte-wise greatest original tag (flux-compat.md §10.3), after keeping
    // only the smallest tag per extracted value (§5.3).
    let s = spec(Some(("^[a-z]+-(?P<n>[0-9.]+)$", "$n")), numerical("asc"));
    assert_eq!(latest(&s, &["a-07", "b-7", "c-3"]).unwrap(), "b-7");
    assert_eq!(latest(&s, &["b-7", "a-07", "c-3"]).unwrap(), "b-7");
    assert_eq!(latest(&s, &["a-7", "b-07", "c-7.0"]).unwrap(), "c-7.0");
    // "c-7" and "d-7" share the value "7": "c-7" represents it and beats "b-07".
    assert_eq!(latest(&s, &["d-7", "b-07", "c-7"]).unwrap(), "c-7");
    let s = spec(Some(("^[a-z]+-(?P<n>[0-9.]+)$", "$n")), numerical("desc"));
    assert_eq!(latest(&s, &["a-03", "b-3", "c-9"]).unwrap(), "b-3");
    // An empty pattern is still a filter (§5.2 step 4): "7" beats "07" here,
    // while without filterTags "07" wins (§5.6, store order).
    let s = spec(Some(("", "")), numerical("asc"));
    assert_eq!(latest(&s, &["07", "7", "3"]).unwrap(), "7");
    let s = spec(None, numerical("asc"));
    assert_eq!(latest(&s, &["07", "7", "3"]).unwrap(), "07");
    let s = spec(Some(("^[a-z]+-(?P<v>.+)$", "$v")), semver("*"));
    assert_eq!(
        latest(&s, &["x-v1.2.3", "y-1.2.3", "z-1.0.0"]).unwrap(),
        "y-1.2.3"
    );
    assert_eq!(latest(&s, &["y-1.2.3", "x-v1.2.3"]).unwrap(), "y-1.2.3");
    // A value shared by several tags is represented by its smallest tag, and
    // that representative is what the tie rule compares: "b-1.2.3" (value
    // 1.2.3, kept over "z-1.2.3") loses to "c-v1.2.3".
    assert_eq!(
        latest(&s, &["z-1.2.3", "c-v1.2.3", "b-1.2.3"]).unwrap(),
        "c-v1.2.3"
    );
    assert_eq!(
        latest(&s, &["b-1.2.3", "c-v1.2.3", "z-1.2.3"]).unwrap(),
        "c-v1.2.3"
    );
    // Shadowed tags are explained.
    let s = spec(Some(("^[a-z]+-(?P<n>[0-9]+)$", "$n")), numerical("asc"));
    let why = Policy::new(&s).unwrap().explain(["b-7", "a-7"]);
    assert_eq!(
        why.entries[0].verdict,
        Verdict::Shadowed { by: "a-7".into() }
    );
    assert_eq!(why.entries[1].verdict, Verdict::Ranked { rank: 1, of: 1 });
}

#[test]
fn policy_errors() {
    let cases: Vec<(PolicySpec, &str)> = vec![
        (
            spec(Some(("(?=x)", "")), numerical("asc")),
            "invalid filterTags.pattern \"(?=x)\"",
        ),
        (
            spec(None, semver(">= foo")),
            "invalid semver range \">= foo\"",
        ),
        (
            spec(None, numerical("up")),
            "invalid numerical order \"up\" (must be asc or desc)",
        ),
        (
            spec(None, alphabetical("ascending")),
            "invalid alphabetical order \"ascending\" (must be asc or desc)",
        ),
    ];
    for (s, message) in cases {
        let err = Policy::new(&s).unwrap_err();
        assert!(err.is_invalid_policy());
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn selection_errors() {
    let s = spec(Some(("^main-", "")), numerical("asc"));
    assert!(matches!(latest(&s, &[]), Err(Error::NoTags)));
    let err = latest(&s, &["latest", "dev"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "none of the 2 tags matched filterTags.pattern \"^main-\""
    );
    let s = spec(None, semver("^2"));
    let err = latest(&s, &["1.0.0", "v1.5.0", "latest"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no tag matches semver range \"^2\" (2 of 3 candidates are versions)"
    );
    assert!(!err.is_invalid_policy());
}

#[test]
fn extract_templates_shape_the_candidate() {
    let s = spec(
        Some((r"^(?P<date>\d{8})-(?P<seq>\d+)$", "${date}.$seq")),
        numerical("asc"),
    );
    assert_eq!(
        latest(&s, &["20240101-5", "20240101-12", "20231231-99"]).unwrap(),
        "20240101-5"
    );
    // An extract naming no group gives "" for every tag: not a number.
    let s = spec(Some(("^v", "$nope")), numerical("asc"));
    assert!(
        matches!(latest(&s, &["v1"]), Err(Error::NumericalParse { value, .. }) if value.is_empty())
    );
}

#[test]
fn go_ascii_classes_apply_to_tags() {
    // `\d` must not match Arabic-Indic digits, as in Go.
    let s = spec(Some((r"^build-(?P<n>\d+)$", "$n")), numerical("asc"));
    assert_eq!(latest(&s, &["build-3", "build-٩"]).unwrap(), "build-3");
}

#[test]
fn manifest_versions_and_precedence() {
    for version in ["v1", "v1beta2", "v1beta1"] {
        let text = format!(
            "apiVersion: image.toolkit.fluxcd.io/{version}\nkind: ImagePolicy\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  imageRepositoryRef:\n    name: app\n  filterTags:\n    pattern: '^v(?P<v>.*)'\n    extract: '$v'\n  policy:\n    semver:\n      range: '>=1.0'\n    numerical:\n      order: asc\n"
        );
        let m = manifest::parse(&text, std::path::Path::new("p.yaml")).unwrap();
        assert_eq!(m.name, "app");
        assert_eq!(m.namespace.as_deref(), Some("flux-system"));
        assert_eq!(m.image_repository.as_deref(), Some("app"));
        // semver wins over numerical when both are set.
        assert_eq!(m.spec.choice, semver(">=1.0"));
        assert_eq!(m.spec.filter_tags.unwrap().extract, "$v");
    }
}

/// flux-compat §5.5: the CRD's `order` enum is lower case only; the engine
/// (Flux's code) takes any case.
#[test]
fn manifest_order_enum_is_lower_case() {
    let text = |order: &str| {
        format!(
            "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: app\nspec:\n  imageRepositoryRef:\n    name: app\n  policy:\n    alphabetical:\n      order: {order}\n"
        )
    };
    let p = std::path::Path::new("p.yaml");
    assert_eq!(
        manifest::parse(&text("ASC"), p).unwrap_err().to_string(),
        "p.yaml: ImagePolicy \"app\": spec.policy.alphabetical.order: \"ASC\" is not one of asc, desc"
    );
    for order in ["asc", "desc", "''"] {
        assert!(manifest::parse(&text(order), p).is_ok(), "{order}");
    }
    assert!(Policy::new(&spec(None, alphabetical("ASC"))).is_ok());
    assert!(Policy::new(&spec(None, numerical("Desc"))).is_ok());
}

#[test]
fn manifest_errors() {
    let p = std::path::Path::new("dir/policy.yaml");
    let err = |text: &str| manifest::parse(text, p).unwrap_err().to_string();
    assert_eq!(
        err("apiVersion: image.toolkit.fluxcd.io/v1alpha1\nkind: ImagePolicy\n"),
        "dir/policy.yaml: document 1: unsupported apiVersion \"image.toolkit.fluxcd.io/v1alpha1\" for ImagePolicy (expected image.toolkit.fluxcd.io/v1, v1beta2 or v1beta1)"
    );
    assert_eq!(
        err(
            "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\n---\napiVersion: v1\nkind: ConfigMap\n"
        ),
        "dir/policy.yaml: no ImagePolicy document (found: image.toolkit.fluxcd.io/v1 ImageRepository, v1 ConfigMap)"
    );
    assert_eq!(
        err(
            "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: a\nspec:\n  policy: {}\n"
        ),
        "dir/policy.yaml: ImagePolicy \"a\": spec.policy must set one of semver, alphabetical or numerical"
    );
    let e = err(
        "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nspec:\n  policy:\n    semver:\n      range: [1]\n",
    );
    assert!(
        e.starts_with("dir/policy.yaml: invalid ImagePolicy YAML at line 6"),
        "{e}"
    );
    let e = err("kind: ImagePolicy\n  bad: : indent\n");
    assert!(
        e.starts_with("dir/policy.yaml: invalid ImagePolicy YAML at line"),
        "{e}"
    );
    let two = "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: a}\n---\napiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: b}\n";
    assert_eq!(
        err(two),
        "dir/policy.yaml: 2 ImagePolicy documents (a, b); give a file with one"
    );
    assert_eq!(
        err(""),
        "dir/policy.yaml: no ImagePolicy document (found: nothing)"
    );
}

/// Distinct tags `t-<n>` with a numeric suffix, and the policy over them.
fn numbered(ns: &[u32]) -> Vec<String> {
    ns.iter().map(|n| format!("t{n:x}-{n}")).collect()
}

proptest! {
    #[test]
    fn result_is_one_of_the_inputs(tags in proptest::collection::vec("[a-z0-9.-]{1,8}", 1..20)) {
        for choice in [alphabetical("asc"), alphabetical("desc"), semver("*"), semver(">=0.0.0-0")] {
            let s = spec(Some(("^[a-z]", "")), choice);
            let refs: Vec<&str> = tags.iter().map(String::as_str).collect();
            if let Ok(t) = latest(&s, &refs) {
                prop_assert!(refs.contains(&t));
            }
        }
    }

    #[test]
    fn permuting_distinct_inputs_changes_nothing(
        ns in proptest::collection::hash_set(0u32..1000, 1..30),
        seed in any::<u64>(),
    ) {
        let ns: Vec<u32> = ns.into_iter().collect();
        let tags = numbered(&ns);
        let mut shuffled = tags.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            let j = usize::try_from(state % (i as u64 + 1)).unwrap_or(0);
            shuffled.swap(i, j);
        }
        let a: Vec<&str> = tags.iter().map(String::as_str).collect();
        let b: Vec<&str> = shuffled.iter().map(String::as_str).collect();
        for choice in [numerical("asc"), numerical("desc"), alphabetical("asc"), alphabetical("desc")] {
            let s = spec(Some((r"^t[0-9a-f]+-(?P<n>\d+)$", "$n")), choice);
            prop_assert_eq!(latest(&s, &a).unwrap(), latest(&s, &b).unwrap());
        }
        let s = spec(None, alphabetical("asc"));
        prop_assert_eq!(latest(&s, &a).unwrap(), latest(&s, &b).unwrap());
    }

    #[test]
    fn ties_do_not_depend_on_input_order(
        tags in proptest::collection::vec(("[a-d]", "0{0,2}", 0u32..4), 1..12),
        rotate in 0usize..12,
    ) {
        // Many equal values with different texts, and shared extracted values.
        let tags: Vec<String> = tags.iter().map(|(p, z, n)| format!("{p}-{z}{n}")).collect();
        let a: Vec<&str> = tags.iter().map(String::as_str).collect();
        let mut b = a.clone();
        b.reverse();
        let n = b.len();
        b.rotate_left(rotate % n);
        // The numbers alone, for the cases without an extract.
        let nums: Vec<&str> = a.iter().map(|t| &t[2..]).collect();
        let mut nums_b = nums.clone();
        nums_b.reverse();
        for choice in [numerical("asc"), numerical("desc")] {
            let s = spec(Some(("^[a-d]-(?P<n>[0-9]+)$", "$n")), choice.clone());
            // `latest` also checks that `explain` agrees.
            prop_assert_eq!(latest(&s, &a).unwrap(), latest(&s, &b).unwrap());
            for pattern in [Some(("", "")), None] {
                let s = spec(pattern, choice.clone());
                prop_assert_eq!(latest(&s, &nums).unwrap(), latest(&s, &nums_b).unwrap());
            }
        }
    }

    #[test]
    fn asc_and_desc_pick_opposite_ends(ns in proptest::collection::hash_set(0u32..100_000, 1..40)) {
        let ns: Vec<u32> = ns.into_iter().collect();
        let tags = numbered(&ns);
        let refs: Vec<&str> = tags.iter().map(String::as_str).collect();
        let pattern = Some((r"^t[0-9a-f]+-(?P<n>\d+)$", "$n"));
        let max = ns.iter().max().copied().unwrap_or_default();
        let min = ns.iter().min().copied().unwrap_or_default();
        prop_assert_eq!(latest(&spec(pattern, numerical("asc")), &refs).unwrap(), format!("t{max:x}-{max}"));
        prop_assert_eq!(latest(&spec(pattern, numerical("desc")), &refs).unwrap(), format!("t{min:x}-{min}"));
        let mut sorted = refs.clone();
        sorted.sort_unstable();
        prop_assert_eq!(latest(&spec(None, alphabetical("asc")), &refs).unwrap(), *sorted.last().unwrap());
        prop_assert_eq!(latest(&spec(None, alphabetical("desc")), &refs).unwrap(), sorted[0]);
    }

    #[test]
    fn semver_result_satisfies_the_range_and_is_maximal(
        vs in proptest::collection::vec((0u64..4, 0u64..4, 0u64..4, proptest::bool::ANY), 1..15),
    ) {
        let tags: Vec<String> = vs.iter().map(|(a, b, c, v)| format!("{}{a}.{b}.{c}", if *v { "v" } else { "" })).collect();
        let refs: Vec<&str> = tags.iter().map(String::as_str).collect();
        let range = weir_semver::Constraints::parse(">=1.1 <3").unwrap();
        match latest(&spec(None, semver(">=1.1 <3")), &refs) {
            Ok(t) => {
                let chosen = weir_semver::parse_tag(t).unwrap();
                prop_assert!(range.matches(&chosen));
                for other in &refs {
                    let o = weir_semver::parse_tag(other).unwrap();
                    if range.matches(&o) {
                        prop_assert!(o.cmp_precedence(&chosen) != std::cmp::Ordering::Greater);
                    }
                }
            }
            Err(Error::NoSemverMatch { .. }) => {
                prop_assert!(refs.iter().all(|t| !range.matches(&weir_semver::parse_tag(t).unwrap())));
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }
}

/// flux-compat §5.6: Go `strconv.ParseFloat(s, 64)`; rows checked against Go.
#[test]
fn numerical_parse_matches_go_parse_float() {
    let ok: &[(&str, f64)] = &[
        ("42", 42.0),
        ("-3", -3.0),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("0x1p4", 16.0),
        ("+7", 7.0),
        ("1_5", 15.0),
        ("1_000", 1000.0),
        ("0x_1p0", 1.0),
        ("017", 17.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e-400", 0.0),
        ("0x1.8p1", 3.0),
        ("Infinity", f64::INFINITY),
        ("Inf", f64::INFINITY),
        ("-inf", f64::NEG_INFINITY),
    ];
    for (s, want) in ok {
        assert_eq!(
            parse_float(s).unwrap_or_else(|e| panic!("{s}: {e}")),
            *want,
            "{s}"
        );
    }
    assert!(parse_float("NaN").is_ok_and(f64::is_nan));
    for bad in [
        "1e309", "+NaN", "1_", "0b101", "0o17", "0x10", "1__0", "", "latest",
    ] {
        assert!(parse_float(bad).is_err(), "{bad} should not parse");
    }
    // One unparsable candidate fails the whole policy, even when a number would win.
    let s = spec(None, numerical("asc"));
    assert!(matches!(
        latest(&s, &["100", "latest", "5"]),
        Err(Error::NumericalParse { .. })
    ));
}

/// flux-compat §5.2 step 4 and §5.3: a present `filterTags` with an empty
/// pattern keeps every tag; `extract` concatenates and names the longest
/// identifier; unknown groups expand to nothing.
#[test]
fn filter_and_extract_rules() {
    let s = spec(Some(("", "")), alphabetical("asc"));
    assert_eq!(latest(&s, &["a", "c", "b"]).unwrap(), "c");
    let p = r"^(?P<ts>\d+)-(?P<inc>\d+)$";
    let s = spec(Some((p, "$ts$inc")), numerical("asc"));
    assert_eq!(
        latest(&s, &["20240101-9", "20240101-10"]).unwrap(),
        "20240101-10"
    );
    let why = Policy::new(&s).unwrap().explain(["20240101-9"]);
    assert_eq!(why.entries[0].value.as_deref(), Some("202401019"));
    let expand = |extract: &str, tag: &str| {
        let s = spec(Some((p, extract)), alphabetical("asc"));
        let why = Policy::new(&s).unwrap().explain([tag]);
        why.entries[0].value.clone().unwrap_or_default()
    };
    assert_eq!(expand("${ts}_x", "1-2"), "1_x");
    assert_eq!(expand("$ts_x", "1-2"), "");
    assert_eq!(expand("$1.$2", "1-2"), "1.2");
    assert_eq!(expand("$$ts", "1-2"), "$ts");
    assert_eq!(expand("$nope", "1-2"), "");
    assert_eq!(expand("v$inc", "1-2"), "v2");
}

#[test]
fn go_regex_helpers_are_public() {
    // For other Flux fields holding Go regexps (ImageRepository exclusionList).
    let re = crate::compile_go_regex(r"^.*\.sig$").unwrap();
    assert!(re.is_match("sha256-abc.sig"));
    assert!(crate::compile_go_regex(r"^\d+$").unwrap().is_match("42"));
    assert!(!crate::compile_go_regex(r"^\d+$").unwrap().is_match("٤٢"));
    assert_eq!(crate::translate_go_regex(r"^\d$").unwrap(), "^[0-9]$");
    assert!(crate::compile_go_regex("(?=x)").is_err());
}
