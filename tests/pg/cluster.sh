#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the integration tests: cluster.sh start DIR | stop DIR.
# start: initdb in DIR, a free loopback port, password (scram) auth for user etl over TCP;
# writes DIR/env with ETL_PG_URL (no password in it) and ETL_PG_PASSWORD_FILE.
# ETL_PG_SERVER_OPTS adds server settings (scripts/bench turns autovacuum off).
set -euo pipefail
cmd=$1 dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "cluster.sh: PostgreSQL server binaries not found (scripts/setup installs them)"; exit 1; }
as_owner() {  # initdb and the server refuse to run as root: use the postgres account then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $cmd in
start)
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"; mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  printf 's3cret-%s\n' "$RANDOM$RANDOM" > "$dir/password"
  chmod 644 "$dir/password"
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
         -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off ${ETL_PG_SERVER_OPTS:-}" start >/dev/null; then
      as_owner "$bindir/psql" -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE etl LOGIN PASSWORD '$(cat "$dir/password")'" -c "CREATE DATABASE etl OWNER etl" >/dev/null
      {
        echo "export ETL_PG_URL='postgresql://etl@127.0.0.1:$port/etl'"
        echo "export ETL_PG_PASSWORD_FILE='$dir/password'"
        echo "export ETL_PG_SUPERUSER_SOCKET='$dir' ETL_PG_PORT=$port"
      } > "$dir/env"
      exit 0
    fi
  done
  echo "cluster.sh: the server did not start:"; tail -20 "$dir/server.log"; exit 1
  ;;
stop)
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
  rm -rf "$dir"
  ;;
esac
