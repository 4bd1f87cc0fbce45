//! Reproducible `.tar.gz` artifacts with `sha256:` digests.
//!
//! Entries are regular files and directories only (symlinks and submodules are
//! dropped), named relative to the root, in depth-first name order (as Go's
//! `filepath.Walk`), with uid/gid 0, empty owner names, mtime 0 and modes
//! normalised to 0750 (directories), 0600 (files) and 0700 (executables).
//! The gzip header carries no timestamp or name. Equal content and rules
//! therefore give an equal digest. The digest is of the compressed file.
//!
//! The file is written to a temporary file next to the destination and
//! renamed into place; a failed or interrupted run leaves no artifact behind.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::ignore::{IgnoreRules, SOURCE_IGNORE_FILE, SourceIgnoreFile};

/// A written artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Where it was written.
    pub path: PathBuf,
    /// `sha256:<hex>` of the compressed file.
    pub digest: String,
    /// Size of the compressed file in bytes.
    pub size: u64,
    /// Number of files (not directories) in the archive.
    pub files: usize,
}

/// Why an artifact could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// Reading the source directory failed.
    #[error("reading {path}")]
    ReadSource {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The source directory does not exist or is not a directory.
    #[error("{path} is not a directory")]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// Reading an object from the repository failed.
    #[error("reading object {id} ({path}) from the repository")]
    ReadObject {
        /// The object id.
        id: String,
        /// The path of the entry in the tree.
        path: String,
        /// The gix error.
        #[source]
        source: gix::Error,
    },
    /// Writing the archive failed.
    #[error("writing artifact {path}")]
    Write {
        /// The destination path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

/// A file's content source.
pub(crate) enum Content {
    /// A blob in the object database.
    Blob(gix::ObjectId),
    /// A file on disk.
    File(PathBuf),
}

/// One entry to archive.
pub(crate) struct Entry {
    pub(crate) path: Vec<String>,
    pub(crate) kind: EntryKind,
}

pub(crate) enum EntryKind {
    Dir,
    File { executable: bool, content: Content },
}

/// Writes an artifact of the directory `dir` (a checkout) to `out`, applying
/// the `.sourceignore` files found in `dir` and `spec_ignore`.
pub fn archive_dir(
    dir: &Path,
    spec_ignore: Option<&str>,
    out: &Path,
) -> Result<Artifact, ArtifactError> {
    let meta = std::fs::metadata(dir).map_err(|source| ArtifactError::ReadSource {
        path: dir.to_owned(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(ArtifactError::NotADirectory {
            path: dir.to_owned(),
        });
    }
    let mut entries = Vec::new();
    collect_dir(dir, &mut Vec::new(), &mut entries)?;
    let mut ignores = Vec::new();
    for entry in &entries {
        if entry.path.last().map(String::as_str) == Some(SOURCE_IGNORE_FILE)
            && !entry.path.iter().any(|c| c == ".git")
            && let EntryKind::File {
                content: Content::File(p),
                ..
            } = &entry.kind
        {
            let text = std::fs::read_to_string(p).map_err(|source| ArtifactError::ReadSource {
                path: p.clone(),
                source,
            })?;
            ignores.push(SourceIgnoreFile {
                domain: entry.path[..entry.path.len() - 1].to_vec(),
                text,
            });
        }
    }
    write_archive(None, entries, &ignores, spec_ignore, out)
}

/// Writes an artifact of a tree in `repo` to `out`.
pub(crate) fn archive_tree(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    spec_ignore: Option<&str>,
    out: &Path,
) -> Result<Artifact, ArtifactError> {
    let mut entries = Vec::new();
    collect_tree(repo, tree, &mut Vec::new(), &mut entries)?;
    let mut ignores = Vec::new();
    for entry in &entries {
        if entry.path.last().map(String::as_str) == Some(SOURCE_IGNORE_FILE)
            && let EntryKind::File {
                content: Content::Blob(id),
                ..
            } = &entry.kind
        {
            let data = read_blob(repo, *id, &entry.path)?;
            ignores.push(SourceIgnoreFile {
                domain: entry.path[..entry.path.len() - 1].to_vec(),
                text: String::from_utf8_lossy(&data).into_owned(),
            });
        }
    }
    write_archive(Some(repo), entries, &ignores, spec_ignore, out)
}

fn read_blob(
    repo: &gix::Repository,
    id: gix::ObjectId,
    path: &[String],
) -> Result<Vec<u8>, ArtifactError> {
    repo.find_object(id)
        .map(|o| o.detach().data)
        .map_err(|source| ArtifactError::ReadObject {
            id: id.to_string(),
            path: path.join("/"),
            source,
        })
}

/// Lists a tree recursively (files and directories; links and submodules dropped).
pub(crate) fn collect_tree(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    prefix: &mut Vec<String>,
    out: &mut Vec<Entry>,
) -> Result<(), ArtifactError> {
    let data = read_blob(repo, tree, prefix)?;
    let tree_ref = gix::objs::TreeRef::from_bytes(&data, repo.object_hash()).map_err(|source| {
        ArtifactError::ReadObject {
            id: tree.to_string(),
            path: prefix.join("/"),
            source: gix::Error::from_error(source),
        }
    })?;
    for entry in tree_ref.entries {
        let name = String::from_utf8_lossy(entry.filename).into_owned();
        prefix.push(name);
        let id = entry.oid.to_owned();
        match entry.mode.kind() {
            gix::objs::tree::EntryKind::Tree => {
                out.push(Entry {
                    path: prefix.clone(),
                    kind: EntryKind::Dir,
                });
                collect_tree(repo, id, prefix, out)?;
            }
            gix::objs::tree::EntryKind::Blob => out.push(Entry {
                path: prefix.clone(),
                kind: EntryKind::File {
                    executable: false,
                    content: Content::Blob(id),
                },
            }),
            gix::objs::tree::EntryKind::BlobExecutable => out.push(Entry {
                path: prefix.clone(),
                kind: EntryKind::File {
                    executable: true,
                    content: Content::Blob(id),
                },
            }),
            gix::objs::tree::EntryKind::Link | gix::objs::tree::EntryKind::Commit => {}
        }
        prefix.pop();
    }
    Ok(())
}

fn collect_dir(
    dir: &Path,
    prefix: &mut Vec<String>,
    out: &mut Vec<Entry>,
) -> Result<(), ArtifactError> {
    let read_err = |path: &Path| {
        let path = path.to_owned();
        move |source| ArtifactError::ReadSource { path, source }
    };
    for item in std::fs::read_dir(dir).map_err(read_err(dir))? {
        let item = item.map_err(read_err(dir))?;
        let path = item.path();
        let meta = std::fs::symlink_metadata(&path).map_err(read_err(&path))?;
        prefix.push(item.file_name().to_string_lossy().into_owned());
        if meta.is_dir() {
            out.push(Entry {
                path: prefix.clone(),
                kind: EntryKind::Dir,
            });
            collect_dir(&path, prefix, out)?;
        } else if meta.is_file() {
            use std::os::unix::fs::PermissionsExt as _;
            out.push(Entry {
                path: prefix.clone(),
                kind: EntryKind::File {
                    executable: meta.permissions().mode() & 0o111 != 0,
                    content: Content::File(path),
                },
            });
        }
        prefix.pop();
    }
    Ok(())
}

/// A writer that hashes and counts what passes through.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn write_archive(
    repo: Option<&gix::Repository>,
    mut entries: Vec<Entry>,
    ignores: &[SourceIgnoreFile],
    spec_ignore: Option<&str>,
    out: &Path,
) -> Result<Artifact, ArtifactError> {
    let rules = IgnoreRules::new(ignores, spec_ignore);
    entries.retain(|e| {
        let parts: Vec<&str> = e.path.iter().map(String::as_str).collect();
        !rules.is_excluded(&parts, matches!(e.kind, EntryKind::Dir))
    });
    entries.sort_by(|a, b| a.path.cmp(&b.path));

    let write_err = |source| ArtifactError::Write {
        path: out.to_owned(),
        source,
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".weir-artifact-")
        .suffix(".tmp")
        .tempfile_in(&parent)
        .map_err(write_err)?;
    let file = temp.as_file().try_clone().map_err(write_err)?;
    let hashing = Hashing {
        inner: io::BufWriter::with_capacity(1 << 16, file),
        hasher: Sha256::new(),
        written: 0,
    };
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(hashing, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mut files = 0usize;
    for entry in &entries {
        let name = entry.path.join("/");
        let mut header = tar::Header::new_gnu();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        match &entry.kind {
            EntryKind::Dir => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o750);
                header.set_size(0);
                tar.append_data(&mut header, &name, io::empty())
                    .map_err(write_err)?;
            }
            EntryKind::File {
                executable,
                content,
            } => {
                files += 1;
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(if *executable { 0o700 } else { 0o600 });
                let data = match content {
                    Content::Blob(id) => match repo {
                        Some(repo) => read_blob(repo, *id, &entry.path)?,
                        None => Vec::new(),
                    },
                    Content::File(p) => {
                        std::fs::read(p).map_err(|source| ArtifactError::ReadSource {
                            path: p.clone(),
                            source,
                        })?
                    }
                };
                header.set_size(data.len() as u64);
                tar.append_data(&mut header, &name, data.as_slice())
                    .map_err(write_err)?;
            }
        }
    }
    let gz = tar.into_inner().map_err(write_err)?;
    let mut hashing = gz.finish().map_err(write_err)?;
    hashing.flush().map_err(write_err)?;
    let digest = format!("sha256:{}", hex::encode(hashing.hasher.finalize()));
    let size = hashing.written;
    let file = hashing
        .inner
        .into_inner()
        .map_err(|e| write_err(e.into_error()))?;
    file.sync_all().map_err(write_err)?;
    drop(file);
    temp.persist(out).map_err(|e| write_err(e.error))?;
    Ok(Artifact {
        path: out.to_owned(),
        digest,
        size,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn names(artifact: &Path) -> Vec<(String, u32)> {
        let f = std::fs::File::open(artifact).unwrap();
        let mut a = tar::Archive::new(flate2::read::GzDecoder::new(f));
        a.entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                // flux-compat.md §2.4: uid/gid 0, empty owner names, mtime 0.
                assert_eq!(h.mtime().unwrap(), 0);
                assert_eq!(h.uid().unwrap(), 0);
                assert_eq!(h.gid().unwrap(), 0);
                assert_eq!(h.username().unwrap(), Some(""));
                assert_eq!(h.groupname().unwrap(), Some(""));
                assert!(matches!(
                    h.entry_type(),
                    tar::EntryType::Regular | tar::EntryType::Directory
                ));
                (
                    e.path().unwrap().to_string_lossy().into_owned(),
                    h.mode().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn dir_archive_is_filtered_sorted_and_normalised() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        write(&src, "b.yaml", "b");
        write(&src, "a/x.yaml", "x");
        write(&src, "a.txt", "a");
        write(&src, ".git/HEAD", "ref");
        write(&src, "logo.png", "png");
        write(&src, "apps/.sourceignore", "skip.yaml\n");
        write(&src, "apps/skip.yaml", "s");
        write(&src, "apps/keep.yaml", "k");
        write(&src, "run.sh", "#!/bin/sh");
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(src.join("run.sh"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        std::os::unix::fs::symlink("b.yaml", src.join("link.yaml")).unwrap();
        let out = t.path().join("out.tar.gz");
        let art = archive_dir(&src, None, &out).unwrap();
        assert!(art.digest.starts_with("sha256:") && art.digest.len() == 71);
        assert_eq!(
            names(&out),
            vec![
                ("a".into(), 0o750),
                ("a/x.yaml".into(), 0o600),
                ("a.txt".into(), 0o600),
                ("apps".into(), 0o750),
                ("apps/.sourceignore".into(), 0o600),
                ("apps/keep.yaml".into(), 0o600),
                ("b.yaml".into(), 0o600),
                // the .sourceignore adds to the defaults: the png stays out
                ("run.sh".into(), 0o700),
            ]
        );
        // Same content elsewhere, different mtimes: same digest.
        let src2 = t.path().join("copy");
        for (rel, text) in [
            ("b.yaml", "b"),
            ("a/x.yaml", "x"),
            ("a.txt", "a"),
            ("logo.png", "png"),
            ("apps/.sourceignore", "skip.yaml\n"),
            ("apps/skip.yaml", "other"),
            ("apps/keep.yaml", "k"),
            ("run.sh", "#!/bin/sh"),
        ] {
            write(&src2, rel, text);
        }
        std::fs::set_permissions(src2.join("run.sh"), std::fs::Permissions::from_mode(0o700))
            .unwrap();
        let art2 = archive_dir(&src2, None, &t.path().join("out2.tar.gz")).unwrap();
        assert_eq!(art.digest, art2.digest);
    }

    #[test]
    fn defaults_apply_without_patterns() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        write(&src, "a.yaml", "a");
        write(&src, "logo.png", "png");
        write(&src, ".github/workflows/ci.yaml", "ci");
        let out = t.path().join("o.tar.gz");
        archive_dir(&src, None, &out).unwrap();
        assert_eq!(names(&out), vec![("a.yaml".into(), 0o600)]);
        archive_dir(&src, Some("a.yaml\n"), &out).unwrap();
        let got: Vec<String> = names(&out).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            got,
            vec![
                ".github",
                ".github/workflows",
                ".github/workflows/ci.yaml",
                "logo.png"
            ]
        );
    }

    /// flux-compat.md §2.4: `.sourceignore` files add to the default
    /// exclusions and can negate them; `spec.ignore` replaces the defaults but
    /// not the `.sourceignore` files.
    #[test]
    fn sourceignore_adds_to_and_negates_defaults() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        write(&src, ".sourceignore", "drafts/\n");
        write(&src, "drafts/wip.yaml", "w");
        write(&src, "a.yaml", "a");
        write(&src, "logo.png", "png");
        write(&src, "site/.sourceignore", "!*.png\n");
        write(&src, "site/logo.png", "png");
        let out = t.path().join("o.tar.gz");
        archive_dir(&src, None, &out).unwrap();
        let got: Vec<String> = names(&out).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            got,
            vec![
                ".sourceignore",
                "a.yaml",
                "site",
                "site/.sourceignore",
                "site/logo.png"
            ]
        );
        archive_dir(&src, Some("a.yaml\n"), &out).unwrap();
        let got: Vec<String> = names(&out).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            got,
            vec![
                ".sourceignore",
                "logo.png",
                "site",
                "site/.sourceignore",
                "site/logo.png"
            ]
        );
    }

    #[test]
    fn failure_leaves_no_artifact() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("missing-dir/out.tar.gz");
        let src = t.path().join("src");
        write(&src, "a", "a");
        assert!(archive_dir(&src, None, &out).is_err());
        assert!(!out.exists());
        assert!(matches!(
            archive_dir(&t.path().join("nope"), None, &t.path().join("x.tar.gz")),
            Err(ArtifactError::ReadSource { .. })
        ));
        let leftovers: Vec<_> = std::fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("src")]);
    }
}
