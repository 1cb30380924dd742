#!/usr/bin/env bash
# Everything a fresh machine with only Node and npm needs: dependencies, PostgreSQL and Redis (the ones on
# 127.0.0.1 when they answer, else installed from Debian packages and started), and optional system tools.
# Usage: scripts/setup.sh [--with-browser] [--with-sip]
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

WITH_BROWSER=0; WITH_SIP=0
for a in "$@"; do
  case "$a" in
    --with-browser) WITH_BROWSER=1 ;;
    --with-sip) WITH_SIP=1 ;;
  esac
done

command -v node >/dev/null || die "Node.js 20+ is required"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || die "Node.js 20+ is required (found $(node --version))"

# 1. npm dependencies, reinstalled only when package-lock.json changed.
stamp=node_modules/.setup-stamp
want=$(node -e 'const c=require("crypto");console.log(c.createHash("sha1").update(require("fs").readFileSync("package-lock.json")).digest("hex"))')
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing npm dependencies"
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

APT_UPDATED=0
apt_install() {
  if ! command -v apt-get >/dev/null; then return 1; fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then command -v sudo >/dev/null || return 1; sudo="sudo -n"; fi
  if [ $APT_UPDATED = 0 ]; then $sudo apt-get update -qq >/dev/null || return 1; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 2. PostgreSQL on 127.0.0.1:5432.
if ! node scripts/check-services.js postgres 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    log "starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start 2>/dev/null || true
  fi
fi
if ! node scripts/check-services.js postgres 2>/dev/null; then
  log "PostgreSQL not reachable on 127.0.0.1:5432: installing it from Debian packages"
  apt_install postgresql || die "PostgreSQL is not reachable on 127.0.0.1:5432 and could not be installed (need root and apt-get). Start one, or set PG_ADMIN_URL/DATABASE_URL."
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  # The project connects over TCP as postgres/postgres.
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  for _ in $(seq 1 20); do node scripts/check-services.js postgres 2>/dev/null && break; sleep 0.5; done
  node scripts/check-services.js postgres || die "PostgreSQL was installed but does not answer on 127.0.0.1:5432"
fi
log "PostgreSQL answers"

# 3. Redis on 127.0.0.1:6379.
start_redis() { redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null; }
if ! node scripts/check-services.js redis 2>/dev/null; then
  if ! command -v redis-server >/dev/null; then
    log "Redis not reachable on 127.0.0.1:6379: installing it from Debian packages"
    apt_install redis-server || die "Redis is not reachable on 127.0.0.1:6379 and could not be installed (need root and apt-get). Start one, or set REDIS_URL."
  fi
  start_redis || true
  for _ in $(seq 1 20); do node scripts/check-services.js redis 2>/dev/null && break; sleep 0.5; done
  node scripts/check-services.js redis || die "Redis does not answer on 127.0.0.1:6379"
fi
log "Redis answers"

# 4. Optional system tools: headless Chromium for the browser tests, SIP peers and media for the SIP tests.
if [ $WITH_BROWSER = 1 ] && [ ! -x /usr/bin/chromium ]; then
  log "installing Debian chromium for the browser tests"
  apt_install chromium fonts-noto-cjk || log "WARNING: chromium could not be installed; browser tests will say SKIPPED"
fi
if [ $WITH_SIP = 1 ]; then
  missing=()
  command -v sipp >/dev/null || missing+=(sip-tester)
  command -v rtpengine >/dev/null || missing+=(rtpengine-daemon)
  # coturn and openssl: the softphone test relays media through a real TURN server, over WSS with a throwaway certificate
  command -v turnserver >/dev/null || missing+=(coturn)
  command -v openssl >/dev/null || missing+=(openssl)
  # the Compose tool validates docker-compose.yml (`config` needs no Docker engine)
  { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null; } || missing+=(docker-compose)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} for the SIP tests"
    apt_install "${missing[@]}" || log "WARNING: ${missing[*]} could not be installed; SIP tests will say SKIPPED"
  fi
  # The spoken abandonment message (the adapter's default; without it a placeholder tone is played, with a warning).
  voice=()
  command -v espeak-ng >/dev/null || voice+=(espeak-ng)
  command -v sox >/dev/null || voice+=(sox)
  if [ ${#voice[@]} -gt 0 ]; then
    log "installing ${voice[*]} for the spoken abandonment message"
    apt_install "${voice[@]}" || log "WARNING: ${voice[*]} could not be installed"
  fi
  if [ ! -f src/modules/telephony/rtpengine/sounds/abandon-message-spoken.wav ]; then
    bash scripts/make-abandon-message.sh ||
      log "WARNING: no spoken abandonment message (needs espeak-ng and sox): a placeholder tone will be played. Set ABANDON_MESSAGE_FILE to a recording, or install them and run scripts/make-abandon-message.sh"
  fi
fi
log "ready"
