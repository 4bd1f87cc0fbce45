#!/usr/bin/env bash
# Regenerates <name>.expected.json for cases.json and random-cases.json: runs every template
# through Go's own text/template (stdlib only, no Sprig) over the file's data, with
# whole-number floats turned into ints the way weir_template::Value::from(serde_json::Value)
# does. Needs a Go toolchain; tests never run it, they read the committed files. Written with
# Go 1.19 (Debian's golang-go), which has no `else with` and no range over integers: those
# are covered by the hand-written tables instead.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp oracle.go "$tmp/main.go"
(cd "$tmp" && go mod init oracle >/dev/null 2>&1 && go build -o oracle .)
for name in cases random-cases; do
  "$tmp/oracle" < "$name.json" \
    | python3 -c 'import json,sys; json.dump(json.load(sys.stdin), sys.stdout, indent=1, ensure_ascii=False); print()' \
    > "$name.expected.json"
done
echo "written with $(go version)"
