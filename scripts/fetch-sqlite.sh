#!/usr/bin/env bash
# Fetches the SQLite amalgamation that the npm package better-sqlite3 ships (npm pack: the
# tarball only, nothing installed or built natively) into build/sqlite/, once, and prints that
# directory. Used by the engine's SQLite benchmark and WASI's SQLite check. Needs the npm
# registry the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/sqlite
version=12.11.1 # better-sqlite3 12.11.1 ships SQLite 3.53 in deps/sqlite3/
mkdir -p "$out"
if [ ! -f "$out/sqlite3.c" ] || [ ! -f "$out/sqlite3.h" ]; then
  (cd "$out" && npm pack "better-sqlite3@$version" --silent >/dev/null)
  tar -xzf "$out/better-sqlite3-$version.tgz" -C "$out" --strip-components=3 \
    package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h
  rm "$out/better-sqlite3-$version.tgz"
fi
echo "$out"
