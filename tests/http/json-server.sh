#!/usr/bin/env bash
# json-server (npm, pinned by package-lock.json) serving the sample shop on loopback, as a CTest
# fixture: json-server.sh start DIR | stop DIR. start installs it into DIR (npm ci: the exact
# versions of the lock file), builds DIR/db.json from samples/shop, picks a free port and writes
# DIR/env with ETL_JSONSERVER_URL.
set -euo pipefail
cmd=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
case $cmd in
start)
  command -v npm >/dev/null || { echo "json-server.sh: npm not found (scripts/setup installs it)"; exit 1; }
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -rf "$dir"; mkdir -p "$dir"
  cp "$here/package.json" "$here/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --silent --no-audit --no-fund >npm.log 2>&1) || { cat "$dir/npm.log"; exit 1; }
  node -e '
    const fs = require("fs"), [out, ...pages] = process.argv.slice(1);
    const orders = pages.flatMap((p) => JSON.parse(fs.readFileSync(p)).data.items)
                        .filter((o) => o && typeof o === "object" && !Array.isArray(o));
    fs.writeFileSync(out, JSON.stringify({ orders, customers: [] }));
  ' "$dir/db.json" "$here/../../samples/shop/orders-page-1.json" "$here/../../samples/shop/orders-page-2.json"
  for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    "$dir/node_modules/.bin/json-server" --host 127.0.0.1 --port "$port" --quiet "$dir/db.json" \
      >"$dir/server.log" 2>&1 &
    echo $! > "$dir/pid"
    for _ in $(seq 50); do
      if curl -sf "http://127.0.0.1:$port/orders?_limit=1" >/dev/null 2>&1; then
        echo "export ETL_JSONSERVER_URL=http://127.0.0.1:$port" > "$dir/env"
        exit 0
      fi
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
      sleep 0.1
    done
    kill "$(cat "$dir/pid")" 2>/dev/null || true
  done
  echo "json-server.sh: json-server did not start:"; cat "$dir/server.log"; exit 1
  ;;
stop)
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -rf "$dir"
  ;;
esac
