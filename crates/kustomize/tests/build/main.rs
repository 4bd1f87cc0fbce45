//! Behaviour of the build on small in-memory and on-disk trees: load
//! restrictor, cycles, remote URLs, error messages (insta snapshots), and
//! determinism (proptest).

use std::path::Path;

use proptest::prelude::*;
use weir_kustomize::fs::{DiskFs, MemFs};
use weir_kustomize::{LoadRestrictor, Options, build};

/// The error and its whole source chain, as `weir build` prints it.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn err_of(fs: &MemFs, dir: &str) -> String {
    match build(fs, Path::new(dir), &Options::default()) {
        Ok(out) => format!("UNEXPECTED SUCCESS:\n{}", out.to_yaml()),
        Err(e) => chain(&e),
    }
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n";

#[test]
fn error_messages() {
    let mut fs = MemFs::new();
    fs.add(
        "/unknown/kustomization.yaml",
        "resources:\n- cm.yaml\nnamePrefixx: a-\n",
    );
    fs.add("/unknown/cm.yaml", CM);
    fs.add(
        "/missing/kustomization.yaml",
        "resources:\n- nothere.yaml\n",
    );
    fs.add(
        "/outside/app/kustomization.yaml",
        "resources:\n- ../cm.yaml\n",
    );
    fs.add("/outside/cm.yaml", CM);
    fs.add(
        "/remote/kustomization.yaml",
        "resources:\n- https://github.com/org/repo//deploy?ref=v1\n",
    );
    fs.add("/cycle/a/kustomization.yaml", "resources:\n- ../b\n");
    fs.add("/cycle/b/kustomization.yaml", "resources:\n- ../a\n");
    fs.add(
        "/dup/kustomization.yaml",
        "resources:\n- a.yaml\n- b.yaml\n",
    );
    fs.add("/dup/a.yaml", CM);
    fs.add("/dup/b.yaml", CM);
    fs.add("/two/kustomization.yaml", "resources: []\nnamePrefix: a\n");
    fs.add("/two/kustomization.yml", "resources: []\n");
    fs.add("/none/cm.yaml", CM);
    fs.add("/badyaml/kustomization.yaml", "resources:\n- bad.yaml\n");
    fs.add(
        "/badyaml/bad.yaml",
        "kind: ConfigMap\nmetadata:\n  name: x\n  labels: [a\n",
    );
    fs.add("/component/kustomization.yaml", "resources:\n- ../comp\n");
    fs.add(
        "/comp/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: c-\n",
    );
    fs.add(
        "/replicas/kustomization.yaml",
        "resources:\n- cm.yaml\nreplicas:\n- name: web\n  count: 2\n",
    );
    fs.add("/replicas/cm.yaml", CM);
    fs.add(
        "/sort/kustomization.yaml",
        "resources:\n- cm.yaml\nsortOptions:\n  order: random\n",
    );
    fs.add("/sort/cm.yaml", CM);
    fs.add("/patch/kustomization.yaml", "resources:\n- cm.yaml\npatches:\n- patch: |-\n    kind: ConfigMap\n    metadata:\n      name: other\n");
    fs.add("/patch/cm.yaml", CM);
    fs.add(
        "/empty/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
    );
    let cases = [
        "unknown",
        "missing",
        "outside/app",
        "remote",
        "cycle/a",
        "dup",
        "two",
        "none",
        "badyaml",
        "component",
        "replicas",
        "sort",
        "patch",
        "empty",
    ];
    let mut all = String::new();
    for c in cases {
        all.push_str(&format!("{c}:\n  {}\n", err_of(&fs, &format!("/{c}"))));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn load_restrictor_none_allows_files_outside_the_kustomization() {
    let mut fs = MemFs::new();
    fs.add(
        "/repo/app/kustomization.yaml",
        "resources:\n- ../shared/cm.yaml\n",
    );
    fs.add("/repo/shared/cm.yaml", CM);
    let root_only = build(&fs, Path::new("/repo/app"), &Options::default());
    assert!(root_only.is_err());
    let opts = Options::default().with_load_restrictor(LoadRestrictor::None);
    let out = build(&fs, Path::new("/repo/app"), &opts).unwrap();
    assert_eq!(out.resources.len(), 1);
}

#[cfg(unix)]
#[test]
fn disk_root_confines_builds_and_symlinks() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let app = repo.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(tmp.path().join("secret.yaml"), CM).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret.yaml"), app.join("cm.yaml")).unwrap();
    std::fs::write(app.join("kustomization.yaml"), "resources:\n- cm.yaml\n").unwrap();
    let opts = Options::default().with_load_restrictor(LoadRestrictor::None);
    // Confined to the repository: the symlink leads outside and is refused.
    let fs = DiskFs::new(&repo).unwrap();
    let err = build(&fs, &app, &opts).unwrap_err();
    assert!(chain(&err).contains("outside the root"), "{}", chain(&err));
    // RootOnly: the resolved file is outside the kustomization directory.
    let fs = DiskFs::new("/").unwrap();
    let err = build(&fs, &app, &Options::default()).unwrap_err();
    assert!(chain(&err).contains("security"), "{}", chain(&err));
    // No restrictor and no confinement: allowed.
    assert_eq!(build(&fs, &app, &opts).unwrap().resources.len(), 1);
}

#[test]
fn oversized_and_binary_files_are_refused_with_their_name() {
    let mut fs = MemFs::new();
    fs.add("/k/kustomization.yaml", "resources:\n- cm.yaml\n");
    fs.add("/k/cm.yaml", CM);
    let opts = Options::default().with_max_file_size(10);
    let err = chain(&build(&fs, Path::new("/k"), &opts).unwrap_err());
    assert!(
        err.contains("kustomization.yaml: file is 21 bytes, larger than the limit of 10 bytes"),
        "{err}"
    );

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("kustomization.yaml"),
        "resources:\n- blob.yaml\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("blob.yaml"), [0xffu8, 0xfe, 0x00, 0x01]).unwrap();
    let disk = DiskFs::new(tmp.path()).unwrap();
    let err = chain(&build(&disk, tmp.path(), &Options::default()).unwrap_err());
    assert!(err.contains("blob.yaml: not UTF-8 text"), "{err}");
}

#[test]
fn deprecations_are_returned_not_printed() {
    let mut fs = MemFs::new();
    fs.add(
        "/k/kustomization.yaml",
        "resources:\n- cm.yaml\ncommonLabels:\n  a: b\n",
    );
    fs.add("/k/cm.yaml", CM);
    let out = build(&fs, Path::new("/k"), &Options::default()).unwrap();
    assert_eq!(out.warnings.len(), 1);
    assert!(
        out.warnings[0]
            .to_string()
            .contains("'commonLabels' is deprecated")
    );
}

/// A random overlay over a random base: names, prefixes, namespaces.
fn tree(names: &[String], prefix: &str, ns: &str) -> MemFs {
    let mut fs = MemFs::new();
    let mut res = String::from("resources:\n");
    for (i, n) in names.iter().enumerate() {
        fs.add(
            format!("/base/r{i}.yaml"),
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {n}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx:1\n        envFrom:\n        - configMapRef:\n            name: {n}-cm\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}-cm\n"
            ),
        );
        res.push_str(&format!("- r{i}.yaml\n"));
    }
    fs.add("/base/kustomization.yaml", res);
    fs.add(
        "/overlay/kustomization.yaml",
        format!("resources:\n- ../base\nnamePrefix: \"{prefix}\"\nnamespace: \"{ns}\"\nimages:\n- name: nginx\n  newTag: \"2\"\nlabels:\n- pairs:\n    app: x\n  includeSelectors: true\n"),
    );
    fs
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn output_does_not_depend_on_run_or_thread(
        names in proptest::collection::btree_set("[a-z]{1,8}", 1..12),
        prefix in "[a-z]{0,4}-?",
        ns in "[a-z]{1,6}",
    ) {
        let names: Vec<String> = names.into_iter().collect();
        let fs = tree(&names, &prefix, &ns);
        let first = build(&fs, Path::new("/overlay"), &Options::default()).unwrap().to_yaml();
        let again = build(&fs, Path::new("/overlay"), &Options::default()).unwrap().to_yaml();
        prop_assert_eq!(&first, &again);
        let threads: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| build(&fs, Path::new("/overlay"), &Options::default()).unwrap().to_yaml()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for t in threads {
            prop_assert_eq!(&first, &t);
        }
        // Every reference followed the renamed ConfigMap.
        for n in &names {
            let want = format!("name: {}{}-cm", prefix, n);
            prop_assert!(first.contains(&want));
        }
    }
}
