#!/usr/bin/env bash
# Fault injection: a nightly chain (extract --state → transform → a --checkpoint load with
# --commit-state into SQLite, an upsert, a CSV load) run with one system call made to fail, swept over
# which call (the Nth write, read, fsync or rename of a step) and how (ENOSPC, EIO, a short
# count). For every fault:
#   - the step exits non-zero with a message naming the tool, or it exits 0 with exactly the
#     right output (a short count is not an error: the rest is written or read next);
#   - a failed step leaves nothing under its final name and no temporary file behind, and the
#     watermark where it was; a --checkpoint row says exactly how many rows the table holds;
#   - a rerun of the chain without the fault ends with exactly the data a clean run makes.
#   sweep.sh BIN_DIR PRELOAD [POINTS]     POINTS: Ns tried per step and call (default 10)
set -u
bin=$1 preload=$2 points=${3:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 trials=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Two nights of orders: the second changes some of the first night's and adds new ones.
night() {
  awk -v from="$1" -v to="$2" -v day="$3" 'BEGIN {
    print "id,sku,qty,price,updated_at"
    for (i = from; i <= to; i++)
      printf "%d,SKU-%05d,%d,%d.%02d,2026-11-%02dT%02d:%02d:%02dZ\n",
             i, i % 977, i % 7 + 1, i % 300, i % 100, day, i % 24, i % 60, i % 59 }'
}
night 1 3000 10 >"$work/night1.csv"
night 2001 6000 11 >"$work/night2.csv"
cat >"$work/map.json" <<'EOF'
{ "key": "order_no",
  "fields": { "order_no": "'SO-' + lpad(string(id), 8, '0')", "sku": "upper(sku)",
              "qty": "int(qty)", "total": "decimal(price) * int(qty)", "updated_at": "updated_at" } }
EOF

# The steps of one night in directory D (its input is D/in.csv). Each reads what the one before
# it wrote; run_step NAME D runs one of them under the environment the caller set.
run_step() {
  case $2 in
  extract) "$bin/etl-extract" -q "$1/in.csv" --state "$1/orders.state" --cursor updated_at,id \
    -o "$1/window.ndjson.gz" ;;
  transform) "$bin/etl-transform" -q -m "$work/map.json" "$1/window.ndjson.gz" \
    -o "$1/mapped.ndjson" ;;
  load) "$bin/etl-load" -q -i "$1/mapped.ndjson" "sqlite:$1/erp.db" --table orders \
    --key order_no --mode upsert --batch-size 700 ;;
  checkpoint) "$bin/etl-load" -q -i "$1/mapped.ndjson" "sqlite:$1/log.db" --table loaded \
    --batch-size 700 --checkpoint nightly --commit-state "$1/orders.state" ;;
  csv) "$bin/etl-load" -q -i "$1/mapped.ndjson" "$1/export.csv" ;;
  esac
}
steps=(extract transform checkpoint load csv)
# What a step leaves behind that later steps or the next night depend on.
final_file() {
  case $1 in
  extract) echo window.ndjson.gz ;; transform) echo mapped.ndjson ;; csv) echo export.csv ;;
  esac
}
table() { sqlite3 "$1" "SELECT * FROM $2 ORDER BY 1" 2>&1; }
snapshot() { # everything a night's outcome is judged by
  local d=$1
  {
    echo "state: $(cat "$d/orders.state" 2>/dev/null)"
    echo "orders:"
    table "$d/erp.db" orders
    echo "loaded: $(sqlite3 "$d/log.db" 'SELECT count(*), count(DISTINCT order_no), sum(qty) FROM loaded' 2>&1)"
    echo "export: $(md5sum <"$d/export.csv" 2>&1)"
  }
}
run_night() { # run every step from FROM on; stop at the first that fails
  local d=$1 from=${2:-0}
  for ((s = from; s < ${#steps[@]}; s++)); do run_step "$d" "${steps[s]}" 2>>"$d/rerun.err" || return 1; done
}

# The base (night 1 done) and the reference (night 2 done without faults).
mkdir -p "$work/base"
cp "$work/night1.csv" "$work/base/in.csv"
run_night "$work/base" || { cat "$work/base/rerun.err"; exit 1; }
rm -f "$work/base/"{window.ndjson.gz,mapped.ndjson,export.csv,rerun.err}
cp "$work/night2.csv" "$work/base/in.csv"
cp -r "$work/base" "$work/ref"
run_night "$work/ref" || { cat "$work/ref/rerun.err"; exit 1; }
snapshot "$work/ref" >"$work/ref.snapshot"
grep -q '^state: .*2026-11-11' "$work/ref.snapshot" || { echo "the reference night did not run"; exit 1; }

# Which Ns to try of COUNT calls: all when few, else the first, the last and spread between.
pick() {
  local count=$1
  if ((count <= points)); then seq 1 "$count"; else
    for ((k = 0; k < points; k++)); do echo $((1 + k * (count - 1) / (points - 1))); done | uniq
  fi
}
kinds_of() {
  case $1 in write | read) echo ENOSPC EIO short ;; *) echo EIO ;; esac
}

trial() { # STEP_INDEX OP N KIND
  local s=$1 op=$2 n=$3 kind=$4 step=${steps[$1]} d=$work/trial rc
  rm -rf "$d" && cp -r "$work/base" "$d"
  for ((p = 0; p < s; p++)); do run_step "$d" "${steps[p]}" 2>>"$d/rerun.err" || return; done
  local before_state
  before_state=$(cat "$d/orders.state")
  ETL_FAULT=$op:$n:$kind LD_PRELOAD=$preload run_step "$d" "$step" >"$d/out" 2>"$d/err"
  rc=$?
  trials=$((trials + 1))
  local what="$step with $op #$n $kind"
  if [ "$rc" != 0 ]; then
    ((rc > 128)) && fail "$what: killed by signal $((rc - 128)): $(head -c 300 "$d/err")"
    grep -q "etl-" "$d/err" || fail "$what: exit $rc without a message"
    local f
    f=$(final_file "$step")
    # Only a rename that fails after the output's own (the watermark's) can leave the output,
    # and then the whole of it.
    [ -n "$f" ] && [ -e "$d/$f" ] && ! cmp -s "$d/$f" "$work/ref/$f" &&
      fail "$what: exit $rc left a $f under its final name that is not the whole output"
    [ -n "$f" ] && [ -e "$d/$f" ] && [ "$op" != rename ] &&
      fail "$what: exit $rc left $f under its final name"
    [ "$(cat "$d/orders.state")" = "$before_state" ] || fail "$what: exit $rc moved the watermark"
    if [ "$step" = checkpoint ]; then
      local c r
      c=$(sqlite3 "$d/log.db" "SELECT records FROM etl_checkpoint WHERE name = 'nightly'" 2>/dev/null)
      r=$(sqlite3 "$d/log.db" "SELECT count(*) FROM loaded" 2>/dev/null)
      # Night 1's 3000 rows are in the table too; its complete row stays until night 2 commits.
      local complete expect
      complete=$(sqlite3 "$d/log.db" "SELECT complete FROM etl_checkpoint WHERE name = 'nightly'")
      expect=$((3000 + c))
      [ "$complete" = 1 ] && [ "$c" = 3000 ] && expect=3000
      [ "$expect" = "$r" ] || fail "$what: the checkpoint says $c rows ($complete), the table holds $r"
    fi
    # Rerun from the failed step on, without the fault.
    run_night "$d" "$s" || fail "$what: the rerun failed: $(tail -2 "$d/rerun.err")"
  else
    run_night "$d" $((s + 1)) || fail "$what: a later step failed: $(tail -2 "$d/rerun.err")"
  fi
  ls -a "$d" | grep -q '\.tmp-' && fail "$what: a temporary file was left: $(ls -a "$d" | grep '\.tmp-')"
  snapshot "$d" >"$d/snapshot"
  cmp -s "$d/snapshot" "$work/ref.snapshot" ||
    fail "$what (exit $rc): the night did not end with the right data: $(diff "$work/ref.snapshot" "$d/snapshot" | head -5)"
}

for ((s = 0; s < ${#steps[@]}; s++)); do
  # Count each call of this step on a clean night.
  d=$work/count
  rm -rf "$d" && cp -r "$work/base" "$d"
  for ((p = 0; p < s; p++)); do run_step "$d" "${steps[p]}"; done
  rm -f "$work/tally"
  ETL_FAULT_TALLY=$work/tally LD_PRELOAD=$preload run_step "$d" "${steps[s]}" ||
    { echo "the clean ${steps[s]} failed under the preload"; exit 1; }
  echo "${steps[s]}: $(tr '\n' ' ' <"$work/tally")"
  while read -r op count; do
    for n in $(pick "$count"); do
      for kind in $(kinds_of "$op"); do trial "$s" "$op" "$n" "$kind"; done
    done
  done <"$work/tally"
done
echo "$trials faults injected, $failures failures"
[ "$failures" = 0 ]
