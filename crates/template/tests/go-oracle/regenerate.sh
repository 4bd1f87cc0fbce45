#!/usr/bin/env bash
# Regenerates expected.json: runs every case of cases.json through Go's own text/template
# (stdlib only, no Sprig) with the data in cases.json, whole-number floats turned into ints
# the way weir_template::Value::from(serde_json::Value) does. Needs a Go toolchain; tests
# never run it, they read the committed expected.json. Written with Go 1.19 (Debian's
# golang-go): that version has no `else with` and no range over integers, so those are
# covered by the hand-written tables instead.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp oracle.go "$tmp/main.go"
(cd "$tmp" && go mod init oracle >/dev/null 2>&1 && go build -o oracle .)
"$tmp/oracle" < cases.json | python3 -c 'import json,sys; json.dump(json.load(sys.stdin), sys.stdout, indent=1, ensure_ascii=False); print()' > expected.json
echo "expected.json: $(go version)"
