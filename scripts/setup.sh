#!/usr/bin/env bash
# Installs what Ferry needs on Debian 12 / Ubuntu, idempotently:
#   - C libraries and pkg-config (apt), only those missing;
#   - a Python virtualenv at .venv with the test peers (eth-account, pyzmq, ...), only if stale.
# Safe to run any number of times; prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(pkg-config libsecp256k1-dev libzmq3-dev libssl-dev libsqlite3-dev python3 python3-venv)

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# python3-venv is only needed when the interpreter on PATH lacks a working venv module.
if python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    filtered=()
    for p in "${missing[@]}"; do [[ "$p" == python3* ]] || filtered+=("$p"); done
    missing=("${filtered[@]+"${filtered[@]}"}")
fi
if ((${#missing[@]})); then
    echo "setup: installing apt packages: ${missing[*]}"
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

for pc in libsecp256k1 libzmq libcrypto; do
    pkg-config --exists "$pc" || { echo "setup: pkg-config cannot find $pc after install" >&2; exit 1; }
done

# Test peers live in a virtualenv so a system Python marked externally-managed is never touched.
REQ=Tests/requirements.txt
STAMP=.venv/.requirements.sha
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [[ ! -x .venv/bin/python || "$(cat "$STAMP" 2>/dev/null)" != "$want" ]]; then
    echo "setup: preparing .venv with $REQ"
    python3 -m venv .venv
    .venv/bin/python -m pip install -q --disable-pip-version-check -r "$REQ"
    echo "$want" > "$STAMP"
fi
echo "setup: ok"
