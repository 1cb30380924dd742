// The agent's browser softphone: SIP over WebSocket to drachtio-server with SIP.js (served from /softphone/sip.js/),
// auto-answering the dialer's agent leg (and its re-INVITEs, which move the customer's media onto it).
import { Web } from '/softphone/sip.js/index.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$('ws').value = params.get('ws') || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:8443`;
if (params.get('user')) $('user').value = params.get('user');
if (params.get('domain')) $('domain').value = params.get('domain');

let manager = null;
let line = null;
let statsTimer = null;

function show(id, text, attrs = {}) {
  const el = $(id);
  el.textContent = text;
  for (const [k, v] of Object.entries(attrs)) el.dataset[k] = String(v);
}

/** RTP counters of the line, from the browser's own WebRTC statistics. */
async function audioStats() {
  const pc = line?.sessionDescriptionHandler?.peerConnection;
  if (!pc) return null;
  let received = 0;
  let sent = 0;
  const stats = await pc.getStats();
  let pairId = null;
  stats.forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'audio') received += r.packetsReceived ?? 0;
    if (r.type === 'outbound-rtp' && r.kind === 'audio') sent += r.packetsSent ?? 0;
    if (r.type === 'transport' && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId;
  });
  // The path the media takes: 'relay' when it goes through the TURN server, else 'host' / 'srflx' / 'prflx'; through
  // a relay, how the browser reaches the TURN server: 'udp', 'tcp' or 'tls'.
  const pair = pairId ? stats.get(pairId) : null;
  const local = pair ? stats.get(pair.localCandidateId) : null;
  return { received, sent, path: local?.candidateType ?? 'none', relay: local?.candidateType === 'relay' ? local.relayProtocol ?? '' : '' };
}

async function refreshAudio() {
  const s = await audioStats().catch(() => null);
  const via = s?.path === 'relay' ? `, through the TURN relay${s.relay ? ` over ${s.relay.toUpperCase()}` : ''}` : '';
  if (s) show('audio', `${s.received} packets in, ${s.sent} out${via}`, s);
}

/** STUN/TURN servers (with a TURN credential minted for this agent) from the dialer; none when it has none. */
async function iceConfig() {
  try {
    const res = await fetch('/api/softphone/ice-servers', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (res.ok) return await res.json();
  } catch {
    // no configuration: the browser reaches rtpengine directly
  }
  return { iceServers: [], iceTransportPolicy: 'all' };
}

async function connect(event) {
  event.preventDefault();
  $('error').textContent = '';
  const user = $('user').value.trim();
  const domain = $('domain').value.trim();
  const ice = await iceConfig();
  manager = new Web.SessionManager($('ws').value.trim(), {
    aor: `sip:${user}@${domain}`,
    media: { constraints: { audio: true, video: false }, remote: { audio: $('remote') } },
    // rtpengine offers ICE candidates of its own; STUN/TURN servers are the dialer's (GET /api/softphone/ice-servers),
    // never SIP.js's default public STUN server.
    iceStopWaitingOnServerReflexive: ice.iceServers.length === 0,
    reconnectionAttempts: 10,
    registrationRetry: true,
    userAgentOptions: {
      authorizationUsername: user,
      authorizationPassword: $('password').value,
      logLevel: 'warn',
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: ice.iceServers, iceTransportPolicy: ice.iceTransportPolicy },
        iceGatheringTimeout: ice.iceServers.length ? 3000 : 1000,
      },
    },
    delegate: {
      onServerConnect: () => show('status', 'connected', { state: 'connected' }),
      onServerDisconnect: (err) => show('status', err ? 'disconnected, reconnecting' : 'offline', { state: err ? 'error' : 'offline' }),
      onRegistered: () => show('status', `registered as ${user}`, { state: 'registered' }),
      onUnregistered: () => show('status', 'not registered', { state: 'offline' }),
      onCallReceived: async (session) => {
        line = session;
        show('line', 'answering', { state: 'ringing' });
        try {
          await manager.answer(session);
        } catch (err) {
          show('line', 'could not answer', { state: 'error' });
          $('error').textContent = String(err?.message ?? err);
        }
      },
      onCallAnswered: () => {
        show('line', 'open (dialer agent line)', { state: 'up' });
        $('mute').disabled = false;
        clearInterval(statsTimer);
        statsTimer = setInterval(refreshAudio, 500);
      },
      onCallHangup: () => {
        line = null;
        clearInterval(statsTimer);
        show('line', 'no line', { state: 'none' });
        $('mute').disabled = true;
      },
    },
  });
  try {
    $('connect').disabled = true;
    await manager.connect();
    await manager.register();
    $('disconnect').disabled = false;
  } catch (err) {
    $('connect').disabled = false;
    show('status', 'failed', { state: 'error' });
    $('error').textContent = String(err?.message ?? err);
  }
}

async function disconnect() {
  if (!manager) return;
  if (line) await manager.hangup(line).catch(() => undefined);
  await manager.unregister().catch(() => undefined);
  await manager.disconnect();
  manager = null;
  $('connect').disabled = false;
  $('disconnect').disabled = true;
  show('status', 'offline', { state: 'offline' });
}

$('account').addEventListener('submit', connect);
$('disconnect').addEventListener('click', disconnect);
$('mute').addEventListener('click', () => {
  if (!manager || !line) return;
  if (manager.isMuted(line)) manager.unmute(line);
  else manager.mute(line);
  $('mute').textContent = manager.isMuted(line) ? 'Unmute' : 'Mute';
});
