#!/usr/bin/env bash
# The test command: installs everything a fresh machine needs (Python packages, Chromium
# for browser tests, PostGIS), makes sure PostgreSQL runs, then runs the whole suite.
# PostGIS and browser tests always run here; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)  # Spark rollup tests (issue 14)
command -v npm >/dev/null 2>&1 || need+=(npm)  # axe-core for the public app's accessibility tests (issue 12)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)  # replicas (issue 11)
# CJK fonts (pages, browser tests, the brief's PDF), Pango for WeasyPrint, poppler-utils for the PDF tests
for pkg in fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 poppler-utils; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} ..."
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -f .cache/npm/node_modules/axe-core/axe.min.js ] || npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@4
.venv/bin/python -c "import pyspark" 2>/dev/null || .venv/bin/python -m pip install --quiet -e ".[spark]"
if [ -x scripts/provision_postgis.sh ]; then
  scripts/provision_postgis.sh
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest -q "$@"
