#!/usr/bin/env bash
# Install and build what is missing, then serve the atlas at http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> starting the atlas at http://localhost:${ATLAS_PORT:-8501}"
exec .venv/bin/streamlit run app.py --server.port "${ATLAS_PORT:-8501}" "$@"
