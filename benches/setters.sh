#!/usr/bin/env bash
# Times `weir set-images` over the tree from benches/gen_setters_tree.py
# (default 2,000 YAML files, 200 with markers, 295 markers) against
# `LC_ALL=C grep -rl '\$imagepolicy'` over the same tree, in the same run.
# Target: weir's whole process (walk, screen, parse, rewrite, write) within
# 2x of grep's wall time (median over RUNS).
#
#   benches/setters.sh                       # 2000 files, 200 marked, 15 runs
#   RUNS=30 FILES=20000 MARKED=2000 benches/setters.sh
#   WEIR_BIN=target/release/weir benches/setters.sh
#
# Each run gets a fresh copy of the tree (not timed) so weir really rewrites
# 200 files every time; the two tools alternate so machine noise hits both.
# Exit status 1 when the ratio is above 2.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=${RUNS:-15}
files=${FILES:-2000}
marked=${MARKED:-200}

# WEIR_BIN=/path/to/weir skips the build (e.g. a binary built from another checkout).
if [ -n "${WEIR_BIN:-}" ]; then
  weir=$WEIR_BIN
else
  (cd "$repo" && cargo build -q --release -p weir)
  weir="$repo/target/release/weir"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$here/gen_setters_tree.py" --out "$work/tree" --files "$files" --marked "$marked" >/dev/null
python3 - "$weir" "$work" "$runs" <<'PY'
import json, shutil, statistics, subprocess, sys, time

weir, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
pol = json.load(open(f"{work}/tree.policies.json"))
sets = []
for k, v in sorted(pol["latest"].items()):
    sets += ["--set", f"{k}={v}"]
expected = pol["summary"]["markers_total"]

def timed(cmd, **kw):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    return time.perf_counter() - t, p

# Correctness first: every generated marker changes, the decoys are reported.
shutil.copytree(f"{work}/tree", f"{work}/check", symlinks=True)
_, p = timed([weir, "set-images", f"{work}/check", *sets, "--report", "json"])
if p.returncode != 0:
    sys.exit(f"weir failed: {p.stderr.decode()}")
s = json.loads(p.stdout)["summary"]
print(f"weir: {s['markers']} markers (generator: {expected}), {s['changed']} changed "
      f"in {s['files_changed']} files; {s['problems']} problems (decoys)")
if s["markers"] != expected:
    sys.exit("marker count mismatch")

grep_t, weir_t = [], []
env = {"LC_ALL": "C", "PATH": "/usr/bin:/bin"}
for i in range(runs):
    d = f"{work}/run{i}"
    shutil.copytree(f"{work}/tree", d, symlinks=True)
    order = ("grep", "weir") if i % 2 == 0 else ("weir", "grep")
    for tool in order:
        if tool == "grep":
            t, p = timed(["grep", "-rl", r"\$imagepolicy", d], env=env)
            grep_t.append(t)
        else:
            t, p = timed([weir, "set-images", d, *sets])
            if p.returncode != 0:
                sys.exit(f"weir failed: {p.stderr.decode()}")
            weir_t.append(t)
    shutil.rmtree(d)

g, w = statistics.median(grep_t), statistics.median(weir_t)
print(f"{'tool':<34}{'median ms':>10}{'min ms':>9}{'max ms':>9}")
print(f"{'LC_ALL=C grep -rl $imagepolicy':<34}{g*1e3:>10.1f}{min(grep_t)*1e3:>9.1f}{max(grep_t)*1e3:>9.1f}")
print(f"{'weir set-images (writes)':<34}{w*1e3:>10.1f}{min(weir_t)*1e3:>9.1f}{max(weir_t)*1e3:>9.1f}")
ratio = w / g
print(f"ratio weir/grep: {ratio:.2f}x (target <= 2.00x) -> {'PASS' if ratio <= 2 else 'FAIL'}")
sys.exit(0 if ratio <= 2 else 1)
PY
