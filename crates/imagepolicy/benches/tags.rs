//! Benchmark: selecting the latest CI build tag out of 1,000,000 tags.
//!
//! Compares `Policy::latest` (pattern `^main-[a-f0-9]{7}-(?P<b>[0-9]+)$`, extract
//! `$b`, numerical asc) with a hand-written loop running the same regex over the
//! same tags. Target: `weir_latest` within 2x of `hand_loop`.
//!
//! Input: `benches/gen_tags.py --count 1000000 --seed 1`, written once to
//! `target/bench-data/tags-1m.txt` (or the file named by `WEIR_BENCH_TAGS`).
//! Run: `cargo bench -p weir-imagepolicy --bench tags`.

#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr
)]

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use weir_imagepolicy::{Choice, FilterTags, Policy, PolicySpec};

const PATTERN: &str = "^main-[a-f0-9]{7}-(?P<b>[0-9]+)$";

fn tags_file() -> PathBuf {
    if let Some(p) = std::env::var_os("WEIR_BENCH_TAGS") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("target/bench-data/tags-1m.txt");
    if !out.exists() {
        std::fs::create_dir_all(out.parent().expect("target dir")).expect("create bench-data");
        let status = Command::new("python3")
            .arg(root.join("benches/gen_tags.py"))
            .args(["--count", "1000000", "--seed", "1", "--out"])
            .arg(&out)
            .status()
            .expect("run python3 benches/gen_tags.py");
        assert!(status.success(), "gen_tags.py failed");
    }
    out
}

fn hand_loop(re: &regex::Regex, tags: &[&str]) -> Option<u64> {
    let mut locs = re.capture_locations();
    let mut best: Option<u64> = None;
    for tag in tags {
        if re.captures_read(&mut locs, tag).is_some() {
            let (s, e) = locs.get(1).expect("group b");
            if let Ok(n) = tag[s..e].parse::<u64>() {
                best = Some(best.map_or(n, |b| b.max(n)));
            }
        }
    }
    best
}

fn bench(c: &mut Criterion) {
    let path = tags_file();
    let text = std::fs::read_to_string(&path).expect("read tags");
    let tags: Vec<&str> = text.lines().collect();
    eprintln!("{} tags from {}", tags.len(), path.display());

    let re = regex::Regex::new(PATTERN).expect("regex");
    let policy = Policy::new(&PolicySpec {
        filter_tags: Some(FilterTags {
            pattern: PATTERN.into(),
            extract: "$b".into(),
        }),
        choice: Choice::Numerical {
            order: "asc".into(),
        },
    })
    .expect("policy");
    // Both must agree before we time them.
    let winner = policy.latest(tags.iter().copied()).expect("a tag");
    let best = hand_loop(&re, &tags).expect("a build");
    assert!(winner.ends_with(&format!("-{best}")), "{winner} vs {best}");

    let mut group = c.benchmark_group("tags_1m");
    group.sample_size(20);
    group.throughput(Throughput::Elements(tags.len() as u64));
    group.bench_function("hand_loop", |b| b.iter(|| hand_loop(&re, black_box(&tags))));
    group.bench_function("weir_latest", |b| {
        b.iter(|| policy.latest(black_box(&tags).iter().copied()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
