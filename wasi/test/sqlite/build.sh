#!/usr/bin/env bash
# Builds the SQLite check program: the amalgamation better-sqlite3 ships
# (scripts/fetch-sqlite.sh) plus workload.c, compiled to a WASI command that uses SQLite's own
# unix VFS: build/wasi/sqlite/wasi_sqlite.wasm. Skips work already done.
set -euo pipefail
cd "$(dirname "$0")/../../.."
here=wasi/test/sqlite
out=build/wasi/sqlite
mkdir -p "$out"
src=$(bash scripts/fetch-sqlite.sh)

# wasi-libc's sysroot: wasi-sdk's layout, else Debian's (headers and libs under /usr/*/wasm32-wasi).
sysroot=/usr/share/wasi-sysroot
[ -d "$sysroot/include" ] || sysroot=/usr

wasm="$out/wasi_sqlite.wasm"
if [ ! -f "$wasm" ] || [ "$here/workload.c" -nt "$wasm" ] || [ "$0" -nt "$wasm" ]; then
  # SQLite knows WASI (SQLITE_WASI: no WAL, no threads); wasi-libc emulates the rest.
  clang --target=wasm32-wasi --sysroot="$sysroot" -O2 -w \
    -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_SIGNAL \
    -D_WASI_EMULATED_PROCESS_CLOCKS -I "$src" "$src/sqlite3.c" "$here/workload.c" \
    -lwasi-emulated-mman -lwasi-emulated-getpid -lwasi-emulated-signal \
    -lwasi-emulated-process-clocks -o "$wasm.tmp"
  mv "$wasm.tmp" "$wasm"
fi
echo "$wasm"
