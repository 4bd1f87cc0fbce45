//! What a cycle observed, per object, and the `flux get images all -A`
//! tables.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::load::Key;

/// The state of an ImageRepository after its last scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RepositoryStatus {
    /// `spec.image`.
    pub image: String,
    /// When the last successful scan finished.
    pub last_scan: Option<SystemTime>,
    /// Tags kept after the exclusion list.
    pub tag_count: usize,
    /// `lastScanResult.revision`: `sha256:<hex>` of the stored tag list, one
    /// tag per line (the form of Flux's `FluxStorage` tag store).
    pub revision: String,
    /// `lastScanResult.latestTags`: the first 10 tags sorted descending by
    /// plain string comparison (so `9.0` precedes `10.0`; informational).
    pub latest_tags: Vec<String>,
    /// `spec.suspend`.
    pub suspended: bool,
    /// Whether the last scan succeeded.
    pub ready: Option<bool>,
    /// The Ready message (Flux's wording).
    pub message: String,
}

/// The state of an ImagePolicy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PolicyStatus {
    /// `latestRef.name`: the ImageRepository's `spec.image`.
    pub image: Option<String>,
    /// `latestRef.tag`.
    pub tag: Option<String>,
    /// Whether the last evaluation succeeded.
    pub ready: Option<bool>,
    /// The Ready message.
    pub message: String,
}

impl PolicyStatus {
    /// `name:tag`, when resolved.
    pub fn latest_image(&self) -> Option<String> {
        Some(format!("{}:{}", self.image.as_ref()?, self.tag.as_ref()?))
    }
}

/// The state of an ImageUpdateAutomation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AutomationStatus {
    /// `lastAutomationRunTime`.
    pub last_run: Option<SystemTime>,
    /// `spec.suspend`.
    pub suspended: bool,
    /// Whether the last run succeeded.
    pub ready: Option<bool>,
    /// The Ready message: after a push, Flux's summary
    /// `pushed commit '<sha7>' to branch '<b>'` and the commit message on the
    /// following lines (tables show the first line).
    pub message: String,
    /// `lastPushCommit`.
    pub last_push_commit: Option<String>,
    /// `lastPushTime`.
    pub last_push_time: Option<SystemTime>,
    /// The message of the last pushed commit.
    pub last_commit_message: Option<String>,
    /// `observedSourceRevision`: `<branch>@sha1:<hex>`.
    pub observed_revision: Option<String>,
    /// Markers the last run could not resolve (`file:line: setter: why`).
    pub unresolved: Vec<String>,
    /// Values the last commit changed (`file:line: old -> new`).
    pub changes: Vec<String>,
}

/// Everything known about the objects, as of the last cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// ImageRepositories.
    pub repositories: BTreeMap<Key, RepositoryStatus>,
    /// ImagePolicies.
    pub policies: BTreeMap<Key, PolicyStatus>,
    /// ImageUpdateAutomations.
    pub automations: BTreeMap<Key, AutomationStatus>,
}

fn ready(r: Option<bool>) -> &'static str {
    match r {
        Some(true) => "True",
        Some(false) => "False",
        None => "Unknown",
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// Formats a time as RFC 3339 in UTC (`2026-11-27T15:04:05Z`).
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Renders rows like Flux's table printer: left-aligned columns padded to
/// their width, separated by a tab.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let pad = widths.get(i).copied().unwrap_or(0) - cell.chars().count();
                out.extend(std::iter::repeat_n(' ', pad));
                out.push('\t');
            }
        }
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

impl Status {
    /// The three tables of `flux get images all -A` (ImageRepository,
    /// ImagePolicy, ImageUpdateAutomation), each followed by a blank line; a
    /// kind without objects prints nothing.
    pub fn render_tables(&self) -> String {
        let mut out = String::new();
        let repositories = self.repositories.iter().map(|((ns, name), s)| {
            vec![
                ns.clone(),
                format!("imagerepository/{name}"),
                s.last_scan.map(rfc3339).unwrap_or_default(),
                bool_text(s.suspended).to_owned(),
                ready(s.ready).to_owned(),
                first_line(&s.message).to_owned(),
            ]
        });
        push_section(
            &mut out,
            &[
                "NAMESPACE",
                "NAME",
                "LAST SCAN",
                "SUSPENDED",
                "READY",
                "MESSAGE",
            ],
            repositories.collect(),
        );
        let policies = self.policies.iter().map(|((ns, name), s)| {
            vec![
                ns.clone(),
                format!("imagepolicy/{name}"),
                s.image.clone().unwrap_or_default(),
                s.tag.clone().unwrap_or_default(),
                ready(s.ready).to_owned(),
                first_line(&s.message).to_owned(),
            ]
        });
        push_section(
            &mut out,
            &["NAMESPACE", "NAME", "IMAGE", "TAG", "READY", "MESSAGE"],
            policies.collect(),
        );
        let automations = self.automations.iter().map(|((ns, name), s)| {
            vec![
                ns.clone(),
                format!("imageupdateautomation/{name}"),
                s.last_run.map(rfc3339).unwrap_or_default(),
                bool_text(s.suspended).to_owned(),
                ready(s.ready).to_owned(),
                first_line(&s.message).to_owned(),
            ]
        });
        push_section(
            &mut out,
            &[
                "NAMESPACE",
                "NAME",
                "LAST RUN",
                "SUSPENDED",
                "READY",
                "MESSAGE",
            ],
            automations.collect(),
        );
        out
    }
}

/// Appends one table and a blank line; a kind without objects prints nothing.
fn push_section(out: &mut String, header: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        return;
    }
    out.push_str(&table(header, &rows));
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_792_496);
        assert_eq!(rfc3339(t), "2026-11-27T15:14:56Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn tables_in_flux_shape() {
        let mut s = Status::default();
        assert_eq!(s.render_tables(), "");
        let key = ("flux-system".to_owned(), "front-end".to_owned());
        s.repositories.insert(
            key.clone(),
            RepositoryStatus {
                image: "weaveworksdemos/front-end".into(),
                last_scan: Some(UNIX_EPOCH),
                tag_count: 3,
                revision: String::new(),
                latest_tags: Vec::new(),
                suspended: false,
                ready: Some(true),
                message: "successful scan: found 3 tags".into(),
            },
        );
        s.policies.insert(
            key.clone(),
            PolicyStatus {
                image: Some("weaveworksdemos/front-end".into()),
                tag: Some("main-abc1234-3".into()),
                ready: Some(true),
                message:
                    "Latest image tag for 'weaveworksdemos/front-end' resolved to main-abc1234-3"
                        .into(),
            },
        );
        s.automations.insert(
            ("flux-system".to_owned(), "flux-system".to_owned()),
            AutomationStatus {
                ready: None,
                ..Default::default()
            },
        );
        let expected = "\
NAMESPACE  \tNAME                     \tLAST SCAN           \tSUSPENDED\tREADY\tMESSAGE
flux-system\timagerepository/front-end\t1970-01-01T00:00:00Z\tFalse    \tTrue \tsuccessful scan: found 3 tags

NAMESPACE  \tNAME                 \tIMAGE                    \tTAG           \tREADY\tMESSAGE
flux-system\timagepolicy/front-end\tweaveworksdemos/front-end\tmain-abc1234-3\tTrue \tLatest image tag for 'weaveworksdemos/front-end' resolved to main-abc1234-3

NAMESPACE  \tNAME                             \tLAST RUN\tSUSPENDED\tREADY  \tMESSAGE
flux-system\timageupdateautomation/flux-system\t        \tFalse    \tUnknown\t

";
        assert_eq!(s.render_tables(), expected);
    }
}
