#!/usr/bin/env bash
# Make this checkout ready: a virtualenv with the project installed, the map's own copy of
# Leaflet, and the geography cache built from the raw data directory (reused when current).
# Usage: bash scripts/setup.sh [test]   ("test" adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "==> creating virtualenv .venv"
    "$python" -m venv .venv
fi
plain=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-12)"
stamp="$plain${extras:+-$extras}"
# an install with the test tools has everything a plain one has (scripts/replicas.sh after scripts/test.sh)
if [ ! -f "$stamp" ] && [ ! -f "$plain-test" ]; then
    echo "==> installing Python packages (first run: a minute or two)"
    .venv/bin/python -m pip install --upgrade pip
    .venv/bin/python -m pip install --progress-bar on -e ".${extras:+[$extras]}"
    touch "$stamp"
fi
echo "==> copying Leaflet into static/vendor (maps work offline)"
.venv/bin/python -m geo assets
echo "==> building the geography cache (about 20 s the first time)"
.venv/bin/python -m geo build
