#!/usr/bin/env bash
# Serve the dashboard on the embedded DuckDB store (demo city built on first start).
# Port: $STREAMLIT_SERVER_PORT (default 8501). Store: $GRIDSCOPE_DB or $GRIDSCOPE_DSN.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/streamlit run streamlit_app.py "$@"
