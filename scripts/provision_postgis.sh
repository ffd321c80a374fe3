#!/usr/bin/env bash
# Make a local PostgreSQL 15 + PostGIS 3 server available for the test suite.
#
# Idempotent: installs postgresql-15-postgis-3 only when missing, starts the cluster only
# when it is not running, then waits until it accepts connections. Called by
# scripts/test.sh before pytest; safe to run by hand any number of times.
#
# The admin DSN the tests use comes from GRIDSCOPE_TEST_ADMIN_DSN
# (default postgresql://postgres@127.0.0.1:5432/postgres).
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
CLUSTER="${PG_CLUSTER:-main}"
ADMIN_DSN="${GRIDSCOPE_TEST_ADMIN_DSN:-postgresql://postgres@127.0.0.1:5432/postgres}"
WAIT_SECONDS="${PG_WAIT_SECONDS:-60}"

log() { echo "provision_postgis: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        log "need root for: $*"; return 1; fi
}

# 1. Packages: the server and PostGIS for it.
if ! dpkg-query -W -f='${Status}' "postgresql-${PG_VERSION}-postgis-3" 2>/dev/null | grep -q "install ok installed"; then
    log "installing postgresql-${PG_VERSION}-postgis-3"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends \
        "postgresql-${PG_VERSION}" "postgresql-${PG_VERSION}-postgis-3" postgresql-client >/dev/null
fi

# 2. A cluster (Debian's package creates "main"; a stripped image may not have one).
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "${PG_VERSION} ${CLUSTER}"; then
    log "creating cluster ${PG_VERSION}/${CLUSTER}"
    as_root pg_createcluster "${PG_VERSION}" "${CLUSTER}" >/dev/null
fi

# 3. Local trust for the test admin user, as on the development machines, when the
#    cluster was just created without it (never loosens an existing custom setup).
HBA="/etc/postgresql/${PG_VERSION}/${CLUSTER}/pg_hba.conf"
if [ -f "$HBA" ] && ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$HBA" \
   && [ -z "${GRIDSCOPE_TEST_ADMIN_DSN:-}" ]; then
    log "adding 127.0.0.1 trust to $HBA (test machine default)"
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nlocal all all trust' "$HBA"
    RELOAD=1
fi

# 4. Start it when it is not running.
status="$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}')"
if [ "$status" != "online" ]; then
    log "starting cluster ${PG_VERSION}/${CLUSTER} (was: ${status:-unknown})"
    as_root pg_ctlcluster --skip-systemctl-redirect "${PG_VERSION}" "${CLUSTER}" start
elif [ "${RELOAD:-0}" = 1 ]; then
    as_root pg_ctlcluster --skip-systemctl-redirect "${PG_VERSION}" "${CLUSTER}" reload
fi

# 5. Wait until it accepts connections and PostGIS is available.
for _ in $(seq 1 "$WAIT_SECONDS"); do
    if psql "$ADMIN_DSN" -Atqc "SELECT 1" >/dev/null 2>&1; then
        if [ "$(psql "$ADMIN_DSN" -Atqc "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")" = 1 ]; then
            log "ready: $(psql "$ADMIN_DSN" -Atqc 'SHOW server_version') with PostGIS $(psql "$ADMIN_DSN" -Atqc "SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'")"
            exit 0
        fi
        log "server is up but the postgis extension is not available"; exit 1
    fi
    sleep 1
done
log "PostgreSQL did not accept connections at ${ADMIN_DSN} within ${WAIT_SECONDS}s; see /var/log/postgresql/postgresql-${PG_VERSION}-${CLUSTER}.log"
exit 1
