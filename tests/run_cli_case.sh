#!/usr/bin/env bash
# Runs one golden CLI case: tests/cli/<tool>/<case>/{cmd,expout[,experr][,exitcode]}.
# stdout and stderr are compared byte for byte (timings masked); no experr means stderr is empty.
set -u
casedir=$1
export ETL_BIN=$2 CASEDIR=$casedir
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export WORK=$work
# Integration cases get the throwaway PostgreSQL cluster's address (tests/pg/cluster.sh).
if [ -n "${ETL_PG_ENV_FILE:-}" ]; then . "$ETL_PG_ENV_FILE"; fi
if [ -n "${ETL_HTTP_ENV_FILE:-}" ]; then . "$ETL_HTTP_ENV_FILE"; fi
if [ -n "${ETL_JSONSERVER_ENV_FILE:-}" ]; then . "$ETL_JSONSERVER_ENV_FILE"; fi
if [ -n "${ETL_MARIADB_ENV_FILE:-}" ]; then . "$ETL_MARIADB_ENV_FILE"; fi
cd "$casedir"
bash -c "$(cat cmd)" >"$work/out" 2>"$work/err"
code=$?
# A case that cannot run in this build says why in $WORK/skip: ctest counts it as skipped (77).
if [ -f "$work/skip" ]; then
  cat "$work/skip"
  exit 77
fi
sed -i -E 's/ in [0-9.]+s \([0-9]+ records\/s\)/ in Ns (N records\/s)/' "$work/err"
want=0; [ -f exitcode ] && want=$(cat exitcode)
fail=0
[ "$code" = "$want" ] || { echo "exit code $code, expected $want"; fail=1; }
diff -u expout "$work/out" || fail=1
if [ -f experr ]; then diff -u experr "$work/err" || fail=1; else diff -u /dev/null "$work/err" || fail=1; fi
exit $fail
