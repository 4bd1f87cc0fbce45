//! Benchmark: listing 10,000 and 100,000 tags through 1,000-tag pages, as
//! `Repository::list_tags` does after each response arrives: parse the body
//! (`parse_tag_page`), find the `Link` target (`next_link`), feed the pager
//! (`TagPager::accept`) and collect the tags.
//!
//! Target: linear work — the time per tag at 100,000 tags stays within 1.5x
//! of the time per tag at 10,000 tags (compare the two `elements/s` figures),
//! for both `Link` and `last` pagination. No network: page bodies are built
//! up front.
//!
//! Run: `cargo bench -p weir-registry --bench pages`.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use reqwest::Url;
use weir_registry::pages::{TagPager, next_link, parse_tag_page};

const PAGE: usize = 1000;

struct Fixture {
    /// (body, Link header) per page, in order.
    pages: Vec<(Vec<u8>, String)>,
    total: usize,
}

fn fixture(total: usize) -> Fixture {
    let mut tags: Vec<String> = (0..total)
        .map(|i| format!("main-{:07x}-{i}", (i * 2_654_435_761) % 268_435_456))
        .collect();
    tags.sort();
    let pages = tags
        .chunks(PAGE)
        .map(|chunk| {
            let body = serde_json::to_vec(&serde_json::json!({"name": "team/app", "tags": chunk}))
                .unwrap();
            let link = format!(
                r#"</v2/team/app/tags/list?n={PAGE}&last={}>; rel="next""#,
                chunk.last().unwrap()
            );
            (body, link)
        })
        .collect();
    Fixture { pages, total }
}

fn list(fx: &Fixture, use_link: bool) -> usize {
    let base = Url::parse("https://registry.example/").unwrap();
    let mut pager = TagPager::new(&base, "team/app", PAGE as u32).unwrap();
    let mut all: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(url) = pager.next_url().cloned() {
        let (tags, link) = match fx.pages.get(i) {
            Some((body, link_header)) => {
                let tags = parse_tag_page(body).unwrap();
                let last_page = i + 1 == fx.pages.len();
                let link = (use_link && !last_page)
                    .then(|| next_link([link_header.as_str()], &url))
                    .flatten();
                (tags, link)
            }
            None => (Vec::new(), None),
        };
        pager
            .accept(tags, link, &mut |page| all.extend(page))
            .unwrap();
        i += 1;
    }
    assert_eq!(all.len(), fx.total);
    all.len()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("list_tags_pages");
    group.sample_size(20);
    for total in [10_000, 100_000] {
        let fx = fixture(total);
        group.throughput(Throughput::Elements(total as u64));
        group.bench_function(format!("link/{total}"), |b| {
            b.iter(|| black_box(list(&fx, true)))
        });
        group.bench_function(format!("last/{total}"), |b| {
            b.iter(|| black_box(list(&fx, false)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
