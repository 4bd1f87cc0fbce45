//! Artifact exclusion rules, as flux-compat.md §2.1/§2.4 specifies them.
//!
//! One ordered list of pattern groups, where a later group overrides an
//! earlier one (the last matching pattern wins, `!pattern` re-includes):
//!
//! 1. [`VCS_EXCLUDES`] (`.git/`, `.gitignore`, `.gitmodules`,
//!    `.gitattributes`): always present;
//! 2. [`DEFAULT_EXCLUDES`] (images, archives, CI files, `.sops.yaml`, …):
//!    only when `spec.ignore` is absent. A present `spec.ignore` replaces
//!    them, even when it holds no pattern (`ignore: ""` switches the
//!    defaults off);
//! 3. every `.sourceignore` file (any directory, gitignore syntax, each
//!    scoped to its own directory), parents before children. They apply in
//!    addition to the defaults, so `!*.png` in a `.sourceignore` brings the
//!    images back;
//! 4. the lines of `spec.ignore`, which can override any `.sourceignore`.
//!
//! **Deliberate difference from Flux's code.** source-controller (v1.9,
//! `SourceIgnoreFilter`) drops the default exclusions as soon as *any*
//! `.sourceignore` or `spec.ignore` pattern exists, so a repository whose
//! `.sourceignore` says `drafts/` would ship its `*.png` files. The user's
//! specification (flux-compat.md §2.4: "`spec.ignore` replaces this list;
//! `.sourceignore` files … are applied in addition and can negate
//! defaults") is followed instead.
//!
//! Patterns use gitignore syntax, matched with the `ignore` crate. A path is
//! also excluded when one of its parent directories is, as in go-git's
//! matcher.

use std::path::PathBuf;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Version-control files that are always excluded (Flux `ExcludeVCS`).
pub const VCS_EXCLUDES: &[&str] = &[".git/", ".gitignore", ".gitmodules", ".gitattributes"];

/// Flux's other default exclusions (`ExcludeExt`, `ExcludeCI`, `ExcludeExtra`),
/// used only when `spec.ignore` is absent (`.sourceignore` files add to them).
pub const DEFAULT_EXCLUDES: &[&str] = &[
    "*.jpg",
    "*.jpeg",
    "*.gif",
    "*.png",
    "*.wmv",
    "*.flv",
    "*.tar.gz",
    "*.zip",
    ".github/",
    ".circleci/",
    ".travis.yml",
    ".gitlab-ci.yml",
    "appveyor.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "codeship-services.yml",
    "codeship-steps.yml",
    "**/.goreleaser.yml",
    "**/.sops.yaml",
    "**/.flux.yaml",
];

/// The name of the per-directory ignore file.
pub const SOURCE_IGNORE_FILE: &str = ".sourceignore";

/// A compiled, ordered set of exclusion rules.
#[derive(Debug)]
pub struct IgnoreRules {
    /// Groups in pattern order; later groups take precedence.
    groups: Vec<Group>,
}

#[derive(Debug)]
struct Group {
    /// The directory (path components from the root) the patterns apply under.
    domain: Vec<String>,
    matcher: Gitignore,
}

/// One `.sourceignore` file: its directory (components from the root) and text.
#[derive(Debug, Clone)]
pub struct SourceIgnoreFile {
    /// The directory holding the file, as path components from the root.
    pub domain: Vec<String>,
    /// The file's content.
    pub text: String,
}

impl IgnoreRules {
    /// Builds the rules from the `.sourceignore` files and `spec.ignore`
    /// (see the module docs for the order). The files may come in any order:
    /// they are applied parents first, then sub-directories depth-first by
    /// name, as Flux loads them.
    pub fn new(source_ignores: &[SourceIgnoreFile], spec_ignore: Option<&str>) -> Self {
        let mut groups = vec![Group::build(Vec::new(), &owned(VCS_EXCLUDES))];
        if spec_ignore.is_none() {
            groups.push(Group::build(Vec::new(), &owned(DEFAULT_EXCLUDES)));
        }
        let mut files: Vec<&SourceIgnoreFile> = source_ignores.iter().collect();
        // Lexicographic order of the component lists is a pre-order walk by
        // name: a directory's file comes before its sub-directories' files.
        files.sort_by(|a, b| a.domain.cmp(&b.domain));
        for file in files {
            let lines = pattern_lines(&file.text);
            if !lines.is_empty() {
                groups.push(Group::build(file.domain.clone(), &lines));
            }
        }
        if let Some(spec) = spec_ignore {
            let lines = pattern_lines(spec);
            if !lines.is_empty() {
                groups.push(Group::build(Vec::new(), &lines));
            }
        }
        IgnoreRules { groups }
    }

    /// The rules with only `spec.ignore` (no `.sourceignore` files).
    pub fn from_spec(spec_ignore: Option<&str>) -> Self {
        Self::new(&[], spec_ignore)
    }

    /// Whether the path (components from the root) is excluded.
    pub fn is_excluded(&self, path: &[&str], is_dir: bool) -> bool {
        for group in self.groups.iter().rev() {
            if path.len() <= group.domain.len()
                || !group.domain.iter().zip(path).all(|(d, p)| d == p)
            {
                continue;
            }
            let rel: PathBuf = path[group.domain.len()..].iter().collect();
            let m = group.matcher.matched_path_or_any_parents(&rel, is_dir);
            if m.is_ignore() {
                return true;
            }
            if m.is_whitelist() {
                return false;
            }
        }
        false
    }
}

impl Group {
    fn build(domain: Vec<String>, lines: &[String]) -> Self {
        let mut builder = GitignoreBuilder::new(".");
        for line in lines {
            if let Err(e) = builder.add_line(None, line) {
                // go-git treats a pattern that fails to compile as never matching.
                tracing::warn!(pattern = %line, error = %e, "ignoring invalid ignore pattern");
            }
        }
        let matcher = builder.build().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "ignore patterns failed to compile; none applied");
            Gitignore::empty()
        });
        Group { domain, matcher }
    }
}

fn owned(patterns: &[&str]) -> Vec<String> {
    patterns.iter().map(|s| (*s).to_owned()).collect()
}

/// The pattern lines of an ignore text: blank lines and `#` comments dropped.
fn pattern_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.trim_end_matches('\r').to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(rules: &IgnoreRules, path: &str, is_dir: bool) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        rules.is_excluded(&parts, is_dir)
    }

    #[test]
    fn defaults() {
        let r = IgnoreRules::from_spec(None);
        assert!(excluded(&r, ".git", true));
        assert!(excluded(&r, ".git/config", false));
        assert!(excluded(&r, ".gitignore", false));
        assert!(excluded(&r, "docs/logo.png", false));
        assert!(excluded(&r, "dist/app.tar.gz", false));
        assert!(excluded(&r, ".github", true));
        assert!(excluded(&r, ".github/workflows/ci.yaml", false));
        assert!(excluded(&r, "apps/.sops.yaml", false));
        assert!(excluded(&r, ".flux.yaml", false));
        assert!(!excluded(&r, "apps/deploy.yaml", false));
        assert!(!excluded(&r, "README.md", false));
        // `.github/` is a directory pattern: a file with that name stays.
        assert!(!excluded(&r, "x/.github", false));
    }

    #[test]
    fn spec_ignore_replaces_defaults_but_not_vcs() {
        let r = IgnoreRules::from_spec(Some("# comment\n\n/secrets/\n*.md\n!KEEP.md\n"));
        assert!(excluded(&r, ".git/HEAD", false));
        assert!(excluded(&r, ".gitmodules", false));
        assert!(!excluded(&r, "logo.png", false), "defaults are replaced");
        assert!(excluded(&r, "secrets", true));
        assert!(excluded(&r, "secrets/db.yaml", false));
        assert!(
            !excluded(&r, "apps/secrets", false),
            "dir-only pattern, file"
        );
        assert!(excluded(&r, "docs/a.md", false));
        assert!(!excluded(&r, "KEEP.md", false));
    }

    /// flux-compat.md §2.1: a present `spec.ignore` replaces the defaults,
    /// whatever it holds; only an absent one keeps them.
    #[test]
    fn empty_spec_ignore_still_replaces_defaults() {
        for spec in ["", "\n# nothing\n"] {
            let r = IgnoreRules::from_spec(Some(spec));
            assert!(!excluded(&r, "logo.png", false), "{spec:?}");
            assert!(!excluded(&r, ".github/ci.yaml", false), "{spec:?}");
            assert!(excluded(&r, ".git/HEAD", false), "{spec:?}");
        }
    }

    /// flux-compat.md §2.4: `.sourceignore` files apply in addition to the
    /// default exclusions, and can negate them.
    #[test]
    fn sourceignore_adds_to_defaults_and_can_negate_them() {
        let adds = vec![SourceIgnoreFile {
            domain: vec![],
            text: "drafts/\n".into(),
        }];
        let r = IgnoreRules::new(&adds, None);
        assert!(excluded(&r, "drafts/wip.yaml", false));
        assert!(excluded(&r, "logo.png", false), "defaults still apply");
        assert!(excluded(&r, ".github/workflows/ci.yaml", false));
        assert!(!excluded(&r, "apps/deploy.yaml", false));

        let negates = vec![
            SourceIgnoreFile {
                domain: vec![],
                text: "!*.png\n".into(),
            },
            SourceIgnoreFile {
                domain: vec!["apps".into()],
                text: "!*.zip\n".into(),
            },
        ];
        let r = IgnoreRules::new(&negates, None);
        assert!(
            !excluded(&r, "logo.png", false),
            "root .sourceignore negates"
        );
        assert!(!excluded(&r, "docs/img/logo.png", false));
        assert!(excluded(&r, "logo.jpg", false), "other defaults stay");
        assert!(!excluded(&r, "apps/bundle.zip", false));
        assert!(
            excluded(&r, "bundle.zip", false),
            "apps/.sourceignore only negates under apps/"
        );
    }

    /// flux-compat.md §2.4: with `spec.ignore` the defaults are gone, the
    /// `.sourceignore` files still apply, and `spec.ignore` comes last.
    #[test]
    fn spec_ignore_with_sourceignore_drops_defaults_only() {
        let files = vec![SourceIgnoreFile {
            domain: vec![],
            text: "drafts/\n*.bak\n".into(),
        }];
        let r = IgnoreRules::new(&files, Some("*.tmp\n!keep.bak\n"));
        assert!(!excluded(&r, "logo.png", false), "defaults replaced");
        assert!(excluded(&r, "drafts/wip.yaml", false), ".sourceignore kept");
        assert!(excluded(&r, "old.bak", false));
        assert!(!excluded(&r, "keep.bak", false), "spec.ignore overrides");
        assert!(excluded(&r, "x.tmp", false));
    }

    /// VCS files stay out whatever the other rules say (unless a rule
    /// re-includes one by name, as in Flux).
    #[test]
    fn vcs_entries_always_excluded() {
        let files = vec![SourceIgnoreFile {
            domain: vec![],
            text: "!*.png\n".into(),
        }];
        for spec in [None, Some(""), Some("*.md\n")] {
            let r = IgnoreRules::new(&files, spec);
            for path in [".git/HEAD", ".gitignore", "apps/.gitignore", ".gitmodules"] {
                assert!(excluded(&r, path, false), "{path} with {spec:?}");
            }
            assert!(excluded(&r, ".gitattributes", false));
        }
    }

    /// Load order is parents first, whatever order the caller found the
    /// files in (a directory walk need not be sorted).
    #[test]
    fn sourceignore_files_apply_parent_first() {
        let child = SourceIgnoreFile {
            domain: vec!["apps".into()],
            text: "!keep.txt\n".into(),
        };
        let root = SourceIgnoreFile {
            domain: vec![],
            text: "*.txt\n".into(),
        };
        for files in [vec![child.clone(), root.clone()], vec![root, child]] {
            let r = IgnoreRules::new(&files, None);
            assert!(!excluded(&r, "apps/keep.txt", false));
            assert!(excluded(&r, "apps/other.txt", false));
            assert!(excluded(&r, "keep.txt", false));
        }
    }

    #[test]
    fn sourceignore_is_scoped_to_its_directory() {
        let files = vec![
            SourceIgnoreFile {
                domain: vec![],
                text: "*.txt\n".into(),
            },
            SourceIgnoreFile {
                domain: vec!["apps".into()],
                text: "local/\n!keep.txt\n".into(),
            },
        ];
        let r = IgnoreRules::new(&files, None);
        assert!(excluded(&r, "notes.txt", false));
        assert!(excluded(&r, "other/notes.txt", false));
        assert!(
            !excluded(&r, "apps/keep.txt", false),
            "later file re-includes"
        );
        assert!(excluded(&r, "apps/other.txt", false));
        assert!(excluded(&r, "apps/local/x.yaml", false));
        assert!(
            !excluded(&r, "local/x.yaml", false),
            "apps/.sourceignore only applies under apps/"
        );
        assert!(
            excluded(&r, "logo.png", false),
            "a .sourceignore adds to the defaults"
        );
    }

    #[test]
    fn spec_ignore_overrides_sourceignore() {
        let files = vec![SourceIgnoreFile {
            domain: vec![],
            text: "*.yaml\n".into(),
        }];
        let r = IgnoreRules::new(&files, Some("!deploy.yaml\n"));
        assert!(excluded(&r, "svc.yaml", false));
        assert!(!excluded(&r, "deploy.yaml", false));
    }

    #[test]
    fn anchored_and_double_star() {
        let r = IgnoreRules::from_spec(Some("/top.yaml\n**/tmp/**\nbuild/*.log\n"));
        assert!(excluded(&r, "top.yaml", false));
        assert!(!excluded(&r, "sub/top.yaml", false));
        assert!(excluded(&r, "a/tmp/b", false));
        assert!(excluded(&r, "build/x.log", false));
        assert!(!excluded(&r, "build/sub/x.log", false));
    }

    #[test]
    fn invalid_patterns_never_match() {
        let r = IgnoreRules::from_spec(Some("[unclosed\n*.bak\n"));
        assert!(excluded(&r, "a.bak", false), "other patterns still apply");
        assert!(!excluded(&r, "a.yaml", false));
    }
}
