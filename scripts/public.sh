#!/usr/bin/env bash
# Serve the public app (公开透明, issue 12): the district's published figures for citizens and
# "Track my report". It reads only the published layer: $GRIDSCOPE_PUBLIC_DB (the file
# `gridscope publish --out` writes; default public.duckdb in the user data directory) or
# $GRIDSCOPE_PUBLIC_DSN (role gridscope_public, schema published). Port: $STREAMLIT_SERVER_PORT
# (default 8502). First start without a published file: builds the demo city when there is no
# store yet, then publishes it. Tracking needs $GRIDSCOPE_PUBLIC_TRACKING_KEY here and at publish time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -z "${GRIDSCOPE_PUBLIC_DSN:-}" ]; then
  public_db=$(.venv/bin/python -c "from queries.settings import load_settings; print(load_settings().public_db)")
  if [ ! -f "$public_db" ]; then
    store=$(.venv/bin/python -c "from queries.settings import load_settings; print(load_settings().db_path)")
    if [ -z "${GRIDSCOPE_DSN:-}" ] && [ ! -f "$store" ]; then
      echo "no store yet: building the demo city (${GRIDSCOPE_DEMO_SIZE:-default}) ..."
      .venv/bin/gridscope demo --size "${GRIDSCOPE_DEMO_SIZE:-default}"
    fi
    echo "no published layer yet: gridscope publish --out $public_db"
    .venv/bin/gridscope publish --out "$public_db"
  fi
fi
exec .venv/bin/streamlit run public_app.py --server.port "${STREAMLIT_SERVER_PORT:-8502}" --server.fileWatcherType none "$@"
