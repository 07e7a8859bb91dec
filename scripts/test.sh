#!/usr/bin/env bash
# The one command that sets up and runs every test: installs what is missing, builds,
# checks formatting, then runs all tests. Its last line is `N passed, N failed, N skipped`.
# Extra arguments go to the test runner (e.g. `npm test -- --grep ttrpc`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx prettier --check --log-level warn .
exec node dist/scripts/run-tests.js "$@"
