#!/usr/bin/env bash
# Serve the public app (公开透明, issue 12): the district's published figures for citizens and
# "Track my report". It reads only the published layer: $GRIDSCOPE_PUBLIC_DB (the file
# `gridscope publish --out` writes; default public.duckdb in the user data directory) or
# $GRIDSCOPE_PUBLIC_DSN (role gridscope_public, schema published). Port: $STREAMLIT_SERVER_PORT
# (default 8502). First start without a published file: builds the demo city when there is no
# store yet, then publishes it.
# Tracking: the app needs only $GRIDSCOPE_PUBLIC_LOOKUP_KEY (`gridscope publish lookup-key` prints it
# on the internal side, from the district's key); it checks codes and cannot make them. The
# district's key $GRIDSCOPE_PUBLIC_TRACKING_KEY stays on the internal side: when it is set here (one
# machine publishing for itself, the demo), this script derives the lookup key from it and removes it
# from the app's environment.
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
if [ -n "${GRIDSCOPE_PUBLIC_TRACKING_KEY:-}" ]; then
  if [ -z "${GRIDSCOPE_PUBLIC_LOOKUP_KEY:-}" ]; then
    GRIDSCOPE_PUBLIC_LOOKUP_KEY=$(.venv/bin/gridscope publish lookup-key)
    export GRIDSCOPE_PUBLIC_LOOKUP_KEY
  fi
  echo "GRIDSCOPE_PUBLIC_TRACKING_KEY is not passed to the public app (it gets the lookup key only);" \
    "on a real public server set GRIDSCOPE_PUBLIC_LOOKUP_KEY and keep the district's key off it"
  unset GRIDSCOPE_PUBLIC_TRACKING_KEY
fi
exec .venv/bin/streamlit run public_app.py --server.port "${STREAMLIT_SERVER_PORT:-8502}" --server.fileWatcherType none "$@"
