#!/usr/bin/env bash
# Runs every test: unit, conformance and integration suites against real servers started as local
# processes on 127.0.0.1. Installs what a fresh machine lacks first (cached in ~/.cache/statestore).
# A suite whose server cannot start fails; nothing is skipped. Ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
bash scripts/bootstrap.sh
bash scripts/install-test-servers.sh
rm -f packages/*/.vitest-report.json examples/*/.vitest-report.json
status=0
pnpm exec turbo run test --concurrency=2 --output-logs=full -- --reporter=default --reporter=json --outputFile.json=.vitest-report.json || status=$?
node scripts/summarize-tests.mjs || status=1
exit $status
