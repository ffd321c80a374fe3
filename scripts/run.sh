#!/usr/bin/env bash
# Serve the dashboard on the embedded DuckDB store (demo city built on first start).
# Port: $STREAMLIT_SERVER_PORT (default 8501). Store: $GRIDSCOPE_DB or $GRIDSCOPE_DSN.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# the weekly brief's PDF download: Chinese fonts and Pango for WeasyPrint
need=()
for pkg in fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} ..."
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# sign-in (GRIDSCOPE_AUTH, [auth] in .streamlit/secrets.toml): refuse to start with a clear
# message when sign-in is required but not configured, [auth] is incomplete or its cookie
# secret weak, or demo mode (no sign-in) would be served to other machines
.venv/bin/python -m dashboard.auth.preflight "$@" || exit 2
exec .venv/bin/streamlit run streamlit_app.py "$@"
