#!/usr/bin/env bash
# Idempotent install of everything Weir's tests need on a fresh Debian machine (as root).
#   scripts/install-deps.sh            # apt packages + a Python venv with moto
# Adapted from the tested recipes in shared/docs/test-services/install.sh.
# Prints VENV=...; tests find moto_server at $WEIR_VENV/bin (default below).
set -euo pipefail
venv=${WEIR_VENV:-$HOME/.cache/weir-test-venv}
# make and a C compiler build jemalloc (bins/weir's allocator).
pkgs="nginx-light fcgiwrap apache2-utils docker-registry openssh-server openssh-client curl jq openssl git time make gcc"

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  # Packaged services (nginx :80, docker-registry :5000, sshd :22) must not auto-start on
  # every interface: a policy-rc.d that exits 101 tells invoke-rc.d to start nothing.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; own_policy=1
  fi
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  if [ "$own_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

if [ ! -x "$venv/bin/moto_server" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]==5.2.5'
fi
echo "VENV=$venv"
