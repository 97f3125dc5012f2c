# same NAME 'COMMAND': runs COMMAND with $T set to 1, 2 and 3 threads, each in its own directory
# ($D), and checks that everything it leaves is byte for byte the same: stdout, stderr (timings
# masked), the exit status, and every file it wrote (outputs, rejects, reports).
same() {
  local name=$1 cmd=$2 t
  for t in 1 2 3; do
    mkdir -p "$WORK/$name-$t"
    (cd "$WORK/$name-$t" && T=$t D=$WORK/$name-$t bash -c "$cmd" >stdout 2>stderr; echo $? >exit)
    sed -i -E 's/ in [0-9.]+s \([0-9]+ records\/s\)/ in Ns (N records\/s)/; s/"seconds":[0-9.e-]+/"seconds":N/' \
      "$WORK/$name-$t/stderr"
    find "$WORK/$name-$t" -name '*.json' -exec sed -i -E 's/"seconds":[0-9.e-]+/"seconds":N/' {} +
  done
  if diff -r "$WORK/$name-1" "$WORK/$name-2" >/dev/null && diff -r "$WORK/$name-1" "$WORK/$name-3" >/dev/null; then
    echo "$name: same on 1, 2 and 3 threads (exit $(cat "$WORK/$name-1/exit"), $(cat "$WORK/$name-1"/stdout | wc -l) lines out)"
  else
    echo "$name: DIFFERENT"; diff -r "$WORK/$name-1" "$WORK/$name-2" | head -20; diff -r "$WORK/$name-1" "$WORK/$name-3" | head -20
  fi
}
