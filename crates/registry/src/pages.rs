//! Tag-list pages: parsing `GET /v2/<name>/tags/list` bodies and `Link`
//! headers, and the pagination state machine that decides the next request.
//!
//! Registries paginate in one of three ways, and [`TagPager`] handles each:
//!
//! 1. **`Link` header** (`Link: </v2/app/tags/list?n=1000&last=x>; rel="next"`), as
//!    distribution v3, Docker Hub, GHCR and go-containerregistry do: follow it;
//!    once a registry has sent `Link`, a page without one is the last.
//! 2. **`n`/`last` without `Link`**: a full page (exactly `n` tags) is followed by a
//!    request with `last=<last tag of the page>`. A registry that ignores `last`
//!    returns the cursor tag again; that page is dropped and listing stops.
//! 3. **No pagination** (distribution 2.8 returns every tag and ignores `n`): a page
//!    with fewer or more than `n` tags ends the listing.
//!
//! Each page is parsed and handed on; nothing is re-scanned, so listing is
//! linear in the number of tags, and memory is one page body plus the tags.

use std::collections::HashSet;

use reqwest::Url;

/// Why a page could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// The body is not a tag list (`{"name": …, "tags": […]}`).
    #[error("tag list is not valid JSON")]
    Json {
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The registry kept sending more pages than [`TagPager::MAX_PAGES`].
    #[error("registry sent more than {max} tag pages")]
    TooManyPages {
        /// The limit.
        max: usize,
    },
}

#[derive(serde::Deserialize)]
struct TagList {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// Parses one tag-list body. `"tags": null` (an empty repository) is an empty list.
pub fn parse_tag_page(body: &[u8]) -> Result<Vec<String>, PageError> {
    let list: TagList =
        serde_json::from_slice(body).map_err(|source| PageError::Json { source })?;
    Ok(list.tags.unwrap_or_default())
}

/// Finds the `rel="next"` target in `Link` header values (RFC 8288) and
/// resolves it against the URL of the request that returned it.
pub fn next_link<'a>(links: impl IntoIterator<Item = &'a str>, current: &Url) -> Option<Url> {
    for header in links {
        for link in split_links(header) {
            let link = link.trim();
            let Some(rest) = link.strip_prefix('<') else {
                continue;
            };
            let Some((target, params)) = rest.split_once('>') else {
                continue;
            };
            let is_next = params.split(';').any(|p| {
                let Some((k, v)) = p.split_once('=') else {
                    return false;
                };
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
            });
            if is_next && let Ok(url) = current.join(target.trim()) {
                return Some(url);
            }
        }
    }
    None
}

/// Splits a `Link` header at the commas between links (not those inside `<…>`
/// or quoted parameter values).
fn split_links(header: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut in_angle, mut in_quote, mut start) = (false, false, 0);
    for (i, b) in header.bytes().enumerate() {
        match b {
            b'<' if !in_quote => in_angle = true,
            b'>' if !in_quote => in_angle = false,
            b'"' if !in_angle => in_quote = !in_quote,
            b',' if !in_angle && !in_quote => {
                out.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&header[start..]);
    out
}

/// The URL of the first tag page: `<base>v2/<repository>/tags/list?n=<page_size>`.
pub fn first_page_url(base: &Url, repository: &str, page_size: u32) -> Option<Url> {
    let mut url = base.join(&format!("v2/{repository}/tags/list")).ok()?;
    url.query_pairs_mut()
        .append_pair("n", &page_size.to_string());
    Some(url)
}

/// Pagination state: which URL to fetch next, given the pages seen so far.
///
/// ```
/// use weir_registry::pages::TagPager;
/// let base = reqwest::Url::parse("https://r.example/")?;
/// let mut pager = TagPager::new(&base, "app", 2).expect("valid URL");
/// let mut all = Vec::new();
/// assert_eq!(pager.next_url().map(|u| u.as_str()), Some("https://r.example/v2/app/tags/list?n=2"));
/// pager.accept(vec!["a".into(), "b".into()], None, &mut |page| all.extend(page))?;
/// assert_eq!(pager.next_url().map(|u| u.as_str()), Some("https://r.example/v2/app/tags/list?n=2&last=b"));
/// pager.accept(vec!["c".into()], None, &mut |page| all.extend(page))?;
/// assert!(pager.next_url().is_none());
/// assert_eq!(all, ["a", "b", "c"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TagPager {
    first: Url,
    page_size: usize,
    next: Option<Url>,
    /// The `last` cursor of the request in flight (only in `n`/`last` mode).
    cursor: Option<String>,
    /// `Link` targets already fetched, so a looping registry cannot loop us.
    visited: HashSet<String>,
    /// The registry has sent a `Link` header: its absence now means "no more pages".
    link_mode: bool,
    pages: usize,
    tags: usize,
}

impl TagPager {
    /// The most pages one listing may take (at 1,000 tags a page: 10 million tags).
    pub const MAX_PAGES: usize = 10_000;

    /// Starts a listing of `repository` under the registry `base` URL.
    pub fn new(base: &Url, repository: &str, page_size: u32) -> Option<Self> {
        let first = first_page_url(base, repository, page_size)?;
        Some(TagPager {
            next: Some(first.clone()),
            first,
            page_size: page_size as usize,
            cursor: None,
            visited: HashSet::new(),
            link_mode: false,
            pages: 0,
            tags: 0,
        })
    }

    /// The next page to fetch, or `None` when the listing is complete.
    pub fn next_url(&self) -> Option<&Url> {
        self.next.as_ref()
    }

    /// Pages accepted so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Tags handed on so far.
    pub fn tags(&self) -> usize {
        self.tags
    }

    /// Takes the tags of the page fetched from [`TagPager::next_url`] and its
    /// `Link` next target (see [`next_link`]), hands the tags to `sink`, and
    /// works out the next URL.
    pub fn accept(
        &mut self,
        tags: Vec<String>,
        link_next: Option<Url>,
        sink: &mut dyn FnMut(Vec<String>),
    ) -> Result<(), PageError> {
        let Some(current) = self.next.take() else {
            return Ok(());
        };
        self.pages += 1;
        self.visited.insert(current.to_string());
        // A registry that ignores `last` sends the cursor tag again: drop the page.
        if let Some(cursor) = &self.cursor
            && tags.iter().any(|t| t == cursor)
        {
            tracing::debug!(url = %current, "registry ignores `last`; stopping pagination");
            return Ok(());
        }
        let count = tags.len();
        let last = tags.last().cloned();
        self.tags += count;
        if count > 0 {
            sink(tags);
        }
        if self.pages >= Self::MAX_PAGES {
            return Err(PageError::TooManyPages {
                max: Self::MAX_PAGES,
            });
        }
        if let Some(next) = link_next {
            self.link_mode = true;
            self.cursor = None;
            if !self.visited.contains(next.as_str()) {
                self.next = Some(next);
            }
            return Ok(());
        }
        match last {
            Some(last) if count == self.page_size && !self.link_mode => {
                let mut next = self.first.clone();
                next.query_pairs_mut().append_pair("last", &last);
                self.cursor = Some(last);
                if !self.visited.contains(next.as_str()) {
                    self.next = Some(next);
                }
            }
            _ => self.cursor = None,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn parses_pages() {
        assert_eq!(
            parse_tag_page(br#"{"name":"app","tags":["v1","v2"]}"#).unwrap(),
            ["v1", "v2"]
        );
        assert!(
            parse_tag_page(br#"{"name":"app","tags":null}"#)
                .unwrap()
                .is_empty()
        );
        assert!(parse_tag_page(br#"{"name":"app"}"#).unwrap().is_empty());
        assert!(matches!(
            parse_tag_page(b"<html>"),
            Err(PageError::Json { .. })
        ));
        assert!(parse_tag_page(br#"{"tags":[1]}"#).is_err());
    }

    #[test]
    fn link_headers() {
        let cur = url("https://r.example/v2/app/tags/list?n=2");
        assert_eq!(
            next_link([r#"</v2/app/tags/list?last=b&n=2>; rel="next""#], &cur),
            Some(url("https://r.example/v2/app/tags/list?last=b&n=2"))
        );
        assert_eq!(
            next_link(
                [
                    r#"<https://cdn.example/p?a=1,2>; rel="prev", <https://r.example/v2/app/tags/list?last=x>; rel="next last""#
                ],
                &cur
            ),
            Some(url("https://r.example/v2/app/tags/list?last=x"))
        );
        assert_eq!(
            next_link(["<page2>;rel=next"], &cur),
            Some(url("https://r.example/v2/app/tags/page2"))
        );
        assert_eq!(next_link([r#"</x>; rel="prev""#, "garbage"], &cur), None);
        assert_eq!(next_link(Vec::<&str>::new(), &cur), None);
    }

    fn run(pager: &mut TagPager, pages: Vec<(Vec<&str>, Option<Url>)>) -> Vec<String> {
        let mut all = Vec::new();
        for (tags, link) in pages {
            assert!(pager.next_url().is_some());
            let tags = tags.into_iter().map(String::from).collect();
            pager.accept(tags, link, &mut |p| all.extend(p)).unwrap();
        }
        all
    }

    #[test]
    fn link_pagination_and_loops() {
        let base = url("http://127.0.0.1:5000/");
        let mut p = TagPager::new(&base, "a/b", 2).unwrap();
        let next = url("http://127.0.0.1:5000/v2/a/b/tags/list?n=2&last=y");
        let all = run(
            &mut p,
            vec![
                (vec!["x", "y"], Some(next.clone())),
                (vec!["z"], Some(next)),
            ],
        );
        assert_eq!(all, ["x", "y", "z"]);
        // The second page linked to itself: no third request.
        assert!(p.next_url().is_none());
        assert_eq!(p.pages(), 2);
    }

    #[test]
    fn registry_ignoring_n_returns_everything_at_once() {
        let base = url("http://r/");
        let mut p = TagPager::new(&base, "app", 2).unwrap();
        let all = run(&mut p, vec![(vec!["a", "b", "c"], None)]);
        assert_eq!(all.len(), 3);
        assert!(p.next_url().is_none());
    }

    #[test]
    fn registry_ignoring_last_stops_after_one_page() {
        let base = url("http://r/");
        let mut p = TagPager::new(&base, "app", 2).unwrap();
        let all = run(&mut p, vec![(vec!["a", "b"], None), (vec!["a", "b"], None)]);
        assert_eq!(all, ["a", "b"]);
        assert!(p.next_url().is_none());
    }

    #[test]
    fn empty_repository() {
        let mut p = TagPager::new(&url("http://r/"), "app", 2).unwrap();
        assert!(run(&mut p, vec![(vec![], None)]).is_empty());
        assert!(p.next_url().is_none());
    }

    /// 100,000 tags through 1,000-tag pages, both styles, as a fake registry
    /// would serve them: every tag arrives once, in order, in 100 (+1) requests.
    #[test]
    fn hundred_thousand_tags_stream_through_pages() {
        const TOTAL: usize = 100_000;
        const PAGE: usize = 1_000;
        let tags: Vec<String> = (0..TOTAL).map(|i| format!("main-{i:07x}-{i}")).collect();
        let mut sorted = tags.clone();
        sorted.sort();
        for use_link in [true, false] {
            let base = url("https://r.example/");
            let mut p = TagPager::new(&base, "team/app", PAGE as u32).unwrap();
            let (mut got, mut requests, mut largest_page) = (Vec::with_capacity(TOTAL), 0, 0);
            while let Some(next) = p.next_url().cloned() {
                requests += 1;
                // A registry in `last` mode serves the sorted tags after the cursor.
                let q: Vec<(String, String)> = next.query_pairs().into_owned().collect();
                let last = q.iter().find(|(k, _)| k == "last").map(|(_, v)| v.clone());
                let start = match last {
                    Some(l) => sorted.partition_point(|t| *t <= l),
                    None => 0,
                };
                let end = (start + PAGE).min(TOTAL);
                let body = serde_json::to_vec(
                    &serde_json::json!({"name": "team/app", "tags": &sorted[start..end]}),
                )
                .unwrap();
                let page = parse_tag_page(&body).unwrap();
                let link = (use_link && end < TOTAL).then(|| {
                    let h = format!(
                        r#"</v2/team/app/tags/list?n={PAGE}&last={}>; rel="next""#,
                        sorted[end - 1]
                    );
                    next_link([h.as_str()], &next).unwrap()
                });
                p.accept(page, link, &mut |page| {
                    largest_page = largest_page.max(page.len());
                    got.extend(page);
                })
                .unwrap();
            }
            assert_eq!(got, sorted, "use_link={use_link}");
            // Link mode stops when a page has no `Link`; `last` mode needs one
            // empty page after the last full one.
            assert_eq!(requests, if use_link { 100 } else { 101 });
            assert_eq!(largest_page, PAGE);
            assert_eq!(p.tags(), TOTAL);
        }
        drop(tags);
    }

    proptest::proptest! {
        #[test]
        fn link_parser_never_panics(s in "\\PC{0,120}") {
            let _ = next_link([s.as_str()], &url("https://r/v2/a/tags/list"));
        }
    }
}
