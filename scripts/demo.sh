#!/usr/bin/env bash
# The main job, end to end: sets up what is missing (Debian packages, npm dependencies, the
# build), then runs Wasm containers with `ctr run --runtime io.containerd.tswasm.v1` on a
# private containerd (integration/demo.sh), cleaning up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec bash integration/demo.sh
