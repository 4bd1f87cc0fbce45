//! Parse and emit throughput on a generated resource list shaped like
//! kustomize output (Deployments, Services and ConfigMaps), at about the
//! size of the N=1,000 tree (2,202 objects, ~3.5 MB).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn generate(apps: usize) -> String {
    let mut s = String::with_capacity(apps * 1700);
    for i in 0..apps {
        if i > 0 {
            s.push_str("---\n");
        }
        let _ = write!(
            s,
            "apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/name: app-{i}
    team: team-{t}
  name: prod-app-{i}
  namespace: prod
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: app-{i}
  template:
    metadata:
      annotations:
        checksum/config: 0f3c2a9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170
      labels:
        app.kubernetes.io/name: app-{i}
    spec:
      containers:
      - args:
        - --port=8080
        - --log-level=info
        env:
        - name: MODE
          value: \"on\"
        - name: RATIO
          value: \"0.5\"
        image: registry.example.com/team-{t}/app-{i}:1.2.{i}
        name: app
        ports:
        - containerPort: 8080
          name: http
        resources:
          limits:
            cpu: 500m
            memory: 256Mi
      volumes:
      - configMap:
          name: app-{i}-config
        name: config
---
apiVersion: v1
kind: Service
metadata:
  name: prod-app-{i}
  namespace: prod
spec:
  ports:
  - name: http
    port: 80
    targetPort: 8080
  selector:
    app.kubernetes.io/name: app-{i}
---
apiVersion: v1
data:
  config.yaml: |
    server:
      port: 8080
    description: a long line that is long enough to be folded by the emitter when it is plain text
kind: ConfigMap
metadata:
  name: app-{i}-config
  namespace: prod
",
            t = i % 7
        );
    }
    s
}

fn bench(c: &mut Criterion) {
    let src = generate(1_000);
    let docs = weir_yaml::parse_documents(&src).unwrap_or_default();
    let mut group = c.benchmark_group("yaml");
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.sample_size(20);
    group.bench_function("parse_3000_docs", |b| {
        b.iter(|| weir_yaml::parse_documents(black_box(&src)))
    });
    group.bench_function("emit_3000_docs", |b| {
        b.iter(|| weir_yaml::emit_documents(black_box(&docs)))
    });
    group.bench_function("parse_and_emit_3000_docs", |b| {
        b.iter(|| {
            weir_yaml::parse_documents(black_box(&src)).map(|d| weir_yaml::emit_documents(&d))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
