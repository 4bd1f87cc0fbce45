//! GitRepository `spec.ref`: precedence, validation, and revision strings.

use std::fmt;

/// The `spec.ref` of a GitRepository: any combination of fields may be set;
/// [`GitRef::select`] applies Flux's precedence
/// `commit` > `name` > `semver` > `tag` > `branch` (default branch `master`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitRef {
    /// Branch to follow.
    pub branch: Option<String>,
    /// Tag to check out.
    pub tag: Option<String>,
    /// Masterminds semver range; the highest matching tag is used.
    pub semver: Option<String>,
    /// A full reference name, like `refs/pull/1/head`.
    pub name: Option<String>,
    /// A full commit SHA; with `branch`, it must be reachable from that branch.
    pub commit: Option<String>,
}

/// The one reference a fetch resolves, after precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefSelector {
    /// A commit, optionally constrained to (and named after) a branch.
    Commit {
        /// Lowercase hex object id.
        sha: String,
        /// The branch the commit must be in, if given.
        branch: Option<String>,
    },
    /// A full reference name (`refs/…`).
    Name(String),
    /// A semver range over tags.
    Semver(String),
    /// A tag name.
    Tag(String),
    /// A branch name.
    Branch(String),
}

/// Why a ref could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RefError {
    /// `commit` is not a full hex object id.
    #[error("ref.commit {0:?} is not a full 40 or 64 character hex SHA")]
    InvalidCommit(String),
    /// `name` does not start with `refs/` or is not a valid ref name.
    #[error("ref.name {0:?} is not a full reference name (refs/…)")]
    InvalidName(String),
    /// `branch` is not a valid branch name.
    #[error("ref.branch {0:?} is not a valid branch name")]
    InvalidBranch(String),
    /// `tag` is not a valid tag name.
    #[error("ref.tag {0:?} is not a valid tag name")]
    InvalidTag(String),
}

impl GitRef {
    /// A ref following `branch`.
    pub fn branch(name: impl Into<String>) -> Self {
        GitRef {
            branch: Some(name.into()),
            ..Self::default()
        }
    }

    /// A ref pointing at `tag`.
    pub fn tag(name: impl Into<String>) -> Self {
        GitRef {
            tag: Some(name.into()),
            ..Self::default()
        }
    }

    /// A ref selecting the highest tag in a semver `range`.
    pub fn semver(range: impl Into<String>) -> Self {
        GitRef {
            semver: Some(range.into()),
            ..Self::default()
        }
    }

    /// A ref by full reference `name`.
    pub fn name(name: impl Into<String>) -> Self {
        GitRef {
            name: Some(name.into()),
            ..Self::default()
        }
    }

    /// A ref by `commit` SHA.
    pub fn commit(sha: impl Into<String>) -> Self {
        GitRef {
            commit: Some(sha.into()),
            ..Self::default()
        }
    }

    /// Applies Flux's precedence and validates the winning field.
    /// Empty strings count as unset, as in the CRD.
    pub fn select(&self) -> Result<RefSelector, RefError> {
        fn set(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let branch = set(&self.branch)
            .map(|b| validate_branch(b).map(str::to_owned))
            .transpose()?;
        if let Some(commit) = set(&self.commit) {
            let sha = commit.to_ascii_lowercase();
            let ok =
                (sha.len() == 40 || sha.len() == 64) && sha.bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                return Err(RefError::InvalidCommit(commit.to_owned()));
            }
            return Ok(RefSelector::Commit { sha, branch });
        }
        if let Some(name) = set(&self.name) {
            let valid =
                name.starts_with("refs/") && gix::validate::reference::name(name.into()).is_ok();
            if !valid {
                return Err(RefError::InvalidName(name.to_owned()));
            }
            return Ok(RefSelector::Name(name.to_owned()));
        }
        if let Some(range) = set(&self.semver) {
            return Ok(RefSelector::Semver(range.to_owned()));
        }
        if let Some(tag) = set(&self.tag) {
            let full = format!("refs/tags/{tag}");
            if gix::validate::reference::name(full.as_str().into()).is_err() {
                return Err(RefError::InvalidTag(tag.to_owned()));
            }
            return Ok(RefSelector::Tag(tag.to_owned()));
        }
        Ok(RefSelector::Branch(
            branch.unwrap_or_else(|| "master".to_owned()),
        ))
    }
}

fn validate_branch(branch: &str) -> Result<&str, RefError> {
    let full = format!("refs/heads/{branch}");
    if gix::validate::reference::name(full.as_str().into()).is_err() {
        return Err(RefError::InvalidBranch(branch.to_owned()));
    }
    Ok(branch)
}

/// The object-id algorithm of a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HashAlgo {
    /// SHA-1 (40 hex digits).
    Sha1,
    /// SHA-256 (64 hex digits).
    Sha256,
}

impl HashAlgo {
    fn prefix(self) -> &'static str {
        match self {
            HashAlgo::Sha1 => "sha1",
            HashAlgo::Sha256 => "sha256",
        }
    }

    fn for_hex(hex: &str) -> Option<Self> {
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        match hex.len() {
            40 => Some(HashAlgo::Sha1),
            64 => Some(HashAlgo::Sha256),
            _ => None,
        }
    }
}

/// An artifact revision in Flux's RFC-0005 form: `<name>@sha1:<hex>` or
/// `sha1:<hex>`. [`Revision::parse`] also accepts the legacy `<branch>/<hex>`
/// and bare `<hex>` forms so old status values compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    name: Option<String>,
    algo: HashAlgo,
    hex: String,
}

/// A revision string that is not in any known form.
#[derive(Debug, thiserror::Error)]
#[error("invalid revision {0:?}: expected <name>@sha1:<hex>, sha1:<hex>, <name>/<hex> or <hex>")]
pub struct RevisionError(pub String);

impl Revision {
    /// A revision for `hex` named after a branch, tag or full ref (or none).
    /// `hex` is lowercased; its length picks sha1 (40) or sha256 (64).
    pub fn new(name: Option<&str>, hex: &str) -> Result<Self, RevisionError> {
        let hex = hex.to_ascii_lowercase();
        let algo = HashAlgo::for_hex(&hex).ok_or_else(|| RevisionError(hex.clone()))?;
        Ok(Revision {
            name: name.filter(|n| !n.is_empty()).map(str::to_owned),
            algo,
            hex,
        })
    }

    /// Parses any revision form Flux has produced.
    pub fn parse(text: &str) -> Result<Self, RevisionError> {
        let bad = || RevisionError(text.to_owned());
        // RFC-0005: [name@]algo:hex
        if let Some((head, digest)) = text.rsplit_once(':') {
            let (name, algo) = match head.rsplit_once('@') {
                Some((name, algo)) => (Some(name), algo),
                None => (None, head),
            };
            let parsed = HashAlgo::for_hex(digest).ok_or_else(bad)?;
            if parsed.prefix() != algo {
                return Err(bad());
            }
            if name.is_some_and(str::is_empty) {
                return Err(bad());
            }
            return Revision::new(name, digest).map_err(|_| bad());
        }
        // Legacy: name/hex or hex.
        if let Some((name, hex)) = text.rsplit_once('/') {
            if name.is_empty() {
                return Err(bad());
            }
            return Revision::new(Some(name), hex).map_err(|_| bad());
        }
        Revision::new(None, text).map_err(|_| bad())
    }

    /// The branch, tag or ref name, if the revision has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The commit id in lowercase hex.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The hash algorithm.
    pub fn algo(&self) -> HashAlgo {
        self.algo
    }

    /// Whether two revision strings name the same revision, accepting the
    /// legacy `<branch>/<hex>` form on either side (as Flux's `HasRevision`).
    /// Unparseable strings compare by plain equality.
    pub fn same(a: &str, b: &str) -> bool {
        match (Revision::parse(a), Revision::parse(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        }
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name}@{}:{}", self.algo.prefix(), self.hex),
            None => write!(f, "{}:{}", self.algo.prefix(), self.hex),
        }
    }
}

/// Flux's shortening of a full ref name for revisions: strip the first two
/// components (`refs/heads/feature/x` → `feature/x`).
pub fn short_ref_name(full: &str) -> &str {
    let mut parts = full.splitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(_), Some(rest)) => rest,
        _ => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "132f4e719209eb10b9485302f8593fc0e680f4fc";

    #[test]
    fn precedence() {
        let all = GitRef {
            branch: Some("main".into()),
            tag: Some("v1".into()),
            semver: Some(">=1".into()),
            name: Some("refs/pull/1/head".into()),
            commit: Some(SHA.to_uppercase()),
        };
        assert_eq!(
            all.select().unwrap(),
            RefSelector::Commit {
                sha: SHA.into(),
                branch: Some("main".into())
            }
        );
        let no_commit = GitRef {
            commit: None,
            ..all.clone()
        };
        assert_eq!(
            no_commit.select().unwrap(),
            RefSelector::Name("refs/pull/1/head".into())
        );
        let no_name = GitRef {
            name: None,
            ..no_commit.clone()
        };
        assert_eq!(no_name.select().unwrap(), RefSelector::Semver(">=1".into()));
        let no_semver = GitRef {
            semver: None,
            ..no_name
        };
        assert_eq!(no_semver.select().unwrap(), RefSelector::Tag("v1".into()));
        let no_tag = GitRef {
            tag: None,
            ..no_semver
        };
        assert_eq!(no_tag.select().unwrap(), RefSelector::Branch("main".into()));
        assert_eq!(
            GitRef::default().select().unwrap(),
            RefSelector::Branch("master".into())
        );
        let empty = GitRef {
            branch: Some(String::new()),
            ..GitRef::default()
        };
        assert_eq!(
            empty.select().unwrap(),
            RefSelector::Branch("master".into())
        );
    }

    #[test]
    fn validation() {
        assert!(matches!(
            GitRef::commit("abc123").select(),
            Err(RefError::InvalidCommit(_))
        ));
        assert!(matches!(
            GitRef::name("heads/main").select(),
            Err(RefError::InvalidName(_))
        ));
        assert!(matches!(
            GitRef::branch("bad..name").select(),
            Err(RefError::InvalidBranch(_))
        ));
        assert!(matches!(
            GitRef::tag("v1 2").select(),
            Err(RefError::InvalidTag(_))
        ));
    }

    #[test]
    fn revision_strings() {
        let r = Revision::new(Some("main"), SHA).unwrap();
        assert_eq!(r.to_string(), format!("main@sha1:{SHA}"));
        assert_eq!(
            Revision::new(None, SHA).unwrap().to_string(),
            format!("sha1:{SHA}")
        );
        let nested = Revision::parse(&format!("feature/x@sha1:{SHA}")).unwrap();
        assert_eq!(nested.name(), Some("feature/x"));
        let pr = Revision::parse(&format!("refs/pull/420/head@sha1:{SHA}")).unwrap();
        assert_eq!(pr.name(), Some("refs/pull/420/head"));
    }

    #[test]
    fn legacy_forms_compare_equal() {
        assert!(Revision::same(
            &format!("main/{SHA}"),
            &format!("main@sha1:{SHA}")
        ));
        assert!(Revision::same(
            &format!("feature/x/{SHA}"),
            &format!("feature/x@sha1:{SHA}")
        ));
        assert!(Revision::same(SHA, &format!("sha1:{SHA}")));
        assert!(!Revision::same(
            &format!("dev/{SHA}"),
            &format!("main@sha1:{SHA}")
        ));
        assert!(!Revision::same(
            &format!("main@sha1:{SHA}"),
            "main@sha1:0000000000000000000000000000000000000000"
        ));
    }

    #[test]
    fn bad_revisions() {
        for bad in [
            "",
            "main",
            "main@md5:abc",
            "@sha1:abc",
            &format!("main@sha256:{SHA}"),
        ] {
            assert!(Revision::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shortening() {
        assert_eq!(short_ref_name("refs/heads/feature/x"), "feature/x");
        assert_eq!(short_ref_name("refs/tags/v1.2.3"), "v1.2.3");
        assert_eq!(short_ref_name("main"), "main");
    }

    proptest::proptest! {
        #[test]
        fn display_parse_roundtrip(name in "[a-z][a-z0-9/_.-]{0,20}", hex in "[0-9a-f]{40}") {
            let r = Revision::new(Some(&name), &hex).unwrap();
            proptest::prop_assert_eq!(Revision::parse(&r.to_string()).unwrap(), r);
        }
    }
}
