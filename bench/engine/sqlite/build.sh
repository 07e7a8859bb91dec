#!/usr/bin/env bash
# Builds the SQLite benchmark program: the amalgamation better-sqlite3 ships
# (scripts/fetch-sqlite.sh) compiled with workload.c into a WASI reactor,
# build/bench/sqlite/sqlite_bench.wasm. Skips work already done.
set -euo pipefail
cd "$(dirname "$0")/../../.."
here=bench/engine/sqlite
out=build/bench/sqlite
mkdir -p "$out"
src=$(bash scripts/fetch-sqlite.sh)

wasm="$out/sqlite_bench.wasm"
if [ ! -f "$wasm" ] || [ "$here/workload.c" -nt "$wasm" ] || [ "$0" -nt "$wasm" ]; then
  clang --target=wasm32-wasi -O2 -mexec-model=reactor \
    -DSQLITE_OS_OTHER=1 -DSQLITE_THREADSAFE=0 -DSQLITE_TEMP_STORE=3 \
    -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL -DSQLITE_OMIT_SHARED_CACHE \
    -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_DEPRECATED -DSQLITE_DQS=0 \
    -I "$src" "$src/sqlite3.c" "$here/workload.c" -o "$wasm"
fi
echo "$wasm"
