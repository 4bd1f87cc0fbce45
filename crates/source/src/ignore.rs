//! Artifact exclusion rules, as source-controller applies them.
//!
//! Flux builds one ordered pattern list: the patterns of every `.sourceignore`
//! file (root first, then sub-directories depth-first in name order, each
//! scoped to its directory), then the lines of `spec.ignore`. If that list is
//! empty, the default exclusions apply ([`VCS_EXCLUDES`] + [`DEFAULT_EXCLUDES`]);
//! otherwise only [`VCS_EXCLUDES`] followed by the list. So `spec.ignore`
//! replaces the defaults, and so does a `.sourceignore` with any pattern.
//! The last matching pattern wins, and `!pattern` re-includes. (This is
//! `SourceIgnoreFilter` in source-controller's storage, read at v1.9.)
//!
//! Patterns use gitignore syntax, matched with the `ignore` crate. A path is
//! also excluded when one of its parent directories is, as in go-git's
//! matcher.

use std::path::PathBuf;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Version-control files that are always excluded (Flux `ExcludeVCS`).
pub const VCS_EXCLUDES: &[&str] = &[".git/", ".gitignore", ".gitmodules", ".gitattributes"];

/// Flux's other default exclusions (`ExcludeExt`, `ExcludeCI`, `ExcludeExtra`),
/// used only when no `.sourceignore` pattern and no `spec.ignore` is given.
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
    /// Builds the rules from the `.sourceignore` files (in Flux's load order:
    /// root first, then sub-directories depth-first by name) and `spec.ignore`.
    pub fn new(source_ignores: &[SourceIgnoreFile], spec_ignore: Option<&str>) -> Self {
        let mut custom: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for file in source_ignores {
            let lines = pattern_lines(&file.text);
            if !lines.is_empty() {
                custom.push((file.domain.clone(), lines));
            }
        }
        if let Some(spec) = spec_ignore {
            let lines = pattern_lines(spec);
            if !lines.is_empty() {
                custom.push((Vec::new(), lines));
            }
        }
        let mut groups = Vec::new();
        let base: Vec<String> = if custom.is_empty() {
            VCS_EXCLUDES
                .iter()
                .chain(DEFAULT_EXCLUDES)
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            VCS_EXCLUDES.iter().map(|s| (*s).to_owned()).collect()
        };
        groups.push(Group::build(Vec::new(), &base));
        for (domain, lines) in custom {
            groups.push(Group::build(domain, &lines));
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

    #[test]
    fn empty_spec_keeps_defaults() {
        let r = IgnoreRules::from_spec(Some("\n# nothing\n"));
        assert!(excluded(&r, "logo.png", false));
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
            !excluded(&r, "logo.png", false),
            "a .sourceignore replaces the defaults"
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
