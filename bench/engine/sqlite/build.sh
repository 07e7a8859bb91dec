#!/usr/bin/env bash
# Builds the SQLite benchmark program: fetches the SQLite amalgamation that the npm package
# better-sqlite3 ships (npm pack: the tarball only, nothing installed or built natively) and
# compiles it with workload.c into a WASI reactor, build/bench/sqlite/sqlite_bench.wasm.
# Skips work already done. Needs the npm registry the first time.
set -euo pipefail
cd "$(dirname "$0")/../../.."
here=bench/engine/sqlite
out=build/bench/sqlite
version=12.11.1 # better-sqlite3 12.11.1 ships SQLite 3.5x in deps/sqlite3/
mkdir -p "$out"

if [ ! -f "$out/sqlite3.c" ]; then
  (cd "$out" && npm pack "better-sqlite3@$version" --silent >/dev/null)
  tar -xzf "$out/better-sqlite3-$version.tgz" -C "$out" --strip-components=3 \
    package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h
  rm "$out/better-sqlite3-$version.tgz"
fi

wasm="$out/sqlite_bench.wasm"
if [ ! -f "$wasm" ] || [ "$here/workload.c" -nt "$wasm" ] || [ "$0" -nt "$wasm" ]; then
  clang --target=wasm32-wasi -O2 -mexec-model=reactor \
    -DSQLITE_OS_OTHER=1 -DSQLITE_THREADSAFE=0 -DSQLITE_TEMP_STORE=3 \
    -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL -DSQLITE_OMIT_SHARED_CACHE \
    -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_DEPRECATED -DSQLITE_DQS=0 \
    -I "$out" "$out/sqlite3.c" "$here/workload.c" -o "$wasm"
fi
echo "$wasm"
