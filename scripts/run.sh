#!/usr/bin/env bash
# Install and build what is missing, then serve the atlas at http://localhost:8501
# Only this machine can reach it (127.0.0.1) unless ATLAS_ADDRESS says otherwise, e.g.
# ATLAS_ADDRESS=0.0.0.0 to serve every network interface.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
address="${ATLAS_ADDRESS:-127.0.0.1}"
echo "==> starting the atlas at http://${address/0.0.0.0/localhost}:${ATLAS_PORT:-8501} (address ${address})"
exec .venv/bin/streamlit run serve.py --server.address "$address" --server.port "${ATLAS_PORT:-8501}" "$@"
