#!/usr/bin/env bash
# The HTTP test server as a CTest fixture: server.sh start DIR | stop DIR.
# start writes DIR/env with ETL_HTTP_URL=http://127.0.0.1:PORT.
set -euo pipefail
cmd=$1 dir=$2
case $cmd in
start)
  command -v node >/dev/null || { echo "server.sh: node not found (scripts/setup installs nodejs)"; exit 1; }
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -rf "$dir"; mkdir -p "$dir"
  node "$(dirname "$0")/server.js" "$dir" >"$dir/server.log" 2>&1 &
  echo $! > "$dir/pid"
  for _ in $(seq 100); do
    [ -s "$dir/port" ] && { echo "export ETL_HTTP_URL=http://127.0.0.1:$(cat "$dir/port")" > "$dir/env"; exit 0; }
    sleep 0.1
  done
  echo "server.sh: the server did not start:"; cat "$dir/server.log"; exit 1
  ;;
stop)
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -rf "$dir"
  ;;
esac
