#!/usr/bin/env bash
# Set up a GridWatch server on a fresh Debian 12 machine, as root: PostgreSQL 15 with PostGIS 3 and
# PL/Python (the server runs GridWatch's own policy code in its triggers), a database for the
# districts, and the administrator login that publishes them.  Safe to run again.
#
#   sudo bash scripts/server_setup.sh [DATABASE] [ADMIN_LOGIN] [LAPTOP_NETWORK]
#
# DATABASE defaults to gridwatch, ADMIN_LOGIN to gridwatch_admin; LAPTOP_NETWORK (e.g. 10.20.0.0/16)
# lets laptops in that network connect with a password (scram-sha-256); without it the server only
# listens on this machine.  The administrator's password is asked for (or taken from $ADMIN_PASSWORD).
set -euo pipefail
DB="${1:-gridwatch}"
ADMIN="${2:-gridwatch_admin}"
NET="${3:-}"
[ "$(id -u)" -eq 0 ] || { echo "server_setup: run as root (sudo)" >&2; exit 1; }

missing=()
for pkg in postgresql-15 postgresql-15-postgis-3 postgresql-plpython3-15; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
pg_lsclusters -h | grep -q '^15 *main' || pg_createcluster 15 main
CONF=/etc/postgresql/15/main
restart=0  # settings the server reads only when it starts
if [ -n "$NET" ]; then
  grep -q "^listen_addresses = '\*'" "$CONF/postgresql.conf" || { echo "listen_addresses = '*'" >> "$CONF/postgresql.conf"; restart=1; }
  grep -q "gridwatch laptops" "$CONF/pg_hba.conf" || \
    printf 'host %s all %s scram-sha-256  # gridwatch laptops\n' "$DB" "$NET" >> "$CONF/pg_hba.conf"
fi
# PostGIS loaded once by the server, not by every session: each laptop's sync is a session of its own,
# and loading the library cost each one ~15 ms of the server's CPU.  Added to libraries already preloaded.
if ! grep -Eq "^shared_preload_libraries *= *'[^']*postgis-3" "$CONF/postgresql.conf"; then
  if grep -Eq "^shared_preload_libraries *= *'[^']+'" "$CONF/postgresql.conf"; then
    sed -i -E "s/^(shared_preload_libraries *= *'[^']+)'/\1,postgis-3'/" "$CONF/postgresql.conf"
  else
    echo "shared_preload_libraries = 'postgis-3'  # gridwatch" >> "$CONF/postgresql.conf"
  fi
  restart=1
fi
if ! pg_ctlcluster 15 main status >/dev/null 2>&1; then
  pg_ctlcluster 15 main start
elif [ "$restart" -eq 1 ]; then
  pg_ctlcluster 15 main restart
else
  pg_ctlcluster 15 main reload
fi
PASSWORD="${ADMIN_PASSWORD:-}"
if [ -z "$PASSWORD" ]; then
  read -r -s -p "password for the GridWatch administrator login $ADMIN: " PASSWORD; echo
fi
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v db="$DB" -v admin="$ADMIN" -v pw="$PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN SUPERUSER', :'admin') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'admin') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'admin', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', :'db', :'admin')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
\connect :db
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS plpython3u;
SQL
echo "server ready: publish a district with"
echo "  gridwatch publish DISTRICT.gpkg postgresql://$ADMIN@$(hostname -f 2>/dev/null || hostname)/$DB --logins"
