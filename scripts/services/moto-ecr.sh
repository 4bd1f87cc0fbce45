#!/usr/bin/env bash
# Amazon ECR (+ STS) API emulator: moto in server mode on loopback, for Weir's tests.
# Adapted from shared/docs/test-services/moto-ecr.sh.
#
#   moto-ecr.sh start DIR     # prints AWS_ENDPOINT_URL, PIDS, READY_MS; writes DIR/env
#   moto-ecr.sh stop  DIR     # SIGTERM by PID, waits (moto takes ~1 s), then SIGKILL
#
# moto_server comes from the venv scripts/install-deps.sh creates
# (WEIR_VENV, default $HOME/.cache/weir-test-venv). Clients: any AWS SDK with
# AWS_ENDPOINT_URL(_ECR)=URL and dummy credentials. GetAuthorizationToken
# returns base64 "AWS:<account>-auth-token" with expiresAt fixed at 2015-01-01.
set -euo pipefail
py=$(command -v /usr/bin/python3 || command -v python3)
venv=${WEIR_VENV:-$HOME/.cache/weir-test-venv}
moto=$venv/bin/moto_server
[ -x "$moto" ] || moto=$(command -v moto_server || true)

free_port() { "$py" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

start() {
  local dir port t0; dir=$(realpath "$1"); mkdir -p "$dir"; port=$(free_port)
  [ -n "$moto" ] || { echo "moto_server not found (run scripts/install-deps.sh)" >&2; return 1; }
  t0=$(date +%s%N)
  "$moto" -H 127.0.0.1 -p "$port" >>"$dir/moto.log" 2>&1 </dev/null & echo $! > "$dir/moto.pid"
  for _ in $(seq 800); do   # importing moto+flask takes ~1 s (more on a loaded machine)
    curl -sf -o /dev/null "http://127.0.0.1:$port/moto-api/" && break; sleep 0.025
  done
  curl -sf -o /dev/null "http://127.0.0.1:$port/moto-api/" || { cat "$dir/moto.log" >&2; stop "$dir"; return 1; }
  printf 'AWS_ENDPOINT_URL=http://127.0.0.1:%s\nPIDS=%s\nREADY_MS=%s\n' "$port" "$(cat "$dir/moto.pid")" \
    $(( ($(date +%s%N) - t0) / 1000000 )) | tee "$dir/env"
}

# Running and not a zombie (PID 1 here reaps orphans lazily; a zombie is already dead).
alive() {
  local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

stop() {   # moto exits on SIGTERM, but takes ~1 s; wait so nothing outlives the caller
  [ -f "$1/moto.pid" ] || return 0
  local pid; pid=$(cat "$1/moto.pid"); rm -f "$1/moto.pid"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do alive "$pid" || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

case ${1:-} in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
