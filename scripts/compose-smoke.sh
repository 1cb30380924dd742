#!/usr/bin/env bash
# One call through the Docker stack, end to end: `docker compose --profile test up` (app with TELEPHONY=drachtio,
# drachtio-server, rtpengine, PostgreSQL, Redis, the answering sipp carrier), a first admin made with create-admin, then over
# the API: a gateway to the answering carrier, an agent whose phone is a sipp UA on the compose network (the dialer
# calls it at its SIP URI), a one-lead list imported from CSV, a progressive campaign that records its calls started,
# the agent Ready. The customer must be answered and connected to the agent; the agent hangs up and records a sale;
# the recording file rtpengine writes must be referenced from the call record and readable by the app. Then an abandon:
# a carrier that answers late, the agent on a break meanwhile; the abandonment message must be played (the hang-up
# comes the message's length after the abandon) and the abandon logged. Exits 1 if any step
# fails. Needs Docker with Compose (v2 plugin or docker-compose v1) and curl; takes the stack down at the end
# (KEEP=1 leaves it up). Not part of `npm test`: CI machines have no Docker engine.
#   bash scripts/compose-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECT=dialer-smoke
if docker compose version >/dev/null 2>&1; then dc() { docker compose -p "$PROJECT" --profile test "$@"; }; else dc() { docker-compose -p "$PROJECT" --profile test "$@"; }; fi
export JWT_SECRET=${JWT_SECRET:-$(openssl rand -hex 32)}
PASSWORD='smoke-password-123'
fail() { echo "compose-smoke: FAILED: $*" >&2; exit 1; }
cleanup() { [ "${KEEP:-0}" = 1 ] || dc down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT
dc down -v --remove-orphans >/dev/null 2>&1 || true # what a previous run (KEEP=1, or interrupted) left

# the stack and the answering carrier (not the sip-tests profile: its suite would take drachtio's requests too)
dc up -d --build postgres redis tls-cert drachtio abandon-message rtpengine app carrier-answer >/dev/null
for _ in $(seq 1 90); do curl -sf localhost:3000/health >/dev/null && break; sleep 2; done
curl -sf localhost:3000/health >/dev/null || fail "the app did not become healthy"
echo "compose-smoke: app healthy"

# The agent's phone: sipp with the agent-phone scenario, started from the carrier service (same image and mounts).
dc run -d --name "$PROJECT-agent-phone" carrier-answer sipp -sf /scenarios/agent-phone.xml -p 5060 -m 1 -nostdin >/dev/null
PHONE_IP=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$PROJECT-agent-phone")

dc exec -T app node dist/scripts/create-admin.js admin@smoke.test "$PASSWORD" 'Smoke Admin' >/dev/null
json() { node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];if(v===undefined||v===null){console.error(s);process.exit(1)}console.log(v)})' "$1"; }
api() { local token=$1 method=$2 path=$3; shift 3; curl -s -X "$method" "localhost:3000$path" -H "Authorization: Bearer $token" -H 'content-type: application/json' "$@"; }
login() { curl -s localhost:3000/api/auth/login -H 'content-type: application/json' -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" | json accessToken; }
# A new list with one lead (number, first name; New York time), imported from CSV; prints the list's id.
import_list() {
  local csv import status
  csv=$(mktemp)
  printf 'Phone,First,Last,TZ\n%s,%s,Smoke,America/New_York\n' "$2" "$3" > "$csv"
  import=$(curl -s localhost:3000/api/lead-imports -H "Authorization: Bearer $ADMIN" -F "file=@$csv" -F "newListName=$1" \
    -F 'mapping={"phone":"Phone","firstName":"First","lastName":"Last","timezone":"TZ"}' | json id)
  rm -f "$csv"
  for _ in $(seq 1 30); do status=$(api "$ADMIN" GET "/api/lead-imports/$import"); echo "$status" | grep -q '"status":"completed"' && break; sleep 1; done
  echo "$status" | json listId
}
# A running progressive campaign on a gateway and a list; extra JSON fields in $4; prints its id.
start_campaign() {
  local id
  id=$(api "$ADMIN" POST /api/campaigns -d "{\"name\":\"$1\",\"dialMode\":\"progressive\",\"callerId\":\"+12025550100\",\"gatewayId\":\"$2\",$4\"lists\":[{\"listId\":\"$3\"}]}" | json id)
  api "$ADMIN" POST "/api/campaigns/$id/status" -d '{"status":"running"}' | json status >/dev/null
  echo "$id"
}

ADMIN=$(login admin@smoke.test)
GATEWAY=$(api "$ADMIN" POST /api/gateways -d '{"name":"carrier-answer","host":"carrier-answer","port":5060,"transport":"udp","numberFormat":"e164","cpsLimit":5,"channelLimit":10}' | json id)
api "$ADMIN" POST /api/users -d "{\"email\":\"agent@smoke.test\",\"displayName\":\"Smoke Agent\",\"password\":\"$PASSWORD\",\"role\":\"agent\",\"sipUri\":\"sip:agent@$PHONE_IP:5060\"}" | json id >/dev/null
LIST=$(import_list smoke +12025550143 Ann)
CAMPAIGN=$(start_campaign smoke "$GATEWAY" "$LIST" '"recordCalls":true,')
AGENT=$(login agent@smoke.test)
api "$AGENT" POST /api/agent/state -d "{\"state\":\"ready\",\"campaignId\":\"$CAMPAIGN\"}" | json state >/dev/null
echo "compose-smoke: campaign running, agent ready"

sql() { dc exec -T postgres psql -U postgres -d dialer -Atc "$1"; }
# The first row the query gives within ~60 s, or nothing.
wait_row() {
  local row
  for _ in $(seq 1 120); do
    row=$(sql "$1")
    [ -n "$row" ] && { echo "$row"; return; }
    sleep 0.5
  done
}
CALL=$(wait_row "SELECT id FROM calls WHERE state = 'connected' LIMIT 1")
[ -n "$CALL" ] || fail "no call connected to the agent within 60 s: $(sql "SELECT state, outcome, sip_code, sip_reason FROM calls")"
echo "compose-smoke: customer answered and connected to the agent"
api "$AGENT" POST "/api/agent/calls/$CALL/hangup" | json requested >/dev/null
sleep 2
api "$AGENT" POST "/api/agent/calls/$CALL/disposition" -d '{"outcome":"sale"}' | json outcome >/dev/null
ROW=$(sql "SELECT state, outcome, hangup_by, dial_at IS NOT NULL AND ring_at IS NOT NULL AND answer_at IS NOT NULL AND connect_at IS NOT NULL AND end_at IS NOT NULL AND disposition_at IS NOT NULL FROM calls WHERE id = '$CALL'")
[ "$ROW" = "dispositioned|sale|agent|t" ] || fail "call record: $ROW (want dispositioned|sale|agent|t)"
[ "$(sql "SELECT count(*) FROM compliance_events WHERE type = 'attempt' AND call_id = '$CALL'")" = 1 ] || fail "no attempt compliance event"
# the recording: rtpengine's file (recordings volume, read-only in the app) referenced from the call record
RECORDING=$(sql "SELECT coalesce(recording_path, '') FROM calls WHERE id = '$CALL'")
[ -n "$RECORDING" ] || fail "the campaign records calls, but the call record references no recording"
# (the sipp peers send no audio, so the file holds no packets: its presence on both sides is what is checked)
dc exec -T rtpengine test -f "$RECORDING" || fail "recording $RECORDING is not on rtpengine's side"
dc exec -T app test -r "$RECORDING" || fail "recording $RECORDING cannot be read by the app"
# the abandonment message the app asks rtpengine to play is on rtpengine's side (the abandon-message one-shot made it)
ABANDON=$(dc exec -T app printenv ABANDON_MESSAGE_FILE | tr -d '\r')
dc exec -T rtpengine test -s "$ABANDON" || fail "the abandonment message $ABANDON is not on rtpengine's side"
MEDIA=$(dc logs rtpengine 2>/dev/null | grep -c 'Creating new call' || true)
[ "$MEDIA" -ge 2 ] || fail "rtpengine anchored $MEDIA calls (want the agent leg and the customer)"
echo "compose-smoke: first call complete"

# An abandon: a carrier that answers 4 s after ringing (the answering scenario with a pause), the agent goes Ready on a
# second campaign and takes a break while the call rings, so the person who answers finds no agent: the dialer must
# play the abandonment message through rtpengine (the app waits for it to end) and hang up, and log the abandon.
SLOW=$(mktemp -d)
trap 'rm -rf "$SLOW"; cleanup' EXIT
sed 's#^  <send retrans="500">#  <pause milliseconds="4000"/>\n  <send retrans="500">#' test/sip/scenarios/answer.xml > "$SLOW/answer-slow.xml"
grep -q 'pause milliseconds="4000"' "$SLOW/answer-slow.xml" || fail "could not make the slow-answer scenario"
chmod -R a+rX "$SLOW"
dc run -d --name "$PROJECT-slow-carrier" -v "$SLOW:/slow:ro" carrier-answer sipp -sf /slow/answer-slow.xml -p 5060 -m 10 -nostdin >/dev/null
SLOW_IP=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$PROJECT-slow-carrier")
GATEWAY2=$(api "$ADMIN" POST /api/gateways -d "{\"name\":\"slow-carrier\",\"host\":\"$SLOW_IP\",\"port\":5060,\"transport\":\"udp\",\"numberFormat\":\"e164\"}" | json id)
LIST2=$(import_list smoke-abandon +12025550178 Bob)
api "$ADMIN" POST "/api/campaigns/$CAMPAIGN/status" -d '{"status":"paused"}' | json status >/dev/null
CAMPAIGN2=$(start_campaign smoke-abandon "$GATEWAY2" "$LIST2" '')
api "$AGENT" POST /api/agent/state -d '{"state":"paused","reason":"break"}' | json state >/dev/null
api "$AGENT" POST /api/agent/state -d "{\"state\":\"ready\",\"campaignId\":\"$CAMPAIGN2\"}" | json state >/dev/null
CALL2=$(wait_row "SELECT id FROM calls WHERE campaign_id = '$CAMPAIGN2' AND state IN ('dialing', 'ringing') LIMIT 1")
[ -n "$CALL2" ] || fail "the second campaign placed no call: $(sql "SELECT state, outcome, sip_code FROM calls WHERE campaign_id = '$CAMPAIGN2'")"
api "$AGENT" POST /api/agent/state -d '{"state":"paused","reason":"break"}' | json state >/dev/null
wait_row "SELECT 1 FROM calls WHERE id = '$CALL2' AND end_at IS NOT NULL" >/dev/null
ROW2=$(sql "SELECT state, outcome, hangup_by, abandon_at IS NOT NULL, extract(epoch FROM end_at - abandon_at)::int FROM calls WHERE id = '$CALL2'")
echo "compose-smoke: abandoned call: $ROW2 (state|outcome|hangup by|abandon time|seconds from abandon to hang-up)"
case "$ROW2" in ended\|abandoned\|system\|t\|*) ;; *) fail "abandoned call record: $ROW2" ;; esac
MESSAGE_S=${ROW2##*|}
[ "$MESSAGE_S" -ge 8 ] || fail "hung up $MESSAGE_S s after the abandon: the ~14 s message was not played"
[ "$(sql "SELECT count(*) FROM compliance_events WHERE type = 'abandon' AND call_id = '$CALL2'")" = 1 ] || fail "no abandon compliance event"
echo "compose-smoke: OK (a call connected, recorded and dispositioned with every timestamp; an abandon with its message played for $MESSAGE_S s and logged)"
