#!/usr/bin/env bash
# Installs (if missing) and starts Debian's PostgreSQL on 127.0.0.1:5432 with a
# superuser osoto/osoto and a database osoto_test, for the store's contract suite.
# Idempotent: safe to run when the server is already up.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 50); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 0.2
done
pg_isready -h 127.0.0.1 -p 5432
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'osoto') THEN
    CREATE ROLE osoto LOGIN SUPERUSER PASSWORD 'osoto';
  END IF;
END $$;
SQL
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='osoto_test'\"" | grep -q 1 \
    || su postgres -c "createdb -O osoto osoto_test"
