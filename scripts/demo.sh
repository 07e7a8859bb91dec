#!/usr/bin/env bash
# The main job, end to end: sets up what is missing, then runs a Wasm program with tswasm.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bin/tswasm-shim --help
