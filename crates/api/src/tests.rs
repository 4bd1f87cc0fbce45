use serde_json::json;

use super::*;

fn read(doc: serde_json::Value) -> Object {
    Object::from_value(&doc).unwrap().unwrap()
}

fn err(doc: serde_json::Value) -> String {
    Object::from_value(&doc).unwrap_err().to_string()
}

fn iua(spec: serde_json::Value) -> serde_json::Value {
    json!({
        "apiVersion": "image.toolkit.fluxcd.io/v1beta1",
        "kind": "ImageUpdateAutomation",
        "metadata": {"name": "flux-system", "namespace": "flux-system"},
        "spec": spec,
    })
}

fn seed_iua_spec() -> serde_json::Value {
    json!({
        "interval": "1m0s",
        "sourceRef": {"kind": "GitRepository", "name": "microservices-demo"},
        "git": {
            "checkout": {"ref": {"branch": "main"}},
            "commit": {
                "author": {"email": "fluxcdbot@users.noreply.github.com", "name": "fluxcdbot"},
                "messageTemplate": "{{range .Updated.Images}}{{println .}}{{end}}"
            },
            "push": {"branch": "main"}
        },
        "update": {"path": "./overlays/development", "strategy": "Setters"}
    })
}

#[test]
fn seed_automation_reads_with_defaults() {
    let Object::ImageUpdateAutomation(a) = read(iua(seed_iua_spec())) else {
        panic!()
    };
    assert_eq!(a.id(), "flux-system/flux-system");
    assert_eq!(
        a.source(),
        ("flux-system".to_owned(), "microservices-demo".to_owned())
    );
    assert_eq!(a.update_path(), "./overlays/development");
    let repo = git_repo(json!({"url": "https://example.com/x.git", "interval": "1m"}));
    let checkout = a.checkout_ref(&repo);
    assert_eq!(checkout.branch.as_deref(), Some("main"));
    assert_eq!(a.push_branch(&checkout).as_deref(), Some("main"));
    assert_eq!(a.interval(), std::time::Duration::from_secs(60));
}

fn git_repo(spec: serde_json::Value) -> GitRepository {
    let Object::GitRepository(g) = read(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1beta2",
        "kind": "GitRepository",
        "metadata": {"name": "microservices-demo", "namespace": "flux-system"},
        "spec": spec,
    })) else {
        panic!()
    };
    g
}

#[test]
fn git_repository_defaults_and_validation() {
    let g = git_repo(
        json!({"url": "https://example.com/x.git", "interval": "1m", "gitImplementation": "go-git"}),
    );
    assert_eq!(g.reference().branch.as_deref(), Some("master"));
    assert_eq!(g.timeout(), DEFAULT_GIT_TIMEOUT);
    let e = err(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "x"},
        "spec": {"url": "git@github.com:org/repo", "interval": "1m"},
    }));
    assert_eq!(
        e,
        "GitRepository default/x: spec.url: \"git@github.com:org/repo\" must start with http://, https:// or ssh://"
    );
    let e = err(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "x"},
        "spec": {"url": "https://h/r", "interval": "1m", "timeout": "1h"},
    }));
    assert!(e.contains("spec.timeout"), "{e}");
}

/// flux-compat §2.1: `provider` enum and `ref.semver` range are checked.
#[test]
fn git_repository_provider_and_semver_ref() {
    let doc = |spec: serde_json::Value| {
        json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": "repo", "namespace": "flux-system"},
            "spec": spec,
        })
    };
    for provider in ["generic", "aws", "azure", "github"] {
        read(doc(
            json!({"url": "https://h/r", "interval": "1m", "provider": provider}),
        ));
    }
    assert_eq!(
        err(doc(
            json!({"url": "https://h/r", "interval": "1m", "provider": "gitlab"})
        )),
        "GitRepository flux-system/repo: spec.provider: \"gitlab\" is not one of generic, aws, azure, github"
    );
    read(doc(
        json!({"url": "https://h/r", "interval": "1m", "ref": {"semver": ">=1.0.0 <2"}}),
    ));
    let e = err(doc(
        json!({"url": "https://h/r", "interval": "1m", "ref": {"semver": ">= bar"}}),
    ));
    assert!(
        e.starts_with(
            "GitRepository flux-system/repo: spec.ref.semver: \">= bar\" is not a semver range"
        ),
        "{e}"
    );
}

#[test]
fn automation_checkout_and_push_branch_fallbacks() {
    let mut spec = seed_iua_spec();
    spec["git"].as_object_mut().unwrap().remove("push");
    spec["git"].as_object_mut().unwrap().remove("checkout");
    let Object::ImageUpdateAutomation(a) = read(iua(spec)) else {
        panic!()
    };
    let repo = git_repo(json!({"url": "https://h/r", "interval": "1m", "ref": {"branch": "dev"}}));
    let checkout = a.checkout_ref(&repo);
    assert_eq!(a.push_branch(&checkout).as_deref(), Some("dev"));
    let tag = GitRepositoryRef {
        tag: Some("v1".into()),
        ..Default::default()
    };
    assert_eq!(a.push_branch(&tag), None);
}

#[test]
fn automation_validation_names_the_field() {
    let mut spec = seed_iua_spec();
    spec["git"]["commit"]["author"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    assert_eq!(
        err(iua(spec)),
        "ImageUpdateAutomation flux-system/flux-system: spec.git.commit.author.email: is required"
    );
    let mut spec = seed_iua_spec();
    spec["interval"] = json!("1d");
    assert!(err(iua(spec)).contains("spec.interval: \"1d\" is not a duration"));
    let mut spec = seed_iua_spec();
    spec["update"]["strategy"] = json!("Other");
    assert!(err(iua(spec)).contains("spec.update.strategy: must be Setters"));
    // flux-compat §6.1: update.path is secure-joined inside the clone by the
    // runner, not refused: `../elsewhere` and `/elsewhere` are valid.
    for path in ["../elsewhere", "/elsewhere", "./apps"] {
        let mut spec = seed_iua_spec();
        spec["update"]["path"] = json!(path);
        let Object::ImageUpdateAutomation(a) = read(iua(spec)) else {
            panic!("not an ImageUpdateAutomation")
        };
        assert_eq!(a.update_path(), path);
    }
    let mut spec = seed_iua_spec();
    spec["interval"] = json!(5);
    let e = err(iua(spec));
    assert!(e.contains("does not match the schema"), "{e}");
}

#[test]
fn versions_and_foreign_kinds() {
    for v in ["v1", "v1beta2", "v1beta1"] {
        let doc = json!({
            "apiVersion": format!("image.toolkit.fluxcd.io/{v}"),
            "kind": "ImageRepository",
            "metadata": {"name": "front-end", "namespace": "flux-system"},
            "spec": {"image": "weaveworksdemos/front-end", "interval": "1m0s"},
        });
        assert_eq!(read(doc).kind(), Kind::ImageRepository);
    }
    assert_eq!(
        err(json!({
            "apiVersion": "image.toolkit.fluxcd.io/v1alpha2",
            "kind": "ImagePolicy",
            "metadata": {"name": "p", "namespace": "ns"},
        })),
        "ImagePolicy ns/p: unsupported apiVersion \"image.toolkit.fluxcd.io/v1alpha2\" (expected image.toolkit.fluxcd.io with version v1, v1beta2 or v1beta1)"
    );
    // Other kinds, and our kind names in other groups, are not ours.
    for doc in [
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}),
        json!({"apiVersion": "example.com/v1", "kind": "ImagePolicy", "metadata": {"name": "p"}}),
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization"}),
    ] {
        assert!(Object::from_value(&doc).unwrap().is_none());
    }
    assert_eq!(
        err(
            json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImagePolicy", "metadata": {}})
        ),
        "ImagePolicy without metadata.name"
    );
}

#[test]
fn image_repository_defaults_and_checks() {
    let Object::ImageRepository(r) = read(json!({
        "apiVersion": "image.toolkit.fluxcd.io/v1beta1",
        "kind": "ImageRepository",
        "metadata": {"name": "front-end", "namespace": "flux-system"},
        "spec": {"image": "weaveworksdemos/front-end", "interval": "1m0s"},
    })) else {
        panic!()
    };
    assert_eq!(r.exclusion_list(), vec![DEFAULT_EXCLUSION_LIST.to_owned()]);
    assert!(r.exclusions().unwrap().is_excluded("sha256-abc.sig"));
    assert_eq!(r.provider(), Provider::Generic);
    assert!(!r.provider_is_set());
    assert_eq!(r.timeout(), std::time::Duration::from_secs(60));
    for (spec, field) in [
        (
            json!({"image": "nginx:1.2", "interval": "1m"}),
            "spec.image",
        ),
        (
            json!({"image": "https://ghcr.io/a", "interval": "1m"}),
            "spec.image",
        ),
        (
            json!({"image": "nginx", "interval": "1m", "provider": "ibm"}),
            "spec.provider",
        ),
        (
            json!({"image": "nginx", "interval": "1m", "exclusionList": ["("]}),
            "spec.exclusionList",
        ),
    ] {
        let e = err(json!({
            "apiVersion": "image.toolkit.fluxcd.io/v1",
            "kind": "ImageRepository",
            "metadata": {"name": "r", "namespace": "ns"},
            "spec": spec,
        }));
        assert!(
            e.starts_with(&format!("ImageRepository ns/r: {field}: ")),
            "{e}"
        );
    }
}

#[test]
fn image_policy_conversion_and_errors() {
    let Object::ImagePolicy(p) = read(json!({
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": "app", "namespace": "apps"},
        "spec": {
            "imageRepositoryRef": {"name": "app", "namespace": "images"},
            "policy": {"semver": {"range": ">=1.0.0"}, "numerical": {}}
        },
    })) else {
        panic!()
    };
    assert_eq!(p.repository(), ("images".to_owned(), "app".to_owned()));
    assert_eq!(p.policy_spec().unwrap().choice.kind(), "semver");
    let e = err(json!({
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": "app", "namespace": "apps"},
        "spec": {"imageRepositoryRef": {"name": "app"}, "policy": {}},
    }));
    assert_eq!(
        e,
        "ImagePolicy apps/app: spec.policy: must set one of semver, alphabetical or numerical"
    );
    let e = err(json!({
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": "app", "namespace": "apps"},
        "spec": {"imageRepositoryRef": {"name": "app"}, "policy": {"semver": {"range": "not a range"}}},
    }));
    assert_eq!(
        e,
        "ImagePolicy apps/app: spec.policy.semver.range: invalid policy"
    );
}

fn policy(spec: serde_json::Value) -> serde_json::Value {
    json!({
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": "app", "namespace": "apps"},
        "spec": spec,
    })
}

#[test]
fn image_policy_fields_are_named_in_errors() {
    let e = err(policy(json!({
        "imageRepositoryRef": {"name": "app"},
        "filterTags": {"pattern": "(?=x)"},
        "policy": {"alphabetical": {}},
    })));
    assert_eq!(
        e,
        "ImagePolicy apps/app: spec.filterTags.pattern: invalid policy"
    );
    let e = err(policy(json!({
        "imageRepositoryRef": {"name": "app"},
        "policy": {"numerical": {"order": "up"}},
    })));
    assert_eq!(
        e,
        "ImagePolicy apps/app: spec.policy.numerical.order: \"up\" is not one of asc, desc"
    );
}

/// flux-compat §5.5: the CRD enum for `order` is lower-case only (the
/// controller's code would take `ASC`, the API server refuses it).
#[test]
fn image_policy_order_enum_is_lower_case() {
    let e = err(policy(json!({
        "imageRepositoryRef": {"name": "app"},
        "policy": {"alphabetical": {"order": "ASC"}},
    })));
    assert_eq!(
        e,
        "ImagePolicy apps/app: spec.policy.alphabetical.order: \"ASC\" is not one of asc, desc"
    );
    for order in ["asc", "desc"] {
        read(policy(json!({
            "imageRepositoryRef": {"name": "app"},
            "policy": {"numerical": {"order": order}},
        })));
    }
    // No order: the default, asc.
    read(policy(
        json!({"imageRepositoryRef": {"name": "app"}, "policy": {"numerical": {}}}),
    ));
}

/// flux-compat §5.1: `interval` is allowed only, and required, with
/// `digestReflectionPolicy: Always`.
#[test]
fn image_policy_interval_only_with_always() {
    let base = json!({"imageRepositoryRef": {"name": "app"}, "policy": {"semver": {"range": "*"}}});
    let with = |extra: serde_json::Value| {
        let mut spec = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        policy(spec)
    };
    assert_eq!(
        err(with(json!({"digestReflectionPolicy": "Always"}))),
        "ImagePolicy apps/app: spec.interval: is required when spec.digestReflectionPolicy is Always"
    );
    for extra in [
        json!({"interval": "5m"}),
        json!({"interval": "5m", "digestReflectionPolicy": "IfNotPresent"}),
        json!({"interval": "5m", "digestReflectionPolicy": "Never"}),
    ] {
        assert_eq!(
            err(with(extra)),
            "ImagePolicy apps/app: spec.interval: is only allowed when spec.digestReflectionPolicy is Always"
        );
    }
    assert!(
        err(with(
            json!({"interval": "5d", "digestReflectionPolicy": "Always"})
        ))
        .contains("spec.interval: \"5d\" is not a duration")
    );
    read(with(
        json!({"interval": "5m", "digestReflectionPolicy": "Always"}),
    ));
    read(with(json!({"digestReflectionPolicy": "IfNotPresent"})));
    read(with(json!({})));
}

#[test]
fn secrets_decode_and_never_print_values() {
    let Object::Secret(s) = read(json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "git", "namespace": "flux-system"},
        "data": {"username": "YWxpY2U=", "password": "czNjcjN0"},
        "stringData": {"password": "override-pw"},
    })) else {
        panic!()
    };
    let debug = format!("{s:?}");
    assert!(
        !debug.contains("override-pw") && !debug.contains("alice"),
        "{debug}"
    );
    let c = s.git_credentials().unwrap();
    assert_eq!(c.username.as_deref(), Some("alice"));
    use secrecy::ExposeSecret as _;
    assert_eq!(c.password.unwrap().expose_secret(), "override-pw");

    let e = err(json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
        "data": {"password": "not base64!"},
    }));
    assert_eq!(e, "Secret default/s: data.password: is not valid base64");

    let Object::Secret(d) = read(json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "regcred", "namespace": "ns"},
        "type": "kubernetes.io/dockerconfigjson",
        "stringData": {".dockerconfigjson": "{\"auths\":{\"ghcr.io\":{\"username\":\"u\",\"password\":\"p\"}}}"},
    })) else {
        panic!()
    };
    let cfg = d.docker_config().unwrap();
    assert_eq!(
        cfg.credentials_for("ghcr.io").unwrap().username(),
        Some("u")
    );
}

#[test]
fn label_selectors() {
    let sel: LabelSelector = serde_json::from_value(json!({
        "matchLabels": {"team": "a"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]
    }))
    .unwrap();
    let labels = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert!(sel.matches(&labels(&[("team", "a"), ("tier", "web")])));
    assert!(!sel.matches(&labels(&[("team", "a")])));
    assert!(LabelSelector::default().matches(&labels(&[])));
}

/// flux-compat §4.1: `image` is a repository without scheme, tag or digest;
/// `exclusionList` defaults to `^.*\.sig$`, is replaced when set, at most 25;
/// `timeout` defaults to the interval, floored at 1 s, and has no `h`.
#[test]
fn image_repository_spec_rules() {
    let doc = |spec: serde_json::Value| {
        json!({
            "apiVersion": "image.toolkit.fluxcd.io/v1",
            "kind": "ImageRepository",
            "metadata": {"name": "app", "namespace": "apps"},
            "spec": spec,
        })
    };
    for image in [
        "ghcr.io/org/app",
        "nginx",
        "123.dkr.ecr.eu-west-1.amazonaws.com/app",
        "localhost:5000/app",
    ] {
        read(doc(json!({"image": image, "interval": "1m"})));
    }
    for image in [
        "https://ghcr.io/org/app",
        "http://ghcr.io/org/app",
        "nginx:1.2",
        "ghcr.io/org/app:latest",
        "ghcr.io/org/app@sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b",
        "",
    ] {
        let e = err(doc(json!({"image": image, "interval": "1m"})));
        assert!(
            e.starts_with("ImageRepository apps/app: spec.image:"),
            "{image}: {e}"
        );
    }
    let Object::ImageRepository(r) = read(doc(json!({"image": "nginx", "interval": "1m"}))) else {
        panic!("not an ImageRepository")
    };
    assert_eq!(r.exclusion_list(), ["^.*\\.sig$"]);
    assert_eq!(r.timeout(), std::time::Duration::from_secs(60));
    let Object::ImageRepository(r) = read(doc(
        json!({"image": "nginx", "interval": "500ms", "exclusionList": ["^dev-"]}),
    )) else {
        panic!("not an ImageRepository")
    };
    assert_eq!(r.exclusion_list(), ["^dev-"]);
    assert_eq!(r.timeout(), std::time::Duration::from_secs(1));
    let many: Vec<String> = (0..26).map(|i| format!("^x{i}$")).collect();
    assert!(
        err(doc(
            json!({"image": "nginx", "interval": "1m", "exclusionList": many})
        ))
        .contains("spec.exclusionList")
    );
    assert!(
        err(doc(
            json!({"image": "nginx", "interval": "1m", "timeout": "1h"})
        ))
        .contains("spec.timeout")
    );
    assert!(err(doc(json!({"image": "nginx", "interval": "1d"}))).contains("spec.interval"));
}

/// flux-compat §6.6: `push.refspec` is accepted (pushed after the branch);
/// one whose destination is the push branch itself is refused (Flux fails
/// it as `already up-to-date`), as are deletion and force refspecs.
#[test]
fn automation_push_refspec_rules() {
    let with = |push: serde_json::Value| {
        let mut spec = seed_iua_spec();
        spec["git"]["push"] = push;
        iua(spec)
    };
    for push in [
        json!({"branch": "main", "refspec": "refs/heads/main:refs/heads/auto"}),
        json!({"branch": "auto", "refspec": "refs/heads/auto:refs/for/main"}),
        json!({"refspec": "HEAD:refs/for/main"}),
        json!({"refspec": "refs/heads/review"}),
    ] {
        let Object::ImageUpdateAutomation(a) = read(with(push.clone())) else {
            panic!("not an ImageUpdateAutomation")
        };
        assert_eq!(a.push_refspec(), push["refspec"].as_str());
    }
    let field = "ImageUpdateAutomation flux-system/flux-system: spec.git.push.refspec: ";
    for (push, reason) in [
        (
            json!({"branch": "main", "refspec": "refs/heads/main:refs/heads/main"}),
            "\"refs/heads/main:refs/heads/main\" pushes to branch \"main\", which the branch push already updates (Flux fails this with 'already up-to-date'); drop the refspec or push it elsewhere",
        ),
        // Without push.branch the checkout branch (main) is pushed first.
        (
            json!({"refspec": "HEAD:main"}),
            "\"HEAD:main\" pushes to branch \"main\", which the branch push already updates (Flux fails this with 'already up-to-date'); drop the refspec or push it elsewhere",
        ),
        (
            json!({"branch": "auto", "refspec": ":refs/heads/main"}),
            "\":refs/heads/main\": deletion refspecs (empty source) are not supported",
        ),
        (
            json!({"branch": "auto", "refspec": "+refs/heads/auto:refs/heads/x"}),
            "\"+refs/heads/auto:refs/heads/x\": force refspecs (+) are not supported (a push to another branch than the checkout branch is forced anyway)",
        ),
        (
            json!({"refspec": "a:b:c"}),
            "\"a:b:c\" is not a push refspec ([src:]dst)",
        ),
        (
            json!({"refspec": "a b"}),
            "\"a b\" is not a push refspec ([src:]dst)",
        ),
        (json!({"refspec": "a:"}), "\"a:\" has no destination"),
    ] {
        assert_eq!(err(with(push)), format!("{field}{reason}"));
    }
    // The push branch from the GitRepository is only known later: the
    // runner calls check_refspec with it.
    let mut spec = seed_iua_spec();
    spec["git"].as_object_mut().unwrap().remove("checkout");
    spec["git"]["push"] = json!({"refspec": "refs/heads/dev:refs/heads/dev"});
    let Object::ImageUpdateAutomation(a) = read(iua(spec)) else {
        panic!("not an ImageUpdateAutomation")
    };
    a.check_refspec(Some("main")).unwrap();
    assert!(
        a.check_refspec(Some("dev"))
            .unwrap_err()
            .to_string()
            .contains("pushes to branch \"dev\"")
    );
}

/// flux-compat §6.1: `push.options` is a map of strings sent as `key=value`
/// (a `null` value, `key:` in YAML, reads as empty); keys in order.
#[test]
fn automation_push_options_are_typed() {
    let mut spec = seed_iua_spec();
    spec["git"]["push"]["options"] =
        json!({"topic": "auto", "merge_request.create": "", "title": null});
    let Object::ImageUpdateAutomation(a) = read(iua(spec)) else {
        panic!("not an ImageUpdateAutomation")
    };
    let push = a.spec.git.as_ref().unwrap().push.as_ref().unwrap();
    assert_eq!(push.options["topic"], "auto");
    assert_eq!(
        a.push_options(),
        [
            ("merge_request.create".to_owned(), String::new()),
            ("title".to_owned(), String::new()),
            ("topic".to_owned(), "auto".to_owned()),
        ]
    );
    let Object::ImageUpdateAutomation(a) = read(iua(seed_iua_spec())) else {
        panic!("not an ImageUpdateAutomation")
    };
    assert!(a.push_options().is_empty());
    for (options, reason) in [
        (json!({"topic": 5}), "does not match the schema"),
        (
            json!({"topic": "a\nb"}),
            "spec.git.push.options: values must not contain line breaks or NUL",
        ),
        (
            json!({"": "x"}),
            "spec.git.push.options: keys must be non-empty, without line breaks or NUL",
        ),
    ] {
        let mut spec = seed_iua_spec();
        spec["git"]["push"]["options"] = options;
        let e = err(iua(spec));
        assert!(e.contains(reason), "{e}");
    }
}

/// flux-compat §6.1/§6.8: `update.strategy` is the enum `Setters`. Unset
/// (or `update` unset) is `Setters` in every version, v1beta1 included: its
/// CRD marks the key required but defaults it, and the API server defaults
/// before validating. An explicit empty string fails the enum.
#[test]
fn automation_update_strategy_defaults_in_every_version() {
    for version in ["v1", "v1beta2", "v1beta1"] {
        let doc = |update: Option<serde_json::Value>| {
            let mut spec = seed_iua_spec();
            match update {
                Some(u) => spec["update"] = u,
                None => {
                    spec.as_object_mut().unwrap().remove("update");
                }
            }
            let mut doc = iua(spec);
            doc["apiVersion"] = json!(format!("image.toolkit.fluxcd.io/{version}"));
            doc
        };
        for update in [
            None,
            Some(json!({"path": "./apps"})),
            Some(json!({"strategy": null})),
            Some(json!({"strategy": "Setters"})),
        ] {
            read(doc(update));
        }
        for strategy in ["", "setters", "Other"] {
            assert!(
                err(doc(Some(json!({"strategy": strategy}))))
                    .ends_with("spec.update.strategy: must be Setters"),
                "{version} {strategy:?}"
            );
        }
    }
}

/// flux-compat §2.1/§2.6: `verify.mode` is `head|HEAD|Tag|TagAndHEAD`
/// (default HEAD) with a required `secretRef` in v1; the betas require
/// `mode: head` and make `secretRef` optional.
#[test]
fn git_repository_verify_mode_by_version() {
    let doc = |version: &str, verify: serde_json::Value| {
        json!({
            "apiVersion": format!("source.toolkit.fluxcd.io/{version}"),
            "kind": "GitRepository",
            "metadata": {"name": "repo", "namespace": "flux-system"},
            "spec": {"url": "https://h/r", "interval": "1m", "verify": verify},
        })
    };
    let keys = json!({"name": "pgp-keys"});
    for mode in ["head", "HEAD", "Tag", "TagAndHEAD"] {
        let Object::GitRepository(g) = read(doc("v1", json!({"mode": mode, "secretRef": keys})))
        else {
            panic!("not a GitRepository")
        };
        let v = g.spec.verify.unwrap();
        assert_eq!(v.mode(), if mode == "head" { "HEAD" } else { mode });
    }
    let Object::GitRepository(g) = read(doc("v1", json!({"secretRef": keys}))) else {
        panic!("not a GitRepository")
    };
    assert_eq!(g.spec.verify.unwrap().mode(), "HEAD");
    for version in ["v1beta2", "v1beta1"] {
        read(doc(version, json!({"mode": "head", "secretRef": keys})));
        read(doc(version, json!({"mode": "head"})));
    }
    let id = "GitRepository flux-system/repo: ";
    for (version, verify, message) in [
        (
            "v1",
            json!({"mode": "tag", "secretRef": keys}),
            "spec.verify.mode: \"tag\" is not one of head, HEAD, Tag, TagAndHEAD",
        ),
        (
            "v1",
            json!({"mode": "", "secretRef": keys}),
            "spec.verify.mode: \"\" is not one of head, HEAD, Tag, TagAndHEAD",
        ),
        (
            "v1",
            json!({"mode": "HEAD"}),
            "spec.verify.secretRef: is required (the Secret with the trusted public keys)",
        ),
        (
            "v1",
            json!({"secretRef": {"name": ""}}),
            "spec.verify.secretRef.name: must not be empty",
        ),
        (
            "v1beta2",
            json!({"mode": "HEAD", "secretRef": keys}),
            "spec.verify.mode: \"HEAD\" is not head (the only mode of source.toolkit.fluxcd.io/v1beta2; HEAD, Tag and TagAndHEAD are v1)",
        ),
        (
            "v1beta1",
            json!({"mode": "Tag"}),
            "spec.verify.mode: \"Tag\" is not head (the only mode of source.toolkit.fluxcd.io/v1beta1; HEAD, Tag and TagAndHEAD are v1)",
        ),
        (
            "v1beta1",
            json!({"secretRef": keys}),
            "spec.verify.mode: is required in source.toolkit.fluxcd.io/v1beta1 (head)",
        ),
    ] {
        assert_eq!(
            err(doc(version, verify)),
            format!("{id}{message}"),
            "{version}"
        );
    }
}

/// flux-compat §4.1: `certSecretRef` is typed; an empty name is refused.
#[test]
fn image_repository_cert_secret_ref() {
    let doc = |spec: serde_json::Value| {
        json!({
            "apiVersion": "image.toolkit.fluxcd.io/v1",
            "kind": "ImageRepository",
            "metadata": {"name": "app", "namespace": "apps"},
            "spec": spec,
        })
    };
    let Object::ImageRepository(r) = read(doc(
        json!({"image": "nginx", "interval": "1m", "certSecretRef": {"name": "tls"}}),
    )) else {
        panic!("not an ImageRepository")
    };
    assert_eq!(r.cert_secret_name(), Some("tls"));
    let Object::ImageRepository(r) = read(doc(json!({"image": "nginx", "interval": "1m"}))) else {
        panic!("not an ImageRepository")
    };
    assert_eq!(r.cert_secret_name(), None);
    assert_eq!(
        err(doc(
            json!({"image": "nginx", "interval": "1m", "certSecretRef": {"name": ""}})
        )),
        "ImageRepository apps/app: spec.certSecretRef.name: must not be empty"
    );
    // exclusionList entries are Go regexps: Go-only syntax works.
    let Object::ImageRepository(r) = read(doc(
        json!({"image": "nginx", "interval": "1m", "exclusionList": ["\\Q.sig\\E$"]}),
    )) else {
        panic!("not an ImageRepository")
    };
    assert!(r.exclusions().unwrap().is_excluded("sha256-a.sig"));
    assert!(!r.exclusions().unwrap().is_excluded("v1-xsig"));
}

/// flux-compat §2.3: `tls.crt` + `tls.key` (both or neither) and `ca.crt`
/// reach the Git credentials; the key never shows in Debug or errors.
#[test]
fn git_credentials_carry_the_client_certificate() {
    let secret = |data: serde_json::Value| {
        let Object::Secret(s) = read(json!({
            "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": "git-mtls", "namespace": "flux-system"},
            "stringData": data,
        })) else {
            panic!("not a Secret")
        };
        s
    };
    let c = secret(json!({"tls.crt": "CERT", "tls.key": "KEY-CANARY-7", "ca.crt": "CA"}))
        .git_credentials()
        .unwrap();
    assert_eq!(c.tls_cert.as_deref(), Some("CERT"));
    assert_eq!(c.ca_cert.as_deref(), Some("CA"));
    use secrecy::ExposeSecret as _;
    assert_eq!(c.tls_key.as_ref().unwrap().expose_secret(), "KEY-CANARY-7");
    assert!(!format!("{c:?}").contains("KEY-CANARY-7"));
    for (data, field) in [
        (json!({"tls.key": "KEY-CANARY-7"}), "data.tls.crt"),
        (json!({"tls.crt": "CERT"}), "data.tls.key"),
    ] {
        let s = secret(data);
        let e = s.git_credentials().unwrap_err();
        let text = format!("{e} {e:?} {s:?}");
        assert!(!text.contains("KEY-CANARY-7"), "{text}");
        assert_eq!(
            e.to_string(),
            format!(
                "Secret flux-system/git-mtls: {field}: is required with the other half of the client certificate (tls.crt and tls.key go together)"
            )
        );
    }
}
