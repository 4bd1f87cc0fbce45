#!/usr/bin/env bash
# OCI/Docker registry (CNCF distribution 2.8, Debian package docker-registry) on loopback,
# for Weir's integration tests. Adapted from shared/docs/test-services/registry.sh.
#
#   registry.sh start DIR [none|basic|token] [USER] [PASS]  # prints KEY=VALUE lines, writes DIR/env
#   registry.sh stop  DIR                                   # kills what start recorded (by PID)
#
# Printed: URL (http://127.0.0.1:PORT), HOSTPORT, REG_USER, REG_PASS, AUTH, DATA, PIDS, READY_MS.
# basic: htpasswd (bcrypt, cost 4) basic auth.  token: Bearer token flow with
# registry-token-server.py (next to this script) checking USER/PASS at the realm.
# Env REGISTRY_DATA=DIR: serve an existing storage root (e.g. one filled by an earlier
# no-auth instance) instead of DIR/data.  Env TLS=1: HTTPS with a cert from a throw-away
# CA (printed as CA_FILE).  Env MTLS=1 (implies TLS=1): clients must also show a
# certificate of that CA (one is made: CLIENT_CERT, CLIENT_KEY).
# Needs: docker-registry apache2-utils openssl curl python3 (scripts/install-deps.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=$(command -v /usr/bin/python3 || command -v python3)

free_port() { "$py" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

start() {
  local dir mode user pass port auth="" tport="" pids scheme=http tls="" data
  dir=$(realpath "$1"); mode=${2:-none}; user=${3:-reguser}; pass=${4:-regpass}
  data=${REGISTRY_DATA:-$dir/data}
  mkdir -p "$dir" "$data"; port=$(free_port)
  local curl_client=()
  [ "${MTLS:-0}" = 1 ] && TLS=1
  if [ "${TLS:-0}" = 1 ]; then
    scheme=https; tls=", tls: {certificate: $dir/tls.crt, key: $dir/tls.key}"
    # A throw-away CA (DIR/ca.crt, what clients trust) and a server cert it signs:
    # webpki-based clients refuse a CA certificate used as the server's own.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=weir-test-ca \
      -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$dir/tls.ext"
    openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
      -days 2 -extfile "$dir/tls.ext" -out "$dir/tls.crt" 2>/dev/null
    if [ "${MTLS:-0}" = 1 ]; then
      openssl req -newkey rsa:2048 -nodes -subj /CN=weir-client -keyout "$dir/client.key" -out "$dir/client.csr" 2>/dev/null
      printf 'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n' > "$dir/client.ext"
      openssl x509 -req -in "$dir/client.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
        -days 2 -extfile "$dir/client.ext" -out "$dir/client.crt" 2>/dev/null
      tls=", tls: {certificate: $dir/tls.crt, key: $dir/tls.key, clientcas: [$dir/ca.crt]}"
      curl_client=(--cert "$dir/client.crt" --key "$dir/client.key")
    fi
  fi
  case $mode in
    basic)
      htpasswd -nbB -C 4 "$user" "$pass" > "$dir/htpasswd"
      auth="auth: {htpasswd: {realm: test-registry, path: $dir/htpasswd}}" ;;
    token)
      tport=$(free_port)
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-token-issuer \
        -keyout "$dir/token.key" -out "$dir/token.crt" 2>/dev/null
      "$py" "$here/registry-token-server.py" "$tport" "$dir/token.key" "$dir/token.crt" \
        test-issuer "$user" "$pass" >>"$dir/token.log" 2>&1 </dev/null & echo $! > "$dir/token.pid"
      auth="auth: {token: {realm: \"http://127.0.0.1:$tport/token\", service: test-registry,
        issuer: test-issuer, rootcertbundle: $dir/token.crt}}" ;;
    none) ;;
    *) echo "unknown auth mode $mode" >&2; return 2 ;;
  esac
  cat > "$dir/config.yml" <<YAML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $data}
  delete: {enabled: true}
  maintenance: {uploadpurging: {enabled: false}}
http: {addr: "127.0.0.1:$port", secret: "$(head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n')"$tls}
$auth
YAML
  local t0; t0=$(date +%s%N)
  docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 </dev/null & echo $! > "$dir/registry.pid"
  local code=000
  for _ in $(seq 400); do   # /v2/ answers 200 (no auth) or 401 (auth) once up
    code=$(curl -s -k ${curl_client[@]+"${curl_client[@]}"} -o /dev/null -w '%{http_code}' "$scheme://127.0.0.1:$port/v2/" || true)
    [ "$code" != 000 ] && break; sleep 0.025
  done
  [ "$code" != 000 ] || { cat "$dir/registry.log" >&2; stop "$dir"; return 1; }
  if [ "$mode" = token ]; then   # the token server must answer too (401 without credentials)
    for _ in $(seq 400); do curl -s -o /dev/null "http://127.0.0.1:$tport/" && break; sleep 0.025; done
  fi
  pids=$(cat "$dir"/*.pid | tr '\n' ' ')
  {
    printf 'URL=%s://127.0.0.1:%s\nHOSTPORT=127.0.0.1:%s\nREG_USER=%s\nREG_PASS=%s\nAUTH=%s\n' \
      "$scheme" "$port" "$port" "$user" "$pass" "$mode"
    printf 'DATA=%s\nPIDS="%s"\nREADY_MS=%s\n' "$data" "${pids% }" $(( ($(date +%s%N) - t0) / 1000000 ))
    [ -n "$tport" ] && printf 'TOKEN_URL=http://127.0.0.1:%s/token\n' "$tport"
    [ "$scheme" = https ] && printf 'CA_FILE=%s\n' "$dir/ca.crt"
    [ "${MTLS:-0}" = 1 ] && printf 'CLIENT_CERT=%s\nCLIENT_KEY=%s\n' "$dir/client.crt" "$dir/client.key"
    true
  } | tee "$dir/env"
}

# Running and not a zombie (PID 1 here reaps orphans lazily; a zombie is already dead).
alive() {
  local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

stop() {
  local f pid
  for f in "$1/registry.pid" "$1/token.pid"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f"); rm -f "$f"
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 40); do alive "$pid" || break; sleep 0.05; done
    alive "$pid" && kill -9 "$pid" 2>/dev/null || true
  done
  return 0
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) stop "$2" ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
