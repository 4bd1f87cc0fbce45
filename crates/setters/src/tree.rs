//! Walking a directory tree, reporting, and writing changed files atomically.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use crate::{Change, FileResult, ObjectId, Problem, Setters};

/// Failures of [`Setters::apply_to_tree`] and [`write`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A directory (or the root) could not be listed.
    #[error("cannot read directory {path}")]
    Walk {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file could not be read.
    #[error("cannot read {path}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file could not be replaced.
    #[error("cannot write {path}")]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

/// The outcome of [`Setters::apply_to_tree`]: nothing has been written yet;
/// pass it to [`write`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The tree that was scanned.
    pub root: PathBuf,
    /// How many candidate files (`*.yaml`, `*.yml`, `Kustomization`) were read.
    pub files_read: usize,
    /// Files with at least one marker or problem, in walk order (paths relative to `root`).
    pub files: Vec<FileResult>,
    /// Candidate files that are symlinks and were not followed because they
    /// lead out of the tree, to a directory, or nowhere (relative to `root`).
    pub skipped_symlinks: Vec<PathBuf>,
}

/// Counts over a [`Report`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Usable markers.
    pub markers: usize,
    /// Markers whose value changes.
    pub changed: usize,
    /// Markers already up to date.
    pub unchanged: usize,
    /// Files that change.
    pub files_changed: usize,
    /// Unusable markers and problem files.
    pub problems: usize,
}

/// Whether a file name is one Flux's setters look at.
fn is_candidate(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.ends_with(b".yaml") || name.ends_with(b".yml") || name == b"Kustomization"
}

fn rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_owned()
}

impl Setters {
    /// Applies the setters to every `*.yaml`, `*.yml` and `Kustomization`
    /// file under `root` (a directory, or a single file). A symlinked file is
    /// read when it resolves to a file inside the tree (and [`write`] then
    /// rewrites that file, keeping the link); symlinks out of the tree and
    /// symlinked directories are not followed; `.git/` is skipped.
    /// Directories are walked and files read on several threads; the report
    /// is in sorted path order whatever the scheduling. Nothing is written:
    /// see [`write`].
    ///
    /// # Errors
    /// [`Error::Walk`] or [`Error::ReadFile`] when part of the tree cannot be
    /// read (the first such path in sorted order).
    pub fn apply_to_tree(&self, root: &Path) -> Result<Report, Error> {
        let meta = std::fs::metadata(root).map_err(|source| Error::Walk {
            path: root.to_owned(),
            source,
        })?;
        let mut report = Report {
            root: root.to_owned(),
            ..Report::default()
        };
        if meta.is_file() {
            let name = PathBuf::from(root.file_name().unwrap_or(root.as_os_str()));
            if is_candidate(name.as_os_str()) {
                let mut buf = Vec::new();
                read_into(root, &mut buf).map_err(|source| Error::ReadFile {
                    path: root.to_owned(),
                    source,
                })?;
                report.files_read = 1;
                let result = self.apply_to_bytes(&name, &buf);
                if !result.changes.is_empty() || !result.problems.is_empty() {
                    report.files.push(result);
                }
            }
            return Ok(report);
        }

        // Symlinked files are followed only when they resolve inside the tree.
        let canon_root = std::fs::canonicalize(root).map_err(|source| Error::Walk {
            path: root.to_owned(),
            source,
        })?;
        let found: Mutex<Vec<Found>> = Mutex::new(Vec::new());
        let walker = ignore::WalkBuilder::new(root)
            .standard_filters(false)
            .follow_links(false)
            .filter_entry(|e| {
                !(e.file_type().is_some_and(|t| t.is_dir()) && e.file_name() == ".git")
            })
            .threads(walk_threads())
            .build_parallel();
        walker.run(|| {
            let found = &found;
            let canon_root = canon_root.as_path();
            Box::new(move |entry| {
                let item = match entry {
                    Err(e) => {
                        let path = error_path(&e).unwrap_or(root).to_owned();
                        let source = e
                            .into_io_error()
                            .unwrap_or_else(|| io::Error::other("directory walk failed"));
                        Some(Found::Failed(path.clone(), Error::Walk { path, source }))
                    }
                    Ok(entry) => self.visit(root, canon_root, &entry),
                };
                if let Some(item) = item
                    && let Ok(mut v) = found.lock()
                {
                    v.push(item);
                }
                ignore::WalkState::Continue
            })
        });
        let mut found = found
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut first_error: Option<(PathBuf, Error)> = None;
        for item in found.drain(..) {
            match item {
                Found::File(result) => {
                    report.files_read += 1;
                    if !result.changes.is_empty() || !result.problems.is_empty() {
                        report.files.push(result);
                    }
                }
                Found::Read => report.files_read += 1,
                Found::Symlink(path) => report.skipped_symlinks.push(path),
                Found::Failed(path, error) => {
                    if first_error.as_ref().is_none_or(|(p, _)| path < *p) {
                        first_error = Some((path, error));
                    }
                }
            }
        }
        if let Some((_, error)) = first_error {
            return Err(error);
        }
        report.files.sort_by(|a, b| a.path.cmp(&b.path));
        report.skipped_symlinks.sort();
        Ok(report)
    }

    fn visit(&self, root: &Path, canon_root: &Path, entry: &ignore::DirEntry) -> Option<Found> {
        if entry.depth() == 0 || !is_candidate(entry.file_name()) {
            return None;
        }
        let ft = entry.file_type()?;
        let mut read_from = entry.path().to_owned();
        if ft.is_symlink() {
            match link_target(canon_root, entry.path()) {
                LinkTarget::Outside => return Some(Found::Symlink(rel(root, entry.path()))),
                LinkTarget::WalkedDirectly => return None,
                LinkTarget::File(target) => read_from = target,
            }
        } else if !ft.is_file() {
            return None;
        }
        let mut buf = Vec::new();
        if let Err(source) = read_into(&read_from, &mut buf) {
            let path = entry.path().to_owned();
            return Some(Found::Failed(
                path.clone(),
                Error::ReadFile { path, source },
            ));
        }
        // Most files lack the token: skip building a result for them.
        if memchr::memmem::find(&buf, crate::scan::SCREEN_TOKEN).is_none() {
            return Some(Found::Read);
        }
        Some(Found::File(
            self.apply_to_bytes(&rel(root, entry.path()), &buf),
        ))
    }
}

/// Where a symlinked candidate file leads.
enum LinkTarget {
    /// A regular file inside the tree that the walk does not reach by itself
    /// (its name is not a candidate, or it is under `.git/`): read it.
    File(PathBuf),
    /// A candidate file inside the tree that the walk reads anyway.
    WalkedDirectly,
    /// Outside the tree, a directory, dangling or unreadable: not followed.
    Outside,
}

/// Resolves a symlink found by the walk (flux-compat §6.3: Flux reads
/// symlinked files and does not follow symlinked directories; Weir also
/// refuses links that leave the tree).
fn link_target(canon_root: &Path, link: &Path) -> LinkTarget {
    let Ok(target) = std::fs::canonicalize(link) else {
        return LinkTarget::Outside;
    };
    let Ok(inside) = target.strip_prefix(canon_root) else {
        return LinkTarget::Outside;
    };
    if !std::fs::metadata(&target).is_ok_and(|m| m.is_file()) {
        return LinkTarget::Outside;
    }
    let walked = target.file_name().is_some_and(is_candidate)
        && !inside.components().any(|c| c.as_os_str() == ".git");
    if walked {
        LinkTarget::WalkedDirectly
    } else {
        LinkTarget::File(target)
    }
}

/// What one walker thread found for one entry.
enum Found {
    File(FileResult),
    Read,
    Symlink(PathBuf),
    Failed(PathBuf, Error),
}

fn walk_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// The path an `ignore` walk error is about, if it names one.
fn error_path(e: &ignore::Error) -> Option<&Path> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

fn read_into(path: &Path, buf: &mut Vec<u8>) -> io::Result<()> {
    use std::io::Read;
    std::fs::File::open(path)?.read_to_end(buf)?;
    Ok(())
}

impl Report {
    /// Files whose bytes change.
    pub fn changed_files(&self) -> impl Iterator<Item = &FileResult> {
        self.files.iter().filter(|f| f.new_bytes.is_some())
    }

    /// Every usable marker with its file.
    pub fn changes(&self) -> impl Iterator<Item = (&Path, &Change)> {
        self.files
            .iter()
            .flat_map(|f| f.changes.iter().map(move |c| (f.path.as_path(), c)))
    }

    /// Every problem with its file.
    pub fn problems(&self) -> impl Iterator<Item = (&Path, &Problem)> {
        self.files
            .iter()
            .flat_map(|f| f.problems.iter().map(move |p| (f.path.as_path(), p)))
    }

    /// Real changes grouped file → object → changes (Flux's `Result`, used
    /// for commit messages); objects sort by apiVersion, kind, namespace, name.
    #[must_use]
    pub fn by_object(&self) -> BTreeMap<&Path, BTreeMap<&ObjectId, Vec<&Change>>> {
        let mut out: BTreeMap<&Path, BTreeMap<&ObjectId, Vec<&Change>>> = BTreeMap::new();
        for (path, change) in self.changes().filter(|(_, c)| c.is_change()) {
            out.entry(path)
                .or_default()
                .entry(&change.object)
                .or_default()
                .push(change);
        }
        out
    }

    /// Counts of markers, changes and problems.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            files_changed: self.changed_files().count(),
            ..Summary::default()
        };
        for (_, c) in self.changes() {
            s.markers += 1;
            if c.is_change() {
                s.changed += 1;
            } else {
                s.unchanged += 1;
            }
        }
        s.problems = self.problems().count();
        s
    }

    /// One line per marker (`path:line:column: setter  old -> new` or
    /// `(unchanged)`), then a summary line. Problems are listed by
    /// [`Report::render_problems`].
    #[must_use]
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for (path, c) in self.changes() {
            let _ = write!(
                out,
                "{}:{}:{}: {}  ",
                path.display(),
                c.line,
                c.column,
                c.setter
            );
            // An empty value (a `:digest` without digest) or one with line
            // breaks (a block scalar) is shown quoted: `""`, `"a\n"`.
            let shown = |v: &str| {
                if v.is_empty() || v.contains(char::is_control) {
                    format!("{v:?}")
                } else {
                    v.to_owned()
                }
            };
            if c.is_change() {
                let _ = writeln!(out, "{} -> {}", shown(&c.old), shown(&c.new));
            } else {
                let _ = writeln!(out, "{} (unchanged)", shown(&c.old));
            }
        }
        let s = self.summary();
        let _ = writeln!(
            out,
            "{} marker{} in {} file{} read: {} changed, {} unchanged, {} file{} to write; {} problem{}",
            s.markers,
            plural(s.markers),
            self.files_read,
            plural(self.files_read),
            s.changed,
            s.unchanged,
            s.files_changed,
            plural(s.files_changed),
            s.problems,
            plural(s.problems),
        );
        out
    }

    /// One line per problem: `path:line: reason`, and skipped symlinks.
    #[must_use]
    pub fn render_problems(&self) -> String {
        let mut out = String::new();
        for (path, p) in self.problems() {
            match p.line {
                Some(line) => {
                    let _ = writeln!(out, "{}:{}: {}", path.display(), line, p.kind);
                }
                None => {
                    let _ = writeln!(out, "{}: {}", path.display(), p.kind);
                }
            }
        }
        for link in &self.skipped_symlinks {
            let _ = writeln!(out, "{}: symlink not followed", link.display());
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Writes every changed file of `report` atomically (a temporary file in the
/// same directory, then a rename; the file mode is kept; no fsync).
/// Unchanged files are not touched. Returns the paths written (relative).
///
/// # Errors
/// [`Error::WriteFile`] for the first file (in report order) that could not
/// be replaced; the other files are still written, each one complete.
pub fn write(report: &Report) -> Result<Vec<PathBuf>, Error> {
    let root_is_file = report.root.is_file();
    let jobs: Vec<(&Path, PathBuf, &[u8])> = report
        .changed_files()
        .filter_map(|f| {
            let bytes = f.new_bytes.as_deref()?;
            let target = if root_is_file {
                report.root.clone()
            } else {
                report.root.join(&f.path)
            };
            Some((f.path.as_path(), target, bytes))
        })
        .collect();
    // Creating and renaming files is mostly waiting on the filesystem: a few
    // threads overlap it. Each file is still written atomically.
    let root = report.root.as_path();
    let threads = walk_threads().min(jobs.len().max(1));
    let chunk = jobs.len().div_ceil(threads).max(1);
    let outcomes: Vec<Result<(), Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(_, target, bytes)| {
                            write_atomic(root, target, bytes).map_err(|source| Error::WriteFile {
                                path: target.clone(),
                                source,
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![Err(Error::WriteFile {
                        path: report.root.clone(),
                        source: io::Error::other("writer thread panicked"),
                    })]
                })
            })
            .collect()
    });
    let mut written = Vec::with_capacity(jobs.len());
    let mut first_error = None;
    for ((rel, _, _), outcome) in jobs.iter().zip(outcomes) {
        match outcome {
            Ok(()) => written.push(rel.to_path_buf()),
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(written),
    }
}

fn write_atomic(root: &Path, target: &Path, bytes: &[u8]) -> io::Result<()> {
    // A symlinked file is rewritten where it points (inside the tree only),
    // so the link stays a link.
    let resolved;
    let target = if std::fs::symlink_metadata(target)?.file_type().is_symlink() {
        resolved = std::fs::canonicalize(target)?;
        let root = std::fs::canonicalize(root)?;
        if !resolved.starts_with(&root) {
            return Err(io::Error::other("symlink leads out of the tree"));
        }
        resolved.as_path()
    } else {
        target
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let perms = std::fs::metadata(target)?.permissions();
    let mut tmp = tempfile::Builder::new()
        .prefix(".weir-setters-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().set_permissions(perms)?;
    tmp.persist(target).map_err(|e| e.error)?;
    Ok(())
}
