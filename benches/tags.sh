#!/usr/bin/env bash
# Whole-process benchmark of `weir tags` against grep over 1,000,000 tags.
#
#   bash benches/tags.sh            # build, generate the input once, time both
#   RUNS=20 bash benches/tags.sh    # more runs for the fallback timing loop
#
# Input: benches/gen_tags.py --count 1000000 --seed 1 (21 MB), written once to
# target/bench-data/tags-1m.txt. Policy: pattern ^main-[a-f0-9]{7}-(?P<b>[0-9]+)$,
# extract $b, numerical asc. Baseline: LC_ALL=C grep -cE with the same pattern
# (without the group). Target: weir within 4x of grep. Uses hyperfine when it is
# installed (apt-get install hyperfine), else a small timing loop (median).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
data=$target/bench-data/tags-1m.txt
if [ ! -s "$data" ]; then
  mkdir -p "$(dirname "$data")"
  python3 benches/gen_tags.py --count 1000000 --seed 1 --out "$data"
fi
cargo build -q --release -p weir
weir=$target/release/weir

# `env` rather than a shell, so hyperfine can run both without one (-N): its
# shell-startup correction is unreliable on a loaded machine. Output goes to a
# pipe (--output=pipe): with stdout on /dev/null GNU grep stops at the first
# match and the comparison would be meaningless.
grep_cmd="env LC_ALL=C grep -cE '^main-[a-f0-9]{7}-[0-9]+\$' $data"
weir_cmd="$weir tags --pattern '^main-[a-f0-9]{7}-(?P<b>[0-9]+)\$' --extract '\$b' --numerical asc --tags-file $data"

echo "grep: $(bash -c "$grep_cmd") matching tags"
echo "weir: selected $(bash -c "$weir_cmd")"

if command -v hyperfine >/dev/null; then
  hyperfine -N --output=pipe --warmup 3 --runs "${RUNS:-20}" --export-json "$target/bench-data/tags-hyperfine.json" \
    -n grep "$grep_cmd" -n weir "$weir_cmd"
  ratio=$(python3 -c 'import json,sys; r={x["command"]:x["median"] for x in json.load(open(sys.argv[1]))["results"]}; print("%.2f" % (r["weir"]/r["grep"]))' "$target/bench-data/tags-hyperfine.json")
else
  median_ms() { # command -> median wall time in ms over RUNS runs
    local times=() i start end
    for i in $(seq "${RUNS:-11}"); do
      start=$(date +%s%N); bash -c "$1" | cat >/dev/null; end=$(date +%s%N)
      times+=($(( (end - start) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (${#times[@]} + 1) / 2 ))p"
  }
  g=$(median_ms "$grep_cmd"); w=$(median_ms "$weir_cmd")
  echo "grep median: ${g} ms, weir median: ${w} ms"
  ratio=$(python3 -c "print('%.2f' % ($w / max($g, 1)))")
fi
echo "weir / grep = ${ratio}x (target: <= 4x)"
python3 -c "import sys; sys.exit(0 if $ratio <= 4 else 1)" && echo "PASS" || { echo "FAIL"; exit 1; }
