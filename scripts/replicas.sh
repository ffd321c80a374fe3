#!/usr/bin/env bash
# Serve the dashboard from N Streamlit processes behind nginx with sticky sessions, so the
# dashboard uses N cores (one Streamlit process runs on about one: the interpreter lock).
#
#   scripts/replicas.sh N [streamlit options ...]
#
# Replicas listen on 127.0.0.1 ports $GRIDSCOPE_REPLICA_PORT.. (default 8501..8500+N); nginx
# (scripts/nginx/gridscope.conf) on $GRIDSCOPE_PROXY_ADDRESS:$GRIDSCOPE_PROXY_PORT (default
# 127.0.0.1:8080; 0.0.0.0 to serve the intranet). Store: PostGIS when GRIDSCOPE_DSN is set
# (every replica its own connection pool), else the DuckDB file GRIDSCOPE_DB, which every
# replica opens read-only (GRIDSCOPE_DB_READ_ONLY=1: DuckDB lets many processes read a file or
# one write it; the demo city is built first if the file does not exist). Stop with Ctrl-C:
# one process ending stops all. Logs: the run directory printed at start.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:?usage: scripts/replicas.sh N [streamlit options ...]}
shift
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive number, got '$n'" >&2; exit 2; }
scripts/setup.sh
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
for pkg in fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0; do  # the weekly brief's PDF (as run.sh)
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} ..."
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

first=${GRIDSCOPE_REPLICA_PORT:-8501}
proxy=${GRIDSCOPE_PROXY_PORT:-8080}
address=${GRIDSCOPE_PROXY_ADDRESS:-127.0.0.1}
run=$(mktemp -d "${TMPDIR:-/tmp}/gridscope-replicas.XXXXXX")
mkdir -p "$run/logs" "$run/tmp"

if [ -z "${GRIDSCOPE_DSN:-}" ]; then
  db=${GRIDSCOPE_DB:-$(.venv/bin/python -c 'from queries.settings import default_db_path; print(default_db_path())')}
  if [ ! -f "$db" ]; then
    echo "building the demo city into $db (once) ..."
    .venv/bin/gridscope demo --db "$db" --size "${GRIDSCOPE_DEMO_SIZE:-default}"
  fi
  # Opened for writing once before the replicas share it read-only: a file of an older version is
  # upgraded, and the audit rows the last replicas kept aside join the trail (docs/AUDIT.md).
  GRIDSCOPE_DB_READ_ONLY= .venv/bin/gridscope audit merge --db "$db"
  export GRIDSCOPE_DB="$db" GRIDSCOPE_DB_READ_ONLY=1
fi
# One cookie secret for all replicas (sign-in cookies must be readable by each of them).
if [ -z "${STREAMLIT_SERVER_COOKIE_SECRET:-}" ]; then
  STREAMLIT_SERVER_COOKIE_SECRET=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')
  export STREAMLIT_SERVER_COOKIE_SECRET
fi

# The proxy is what other machines reach: the same sign-in checks as scripts/run.sh.
.venv/bin/python -m dashboard.auth.preflight --server.address "$address" || exit 2

pids=()
stop() {
  trap - EXIT INT TERM
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$run/tmp"
}
trap stop EXIT INT TERM

servers=""
for ((i = 0; i < n; i++)); do
  port=$((first + i))
  # No file watcher: serving, not developing (watching the tree costs CPU on every file change).
  .venv/bin/streamlit run streamlit_app.py --server.port "$port" --server.address 127.0.0.1 \
    --server.fileWatcherType none "$@" >"$run/logs/replica-$port.log" 2>&1 &
  pids+=($!)
  servers+="        server 127.0.0.1:$port;\n"
done

# The repository's configuration with these replicas and this port.
awk -v servers="$servers" -v listen="        listen $address:$proxy;" '
  /^ *server 127\.0\.0\.1:[0-9]+;$/ { if (!done) { printf "%s", servers; done = 1 } next }
  /^ *listen / { print listen; next }
  { print }
' scripts/nginx/gridscope.conf >"$run/nginx.conf"
"$NGINX" -t -q -p "$run/" -c "$run/nginx.conf"
"$NGINX" -p "$run/" -c "$run/nginx.conf" -g 'daemon off;' &
pids+=($!)
echo "GridScope on http://$address:$proxy/ : $n replicas on ports $first-$((first + n - 1)); logs in $run/logs"
wait -n "${pids[@]}" || true
