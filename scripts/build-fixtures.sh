#!/usr/bin/env bash
# Builds Wasm test fixtures from source: every `*.wat` and `*.c` under a `fixtures/` folder
# of the tree becomes build/fixtures/<name>.wasm. A fixture is rebuilt only when its source
# is newer. C files are WASI programs unless their first line says `// freestanding`.
# Debian's clang finds wasi-libc (/usr/include/wasm32-wasi, /usr/lib/wasm32-wasi) by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/fixtures
mkdir -p "$out"

clang_wasi=(clang --target=wasm32-wasi -O2)
clang_free=(clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-dynamic)

roots=()
for dir in runtime wasi oci shim integration bench; do [ -d "$dir" ] && roots+=("$dir"); done
find "${roots[@]}" -path '*/fixtures/*' \( -name '*.wat' -o -name '*.c' \) \
  -not -path '*/node_modules/*' | sort | while read -r src; do
  name=$(basename "${src%.*}")
  dst="$out/$name.wasm"
  [ "$dst" -nt "$src" ] && continue
  case "$src" in
    *.wat) wat2wasm --enable-all "$src" -o "$dst" ;;
    *.c)
      if head -n1 "$src" | grep -q '// freestanding'; then
        "${clang_free[@]}" "$src" -o "$dst"
      else
        "${clang_wasi[@]}" "$src" -o "$dst"
      fi
      ;;
  esac
done
