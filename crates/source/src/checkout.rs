//! Checking out a fetched commit into a clean directory (no `.git`).

use std::path::{Path, PathBuf};

use crate::fetch::Fetched;

/// Why a checkout failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckoutError {
    /// The destination exists and is not an empty directory.
    #[error("checkout destination {path} exists and is not empty")]
    NotEmpty {
        /// The destination.
        path: PathBuf,
    },
    /// A tree entry has a name that would escape the checkout or touch `.git`.
    #[error("refusing unsafe path {name:?} in the repository tree")]
    UnsafePath {
        /// The entry name.
        name: String,
    },
    /// Reading the repository failed.
    #[error("reading {what} from the repository")]
    Read {
        /// What was being read.
        what: String,
        /// The gix error.
        #[source]
        source: gix::Error,
    },
    /// Writing a file failed.
    #[error("writing {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Fetched {
    /// Writes the fetched commit's files into `dir`, which must not exist or
    /// be empty. Executable bits and symlinks are kept; submodules are left
    /// as empty directories; no `.git` is created.
    pub fn checkout(&self, dir: &Path) -> Result<(), CheckoutError> {
        if let Ok(mut entries) = std::fs::read_dir(dir)
            && entries.next().is_some()
        {
            return Err(CheckoutError::NotEmpty {
                path: dir.to_owned(),
            });
        }
        let read = |what: &str| {
            let what = what.to_owned();
            move |source| CheckoutError::Read { what, source }
        };
        let repo = self.open().map_err(read("repository"))?;
        let tree = repo
            .find_commit(self.commit_id())
            .and_then(|c| c.tree_id().map(gix::Id::detach))
            .map_err(read("commit"))?;
        create_dir(dir)?;
        write_tree(&repo, tree, dir)
    }
}

fn create_dir(dir: &Path) -> Result<(), CheckoutError> {
    std::fs::create_dir_all(dir).map_err(|source| CheckoutError::Write {
        path: dir.to_owned(),
        source,
    })
}

/// Whether a tree entry name is safe to create on disk.
pub(crate) fn safe_name(name: &str) -> bool {
    !(name.is_empty()
        || name == "."
        || name == ".."
        || name.contains('/')
        || name.contains('\\')
        || name.contains('\0')
        || name.eq_ignore_ascii_case(".git"))
}

fn write_tree(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    dir: &Path,
) -> Result<(), CheckoutError> {
    let read = |what: String| move |source| CheckoutError::Read { what, source };
    let obj = repo.find_object(tree).map_err(read(tree.to_string()))?;
    let data = obj.detach().data;
    let tree_ref = gix::objs::TreeRef::from_bytes(&data, repo.object_hash()).map_err(|e| {
        CheckoutError::Read {
            what: tree.to_string(),
            source: gix::Error::from_error(e),
        }
    })?;
    for entry in tree_ref.entries {
        let name = String::from_utf8_lossy(entry.filename).into_owned();
        if !safe_name(&name) {
            return Err(CheckoutError::UnsafePath { name });
        }
        let path = dir.join(&name);
        let id = entry.oid.to_owned();
        let write_err = |path: &Path| {
            let path = path.to_owned();
            move |source| CheckoutError::Write { path, source }
        };
        use gix::objs::tree::EntryKind;
        match entry.mode.kind() {
            EntryKind::Tree => {
                std::fs::create_dir(&path).map_err(write_err(&path))?;
                write_tree(repo, id, &path)?;
            }
            EntryKind::Blob | EntryKind::BlobExecutable => {
                let blob = repo
                    .find_object(id)
                    .map_err(read(name.clone()))?
                    .detach()
                    .data;
                std::fs::write(&path, blob).map_err(write_err(&path))?;
                if entry.mode.kind() == EntryKind::BlobExecutable {
                    use std::os::unix::fs::PermissionsExt as _;
                    let mut perm = std::fs::metadata(&path)
                        .map_err(write_err(&path))?
                        .permissions();
                    perm.set_mode(perm.mode() | ((perm.mode() & 0o444) >> 2));
                    std::fs::set_permissions(&path, perm).map_err(write_err(&path))?;
                }
            }
            EntryKind::Link => {
                let target = repo
                    .find_object(id)
                    .map_err(read(name.clone()))?
                    .detach()
                    .data;
                let target = String::from_utf8_lossy(&target).into_owned();
                std::os::unix::fs::symlink(&target, &path).map_err(write_err(&path))?;
            }
            EntryKind::Commit => {
                std::fs::create_dir(&path).map_err(write_err(&path))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn unsafe_names() {
        for bad in ["", ".", "..", ".git", ".GIT", "a/b", "a\\b"] {
            assert!(!super::safe_name(bad), "{bad:?}");
        }
        for ok in ["a", ".github", ".gitignore", "..x"] {
            assert!(super::safe_name(ok), "{ok:?}");
        }
    }
}
