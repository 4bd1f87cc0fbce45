#!/usr/bin/env bash
# Smart-HTTP(S) Git server with basic auth: nginx + fcgiwrap + git http-backend,
# on a random 127.0.0.1 port (like CodeCommit "HTTPS Git credentials").
# Adapted from shared/docs/test-services/git-http-server.sh.
#
#   git-http-server.sh start DIR [USER] [PASS]   # prints KEY=VALUE lines, writes DIR/env
#   git-http-server.sh stop  DIR                 # kills the recorded PIDs (and fcgiwrap workers)
#
# Printed: URL (no credentials), REPOS (create bare repos there: REPOS/<name>.git,
# served at URL/<name>.git), GIT_USER, PIDS, READY_MS.
# Env: TLS=1 serves HTTPS with a self-signed leaf cert (CA:FALSE, so rustls
# accepts it as its own trust anchor; CA file = DIR/tls.crt).
# MTLS=1 (implies TLS=1) also requires a client certificate: a self-signed one
# is made at DIR/client.crt + DIR/client.key (printed as CLIENT_CERT/CLIENT_KEY).
# Needs: nginx-light fcgiwrap curl (scripts/install-deps.sh).
set -euo pipefail

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

start() {
  local dir user pass port scheme=http listen code=000
  mkdir -p "$1"; dir=$(realpath "$1"); user=${2:-git}; pass=${3:-secret}
  mkdir -p "$dir/repos" "$dir/tmp"
  port=$(free_port)
  # nginx understands {PLAIN}; the file is private to DIR.
  ( umask 077; printf '%s:{PLAIN}%s\n' "$user" "$pass" > "$dir/htpasswd" )
  listen="127.0.0.1:$port"
  local mtls="" curl_client=() client_vars=""
  if [ "${MTLS:-0}" = 1 ]; then
    TLS=1
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=weir-client \
      -addext basicConstraints=critical,CA:FALSE -addext extendedKeyUsage=clientAuth \
      -keyout "$dir/client.key" -out "$dir/client.crt" 2>/dev/null
    mtls="ssl_client_certificate $dir/client.crt; ssl_verify_client on; ssl_verify_depth 1;"
    curl_client=(--cert "$dir/client.crt" --key "$dir/client.key")
    client_vars=$(printf 'CLIENT_CERT=%s\nCLIENT_KEY=%s\n' "$dir/client.crt" "$dir/client.key")
  fi
  if [ "${TLS:-0}" = 1 ]; then
    scheme=https; listen="$listen ssl"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
      -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
      -addext basicConstraints=critical,CA:FALSE -addext extendedKeyUsage=serverAuth \
      -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
  fi
  cat > "$dir/nginx.conf" <<EOF
$( [ "$(id -u)" = 0 ] && echo 'user root;' )
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 256; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/tmp/body; fastcgi_temp_path $dir/tmp/fcgi;
  proxy_temp_path $dir/tmp/proxy; uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  server {
    listen $listen;
    $( [ "$scheme" = https ] && echo "ssl_certificate $dir/tls.crt; ssl_certificate_key $dir/tls.key; $mtls" )
    client_max_body_size 0;
    location / {
      auth_basic "git"; auth_basic_user_file $dir/htpasswd;
      include /etc/nginx/fastcgi_params;
      fastcgi_pass unix:$dir/fcgiwrap.sock;
      fastcgi_param SCRIPT_FILENAME $(git --exec-path)/git-http-backend;
      fastcgi_param GIT_PROJECT_ROOT $dir/repos;
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO \$uri;
      fastcgi_param REMOTE_USER \$remote_user;   # non-empty REMOTE_USER enables push
      fastcgi_request_buffering off;
    }
  }
}
EOF
  local t0; t0=$(date +%s%N)
  fcgiwrap -c 4 -s "unix:$dir/fcgiwrap.sock" </dev/null >/dev/null 2>>"$dir/fcgiwrap.log" &
  echo $! > "$dir/fcgiwrap.pid"
  nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' </dev/null >/dev/null 2>&1 &
  echo $! > "$dir/nginx.pid.main"
  local url="$scheme://127.0.0.1:$port"
  for _ in $(seq 200); do   # ready once nginx answers (401 = auth in place)
    code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/tls.crt" ${curl_client[@]+"${curl_client[@]}"} "$url/" 2>/dev/null || true)
    [ "$code" = 401 ] && [ -S "$dir/fcgiwrap.sock" ] && break; sleep 0.05
  done
  if [ "$code" != 401 ]; then cat "$dir/error.log" >&2 || true; stop "$dir"; return 1; fi
  { printf 'URL=%s\nREPOS=%s\nGIT_USER=%s\nPIDS=%s %s\nREADY_MS=%s\n' "$url" "$dir/repos" "$user" \
    "$(cat "$dir/nginx.pid.main")" "$(cat "$dir/fcgiwrap.pid")" $(( ($(date +%s%N) - t0) / 1000000 ))
    [ -z "$client_vars" ] || printf '%s\n' "$client_vars"; } | tee "$dir/env"
}

stop() {
  local dir=$1 f pid
  for f in nginx.pid.main fcgiwrap.pid; do
    [ -f "$dir/$f" ] || continue
    pid=$(cat "$dir/$f"); rm -f "$dir/$f"
    # nginx's worker and fcgiwrap's -c workers outlive a killed parent: kill them too.
    # shellcheck disable=SC2046
    kill "$pid" $(pgrep -P "$pid") 2>/dev/null || true
  done
  rm -f "$dir/fcgiwrap.sock"
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) stop "$2" ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
