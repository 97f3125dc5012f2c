#!/usr/bin/env bash
# Prefetches go through etl::prefetch (lib/include/etl/prefetch.hpp): GCC deletes calls to a
# function that only holds __builtin_prefetch, so a bare one can vanish from the build without a
# word. Fails on a bare __builtin_prefetch in the sources, and (on x86-64, with objdump) when
# the binary given holds no prefetch instruction.
# Usage: prefetches_kept.sh SOURCE_DIR BINARY
set -euo pipefail
src=$1 bin=$2
bare=$(grep -rn "__builtin_prefetch(" "$src/lib" "$src/apps" | grep -v "lib/include/etl/prefetch.hpp" || true)
if [ -n "$bare" ]; then
  echo "a bare __builtin_prefetch (use etl::prefetch):"
  echo "$bare"
  exit 1
fi
if [ "$(uname -m)" = x86_64 ] && command -v objdump >/dev/null; then
  n=$(objdump -d --no-show-raw-insn "$bin" | grep -c "prefetcht0" || true)
  echo "$bin: $n prefetch instructions"
  [ "$n" -gt 0 ] || { echo "no prefetch instruction in $bin"; exit 1; }
fi
