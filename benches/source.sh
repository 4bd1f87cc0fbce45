#!/usr/bin/env bash
# Times `weir source fetch` against `git clone --depth 1` over the same local
# smart-HTTP server (nginx + git http-backend with basic auth,
# scripts/services/git-http-server.sh), in the same run.
#
# The repository is generated with `git fast-import`: FILES files (default
# 5,000, ~1 KB YAML each, in 100 directories) and COMMITS commits (default 500;
# each later commit edits 10 files).
#
#   benches/source.sh                        # 5000 files, 500 commits, 5 runs
#   RUNS=9 FILES=20000 COMMITS=1000 benches/source.sh
#   WEIR_BIN=/path/to/weir benches/source.sh # skip the release build
#
# Measured (median over RUNS, git and weir alternate so noise hits both):
#   git clone --depth 1 (incl. checkout) vs weir fetch into an empty cache
#   (incl. writing the .tar.gz artifact of all files);
#   weir fetch without --out (fetch only): empty cache vs warm cache after one
#   new commit; and warm-cache fetches with the artifact (1 new commit, none).
# Targets: cold weir fetch + artifact <= git clone --depth 1; incremental fetch
# (warm cache, one new commit) >= 5x faster than a fresh git clone --depth 1.
# The ratio to weir's own cold fetch is printed too (see benches/README.md).
# Exit status 1 when a target is missed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=${RUNS:-5}
files=${FILES:-5000}
commits=${COMMITS:-500}

if [ -z "${WEIR_BIN:-}" ]; then
  (cd "$repo" && cargo build -q --release -p weir)
  WEIR_BIN="${CARGO_TARGET_DIR:-$repo/target}/release/weir"
fi
work=$(mktemp -d)
srv="$work/srv"
cleanup() { bash "$repo/scripts/services/git-http-server.sh" stop "$srv" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

user=bench pass=bench-pw
eval "$(bash "$repo/scripts/services/git-http-server.sh" start "$srv" "$user" "$pass" | sed 's/^\([A-Z_]*\)=\(.*\)$/\1="\2"/')"
bare="$REPOS/bench.git"
git init -q --bare -b main "$bare"

python3 - "$files" "$commits" <<'PY' | git --git-dir="$bare" fast-import --quiet
import sys
files, commits = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout.buffer
def blob(text):
    data = text.encode()
    out.write(b"data %d\n" % len(data) + data + b"\n")
def body(i, rev):
    lines = [f"apiVersion: apps/v1", "kind: Deployment", "metadata:",
             f"  name: app-{i}", f"  namespace: ns-{i % 37}", f"  labels: {{rev: \"{rev}\"}}",
             "spec:", "  replicas: 2", "  template:", "    spec:", "      containers:"]
    for c in range(6):
        lines += [f"        - name: c{c}", f"          image: registry.example.com/team/app-{i}-{c}:1.{rev}.{c}",
                  f"          args: [\"--port={8000 + c}\", \"--log-level=info\", \"--id={i * 31 + c}\"]"]
    return "\n".join(lines) + "\n"
t = 1_700_000_000
for n in range(commits):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % (t + n))
    blob(f"commit {n}\n")
    touched = range(files) if n == 0 else [(n * 10 + k) * 7 % files for k in range(10)]
    for i in touched:
        out.write(b"M 100644 inline apps/d%03d/app-%05d.yaml\n" % (i % 100, i))
        blob(body(i, 0 if n == 0 else n))
out.write(b"done\n")
PY
git --git-dir="$bare" repack -adq
echo "repo: $(git --git-dir="$bare" rev-list --count main) commits, $(git --git-dir="$bare" ls-tree -r main | wc -l) files, pack $(du -sh "$bare/objects/pack" | cut -f1)"

# A work tree that can add commits to the server directly (not timed).
git clone -q "$bare" "$work/author"

WEIR_PW="$pass" python3 - "$WEIR_BIN" "$URL/bench.git" "$user" "$pass" "$work" "$runs" "$bare" <<'PY'
import base64, os, shutil, statistics, subprocess, sys, time
weir, url, user, pw, work, runs, bare = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), sys.argv[7]
header = "Authorization: Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()
git_env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="http.extraHeader", GIT_CONFIG_VALUE_0=header)
weir_env = dict(os.environ, WEIR_PW=pw)

def run(cmd, env):
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {p.stderr.decode()}")
    return dt, p.stdout.decode()

def weir_fetch(cache, out=None):
    cmd = [weir, "source", "fetch", url, "--branch", "main", "--username", user,
           "--password-env", "WEIR_PW", "--cache-dir", cache]
    return run(cmd + (["--out", out] if out else []), weir_env)

def new_commit(n):
    a = f"{work}/author"
    p = f"{a}/apps/d000/app-00000.yaml"
    with open(p, "a") as f:
        f.write(f"# bench edit {n}\n")
    subprocess.run(["git", "-C", a, "-c", "user.name=b", "-c", "user.email=b@e", "commit", "-qam", f"edit {n}"], check=True)
    subprocess.run(["git", "-C", a, "push", "-q", bare, "HEAD:main"], check=True)

t = {k: [] for k in ("git", "cold", "cold_fetch", "incr_fetch", "incr", "noop")}
n = 0
for i in range(runs):
    order = ("git", "weir") if i % 2 == 0 else ("weir", "git")
    for tool in order:
        if tool == "git":
            d = f"{work}/clone{i}"
            dt, _ = run(["git", "clone", "-q", "--depth", "1", "--branch", "main", url, d], git_env)
            t["git"].append(dt); shutil.rmtree(d)
            continue
        art, fo = f"{work}/art{i}", f"{work}/fetchonly{i}"
        dt, out = weir_fetch(art, f"{work}/cold{i}.tar.gz"); t["cold"].append(dt)
        if i == 0:
            print("weir first fetch printed:", " | ".join(out.split()))
        dt, _ = weir_fetch(fo); t["cold_fetch"].append(dt)
        n += 1; new_commit(n)
        dt, _ = weir_fetch(fo); t["incr_fetch"].append(dt)
        dt, _ = weir_fetch(art, f"{work}/incr{i}.tar.gz"); t["incr"].append(dt)
        dt, _ = weir_fetch(art, f"{work}/noop{i}.tar.gz"); t["noop"].append(dt)
        for d in (art, fo):
            shutil.rmtree(d)

m = {k: statistics.median(v) for k, v in t.items()}
ms = lambda k: f"{m[k]*1000:8.0f} ms"
print(f"runs: {runs} (median wall time)")
print(f"git clone --depth 1 (+checkout)       {ms('git')}")
print(f"weir fetch, cold cache (+artifact)    {ms('cold')}   {m['cold']/m['git']:.2f}x git clone")
print(f"weir fetch, cold cache (fetch only)   {ms('cold_fetch')}")
print(f"weir fetch, 1 new commit (fetch only) {ms('incr_fetch')}   git clone/this = {m['git']/m['incr_fetch']:.1f}x, weir cold/this = {m['cold_fetch']/m['incr_fetch']:.1f}x")
print(f"weir fetch, 1 new commit (+artifact)  {ms('incr')}   git clone/this = {m['git']/m['incr']:.1f}x")
print(f"weir fetch, nothing new (+artifact)   {ms('noop')}")
ok = m["cold"] <= m["git"] and m["git"] / m["incr_fetch"] >= 5
print("targets:", "met" if ok else "MISSED",
      "(cold fetch+artifact <= git clone --depth 1; incremental fetch >= 5x faster than a fresh git clone --depth 1)")
sys.exit(0 if ok else 1)
PY
