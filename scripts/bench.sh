#!/usr/bin/env bash
# Runs every benchmark: each bench/<name>/run.ts (compiled to dist/) compares tswasm with a
# peer in the same run and prints ratios. `npm run bench -- NAME` runs only bench/NAME.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for run in dist/bench/*/run.js; do
  name=$(basename "$(dirname "$run")")
  [ $# -gt 0 ] && [[ " $* " != *" $name "* ]] && continue
  echo "== bench/$name"
  node "$run"
done
