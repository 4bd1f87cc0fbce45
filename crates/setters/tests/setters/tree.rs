//! Walking and writing: `.git/` skipped, symlinks followed only inside the tree, atomic
//! writes that keep the file mode, deterministic order, read errors.

use std::path::Path;

use weir_setters::{Error, Setters};

const MARKED: &str = "tag: 1.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n";

fn setters() -> Setters {
    Setters::new([(
        "ns:app".to_owned(),
        "ghcr.io/acme/app:2.0.0".parse().expect("valid"),
    )])
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

#[test]
fn skips_dot_git_but_walks_other_dot_directories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), ".git/config.yaml", MARKED);
    write(tmp.path(), ".github/x.yaml", MARKED);
    let report = setters().apply_to_tree(tmp.path()).expect("walk");
    let paths: Vec<_> = report.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(paths, [Path::new(".github/x.yaml")]);
}

#[cfg(unix)]
#[test]
fn never_follows_symlinks_out_of_the_tree() {
    let outside = tempfile::tempdir().expect("tempdir");
    write(outside.path(), "secret.yaml", MARKED);
    write(outside.path(), "dir/inner.yaml", MARKED);
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "real.yaml", MARKED);
    std::os::unix::fs::symlink(
        outside.path().join("secret.yaml"),
        tmp.path().join("link.yaml"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink(outside.path().join("dir"), tmp.path().join("linkdir"))
        .expect("symlink");
    let report = setters().apply_to_tree(tmp.path()).expect("walk");
    let paths: Vec<_> = report.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(paths, [Path::new("real.yaml")]);
    assert_eq!(report.skipped_symlinks, [Path::new("link.yaml")]);
    weir_setters::write(&report).expect("write");
    assert_eq!(
        std::fs::read_to_string(outside.path().join("secret.yaml")).expect("read"),
        MARKED
    );
    assert!(
        std::fs::symlink_metadata(tmp.path().join("link.yaml"))
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
}

/// flux-compat.md §6.3 (walk): symlinked files are read (Flux uses
/// `filepath.Walk` then reads the file, following the link); symlinked
/// directories are not followed. Weir rewrites the file the link points to
/// and keeps the link; a link to a file the walk reads anyway is not read
/// twice.
#[cfg(unix)]
#[test]
fn follows_symlinked_files_inside_the_tree() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "real.yaml", MARKED);
    write(tmp.path(), "templates/values.txt", MARKED);
    write(tmp.path(), "sub/inner.yaml", MARKED);
    std::os::unix::fs::symlink("templates/values.txt", tmp.path().join("values.yaml"))
        .expect("symlink");
    std::os::unix::fs::symlink("real.yaml", tmp.path().join("alias.yaml")).expect("symlink");
    std::os::unix::fs::symlink("sub", tmp.path().join("linkdir")).expect("symlink");
    std::os::unix::fs::symlink("missing.yaml", tmp.path().join("dangling.yaml")).expect("symlink");
    let report = setters().apply_to_tree(tmp.path()).expect("walk");
    let paths: Vec<_> = report.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(
        paths,
        [
            Path::new("real.yaml"),
            Path::new("sub/inner.yaml"),
            Path::new("values.yaml")
        ]
    );
    assert_eq!(report.skipped_symlinks, [Path::new("dangling.yaml")]);
    weir_setters::write(&report).expect("write");
    let updated = "tag: 2.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n";
    for rel in ["real.yaml", "templates/values.txt", "sub/inner.yaml"] {
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(rel)).expect("read"),
            updated,
            "{rel}"
        );
    }
    for link in ["values.yaml", "alias.yaml", "linkdir"] {
        assert!(
            std::fs::symlink_metadata(tmp.path().join(link))
                .expect("lstat")
                .file_type()
                .is_symlink(),
            "{link} must stay a symlink"
        );
    }
}

#[cfg(unix)]
#[test]
fn write_is_atomic_keeps_mode_and_skips_unchanged_files() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "a.yaml", MARKED);
    write(
        tmp.path(),
        "b.yaml",
        "tag: 2.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n",
    );
    let a = tmp.path().join("a.yaml");
    std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let b_before = std::fs::metadata(tmp.path().join("b.yaml"))
        .expect("stat")
        .modified()
        .expect("mtime");

    let report = setters().apply_to_tree(tmp.path()).expect("walk");
    let written = weir_setters::write(&report).expect("write");
    assert_eq!(written, [Path::new("a.yaml")]);
    assert_eq!(
        std::fs::read_to_string(&a).expect("read"),
        "tag: 2.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n"
    );
    let mode = std::fs::metadata(&a).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let b_after = std::fs::metadata(tmp.path().join("b.yaml"))
        .expect("stat")
        .modified()
        .expect("mtime");
    assert_eq!(b_before, b_after);
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn order_is_deterministic_and_a_single_file_root_works() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for name in ["b/z.yaml", "a.yml", "b/Kustomization", "c.yaml", "B.yaml"] {
        write(tmp.path(), name, MARKED);
    }
    let report = setters().apply_to_tree(tmp.path()).expect("walk");
    let paths: Vec<_> = report
        .files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    assert_eq!(
        paths,
        ["B.yaml", "a.yml", "b/Kustomization", "b/z.yaml", "c.yaml"]
    );

    let single = setters()
        .apply_to_tree(&tmp.path().join("c.yaml"))
        .expect("walk");
    assert_eq!(single.files.len(), 1);
    weir_setters::write(&single).expect("write");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("c.yaml")).expect("read"),
        "tag: 2.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n"
    );
}

#[test]
fn missing_root_is_a_walk_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = setters()
        .apply_to_tree(&tmp.path().join("nope"))
        .expect_err("missing root");
    assert!(matches!(err, Error::Walk { .. }), "{err:?}");
    insta::assert_snapshot!(
        "missing_root",
        err.to_string()
            .replace(&tmp.path().display().to_string(), "[TMP]")
    );
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_a_read_error() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "locked.yaml", MARKED);
    let p = tmp.path().join("locked.yaml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&p).is_ok() {
        // Running as root: permissions do not stop reads.
        return;
    }
    let err = setters().apply_to_tree(tmp.path()).expect_err("unreadable");
    assert!(matches!(err, Error::ReadFile { .. }), "{err:?}");
}

#[test]
fn by_object_groups_real_changes() {
    let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  a: x:1 # {\"$imagepolicy\": \"ns:app\"}\n  b: 2.0.0 # {\"$imagepolicy\": \"ns:app:tag\"}\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "d.yaml", src);
    let report = setters().apply_to_tree(tmp.path()).expect("walk");
    let grouped = report.by_object();
    let objects = &grouped[Path::new("d.yaml")];
    assert_eq!(objects.len(), 1);
    let (id, changes) = objects.iter().next().expect("one object");
    assert_eq!(id.kind.as_deref(), Some("Deployment"));
    assert_eq!(id.name.as_deref(), Some("web"));
    assert_eq!(changes.len(), 1, "the unchanged tag is not a change");
    assert_eq!(changes[0].new, "ghcr.io/acme/app:2.0.0");
}
