#!/usr/bin/env bash
# Install and build what is missing (Debian's chromium and nginx for the browser tests included),
# then lint and run every test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
missing=""
[ -x /usr/bin/chromium ] || missing="chromium"
# nginx: the proxy of scripts/replicas.sh, which tests/test_replicas.py starts (never as a system service)
[ -x /usr/sbin/nginx ] || missing="$missing nginx"
if [ -n "$missing" ]; then
    echo "==> installing Debian's$missing for the browser tests"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $missing
fi
echo "==> ruff"
.venv/bin/ruff check .
echo "==> pytest"
.venv/bin/python -m pytest "$@"
