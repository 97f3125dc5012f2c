#!/usr/bin/env bash
# The kill matrix over whole chains: three nights of a shop export, each run as two nightly
# chains that SIGKILL interrupts at random points (every process of the chain at once), then
# rerun until one completes:
#   A  etl-extract --state | etl-transform | etl-load --mode upsert --commit-state   (the ERP)
#   B  the same into a log table with plain inserts, --checkpoint and --commit-state
# After every kill the watermark is the last night's or this one's, never ahead of the data:
# when it moved, the table already holds the whole night. After every night both tables are
# exactly what clean runs leave (B: a record loaded twice is an extra row).
#   kill_chain.sh BIN_DIR RECORDS_PER_NIGHT KILLS_PER_NIGHT
set -u
bin=$1 n=$2 kills=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
RANDOM=11
fail() {
  echo "FAIL: $*"
  exit 1
}

# Night K's export holds every order so far; each night updates every tenth older order.
export_night() {
  awk -v n="$n" -v k="$1" 'BEGIN {
    print "id,sku,qty,price,updated_at"
    for (i = 1; i <= k * n; i++) {
      day = int((i - 1) / n) + 1; qty = i % 7 + 1
      if (i % 10 == 0 && day < k) { day = k; qty = qty + k }
      printf "%d,SKU-%05d,%d,%d.%02d,2026-11-%02dT%02d:%02d:%02dZ\n",
             i, i % 977, qty, i % 300, i % 100, day, i % 24, i % 60, i % 59 }
  }' >"$work/export.csv"
}
cat >"$work/map.json" <<'EOF'
{ "key": "order_no",
  "fields": { "order_no": "'SO-' + lpad(string(id), 8, '0')", "sku": "upper(sku)",
              "qty": "int(qty)", "total": "decimal(price) * int(qty)", "updated_at": "updated_at" } }
EOF

chain() { # DIR A|B: one chain; its exit status is the load's, or the first failure before it
  local d=$1 load
  if [ "$2" = A ]; then
    load=("sqlite:$d/erp.db" --table orders --key order_no --mode upsert --commit-state "$d/A.state")
  else
    load=("sqlite:$d/log.db" --table changes --checkpoint nightly --commit-state "$d/B.state")
  fi
  set -o pipefail
  "$bin/etl-extract" -q "$work/export.csv" --state "$d/$2.state" --cursor updated_at,id |
    "$bin/etl-transform" -q -m "$work/map.json" |
    "$bin/etl-load" -q "${load[@]}" --batch-size 500
}
# What a chain's outcome is judged by: its watermark and its table.
state_of() { cat "$1/$2.state" 2>/dev/null; }
table_of() {
  if [ "$2" = A ]; then
    sqlite3 -cmd '.timeout 5000' "$1/erp.db" "SELECT * FROM orders ORDER BY order_no" 2>/dev/null
  else
    sqlite3 -cmd '.timeout 5000' "$1/log.db" "SELECT * FROM changes ORDER BY order_no, updated_at" 2>/dev/null
  fi
}

mkdir -p "$work/ref" "$work/run"
for night in 1 2 3; do
  export_night "$night"
  for c in A B; do
    start=$(date +%s%N)
    chain "$work/ref" "$c" 2>"$work/err" || fail "clean night $night chain $c: $(cat "$work/err")"
    # How long a clean chain takes: the kills fall anywhere in it.
    span=$((($(date +%s%N) - start) / 1000000 + 20))
    state_of "$work/ref" "$c" >"$work/ref.$c.state.$night"
    table_of "$work/ref" "$c" >"$work/ref.$c.table.$night"
  done
  previous=$((night - 1))
  for c in A B; do
    killed=0
    for ((k = 1; k <= kills; k++)); do
      setsid bash -c "$(declare -f chain); bin='$bin' work='$work' chain '$work/run' $c" 2>/dev/null &
      pid=$!
      sleep "$(awk -v ms=$((RANDOM % span)) 'BEGIN { printf "%.3f", ms / 1000 }')"
      kill -9 -- "-$pid" 2>/dev/null && killed=$((killed + 1))
      wait "$pid" 2>/dev/null
      # wait reaps the chain's shell only: its tools may still be dying (a lock held, a rename
      # finishing) when the checks below read what they left.
      for _ in $(seq 500); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.01; done
      state=$(state_of "$work/run" "$c")
      if [ "$state" = "$(cat "$work/ref.$c.state.$night")" ]; then
        [ "$(table_of "$work/run" "$c")" = "$(cat "$work/ref.$c.table.$night")" ] ||
          fail "night $night chain $c kill $k: the watermark moved ahead of the data"
      elif [ "$night" = 1 ]; then
        [ -z "$state" ] || fail "night 1 chain $c kill $k: a watermark no clean run writes: $state"
      else
        [ "$state" = "$(cat "$work/ref.$c.state.$previous")" ] ||
          fail "night $night chain $c kill $k: a watermark no clean run writes: $state"
      fi
    done
    chain "$work/run" "$c" 2>"$work/err" || fail "night $night chain $c: the rerun failed: $(cat "$work/err")"
    [ "$(state_of "$work/run" "$c")" = "$(cat "$work/ref.$c.state.$night")" ] ||
      fail "night $night chain $c: the watermark is not where a clean run leaves it"
    table_of "$work/run" "$c" >"$work/run.table"
    cmp -s "$work/run.table" "$work/ref.$c.table.$night" ||
      fail "night $night chain $c: the table is not what a clean run leaves ($(wc -l <"$work/run.table") rows, not $(wc -l <"$work/ref.$c.table.$night")): $(diff "$work/ref.$c.table.$night" "$work/run.table" | head -3)"
    echo "night $night chain $c: $killed kills, then the rerun: $(wc -l <"$work/run.table") rows as a clean run leaves them"
  done
done
