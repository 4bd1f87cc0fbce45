//! Creating commits with gix on top of a fetched commit.
//!
//! The commit object is written to the cache repository; no ref is moved.
//! Push it with a [`GitPush`](crate::push::GitPush) implementation.

use std::path::{Path, PathBuf};

use crate::checkout::safe_name;
use crate::fetch::Fetched;

/// An author or committer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Seconds since the Unix epoch (UTC); `None` means now.
    pub time: Option<i64>,
}

impl Signature {
    /// A signature timestamped at commit time.
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        Signature {
            name: name.into(),
            email: email.into(),
            time: None,
        }
    }

    fn to_gix(&self) -> gix::actor::Signature {
        let seconds = self.time.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
                .unwrap_or(0)
        });
        gix::actor::Signature {
            name: self.name.as_str().into(),
            email: self.email.as_str().into(),
            time: gix::date::Time { seconds, offset: 0 },
        }
    }
}

/// One file change, by path relative to the repository root (`/`-separated).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// Create or replace a file.
    Write {
        /// The path.
        path: String,
        /// The new content.
        contents: Vec<u8>,
        /// Whether the file is executable.
        executable: bool,
    },
    /// Delete a file (or a whole directory).
    Delete {
        /// The path.
        path: String,
    },
}

impl Change {
    /// A non-executable file write.
    pub fn write(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        Change::Write {
            path: path.into(),
            contents: contents.into(),
            executable: false,
        }
    }

    /// A deletion.
    pub fn delete(path: impl Into<String>) -> Self {
        Change::Delete { path: path.into() }
    }

    fn path(&self) -> &str {
        match self {
            Change::Write { path, .. } | Change::Delete { path } => path,
        }
    }
}

/// The message, author and committer of a new commit.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    /// The commit message.
    pub message: String,
    /// Who wrote the change.
    pub author: Signature,
    /// Who committed it (often the same as the author).
    pub committer: Signature,
}

/// Why a commit could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommitError {
    /// A change path is empty, absolute, or has `.`/`..`/`.git` components.
    #[error("invalid path {path:?} in commit change")]
    InvalidPath {
        /// The path.
        path: String,
    },
    /// Reading a file from the directory failed.
    #[error("reading {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A repository operation failed.
    #[error("{what}")]
    Git {
        /// What was being done.
        what: &'static str,
        /// The gix error.
        #[source]
        source: gix::Error,
    },
}

impl Fetched {
    /// Applies `changes` to the fetched commit's tree and writes a commit with
    /// that commit as its parent. Returns the new commit id, or `None` when
    /// the changes leave the tree as it was (nothing to commit).
    pub fn commit_changes(
        &self,
        changes: &[Change],
        info: &CommitInfo,
    ) -> Result<Option<String>, CommitError> {
        let repo = self.open().map_err(git("opening the repository"))?;
        let parent_tree = parent_tree(&repo, self.commit_id())?;
        let mut editor = repo
            .edit_tree(parent_tree)
            .map_err(git("editing the tree"))?;
        for change in changes {
            check_path(change.path())?;
            match change {
                Change::Write {
                    path,
                    contents,
                    executable,
                } => {
                    let blob = repo.write_blob(contents).map_err(git("writing a blob"))?;
                    editor
                        .upsert(path, blob_kind(*executable), blob.detach())
                        .map_err(git("editing the tree"))?;
                }
                Change::Delete { path } => {
                    editor.remove(path).map_err(git("editing the tree"))?;
                }
            }
        }
        let tree = editor.write().map_err(git("writing the tree"))?.detach();
        write_commit(&repo, tree, parent_tree, self.commit_id(), info)
    }

    /// Commits the whole content of `dir` (a checkout, possibly edited; any
    /// `.git` is skipped) as the new tree on top of the fetched commit.
    /// Returns `None` when the tree is unchanged.
    pub fn commit_dir(&self, dir: &Path, info: &CommitInfo) -> Result<Option<String>, CommitError> {
        let repo = self.open().map_err(git("opening the repository"))?;
        let parent_tree = parent_tree(&repo, self.commit_id())?;
        let empty = gix::ObjectId::empty_tree(repo.object_hash());
        let mut editor = repo.edit_tree(empty).map_err(git("editing the tree"))?;
        add_dir(&repo, &mut editor, dir, "")?;
        let tree = editor.write().map_err(git("writing the tree"))?.detach();
        write_commit(&repo, tree, parent_tree, self.commit_id(), info)
    }
}

fn git(what: &'static str) -> impl FnOnce(gix::Error) -> CommitError {
    move |source| CommitError::Git { what, source }
}

fn blob_kind(executable: bool) -> gix::object::tree::EntryKind {
    if executable {
        gix::object::tree::EntryKind::BlobExecutable
    } else {
        gix::object::tree::EntryKind::Blob
    }
}

fn check_path(path: &str) -> Result<(), CommitError> {
    let ok = !path.is_empty() && !path.starts_with('/') && path.split('/').all(safe_name);
    if ok {
        Ok(())
    } else {
        Err(CommitError::InvalidPath {
            path: path.to_owned(),
        })
    }
}

fn parent_tree(
    repo: &gix::Repository,
    commit: gix::ObjectId,
) -> Result<gix::ObjectId, CommitError> {
    repo.find_commit(commit)
        .and_then(|c| c.tree_id().map(gix::Id::detach))
        .map_err(git("reading the parent commit"))
}

fn write_commit(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    parent_tree: gix::ObjectId,
    parent: gix::ObjectId,
    info: &CommitInfo,
) -> Result<Option<String>, CommitError> {
    if tree == parent_tree {
        return Ok(None);
    }
    let commit = gix::objs::Commit {
        tree,
        parents: std::iter::once(parent).collect(),
        author: info.author.to_gix(),
        committer: info.committer.to_gix(),
        encoding: None,
        message: info.message.as_str().into(),
        extra_headers: Vec::new(),
    };
    let id = repo
        .write_object(&commit)
        .map_err(git("writing the commit"))?;
    Ok(Some(id.to_string()))
}

fn add_dir(
    repo: &gix::Repository,
    editor: &mut gix::object::tree::Editor<'_>,
    dir: &Path,
    prefix: &str,
) -> Result<(), CommitError> {
    let read_err = |path: &Path| {
        let path = path.to_owned();
        move |source| CommitError::Read { path, source }
    };
    let mut items: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_err(dir))?
        .collect::<Result<_, _>>()
        .map_err(read_err(dir))?;
    items.sort_by_key(std::fs::DirEntry::file_name);
    for item in items {
        let name = item.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let path = item.path();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let meta = std::fs::symlink_metadata(&path).map_err(read_err(&path))?;
        if meta.is_dir() {
            add_dir(repo, editor, &path, &rel)?;
        } else if meta.is_file() {
            use std::os::unix::fs::PermissionsExt as _;
            let contents = std::fs::read(&path).map_err(read_err(&path))?;
            let blob = repo.write_blob(&contents).map_err(git("writing a blob"))?;
            let exec = meta.permissions().mode() & 0o111 != 0;
            editor
                .upsert(&rel, blob_kind(exec), blob.detach())
                .map_err(git("editing the tree"))?;
        } else if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).map_err(read_err(&path))?;
            let blob = repo
                .write_blob(target.to_string_lossy().as_bytes())
                .map_err(git("writing a blob"))?;
            editor
                .upsert(&rel, gix::object::tree::EntryKind::Link, blob.detach())
                .map_err(git("editing the tree"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_paths_are_checked() {
        for bad in ["", "/abs", "a/../b", ".git/config", "a//b", "./a"] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
        for ok in ["a", "apps/deploy.yaml", ".github/x"] {
            assert!(check_path(ok).is_ok(), "{ok:?}");
        }
    }
}
