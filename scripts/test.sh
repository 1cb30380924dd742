#!/usr/bin/env bash
# npm test: set up a fresh machine, then type-check and run every jest project (unit, integration, e2e) on the
# real PostgreSQL and Redis, each run in a database and Redis prefix of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-browser --with-sip
echo "[test] type-checking"
npx tsc -p tsconfig.json --noEmit
echo "[test] running jest"
exec npx jest --config jest.config.js --maxWorkers=2 "$@"
