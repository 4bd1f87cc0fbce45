//! The file systems a build reads through.
//!
//! The engine never touches `std::fs` directly: it reads through the
//! [`FileSystem`] trait. [`DiskFs`] reads the real disk but refuses every path
//! that, once symlinks are resolved, lies outside its root; [`MemFs`] holds a
//! tree in memory for tests and benchmarks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
}

/// Errors from a [`FileSystem`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path does not exist.
    #[error("{}: no such file or directory", path.display())]
    NotFound {
        /// The missing path.
        path: PathBuf,
    },
    /// The path resolves (after following symlinks) outside the file system's root.
    #[error("{}: refused, it resolves to {} which is outside the root {}", path.display(), resolved.display(), root.display())]
    OutsideRoot {
        /// The path asked for.
        path: PathBuf,
        /// Where it really points.
        resolved: PathBuf,
        /// The root it must stay in.
        root: PathBuf,
    },
    /// Reading failed.
    #[error("{}: cannot read", path.display())]
    Io {
        /// The path being read.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{}: not UTF-8 text (binary file?)", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
}

/// Read access to a tree of files.
///
/// Paths passed in are absolute (for [`DiskFs`]) or rooted at `/` (for
/// [`MemFs`]); implementations resolve symlinks in [`FileSystem::canonicalize`].
pub trait FileSystem: Send + Sync {
    /// What the path names, or `None` when it does not exist (or is refused).
    fn kind(&self, path: &Path) -> Option<EntryKind>;
    /// Reads a whole file.
    fn read(&self, path: &Path) -> Result<Vec<u8>, Error>;
    /// The size of a file in bytes, when cheaply known (checked against the
    /// build's size limit before reading).
    fn len(&self, path: &Path) -> Option<u64> {
        let _ = path;
        None
    }
    /// Reads a whole file as UTF-8 text.
    fn read_to_string(&self, path: &Path) -> Result<String, Error> {
        String::from_utf8(self.read(path)?).map_err(|_| Error::NotUtf8 {
            path: path.to_path_buf(),
        })
    }
    /// The real path with `.`/`..` and symlinks resolved.
    fn canonicalize(&self, path: &Path) -> Result<PathBuf, Error>;
}

/// Normalises `.` and `..` lexically (no symlink resolution).
pub fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The real disk, confined to a root directory.
#[derive(Debug, Clone)]
pub struct DiskFs {
    root: PathBuf,
}

impl DiskFs {
    /// A disk file system that refuses anything outside `root` (after
    /// resolving symlinks). Use `/` for no confinement.
    pub fn new(root: impl AsRef<Path>) -> Result<Self, Error> {
        let root = root.as_ref();
        let root = std::fs::canonicalize(root).map_err(|source| io_err(root, source))?;
        Ok(DiskFs { root })
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn confine(&self, path: &Path) -> Result<PathBuf, Error> {
        let resolved = std::fs::canonicalize(path).map_err(|source| io_err(path, source))?;
        if resolved.starts_with(&self.root) {
            Ok(resolved)
        } else {
            Err(Error::OutsideRoot {
                path: path.to_path_buf(),
                resolved,
                root: self.root.clone(),
            })
        }
    }
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    if source.kind() == std::io::ErrorKind::NotFound {
        Error::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl FileSystem for DiskFs {
    fn kind(&self, path: &Path) -> Option<EntryKind> {
        let real = self.confine(path).ok()?;
        let md = std::fs::metadata(real).ok()?;
        if md.is_dir() {
            Some(EntryKind::Dir)
        } else if md.is_file() {
            Some(EntryKind::File)
        } else {
            None
        }
    }

    fn len(&self, path: &Path) -> Option<u64> {
        let real = self.confine(path).ok()?;
        std::fs::metadata(real).ok().map(|m| m.len())
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>, Error> {
        let real = self.confine(path)?;
        std::fs::read(&real).map_err(|source| io_err(path, source))
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf, Error> {
        self.confine(path)
    }
}

/// An in-memory tree for tests and benchmarks. Paths are absolute (`/a/b`).
#[derive(Debug, Clone, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, String>,
    dirs: BTreeSet<PathBuf>,
}

impl MemFs {
    /// An empty tree (holding only `/`).
    pub fn new() -> Self {
        let mut fs = MemFs::default();
        fs.dirs.insert(PathBuf::from("/"));
        fs
    }

    /// Adds (or replaces) a file; parent directories appear implicitly.
    pub fn add(&mut self, path: impl AsRef<Path>, content: impl Into<String>) -> &mut Self {
        let path = clean(&Path::new("/").join(path.as_ref()));
        let mut parent = path.parent();
        while let Some(p) = parent {
            self.dirs.insert(p.to_path_buf());
            parent = p.parent();
        }
        self.files.insert(path, content.into());
        self
    }
}

impl FileSystem for MemFs {
    fn kind(&self, path: &Path) -> Option<EntryKind> {
        let path = clean(path);
        if self.files.contains_key(&path) {
            Some(EntryKind::File)
        } else if self.dirs.contains(&path) {
            Some(EntryKind::Dir)
        } else {
            None
        }
    }

    fn len(&self, path: &Path) -> Option<u64> {
        self.files.get(&clean(path)).map(|s| s.len() as u64)
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>, Error> {
        self.files
            .get(&clean(path))
            .map(|s| s.clone().into_bytes())
            .ok_or_else(|| Error::NotFound {
                path: path.to_path_buf(),
            })
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf, Error> {
        let p = clean(path);
        if self.kind(&p).is_some() {
            Ok(p)
        } else {
            Err(Error::NotFound {
                path: path.to_path_buf(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_resolves_dots() {
        assert_eq!(clean(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(clean(Path::new("a/../../b")), PathBuf::from("../b"));
    }

    #[test]
    fn memfs_has_implicit_dirs() {
        let mut fs = MemFs::new();
        fs.add("/x/y/z.yaml", "a: 1");
        assert_eq!(fs.kind(Path::new("/x/y")), Some(EntryKind::Dir));
        assert_eq!(fs.kind(Path::new("/x/y/z.yaml")), Some(EntryKind::File));
        assert_eq!(
            fs.read_to_string(Path::new("/x/y/../y/z.yaml")).unwrap(),
            "a: 1"
        );
        assert!(fs.kind(Path::new("/nope")).is_none());
    }

    #[test]
    fn diskfs_refuses_symlink_out_of_root() {
        let outside = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "a: 1").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            outside.path().join("secret.yaml"),
            root.path().join("link.yaml"),
        )
        .unwrap();
        let fs = DiskFs::new(root.path()).unwrap();
        let err = fs
            .read_to_string(&root.path().join("link.yaml"))
            .unwrap_err();
        assert!(matches!(err, Error::OutsideRoot { .. }), "{err}");
        let err = fs
            .read_to_string(
                &root
                    .path()
                    .join("../")
                    .join(outside.path().file_name().unwrap())
                    .join("secret.yaml"),
            )
            .unwrap_err();
        assert!(matches!(err, Error::OutsideRoot { .. }), "{err}");
    }
}
