#!/usr/bin/env bash
# Builds tswasm: TypeScript to dist/, the two binaries bundled into single files (fast
# start-up), and the Wasm test fixtures from their C and .wat sources into build/fixtures/.
set -euo pipefail
cd "$(dirname "$0")/.."

node proto/generate.js
npx tsc -p .
node scripts/bundle.js
bash scripts/build-fixtures.sh
