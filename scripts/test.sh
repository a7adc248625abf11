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
pnpm exec turbo run test --continue --concurrency=2 --output-logs=full -- --reporter=default --reporter=json --outputFile.json=.vitest-report.json || status=$?

# --- Node 22 (issue 11): the unit tests of the packages below run again under Node 22, from npm's node package.
NODE22_PACKAGES="core cli"
bash scripts/install-test-servers.sh node22
node22="${STATESTORE_CACHE:-$HOME/.cache/statestore}/node22/node_modules/.bin/node"
echo "[test] unit tests under Node 22 ($("$node22" --version)): $NODE22_PACKAGES" >&2
for p in $NODE22_PACKAGES; do
  rm -f "packages/$p/.vitest-report-node22.json"
  (cd "packages/$p" && "$node22" ../../node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json=.vitest-report-node22.json) || status=$?
done
# --- end of the Node 22 step

NODE22_PACKAGES="$NODE22_PACKAGES" node scripts/summarize-tests.mjs || status=1
exit $status
