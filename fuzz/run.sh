#!/usr/bin/env bash
# Runs a fuzz target under libFuzzer with a nightly toolchain, without
# needing cargo-fuzz: the same flags `cargo fuzz run` passes (sanitizer
# coverage + AddressSanitizer). With cargo-fuzz installed, `cargo +nightly
# fuzz run setters_scan` is equivalent.
#
#   fuzz/run.sh [TARGET] [SECONDS]      # default: setters_scan, 300 s
#   MAX_LEN=8192 TIMEOUT=10 fuzz/run.sh kustomize_build 600
#
# Extra libFuzzer flags can follow the seconds (e.g. -jobs=1 -print_final_stats=1).
set -euo pipefail
cd "$(dirname "$0")"
target=${1:-setters_scan}
secs=${2:-300}
shift $(( $# > 2 ? 2 : $# ))
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks \
-Zsanitizer=address"
cargo +nightly build -q --release --bin "$target" --target "$triple"
mkdir -p "corpus/$target" artifacts
# New corpus entries go to a scratch copy so the committed seeds stay small.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "corpus/$target"/* "$work"/
"target/$triple/release/$target" "$work" -max_total_time="$secs" -max_len="${MAX_LEN:-4096}" \
  -timeout="${TIMEOUT:-10}" -rss_limit_mb=2048 -artifact_prefix="artifacts/$target-" "$@"
