#!/usr/bin/env bash
# Prepares a fresh machine to build Statestore: pnpm (pinned, Node-20 compatible), dependencies, build, and
# the `statestore` command in node_modules/.bin.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 COREPACK_ENABLE_DOWNLOAD_PROMPT=0
PNPM_VERSION=10.34.8
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "[bootstrap] installing pnpm $PNPM_VERSION with npm" >&2
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi
if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile --reporter=append-only; else pnpm install --reporter=append-only; fi
pnpm exec turbo run build --output-logs=errors-only
# pnpm links a package's command (node_modules/.bin/statestore) only to a file that exists, and the CLI's is
# built above: link again now (offline, nothing is downloaded).
pnpm install --offline --frozen-lockfile --reporter=silent
