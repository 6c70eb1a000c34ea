#!/usr/bin/env bash
# Serve the atlas from N Streamlit replicas behind nginx on ATLAS_PORT (default 8501): the cache is
# built (or reused) once first, then scripts/replicas.py starts the replicas and the proxy and watches
# them until SIGTERM or Ctrl-C, which stop everything it started. See README, "Deploying".
# Usage: bash scripts/replicas.sh N      (needs Debian's nginx: apt-get install nginx)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -ne 1 ]; then
    echo "usage: bash scripts/replicas.sh N   (N Streamlit replicas behind nginx on \$ATLAS_PORT)" >&2
    exit 2
fi
bash scripts/setup.sh
exec .venv/bin/python scripts/replicas.py "$1"
