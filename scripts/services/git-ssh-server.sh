#!/usr/bin/env bash
# Git over SSH: a private sshd on a random 127.0.0.1 port with a temporary host
# key and one authorized client key forced through git-shell (like a Git host).
# Adapted from shared/docs/test-services/git-ssh-server.sh.
#
#   git-ssh-server.sh start DIR   # prints KEY=VALUE lines, writes DIR/env
#   git-ssh-server.sh stop  DIR   # kills the recorded sshd PID
#
# Printed: URL (ssh://USER@127.0.0.1:PORT<DIR>/repos; append /<name>.git), REPOS,
# PORT, SSH_KEY (client private key), KNOWN_HOSTS (line for the host key), PIDS, READY_MS.
# sshd only logs in the user who runs it (root in CI; it needs a login shell).
# Needs: openssh-server openssh-client (scripts/install-deps.sh).
set -euo pipefail

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

start() {
  local dir port user
  mkdir -p "$1"; dir=$(realpath "$1"); user=$(id -un); mkdir -p "$dir/repos"
  port=$(free_port)
  ssh-keygen -q -t ed25519 -N '' -C host -f "$dir/host_key"
  ssh-keygen -q -t ed25519 -N '' -C client -f "$dir/client_key"
  # git-shell from the same git as on PATH (non-login sessions have a short PATH).
  local shell; shell=$(command -v git-shell)
  printf 'restrict,command="%s -c \\"$SSH_ORIGINAL_COMMAND\\"" %s\n' \
    "$shell" "$(cat "$dir/client_key.pub")" > "$dir/authorized_keys"
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")" > "$dir/known_hosts"
  cat > "$dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
SetEnv PATH=$(dirname "$(command -v git)"):/usr/bin:/bin
LogLevel ERROR
EOF
  [ "$(id -u)" = 0 ] && mkdir -p /run/sshd        # privilege-separation dir, needed as root
  local t0; t0=$(date +%s%N)
  "$(command -v sshd)" -D -e -f "$dir/sshd_config" </dev/null >/dev/null 2>>"$dir/sshd.log" &
  echo $! > "$dir/sshd.pid.main"
  local ok=0
  for _ in $(seq 200); do   # ready when the SSH banner appears
    if ssh-keyscan -T 1 -p "$port" 127.0.0.1 >/dev/null 2>&1; then ok=1; break; fi; sleep 0.05
  done
  if [ "$ok" != 1 ]; then cat "$dir/sshd.log" >&2 || true; stop "$dir"; return 1; fi
  printf 'URL=ssh://%s@127.0.0.1:%s%s/repos\nREPOS=%s\nPORT=%s\nSSH_KEY=%s\nKNOWN_HOSTS=%s\nPIDS=%s\nREADY_MS=%s\n' \
    "$user" "$port" "$dir" "$dir/repos" "$port" "$dir/client_key" "$dir/known_hosts" "$(cat "$dir/sshd.pid.main")" \
    $(( ($(date +%s%N) - t0) / 1000000 )) | tee "$dir/env"
}

stop() {   # SIGTERM to the listener; per-connection children end with their sessions
  if [ -f "$1/sshd.pid.main" ]; then
    kill "$(cat "$1/sshd.pid.main")" 2>/dev/null || true; rm -f "$1/sshd.pid.main"
  fi
  return 0
}

case ${1:-} in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
