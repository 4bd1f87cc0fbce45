#!/usr/bin/env bash
# The seed scenario's image update loop on this machine, no cluster, no cloud:
#
#   bash scripts/seed-demo.sh [N]
#
# 1. installs the local test services if missing (scripts/install-deps.sh, needs root),
# 2. starts a registry and a Git HTTP server with basic auth on loopback ports,
# 3. serves fixtures/seed/microservices-repo as microservices-repo.git and pushes N
#    (default 5) CI tags main-<sha7>-<n> of weaveworksdemos/front-end,
# 4. runs one `weir automate` cycle over fixtures/seed/flux-repo (the registry is reached
#    with --registry-mirror docker.io=…; the GitRepository URL is pointed at the local
#    server),
# 5. prints the commit it pushed and the front-end image `weir build` renders for the
#    development overlay, then stops everything it started.
#
# Env: WEIR=path/to/weir skips the cargo build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-5}
cd "$root"

need="nginx fcgiwrap curl jq git docker-registry"
for c in $need; do
  if ! command -v "$c" >/dev/null 2>&1; then
    echo "== installing the local services (scripts/install-deps.sh)" >&2
    bash scripts/install-deps.sh >&2
    break
  fi
done

if [ -z "${WEIR:-}" ]; then
  echo "== building weir (cargo build --release -p weir)" >&2
  cargo build -q --release -p weir
  WEIR=${CARGO_TARGET_DIR:-$root/target}/release/weir
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/weir-seed-demo-XXXXXX")
git_dir=$work/git-server reg_dir=$work/registry
cleanup() {
  [ -f "$git_dir/env" ] && bash scripts/services/git-http-server.sh stop "$git_dir" >/dev/null 2>&1 || true
  [ -f "$reg_dir/env" ] && bash scripts/services/registry.sh stop "$reg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

var() { sed -n "s/^$1=//p" "$2" | head -1; }

echo "== starting a Git HTTP server (basic auth) and a registry on loopback" >&2
mkdir -p "$git_dir" "$reg_dir"
bash scripts/services/git-http-server.sh start "$git_dir" git secret > "$work/git.vars"
bash scripts/services/registry.sh start "$reg_dir" none > "$work/reg.vars"
git_url=$(var URL "$work/git.vars")
repos=$(var REPOS "$work/git.vars")
reg_url=$(var URL "$work/reg.vars")

g() { git -c user.name=dev -c user.email=dev@example.com -c init.defaultBranch=main "$@"; }
bare=$repos/microservices-repo.git
g init -q --bare "$bare"
cp -r fixtures/seed/microservices-repo "$work/microservices-repo"
g -C "$work/microservices-repo" init -q
g -C "$work/microservices-repo" add -A
g -C "$work/microservices-repo" commit -q -m "Sock Shop"
g -C "$work/microservices-repo" push -q "$bare" main

echo "== pushing $n tags of weaveworksdemos/front-end to $reg_url" >&2
bash scripts/services/push-tags.sh "$reg_url" weaveworksdemos/front-end "$n" >&2

cp -r fixtures/seed/flux-repo "$work/flux-repo"
sed -i "s#http://127.0.0.1:8080/microservices-repo.git#$git_url/microservices-repo.git#" \
  "$work/flux-repo/git-repository.yaml"

echo "== weir automate (one cycle)" >&2
"$WEIR" automate "$work/flux-repo" --once \
  --registry-mirror "docker.io=$reg_url" --cache-dir "$work/cache"

echo "== the commit pushed to main"
git --git-dir "$bare" log -1 --format='commit %H%nAuthor: %an <%ae>%n%n%B' main
git --git-dir "$bare" diff -U0 main~1 main | grep -E '^[-+][^-+]' || true

echo
echo "== weir build overlays/development: the front-end image"
g clone -q "$bare" "$work/checkout"
"$WEIR" build "$work/checkout/overlays/development" | grep -E 'image: weaveworksdemos/front-end'
