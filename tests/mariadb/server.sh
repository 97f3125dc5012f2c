#!/usr/bin/env bash
# A throwaway MariaDB server for the integration tests: server.sh start DIR | stop DIR.
# start: mariadb-install-db in DIR, a free loopback port, its own socket; user etl with a
# password over TCP, owning the databases etl and etl_*; root through the socket only.
# Writes DIR/env with ETL_MARIADB_URL (no password in it), ETL_MARIADB_PASSWORD_FILE and
# ETL_MARIADB_SOCKET (root, for the tests' own checks).
set -euo pipefail
cmd=$1 dir=$2
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] ||
  { echo "server.sh: mariadbd not found (scripts/setup installs mariadb-server)"; exit 1; }
stop_server() {
  [ -f "$dir/mariadbd.pid" ] || return 0
  local pid; pid=$(cat "$dir/mariadbd.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
case $cmd in
start)
  stop_server
  rm -rf "$dir"; mkdir -p "$dir/data"
  as=(); [ "$(id -u)" = 0 ] && { chown -R mysql "$dir"; as=(--user=mysql); }
  printf 's3cret-%s\n' "$RANDOM$RANDOM" > "$dir/password"
  chmod 644 "$dir/password"
  mariadb-install-db "${as[@]}" --datadir="$dir/data" --auth-root-authentication-method=socket \
    --skip-test-db >"$dir/install.log" 2>&1 || { tail -20 "$dir/install.log"; exit 1; }
  for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    /usr/sbin/mariadbd --no-defaults "${as[@]}" --datadir="$dir/data" --socket="$dir/sock" \
      --port="$port" --bind-address=127.0.0.1 --pid-file="$dir/mariadbd.pid" \
      --log-error="$dir/server.log" --innodb-flush-log-at-trx-commit=0 --skip-log-bin --skip-name-resolve \
      --innodb-buffer-pool-size=256M --max-allowed-packet=256M --character-set-server=utf8mb4 \
      ${ETL_MARIADB_SERVER_OPTS:-} >"$dir/server.out" 2>&1 </dev/null &
    for _ in $(seq 150); do
      [ -S "$dir/sock" ] && mariadb --no-defaults -S "$dir/sock" -u root -e 'select 1' >/dev/null 2>&1 && break
      kill -0 $! 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 $! 2>/dev/null; then
      pw=$(cat "$dir/password")
      mariadb --no-defaults -S "$dir/sock" -u root -e "
        CREATE USER 'etl'@'127.0.0.1' IDENTIFIED BY '$pw';
        CREATE DATABASE etl;
        GRANT ALL ON \`etl\`.* TO 'etl'@'127.0.0.1';
        GRANT ALL ON \`etl\\_%\`.* TO 'etl'@'127.0.0.1';"
      {
        echo "export ETL_MARIADB_URL='mysql://etl@127.0.0.1:$port/etl'"
        echo "export ETL_MARIADB_PASSWORD_FILE='$dir/password'"
        echo "export ETL_MARIADB_SOCKET='$dir/sock' ETL_MARIADB_PORT=$port"
      } > "$dir/env"
      exit 0
    fi
  done
  echo "server.sh: the server did not start:"; tail -20 "$dir/server.log"; exit 1
  ;;
stop)
  stop_server
  rm -rf "$dir"
  ;;
esac
