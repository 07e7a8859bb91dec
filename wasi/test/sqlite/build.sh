#!/usr/bin/env bash
# Builds the SQLite check program: SQLite's amalgamation as npm better-sqlite3 ships it (taken
# from the engine bench's copy when present, else fetched with `npm pack`: the tarball only,
# nothing installed or built natively) plus workload.c, compiled to a WASI command that uses
# SQLite's own unix VFS: build/wasi/sqlite/wasi_sqlite.wasm. Skips work already done.
set -euo pipefail
cd "$(dirname "$0")/../../.."
here=wasi/test/sqlite
out=build/wasi/sqlite
version=12.11.1 # better-sqlite3 12.11.1 ships SQLite 3.53 in deps/sqlite3/
mkdir -p "$out"

if [ ! -f "$out/sqlite3.c" ]; then
  if [ -f build/bench/sqlite/sqlite3.c ] && [ -f build/bench/sqlite/sqlite3.h ]; then
    cp build/bench/sqlite/sqlite3.c build/bench/sqlite/sqlite3.h "$out/"
  else
    (cd "$out" && npm pack "better-sqlite3@$version" --silent >/dev/null)
    tar -xzf "$out/better-sqlite3-$version.tgz" -C "$out" --strip-components=3 \
      package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h
    rm "$out/better-sqlite3-$version.tgz"
  fi
fi

# wasi-libc's sysroot: wasi-sdk's layout, else Debian's (headers and libs under /usr/*/wasm32-wasi).
sysroot=/usr/share/wasi-sysroot
[ -d "$sysroot/include" ] || sysroot=/usr

wasm="$out/wasi_sqlite.wasm"
if [ ! -f "$wasm" ] || [ "$here/workload.c" -nt "$wasm" ] || [ "$0" -nt "$wasm" ]; then
  # SQLite knows WASI (SQLITE_WASI: no WAL, no threads); wasi-libc emulates the rest.
  clang --target=wasm32-wasi --sysroot="$sysroot" -O2 -w \
    -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_SIGNAL \
    -D_WASI_EMULATED_PROCESS_CLOCKS -I "$out" "$out/sqlite3.c" "$here/workload.c" \
    -lwasi-emulated-mman -lwasi-emulated-getpid -lwasi-emulated-signal \
    -lwasi-emulated-process-clocks -o "$wasm.tmp"
  mv "$wasm.tmp" "$wasm"
fi
echo "$wasm"
