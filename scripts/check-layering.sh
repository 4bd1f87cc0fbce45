#!/usr/bin/env bash
# Layering check: pure engine crates (layer 0) must not depend, even
# transitively, on an async runtime, an HTTP stack, kube or AWS crates; and
# `ring` must never enter the tree (two rustls providers panic at run time).
set -euo pipefail
cd "$(dirname "$0")/.."
pure="weir-semver weir-imagepolicy weir-yaml weir-setters weir-kustomize weir-template"
banned='^(tokio|tokio-[a-z-]+|reqwest|hyper|hyper-[a-z-]+|kube|kube-[a-z-]+|k8s-openapi|aws-[a-z0-9-]+|gix|gix-[a-z-]+|ring) '
fail=0
for p in $pure; do
  if hits=$(cargo tree --locked -p "$p" -e normal --prefix none 2>/dev/null | grep -E "$banned" | sort -u) && [ -n "$hits" ]; then
    echo "layering: $p (pure) depends on:"; echo "$hits" | sed 's/^/  /'; fail=1
  fi
done
# `cargo tree -i ring` prints "nothing to print" (exit 0) when ring is only an
# unused optional entry of Cargo.lock; it is a problem only when something
# actually builds it, i.e. when the inverted tree has a `ring v…` root line.
ring_tree=$(cargo tree --locked --workspace -i ring -e normal --prefix none 2>/dev/null || true)
if echo "$ring_tree" | grep -q '^ring v'; then
  echo "layering: the 'ring' crate is in the dependency tree (use aws-lc-rs only):"
  echo "$ring_tree" | head -20; fail=1
fi
[ "$fail" = 0 ] && echo "layering: ok (pure crates: $pure; no ring)"
exit "$fail"
