#!/usr/bin/env bash
# Kill-and-rerun: `etl-load --checkpoint` of N records, killed with SIGKILL at KILLS random
# points and rerun each time, must leave every input record in the table exactly once.
#   kill_rerun.sh BIN_DIR sqlite|postgresql|sqlite-children|postgresql-children N KILLS
# The -children kinds load orders with two lines each (--children): after every kill the lines
# table holds exactly two rows per order row, and the orders as many as the checkpoint says.
# Plain inserts into a table without a key, so a record written twice shows as an extra row.
# After every kill the table must hold exactly as many rows as the checkpoint row says were
# committed: the row and the batch commit in one transaction, or neither does.
# postgresql reads the throwaway cluster's address from $ETL_PG_ENV_FILE (tests/pg/cluster.sh).
set -u
bin=$1 kind=$2 n=$3 kills=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
RANDOM=7 # the same kill points every run
fail() {
  echo "FAIL: $*"
  exit 1
}

cp=kill-test
[ "$kind" = postgresql-children ] && cp=kill-fam  # the PostgreSQL tests may run at once
if [[ $kind == *-children ]]; then
  awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"id\":%d,\"total\":\"%d.%02d\",\"lines\":[{\"line_no\":1,\"sku\":\"SKU-%06d\"},{\"line_no\":2,\"sku\":\"X\"}]}\n",
           i, i % 500, i % 100, i % 100000 }' >"$work/in.ndjson"
else
  awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"id\":%d,\"sku\":\"SKU-%06d\",\"price\":\"%d.%02d\",\"note\":\"Größe %d, \\\"quoted\\\"\"}\n",
           i, i % 100000, i % 500, i % 100, i }' >"$work/in.ndjson"
fi

case $kind in
sqlite)
  dest=sqlite:$work/erp.db
  sql() { sqlite3 -cmd '.timeout 5000' "$work/erp.db" "$1" 2>/dev/null; }
  load=("$bin/etl-load" -q -i "$work/in.ndjson" "$dest" --table orders --checkpoint $cp)
  ;;
sqlite-children)
  dest=sqlite:$work/erp.db
  sql() { sqlite3 -cmd '.timeout 5000' "$work/erp.db" "$1" 2>/dev/null; }
  load=("$bin/etl-load" -q -i "$work/in.ndjson" "$dest" --table orders --key id
    --children lines=order_lines:line_no --checkpoint $cp)
  ;;
postgresql)
  . "$ETL_PG_ENV_FILE"
  export PGOPTIONS='-c client_min_messages=warning'
  sql() { psql -qAtX -h "$ETL_PG_SUPERUSER_SOCKET" -p "$ETL_PG_PORT" -U etl -d etl -c "$1" 2>/dev/null; }
  psql -qX -h "$ETL_PG_SUPERUSER_SOCKET" -p "$ETL_PG_PORT" -U etl -d etl \
    -c "DROP TABLE IF EXISTS kill_orders" -c "DELETE FROM etl_checkpoint WHERE name = '$cp'" \
    >/dev/null 2>&1
  load=("$bin/etl-load" -q -i "$work/in.ndjson" "$ETL_PG_URL" --password-file
    "$ETL_PG_PASSWORD_FILE" --table kill_orders --batch-size 20000 --checkpoint $cp)
  ;;
postgresql-children)
  . "$ETL_PG_ENV_FILE"
  export PGOPTIONS='-c client_min_messages=warning'
  sql() { psql -qAtX -h "$ETL_PG_SUPERUSER_SOCKET" -p "$ETL_PG_PORT" -U etl -d etl -c "$1" 2>/dev/null; }
  psql -qX -h "$ETL_PG_SUPERUSER_SOCKET" -p "$ETL_PG_PORT" -U etl -d etl \
    -c "DROP TABLE IF EXISTS kill_fam_lines, kill_fam_orders" -c "DELETE FROM etl_checkpoint WHERE name = '$cp'" \
    >/dev/null 2>&1
  load=("$bin/etl-load" -q -i "$work/in.ndjson" "$ETL_PG_URL" --password-file "$ETL_PG_PASSWORD_FILE"
    --table kill_fam_orders --key id --children lines=kill_fam_lines:line_no --checkpoint $cp)
  ;;
*) fail "unknown kind $kind" ;;
esac
table=orders lines_table=order_lines
[ "$kind" = postgresql ] && table=kill_orders
[ "$kind" = postgresql-children ] && table=kill_fam_orders lines_table=kill_fam_lines
committed() { sql "SELECT records FROM etl_checkpoint WHERE name = '$cp'"; }
# Both in one statement, one snapshot: a killed client's backend may still be committing its
# last batch (the rerun waits for it; see PgSink::hold_checkpoint_lock).
committed_and_rows() {
  sql "SELECT (SELECT records FROM etl_checkpoint WHERE name = '$cp'), (SELECT count(*) FROM $table)"
}
# The -children kinds: every order row has both its lines, whatever the kill cut.
lines_match() {
  [[ $kind != *-children ]] && return 0
  local lines orders
  IFS='|' read -r orders lines <<<"$(sql "SELECT (SELECT count(*) FROM $table), (SELECT count(*) FROM $lines_table)")"
  [ "${lines:-0}" = "$((2 * ${orders:-0}))" ] || fail "$orders orders but $lines lines (not two each)"
}

# The kill points: random, in order. Each load is killed once it has committed past its point,
# a few milliseconds later: in the middle of a batch, a COPY, or a commit.
mapfile -t targets < <(for ((k = 0; k < kills; k++)); do echo $(((RANDOM * 32768 + RANDOM) % n)); done | sort -n)
killed=0
is_complete() {
  local c
  c=$(sql "SELECT complete FROM etl_checkpoint WHERE name = '$cp'")
  [ "$c" = 1 ] || [ "$c" = t ]
}
for ((k = 1; k <= kills; k++)); do
  # A complete checkpoint never resumes: a rerun would load the input again as a new one.
  is_complete && break
  target=${targets[k - 1]}
  "${load[@]}" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    c=$(committed)
    [ "${c:-0}" -ge "$target" ] && break
    sleep 0.02
  done
  sleep "0.0$((RANDOM % 10))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  IFS='|' read -r c r <<<"$(committed_and_rows)"
  [ "${c:-0}" -lt "$n" ] && killed=$((killed + 1))
  echo "kill $k at $target: checkpoint ${c:-none}, table rows $r"
  [ "${c:-0}" = "${r:-0}" ] || fail "after kill $k the table holds $r rows but the checkpoint committed ${c:-0}"
  lines_match
done
# A complete checkpoint never resumes (a rerun would be a new input): rerun only a load the
# last kill stopped part-way.
if ! is_complete; then
  "${load[@]}" || fail "the last rerun failed"
fi
read -r total distinct sum <<<"$(sql "SELECT count(*), count(DISTINCT id), sum(id) FROM $table" | tr '|' ' ')"
echo "$killed loads killed part-way; after the last rerun: $total rows, $distinct ids, sum $sum"
[ "$total" = "$n" ] || fail "$total rows, expected $n"
[ "$distinct" = "$n" ] || fail "$distinct distinct ids, expected $n"
[ "$sum" = "$((n * (n + 1) / 2))" ] || fail "ids sum to $sum"
lines_match
[ "$killed" -ge $((kills / 2)) ] || fail "only $killed loads were killed part-way; the test tested little"
echo "ok: every record exactly once"
