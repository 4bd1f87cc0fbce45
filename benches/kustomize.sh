#!/usr/bin/env bash
# Compares `weir build` with `kubectl kustomize` on generated kustomize trees
# (benches/gen_kustomize.py) and on Sock Shop (benches/sock-shop), then times
# `weir build` alone on large trees. Whole-process figures from /usr/bin/time:
# wall time, CPU time (user + sys) and peak RSS; medians over the runs.
#
#   benches/kustomize.sh                 # N=100,300 vs kubectl; weir alone at 1k/5k/20k
#   RUNS=5 BIG="1000 5000" benches/kustomize.sh
#   benches/kustomize.sh --large         # only weir alone at 1k/5k/20k (no kubectl), BIG_RUNS=7 rounds
#   WEIR=target/release/weir benches/kustomize.sh   # use an existing binary
#
# The two tools run alternately in one loop so that machine noise hits both.
# kubectl kustomize is quadratic on these trees (N=1,000 takes ~100 s), so it
# is only compared at N=100 and N=300.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=${RUNS:-5}
compare_ns=${COMPARE:-"100 300"}
big_ns=${BIG:-"1000 5000 20000"}
large=0
[ "${1:-}" = --large ] && large=1
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
[ "$large" = 1 ] || command -v kubectl >/dev/null || { echo "needs kubectl on PATH" >&2; exit 2; }

# WEIR=/path/to/weir skips the build (e.g. a binary built earlier).
weir=${WEIR:-}
if [ -z "$weir" ]; then
  (cd "$repo" && cargo build -q --release -p weir)
  weir="$repo/target/release/weir"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure LABEL CMD... -> appends "label wall user sys maxrss_kb" to $work/samples
# Times come from bash's `time` (millisecond steps; /usr/bin/time's %e has 10 ms
# steps, 4% of a 0.25 s run), peak RSS from /usr/bin/time (which adds ~1 ms).
measure() {
  local label=$1; shift
  local TIMEFORMAT="%3R %3U %3S"
  { time /usr/bin/time -f "%M" -o "$work/rss" "$@" >"$work/out.yaml" 2>"$work/err" || {
      echo "FAILED: $*" >&2; cat "$work/err" >&2; exit 1; }; } 2>"$work/t"
  echo "$label $(cat "$work/t") $(cat "$work/rss")" >>"$work/samples"
}

summary() { # prints medians and ratios for the labels weir-X and kubectl-X
  python3 - "$work/samples" "$@" <<'PY'
import statistics, sys
rows = []
for l in open(sys.argv[1]):
    p = l.split()
    if len(p) == 5:  # label wall user sys rss_kb -> label wall cpu rss_kb
        rows.append([p[0], p[1], str(float(p[2]) + float(p[3])), p[4]])
def med(label, i):
    v = [float(r[i]) for r in rows if r[0] == label]
    return statistics.median(v) if v else None
print(f"{'case':<18}{'tool':<9}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}")
for case in sys.argv[2:]:
    w = [med("weir-" + case, i) for i in (1, 2, 3)]
    k = [med("kubectl-" + case, i) for i in (1, 2, 3)]
    for tool, m in (("weir", w), ("kubectl", k)):
        if m[0] is not None:
            print(f"{case:<18}{tool:<9}{m[0]:>9.3f}{m[1]:>9.3f}{m[2]/1024:>10.1f}")
    if k[0] is not None and w[0] is not None:
        print(f"{case:<18}{'ratio':<9}{k[0]/max(w[0],1e-3):>8.1f}x{k[1]/max(w[1],1e-3):>8.1f}x"
              f"{w[2]/k[2]:>10.2f}  (wall/cpu: kubectl/weir; rss: weir/kubectl)")
PY
}

if [ "$large" = 0 ]; then
echo "== weir build vs kubectl kustomize ($runs runs each, alternating)"
cases=""
for n in $compare_ns; do
  python3 "$here/gen_kustomize.py" --resources "$n" --out "$work/k$n" >/dev/null
  "$weir" build "$work/k$n/overlays/prod" >"$work/w.yaml" 2>/dev/null
  kubectl kustomize "$work/k$n/overlays/prod" >"$work/k.yaml" 2>/dev/null
  cmp -s "$work/w.yaml" "$work/k.yaml" && echo "N=$n: outputs identical" || echo "N=$n: OUTPUTS DIFFER"
  for _ in $(seq "$runs"); do
    measure "weir-N$n" "$weir" build "$work/k$n/overlays/prod"
    measure "kubectl-N$n" kubectl kustomize "$work/k$n/overlays/prod"
  done
  cases="$cases N$n"
done
"$weir" build "$here/sock-shop" >"$work/w.yaml"
kubectl kustomize "$here/sock-shop" >"$work/k.yaml"
cmp -s "$work/w.yaml" "$work/k.yaml" && echo "sock-shop: outputs identical" || echo "sock-shop: OUTPUTS DIFFER"
for _ in $(seq $((runs * 2))); do
  measure weir-sockshop "$weir" build "$here/sock-shop"
  measure kubectl-sockshop kubectl kustomize "$here/sock-shop"
done
summary $cases sockshop
echo
fi

echo "== weir build alone (${BIG_RUNS:-7} rounds; each round runs every size once, so machine noise hits all sizes)"
: >"$work/samples"
cases=""
for n in $big_ns; do
  python3 "$here/gen_kustomize.py" --resources "$n" --out "$work/k$n" >/dev/null
  cases="$cases N$n"
done
for _ in $(seq "${BIG_RUNS:-7}"); do
  for n in $big_ns; do measure "weir-N$n" "$weir" build "$work/k$n/overlays/prod"; done
done
summary $cases
# Growth relative to the smallest size (issue 4: N=20,000 within 25x of N=1,000).
python3 - "$work/samples" $big_ns <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 5]
def med(n, f):
    return statistics.median(f(r) for r in rows if r[0] == f"weir-N{n}")
ns = sys.argv[2:]
base = ns[0]
for n in ns[1:]:
    wall = med(n, lambda r: float(r[1])) / med(base, lambda r: float(r[1]))
    cpu = med(n, lambda r: float(r[2]) + float(r[3])) / med(base, lambda r: float(r[2]) + float(r[3]))
    print(f"growth N={n} / N={base}: {wall:.1f}x wall, {cpu:.1f}x CPU (x{int(n) / int(base):.0f} input)")
PY
