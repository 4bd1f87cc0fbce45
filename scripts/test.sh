#!/usr/bin/env bash
# The whole test suite: unit, fixture, snapshot, property and integration
# tests (integration tests start real servers on loopback via scripts/services).
# Installs the services if they are missing, so it works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
export WEIR_VENV=${WEIR_VENV:-$HOME/.cache/weir-test-venv}
# insta: never write or accept snapshots in a test run; a stale snapshot fails.
export INSTA_UPDATE=no
cargo test --workspace --locked "$@"
