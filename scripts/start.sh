#!/usr/bin/env bash
# npm start: set up a fresh machine, migrate, seed the demo, build, and run the API with the dialer worker
# (simulated carrier unless TELEPHONY=drachtio and DRACHTIO_HOST are set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -f .env ]; then
  # Secrets come from the environment; for the local demo we make one and keep it in .env (git-ignored).
  printf 'JWT_SECRET=%s\n' "$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')" > .env
  echo "[start] wrote .env with a fresh JWT_SECRET"
fi
set -a; . ./.env; set +a
DB_NAME=$(node -e 'const u=new URL(process.env.DATABASE_URL||"postgres://postgres:postgres@127.0.0.1:5432/dialer");console.log(u.pathname.slice(1))')
node scripts/check-services.js createdb "$DB_NAME"
echo "[start] building"
npx nest build
node dist/scripts/migrate.js
node dist/scripts/seed.js
# Demo: agents 2-5 work on autopilot on the simulated carrier so the dashboard moves while you log in as agent1.
if [ "${TELEPHONY:-simulated}" = simulated ]; then
  export SIMULATED_AGENTS="${SIMULATED_AGENTS-agent2@demo.local,agent3@demo.local,agent4@demo.local,agent5@demo.local}"
fi
exec node dist/src/main.js
