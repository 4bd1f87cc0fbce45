//! `spec.update.path` resolution inside a clone, as Flux's secure-join.
//!
//! flux-compat.md §6.1: the update path is "resolved with secure-join inside
//! the clone". Like Go's `filepath-securejoin`, the clone is treated as the
//! filesystem root: `..` never climbs above it, an absolute path starts at
//! it, and a symbolic link inside it is followed as if its absolute targets
//! were relative to the clone. So `../apps`, `/apps` and a symlink to
//! `/etc` all stay inside the clone, and a repository cannot make Weir read
//! (and commit) files from outside its checkout.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// How many symlinks one resolution may follow (Linux's `MAXSYMLINKS` is 40;
/// securejoin allows 255).
const MAX_LINKS: usize = 255;

/// A symlink loop (or a chain longer than [`MAX_LINKS`]) in the path.
#[derive(Debug, thiserror::Error)]
#[error("too many levels of symbolic links")]
pub(crate) struct TooManyLinks;

/// The components of `path`: `..` kept, `.` and roots dropped (an absolute path is relative to the clone anyway).
fn components(path: &Path) -> Vec<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_owned()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// `root` joined with `unsafe_path`, never leaving `root` (see the module
/// docs). Components that do not exist are appended as they are.
pub(crate) fn secure_join(root: &Path, unsafe_path: &str) -> Result<PathBuf, TooManyLinks> {
    let mut pending: VecDeque<OsString> = components(Path::new(unsafe_path)).into();
    let mut resolved: Vec<OsString> = Vec::new();
    let mut links = 0usize;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            resolved.pop();
            continue;
        }
        let candidate: PathBuf = root.join(resolved.iter().collect::<PathBuf>()).join(&part);
        let is_link = std::fs::symlink_metadata(&candidate).is_ok_and(|m| m.is_symlink());
        if !is_link {
            resolved.push(part);
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return Err(TooManyLinks);
        }
        match std::fs::read_link(&candidate) {
            Ok(target) => {
                if target.has_root() {
                    resolved.clear();
                }
                for c in components(&target).into_iter().rev() {
                    pending.push_front(c);
                }
            }
            // Unreadable: keep the name; nothing below it can be read anyway.
            Err(_) => resolved.push(part),
        }
    }
    Ok(root.join(resolved.iter().collect::<PathBuf>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_dotted_paths() {
        let root = Path::new("/clone");
        for (input, want) in [
            ("", "/clone"),
            (".", "/clone"),
            ("./overlays/dev", "/clone/overlays/dev"),
            ("overlays/dev/", "/clone/overlays/dev"),
            ("/overlays/dev", "/clone/overlays/dev"),
            ("../../etc", "/clone/etc"),
            ("a/../../b", "/clone/b"),
        ] {
            assert_eq!(
                secure_join(root, input).unwrap(),
                Path::new(want),
                "{input}"
            );
        }
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("clone");
        std::fs::create_dir_all(root.join("real/apps")).unwrap();
        std::os::unix::fs::symlink("real/apps", root.join("rel")).unwrap();
        std::os::unix::fs::symlink("/real", root.join("abs")).unwrap();
        std::os::unix::fs::symlink("../../../../..", root.join("up")).unwrap();
        std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
        assert_eq!(secure_join(&root, "rel").unwrap(), root.join("real/apps"));
        assert_eq!(
            secure_join(&root, "abs/apps").unwrap(),
            root.join("real/apps")
        );
        assert_eq!(secure_join(&root, "up/etc").unwrap(), root.join("etc"));
        assert!(secure_join(&root, "loop/x").is_err());
    }
}
