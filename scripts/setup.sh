#!/usr/bin/env bash
# Installs what building and testing tswasm needs, when it is missing: Debian packages
# (containerd, ctr and runc for integration tests; wabt and clang for Wasm fixtures), npm
# dependencies, then the build. Idempotent, and quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

# command that proves a package is present -> Debian package that provides it
declare -A needed=(
  [/usr/bin/containerd]=containerd
  [/usr/bin/ctr]=containerd
  [/usr/sbin/runc]=runc
  [/usr/bin/wat2wasm]=wabt
  [/usr/bin/wast2json]=wabt
  [/usr/bin/clang]=clang
  [/usr/bin/wasm-ld]=lld
  [/usr/lib/wasm32-wasi/libc.a]=wasi-libc
)
missing=()
for path in "${!needed[@]}"; do
  [ -e "$path" ] || missing+=("${needed[$path]}")
done
# the static libc the native comparison images (runc, integration/native) link against
compgen -G '/usr/lib/*-linux-gnu/libc.a' >/dev/null || missing+=(libc6-dev)
# clang's wasm32 builtins (libclang_rt.builtins-wasm32.a) come from their own package
compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a' >/dev/null ||
  missing+=(libclang-rt-dev-wasm32)

if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "setup: installing Debian packages: $pkgs"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi

# npm dependencies: reinstall only when the lockfile changed since the last install
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash scripts/build.sh
