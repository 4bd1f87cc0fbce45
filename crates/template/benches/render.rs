//! Benchmark: parsing and rendering Flux's documented commit-message template (the v1 API
//! docs example over `.Changed.FileChanges` / `.Changed.Objects`) for an automation run that
//! changed 200 setters in 100 files, plus the seed's one-liner.
//!
//! There is no Go baseline here; the target is that a message renders in well under a
//! millisecond, far below the Git round trips around it.
//! Run: `cargo bench -p weir-template --bench render`.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use weir_template::Template;
use weir_template::flux::{Change, CommitData, ImageRef, ObjectId};

const DOCS_TEMPLATE: &str = "Automated image update

Automation name: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $changes := .Changed.Objects -}}
- {{ $resource.Kind | lower }} {{ $resource.Name | lower }}
  Changes:
{{- range $_, $change := $changes }}
    - {{ $change.OldValue }} -> {{ $change.NewValue }}
{{ end -}}
{{ end -}}
";

fn data() -> CommitData {
    let mut d = CommitData::new("flux-system", "flux-system");
    for i in 0..100 {
        let id = ObjectId::new("apps/v1", "Deployment", "apps", format!("app-{i}"));
        let file = format!("apps/app-{i}/deployment.yaml");
        d.add_change(
            &file,
            &id,
            Change::new(
                format!("ghcr.io/org/app-{i}"),
                format!("ghcr.io/org/app-{i}"),
                format!("apps:app-{i}:name"),
            ),
        );
        d.add_change(
            &file,
            &id,
            Change::new("1.0.0", "1.0.1", format!("apps:app-{i}:tag")),
        );
        d.add_image(
            &file,
            &id,
            ImageRef::parse(&format!("ghcr.io/org/app-{i}:1.0.1")),
        );
    }
    d
}

fn bench(c: &mut Criterion) {
    let d = data();
    let value = d.to_value();
    c.bench_function("parse_docs_template", |b| {
        b.iter(|| Template::parse("commit message", black_box(DOCS_TEMPLATE)).unwrap())
    });
    let t = Template::parse("commit message", DOCS_TEMPLATE).unwrap();
    c.bench_function("render_docs_template_200_changes", |b| {
        b.iter(|| t.render(black_box(&value)).unwrap())
    });
    let seed = Template::parse(
        "commit message",
        "{{range .Updated.Images}}{{println .}}{{end}}",
    )
    .unwrap();
    c.bench_function("render_seed_template_100_images", |b| {
        b.iter(|| seed.render(black_box(&value)).unwrap())
    });
    c.bench_function("build_data_200_changes", |b| {
        b.iter(|| black_box(&d).to_value())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
