import { GatewayConfig } from '../gateways/gateway-config';
import { GatewayPacer } from '../gateways/gateway-pacer';
import { DialEvents, DialRequest } from '../telephony.port';
import { digestResponse, parseDigest } from './digest-auth';
import { DrachtioTelephony, REGISTER_MAX_FAILURES } from './drachtio-telephony';
import { FakeMedia, FakeSrf } from './fake-srf';

const gateway: GatewayConfig = {
  id: 'gw-1', name: 'carrier-a', host: '127.0.0.1', port: 5080, transport: 'udp', username: 'acct', password: 'trunk-pass',
  numberFormat: 'e164_no_plus', prefix: '99', callerIdRules: { pAssertedIdentity: true }, cpsLimit: 1000, channelLimit: 100,
};

type Ev = { type: string; args: unknown[] };
function recorder() {
  const seen: Ev[] = [];
  const events: DialEvents = {
    onRinging: (...args) => void seen.push({ type: 'ringing', args }),
    onAnswered: (...args) => void seen.push({ type: 'answered', args }),
    onFailed: (...args) => void seen.push({ type: 'failed', args }),
    onEnded: (...args) => void seen.push({ type: 'ended', args }),
    onRecording: (...args) => void seen.push({ type: 'recording', args }),
  };
  return { events, seen, types: () => seen.map((e) => e.type), last: () => seen[seen.length - 1] };
}

const tick = () => new Promise((r) => setImmediate(r));
const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
};

let n = 0;
function request(over: Partial<DialRequest> = {}): DialRequest {
  return { callId: `call-${++n}`, campaignId: 'camp', to: '+12025550143', callerId: '+12025550100', gatewayId: 'gw-1', ringTimeoutMs: 5000, ...over };
}

const started: DrachtioTelephony[] = [];
afterEach(() => started.splice(0).forEach((t) => t.stop()));

/** How many times the adapter looked up a phone's password (each a password check). */
let credentialChecks = 0;

async function setup(opts: { pacer?: GatewayPacer } = {}) {
  const srf = new FakeSrf();
  const media = new FakeMedia();
  const phones = new Map([['agent-1', { sipUsername: 'agent7', sipUri: null as string | null }], ['agent-2', { sipUsername: null, sipUri: 'sip:agent2@127.0.0.1:5092' }]]);
  const tel = new DrachtioTelephony(
    srf,
    media,
    { forDial: async (id) => (id === null || id === 'gw-1' ? gateway : null) },
    {
      phoneOf: async (id) => phones.get(id) ?? null,
      credentialsOf: async (u) => {
        credentialChecks++;
        await new Promise((r) => setTimeout(r, 5)); // a database read: answers arriving together wait here together
        return u === 'agent7' ? { agentId: 'agent-1', password: 'phone-pass' } : null;
      },
    },
    { drachtio: { host: '127.0.0.1', port: 9022, secret: 'x' }, realm: 'dialer.test', abandonMessageFile: '/srv/abandon.wav' },
    undefined,
    opts.pacer,
  );
  await tel.start();
  started.push(tel);
  return { srf, media, tel };
}

describe('DrachtioTelephony: customer calls', () => {
  it('sends the INVITE through the gateway with its number format, caller ID rules and trunk credentials, anchored on rtpengine', async () => {
    const { srf, media, tel } = await setup();
    const rec = recorder();
    const handle = await tel.dial(request(), rec.events);
    const inv = srf.lastInvite();
    expect(inv.uri).toBe('sip:9912025550143@127.0.0.1:5080');
    expect(inv.opts.headers).toMatchObject({ From: '<sip:12025550100@127.0.0.1>', 'P-Asserted-Identity': '<sip:12025550100@127.0.0.1>' });
    expect(inv.opts.auth).toEqual({ username: 'acct', password: 'trunk-pass' });
    expect(inv.opts.localSdp).toBe(`rtpe-offer:${handle.callId}`);
    expect(handle.providerCallId).toBe(inv.callId);
  });

  it('reports 180/183 as ringing once, does not treat 183 early media as an answer, and reports the 200 OK and the BYE', async () => {
    const { srf, media, tel } = await setup();
    const rec = recorder();
    const { callId } = await tel.dial(request(), rec.events);
    const inv = srf.lastInvite();
    inv.provisional(100);
    inv.provisional(183);
    inv.provisional(180);
    await tick();
    expect(rec.types()).toEqual(['ringing']);
    const dialog = inv.answer('carrier-sdp', 'cust-tag');
    await until(() => rec.types().includes('answered'));
    expect(rec.last().args[1]).toBe('human');
    expect(media.commands('answer')[0].args).toEqual(expect.arrayContaining([callId, 'dialer', 'cust-tag', 'carrier-sdp']));
    expect(tel.liveCalls()).toEqual([callId]);
    dialog.hangUpRemotely();
    expect(rec.last()).toMatchObject({ type: 'ended', args: [expect.any(Date), 'customer'] });
    expect(tel.liveCalls()).toEqual([]);
    await until(() => media.commands('delete').some((c) => c.args[0] === callId));
  });

  it('prepares the call (media offer) while the caller persists it, and sends the INVITE only once sendAfter resolves', async () => {
    const { srf, media, tel } = await setup();
    let commit!: () => void;
    const committed = new Promise<void>((r) => (commit = r));
    const rec = recorder();
    const handle = tel.dial(request({ sendAfter: committed }), rec.events);
    await until(() => media.commands('offer').length === 1);
    await tick();
    expect(srf.invites).toHaveLength(0);
    commit();
    await handle;
    expect(srf.invites).toHaveLength(1);
    expect(srf.lastInvite().opts.localSdp).toBe(`rtpe-offer:${(await handle).callId}`);
  });

  it('sends nothing when sendAfter rejects (the record did not commit): cancelled, channel and media released', async () => {
    const { srf, media, tel } = await setup();
    const rec = recorder();
    const { callId } = await tel.dial(request({ sendAfter: Promise.reject(new Error('database unreachable')) }), rec.events);
    expect(srf.invites).toHaveLength(0);
    expect(rec.last()).toMatchObject({ type: 'failed', args: [expect.any(Date), 'cancelled', null, 'not sent: database unreachable'] });
    expect(tel.liveCalls()).toEqual([]);
    await until(() => media.commands('delete').some((c) => c.args[0] === callId));
  });

  it('tells the dialer of the answer while rtpengine takes the carrier SDP; a bridge waits for it and the delete comes after it', async () => {
    const { srf, media, tel } = await setup();
    let release!: () => void;
    media.answerGate = new Promise<void>((r) => (release = r));
    const rec = recorder();
    const { callId } = await tel.dial(request(), rec.events);
    const dialog = srf.lastInvite().answer('carrier-sdp', 'cust-tag');
    await until(() => rec.types().includes('answered'));
    expect(media.commands('answer')).toHaveLength(0); // still in flight
    dialog.hangUpRemotely();
    await tick();
    expect(media.commands('delete')).toHaveLength(0); // not before the answer it would race
    release();
    await until(() => media.commands('delete').length === 1);
    const order = media.log.filter((l) => l.args[0] === callId).map((l) => l.cmd);
    expect(order).toEqual(['offer', 'answer', 'delete']);
  });

  it.each([
    [486, 'busy'],
    [600, 'busy'],
    [480, 'no_answer'],
    [404, 'invalid_number'],
    [484, 'invalid_number'],
    [403, 'carrier_failure'],
    [500, 'carrier_failure'],
  ])('maps a %i final response to %s with the SIP code', async (status, result) => {
    const { srf, tel } = await setup();
    const rec = recorder();
    await tel.dial(request(), rec.events);
    srf.lastInvite().reject(status);
    await until(() => rec.types().includes('failed'));
    expect(rec.last().args.slice(1, 3)).toEqual([result, status]);
    expect(tel.liveCalls()).toEqual([]);
  });

  it('backs the gateway off after a 503, honouring Retry-After', async () => {
    const pacer = new GatewayPacer();
    const backOff = jest.spyOn(pacer, 'backOff');
    const { srf, tel } = await setup({ pacer });
    const rec = recorder();
    await tel.dial(request(), rec.events);
    srf.lastInvite().reject(503, { 'Retry-After': '4' });
    await until(() => rec.types().includes('failed'));
    expect(rec.last().args.slice(1, 3)).toEqual(['carrier_failure', 503]);
    expect(backOff).toHaveBeenCalledWith('gw-1', 4);
  });

  it('sends CANCEL at the ring timeout and reports the 487 as no answer', async () => {
    const { srf, tel } = await setup();
    const rec = recorder();
    await tel.dial(request({ ringTimeoutMs: 30 }), rec.events);
    const inv = srf.lastInvite();
    inv.provisional(180);
    await until(() => inv.cancelled);
    inv.reject(487);
    await until(() => rec.types().includes('failed'));
    expect(rec.last().args.slice(1, 3)).toEqual(['no_answer', 487]);
  });

  it('handles a 200 OK that crosses our CANCEL: BYE at once, counted, reported as no answer, never as answered', async () => {
    const { srf, tel } = await setup();
    const rec = recorder();
    await tel.dial(request({ ringTimeoutMs: 20 }), rec.events);
    const inv = srf.lastInvite();
    await until(() => inv.cancelled);
    const dialog = inv.answer();
    await until(() => rec.types().includes('failed'));
    expect(dialog.destroyed).toBe(true);
    expect(rec.types()).not.toContain('answered');
    expect(rec.last().args.slice(1, 4)).toEqual(['no_answer', 200, 'answered after CANCEL']);
    expect(tel.stats().cancel200Races).toBe(1);
  });

  it('cancels a ringing call the dialer hangs up, reporting it cancelled', async () => {
    const { srf, tel } = await setup();
    const rec = recorder();
    const { callId } = await tel.dial(request(), rec.events);
    await tel.hangup(callId);
    expect(srf.lastInvite().cancelled).toBe(true);
    srf.lastInvite().reject(487);
    await until(() => rec.types().includes('failed'));
    expect(rec.last().args[1]).toBe('cancelled');
  });

  it('refuses a launch past the channel limit with a carrier failure and no INVITE', async () => {
    const { srf, tel } = await setup();
    const limited = { ...gateway, channelLimit: 1 };
    (tel as unknown as { gateways: { forDial: () => Promise<GatewayConfig> } }).gateways = { forDial: async () => limited };
    await tel.dial(request(), recorder().events);
    const rec = recorder();
    await tel.dial(request(), rec.events);
    expect(srf.invites).toHaveLength(1);
    expect(rec.last().args.slice(1, 4)).toEqual(['carrier_failure', null, 'gateway channel limit reached']);
  });

  it('reports a call hung up while it waits for its launch slot as cancelled, without sending an INVITE', async () => {
    let wake!: () => void;
    const pacer = new GatewayPacer(() => 0, () => new Promise<void>((r) => (wake = r)));
    const { srf, tel } = await setup({ pacer });
    const slow = { ...gateway, cpsLimit: 1 };
    (tel as unknown as { gateways: { forDial: () => Promise<GatewayConfig> } }).gateways = { forDial: async () => slow };
    await tel.dial(request(), recorder().events); // takes the only token
    const rec = recorder();
    const req = request();
    const pending = tel.dial(req, rec.events); // waits for the next slot
    await until(() => wake !== undefined);
    await tel.hangup(req.callId);
    wake();
    await pending;
    expect(srf.invites).toHaveLength(1);
    expect(rec.seen.map((e) => e.args.slice(1, 4))).toEqual([['cancelled', null, 'hung up before the INVITE was sent']]);
  });

  it('starts recording when asked and reports the file', async () => {
    const { srf, media, tel } = await setup();
    const rec = recorder();
    const { callId } = await tel.dial(request({ record: true }), rec.events);
    srf.lastInvite().answer();
    await until(() => rec.types().includes('recording'));
    expect(media.commands('startRecording')[0].args[0]).toBe(callId);
    expect(rec.last().args[1]).toBe(`rtpengine:${callId}`);
  });
});

describe('DrachtioTelephony: agent legs, bridge and abandon', () => {
  async function withAgentLeg() {
    const env = await setup();
    const down: string[] = [];
    const legReady = env.tel.ensureAgentLeg('agent-2', { onAgentLegDown: (id) => void down.push(id) });
    await until(() => env.srf.invites.length === 1);
    const agentDialog = env.srf.lastInvite().answer('phone-sdp-1', 'phone-tag');
    await legReady;
    return { ...env, down, agentDialog };
  }

  it('sets up the agent leg once (idempotent) at the agent URI, anchored on the agent idle session', async () => {
    const { srf, tel, agentDialog } = await withAgentLeg();
    expect(srf.invites[0].uri).toBe('sip:agent2@127.0.0.1:5092');
    expect(srf.invites[0].opts.localSdp).toBe('rtpe-offer:agent-agent-2');
    await tel.ensureAgentLeg('agent-2', { onAgentLegDown: () => undefined });
    expect(srf.invites).toHaveLength(1);
    expect(agentDialog.destroyed).toBe(false);
  });

  it('rings the phone once when Ready arrives twice while the leg is being set up', async () => {
    const { srf, tel } = await setup();
    const events = { onAgentLegDown: () => undefined };
    const first = tel.ensureAgentLeg('agent-2', events);
    const second = tel.ensureAgentLeg('agent-2', events);
    await until(() => srf.invites.length === 1);
    srf.lastInvite().answer('phone-sdp', 'phone-tag');
    await Promise.all([first, second]);
    expect(srf.invites).toHaveLength(1);
    expect(tel.stats().agentLegs).toBe(1);
  });

  it('joins an answered customer to the agent leg by re-INVITE, measures it, and keeps the agent leg after the customer hangs up', async () => {
    const { srf, media, tel, agentDialog } = await withAgentLeg();
    const rec = recorder();
    const { callId } = await tel.dial(request(), rec.events);
    const customer = srf.lastInvite().answer('carrier-sdp', 'cust-tag');
    await until(() => rec.types().includes('answered'));
    await tel.bridge(callId, 'agent-2');
    expect(agentDialog.modifies).toEqual([`rtpe-answer:${callId}:cust-tag`]);
    const reoffer = media.commands('offer').find((c) => c.args[0] === callId && c.args[2] === 'phone-sdp-1');
    expect(reoffer).toBeDefined();
    const stats = tel.stats();
    expect(stats.bridge.count).toBe(1);
    expect(stats.bridge.lastMs).toBeGreaterThanOrEqual(0);
    expect(stats.bridge.lastMs).toBeLessThan(300);

    customer.hangUpRemotely();
    expect(rec.last().args[1]).toBe('customer');
    await until(() => agentDialog.modifies.length === 2);
    expect(agentDialog.modifies[1]).toBe('rtpe-offer:agent-agent-2'); // back to the idle session
    expect(agentDialog.destroyed).toBe(false);
    expect(tel.stats().agentLegs).toBe(1);
  });

  it('joins a browser (WebRTC) leg inside rtpengine, without a re-INVITE: the two sessions point at each other, and back to idle after', async () => {
    const { srf, media, tel } = await setup();
    await tel.registrar.register('agent7', 'sip:k3j@df.invalid;transport=ws', 'ws', 3600, 'sip:127.0.0.1:40001;transport=ws');
    const leg = tel.ensureAgentLeg('agent-1', { onAgentLegDown: () => undefined });
    await until(() => srf.invites.length === 1);
    expect(media.commands('offer')[0].args[3]).toMatchObject({ 'transport-protocol': 'UDP/TLS/RTP/SAVPF', ICE: 'force' });
    const browser = srf.lastInvite().answer('browser-sdp', 'browser-tag');
    await leg;
    const rec = recorder();
    const { callId } = await tel.dial(request(), rec.events);
    const customer = srf.lastInvite().answer('carrier-sdp', 'cust-tag');
    await until(() => rec.types().includes('answered'));
    const before = media.log.length;
    await tel.bridge(callId, 'agent-1');
    expect(browser.modifies).toEqual([]); // no SIP to the browser
    expect(media.log.slice(before).map((c) => [c.cmd, c.args[0], c.args[2]])).toEqual([
      ['offer', callId, 'rtpe-answer:agent-agent-1:browser-tag'], // the customer's session sends to the agent session
      ['answer', callId, 'cust-tag'],
      ['offer', 'agent-agent-1', `rtpe-answer:${callId}:cust-tag`], // and the agent session to the customer's
      ['answer', 'agent-agent-1', 'browser-tag'],
    ]);
    expect(media.log[media.log.length - 1].args[3]).toBe('browser-sdp');
    expect(tel.stats().bridge.count).toBe(1);

    customer.hangUpRemotely();
    await until(() => media.commands('offer').filter((c) => c.args[0] === 'agent-agent-1').length === 3);
    expect(media.commands('offer').filter((c) => c.args[0] === 'agent-agent-1')[2].args[2]).toContain('m=audio 9 '); // idle again
    expect(browser.modifies).toEqual([]);
    expect(browser.destroyed).toBe(false);
    expect(tel.stats().agentLegs).toBe(1);
  });

  it('leaves neither the call nor the agent taken when the phone refuses the join (before: every next call was "busy")', async () => {
    const { srf, tel, agentDialog } = await withAgentLeg();
    const first = recorder();
    const a = await tel.dial(request(), first.events);
    srf.lastInvite().answer('carrier-sdp', 'cust-tag');
    await until(() => first.types().includes('answered'));
    agentDialog.refuseModify = Object.assign(new Error('488 Not Acceptable Here'), { status: 488 });
    await expect(tel.bridge(a.callId, 'agent-2')).rejects.toThrow('488');
    // The phone works again: the agent's next answered call joins, instead of CONFLICT 'agent is on another call'.
    agentDialog.refuseModify = null;
    const second = recorder();
    const b = await tel.dial(request({ to: '+14155550199' }), second.events);
    srf.lastInvite().answer('carrier-sdp-2', 'cust-tag-2');
    await until(() => second.types().includes('answered'));
    await expect(tel.bridge(b.callId, 'agent-2')).resolves.toBeUndefined();
  });

  it('refuses to bridge a call that is not answered or an agent without a leg', async () => {
    const { tel } = await withAgentLeg();
    const { callId } = await tel.dial(request(), recorder().events);
    await expect(tel.bridge(callId, 'agent-2')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(tel.bridge('nope', 'agent-2')).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('plays the abandonment message into the customer leg, then hangs up', async () => {
    const { srf, media, tel } = await setup();
    const rec = recorder();
    const { callId } = await tel.dial(request(), rec.events);
    const customer = srf.lastInvite().answer('carrier-sdp', 'cust-tag');
    await until(() => rec.types().includes('answered'));
    await tel.abandon(callId);
    expect(media.commands('playMedia')[0].args).toEqual([callId, 'cust-tag', '/srv/abandon.wav']);
    expect(customer.destroyed).toBe(true);
    expect(rec.last().args[1]).toBe('system');
  });

  it('ends the customer call and tells the dialer when the agent phone hangs up its leg', async () => {
    const { srf, tel, agentDialog, down } = await withAgentLeg();
    const rec = recorder();
    const { callId } = await tel.dial(request(), rec.events);
    const customer = srf.lastInvite().answer();
    await until(() => rec.types().includes('answered'));
    await tel.bridge(callId, 'agent-2');
    agentDialog.hangUpRemotely();
    expect(down).toEqual(['agent-2']);
    expect(customer.destroyed).toBe(true);
    expect(rec.last().args[1]).toBe('agent');
  });
});

describe('DrachtioTelephony: link drop and reconciliation', () => {
  it('reports every call it held as ended or failed, agents as down, refuses dials while down, and tears orphans down on reconnect', async () => {
    const { srf, tel } = await setup();
    const down: string[] = [];
    const legReady = tel.ensureAgentLeg('agent-2', { onAgentLegDown: (id) => void down.push(id) });
    await until(() => srf.invites.length === 1);
    const agentDialog = srf.lastInvite().answer('phone-sdp', 'phone-tag');
    await legReady;

    const answered = recorder();
    const ringing = recorder();
    const a = await tel.dial(request(), answered.events);
    const customer = srf.lastInvite().answer();
    await until(() => answered.types().includes('answered'));
    await tel.bridge(a.callId, 'agent-2');
    await tel.dial(request(), ringing.events);
    srf.lastInvite().provisional(180);
    await tick();

    srf.drop();
    expect(answered.last()).toMatchObject({ type: 'ended', args: [expect.any(Date), 'system'] });
    expect(ringing.last().args.slice(1, 4)).toEqual(['carrier_failure', null, 'signalling link to drachtio-server lost']);
    expect(down).toEqual(['agent-2']);
    expect(tel.liveCalls()).toEqual([]);
    expect(tel.stats()).toMatchObject({ connected: false, linkDrops: 1, reconciledCalls: 2, agentLegs: 0 });

    const whileDown = recorder();
    await tel.dial(request(), whileDown.events);
    expect(whileDown.last().args.slice(1, 4)).toEqual(['carrier_failure', null, 'signalling link to drachtio-server is down']);

    srf.restore();
    expect(tel.isConnected()).toBe(true);
    // BYE to both far ends goes on the new connection, naming drachtio-server's dialog ids (the dialogs' own
    // destroy() would use the closed connection)
    await until(() => srf.requests.length === 2);
    expect(srf.requests).toEqual(expect.arrayContaining([
      { uri: 'sip:placeholder', opts: { method: 'BYE', stackDialogId: customer.id } },
      { uri: 'sip:placeholder', opts: { method: 'BYE', stackDialogId: agentDialog.id } },
    ]));
    await until(() => customer.destroyed && agentDialog.destroyed);
    // a late final response for a reconciled call changes nothing
    const before = ringing.seen.length;
    srf.invites[2].reject(487);
    await tick();
    expect(ringing.seen.length).toBe(before);
  });
});

describe('DrachtioTelephony: dialogs left from a link drop', () => {
  async function answeredThenDropped() {
    const { srf, tel } = await setup();
    const rec = recorder();
    await tel.dial(request(), rec.events);
    const customer = srf.lastInvite().answer();
    await until(() => rec.types().includes('answered'));
    srf.drop();
    return { srf, tel, customer };
  }

  it('after a drachtio-server restart (dialogs gone there) the reconnect sends nothing further and nothing fails', async () => {
    const { srf, tel, customer } = await answeredThenDropped();
    srf.requestFails = Object.assign(new Error('unable to find dialog for dialog id provided'), { code: 'ENODIALOG' });
    srf.restore();
    await until(() => customer.destroyed);
    expect(tel.isConnected()).toBe(true);
    srf.requestFails = null;
    srf.drop();
    srf.restore();
    await tick();
    expect(srf.requests).toEqual([]); // not tried again
  });

  it('a BYE the link could not take (it dropped again) is sent on the next connection', async () => {
    const { srf, customer } = await answeredThenDropped();
    srf.requestFails = Object.assign(new Error('provided socket has been destroyed'), { code: 'ESOCKETDESTROYED' });
    srf.restore();
    srf.drop(); // gone again before the BYE was handed over
    await tick();
    expect(srf.requests).toEqual([]);
    srf.requestFails = null;
    srf.restore();
    await until(() => srf.requests.length === 1);
    expect(srf.requests[0].opts).toEqual({ method: 'BYE', stackDialogId: customer.id });
  });
});

describe('DrachtioTelephony: registrar', () => {
  function registerReq(auth?: string, from: { contact: string; via?: string; protocol: string; port: number } = { contact: 'sip:agent7@127.0.0.1:5090', protocol: 'udp', port: 5090 }) {
    const headers: Record<string, string> = {
      Contact: `<${from.contact}>;expires=300`, ...(from.via ? { Via: from.via } : {}), ...(auth ? { Authorization: auth } : {}),
    };
    return {
      method: 'REGISTER', uri: 'sip:dialer.test', protocol: from.protocol, source_address: '127.0.0.1', source_port: from.port,
      get: (h: string) => headers[h], has: (h: string) => h in headers,
      getParsedHeader: () => [{ uri: from.contact, params: { expires: '300' } }],
    };
  }
  async function answeredChallenge(srf: FakeSrf, password: string): Promise<string> {
    const first = responder();
    srf.registerHandler!(registerReq(), first.res as never);
    await until(() => first.sent.length === 1);
    const challenge = parseDigest(first.sent[0].headers!['WWW-Authenticate'].replace('Digest', 'Digest username="agent7", uri="sip:dialer.test", response="x",'))!;
    const c = { ...challenge, username: 'agent7', uri: 'sip:dialer.test', nc: '00000001', cnonce: 'abc', qop: 'auth' };
    return `Digest username="agent7", realm="${c.realm}", nonce="${c.nonce}", uri="${c.uri}", qop=auth, nc=00000001, cnonce="abc", response="${digestResponse(c, 'REGISTER', password)}"`;
  }

  it('a browser over secure WebSocket is registered as wss and called back over that connection, whatever its Contact says', async () => {
    const { srf, tel } = await setup();
    const header = await answeredChallenge(srf, 'phone-pass');
    // SIP.js puts transport=ws in its Contact even over WSS; the Via names the real transport; drachtio says tcp.
    const ok = responder();
    srf.registerHandler!(registerReq(header, {
      contact: 'sip:k3j@df.invalid;transport=ws', via: 'SIP/2.0/WSS df.invalid;branch=z9hG4bK776', protocol: 'tcp', port: 40002,
    }), ok.res as never);
    await until(() => ok.sent.length === 1);
    expect(ok.sent[0].status).toBe(200);
    expect(await tel.registrar.lookup('agent7')).toMatchObject({ transport: 'wss', proxy: 'sip:127.0.0.1:40002;transport=wss' });
  });
  function responder() {
    const sent: Array<{ status: number; headers?: Record<string, string> }> = [];
    return { sent, res: { send: (status: number, opts?: { headers?: Record<string, string> }) => void sent.push({ status, headers: (opts as { headers?: Record<string, string> })?.headers }) } };
  }

  it('a captured Authorization header sent again (with another Contact) does not move the agent\'s registration', async () => {
    const { srf, tel } = await setup();
    const header = await answeredChallenge(srf, 'phone-pass');
    const ok = responder();
    srf.registerHandler!(registerReq(header), ok.res as never);
    await until(() => ok.sent.length === 1);
    expect(ok.sent[0].status).toBe(200);
    const replay = responder();
    srf.registerHandler!(registerReq(header, { contact: 'sip:agent7@203.0.113.9:5060', protocol: 'udp', port: 5060 }), replay.res as never);
    await until(() => replay.sent.length === 1);
    expect(replay.sent[0].status).toBe(401);
    expect(replay.sent[0].headers!['WWW-Authenticate']).toMatch(/^Digest realm="dialer.test", nonce=/);
    expect((await tel.registrar.lookup('agent7'))?.contactUri).toBe('sip:agent7@127.0.0.1:5090');
    // the real phone, challenged again, registers as before
    const again = responder();
    srf.registerHandler!(registerReq(await answeredChallenge(srf, 'phone-pass')), again.res as never);
    await until(() => again.sent.length === 1);
    expect(again.sent[0].status).toBe(200);
  });

  it('checks at most 10 passwords when 30 wrong answers arrive at once from one address', async () => {
    const { srf } = await setup();
    credentialChecks = 0;
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => answeredChallenge(srf, `guess-${i}`)));
    const responses = answers.map(() => responder());
    answers.forEach((a, i) => srf.registerHandler!(registerReq(a), responses[i].res as never));
    await until(() => responses.every((r) => r.sent.length === 1));
    expect(responses.every((r) => r.sent[0].status === 403)).toBe(true);
    expect(credentialChecks).toBeLessThanOrEqual(REGISTER_MAX_FAILURES);
  });

  it('after 10 wrong passwords from one address, even the right one is refused for a while', async () => {
    const { srf, tel } = await setup();
    for (let i = 0; i < REGISTER_MAX_FAILURES; i++) {
      const wrong = responder();
      srf.registerHandler!(registerReq(await answeredChallenge(srf, `guess-${i}`)), wrong.res as never);
      await until(() => wrong.sent.length === 1);
      expect(wrong.sent[0].status).toBe(403);
    }
    const right = responder();
    srf.registerHandler!(registerReq(await answeredChallenge(srf, 'phone-pass')), right.res as never);
    await until(() => right.sent.length === 1);
    expect(right.sent[0].status).toBe(403);
    expect(await tel.registrar.lookup('agent7')).toBeNull();
  });

  it('challenges, accepts the right digest, then calls the registered phone for the agent leg', async () => {
    const { srf, tel } = await setup();
    const first = responder();
    srf.registerHandler!(registerReq(), first.res as never);
    await until(() => first.sent.length === 1);
    expect(first.sent[0].status).toBe(401);
    const challenge = parseDigest(first.sent[0].headers!['WWW-Authenticate'].replace('Digest', 'Digest username="agent7", uri="sip:dialer.test", response="x",'))!;
    const c = { ...challenge, username: 'agent7', uri: 'sip:dialer.test', nc: '00000001', cnonce: 'abc', qop: 'auth' };
    const header = `Digest username="agent7", realm="${c.realm}", nonce="${c.nonce}", uri="${c.uri}", qop=auth, nc=00000001, cnonce="abc", response="${digestResponse(c, 'REGISTER', 'phone-pass')}"`;

    const wrong = responder();
    srf.registerHandler!(registerReq(header.replace(/response="[0-9a-f]+"/, `response="${digestResponse(c, 'REGISTER', 'nope')}"`)), wrong.res as never);
    await until(() => wrong.sent.length === 1);
    expect(wrong.sent[0].status).toBe(403);
    expect((await tel.registrar.lookup('agent7'))).toBeNull();

    const ok = responder();
    srf.registerHandler!(registerReq(header), ok.res as never);
    await until(() => ok.sent.length === 1);
    expect(ok.sent[0].status).toBe(200);
    expect((await tel.registrar.lookup('agent7'))?.contactUri).toBe('sip:agent7@127.0.0.1:5090');

    const legReady = tel.ensureAgentLeg('agent-1', { onAgentLegDown: () => undefined });
    await until(() => srf.invites.length === 1);
    expect(srf.lastInvite().uri).toBe('sip:agent7@127.0.0.1:5090');
    srf.lastInvite().answer();
    await legReady;
  });
});
