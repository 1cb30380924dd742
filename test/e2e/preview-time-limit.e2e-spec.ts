import { CallsService } from '../../src/modules/calls/calls.service';
import { DialerWorkerService } from '../../src/modules/dialer/orchestrator/dialer-worker.service';
import { Role } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';
import { makeCampaign as makeFixtureCampaign, waitFor } from '../integration/dialer-fixtures';
import { isolateDatabase } from '../setup/isolated-db';
import { createTestApp, TestApp } from '../setup/test-app';

/**
 * The preview time limit: a lead left on an agent's screen is dialled or skipped by the dialer once the campaign's
 * limit has passed since the offer. The real app with its dialer worker and the simulated carrier at 1/100 of real
 * time, every person answering. Most tests drive the worker's pass with a clock (limit 600 s, so the live loop never
 * acts on its own); one lets the live loop do it with the 10 s minimum.
 */
jest.setTimeout(120_000);
isolateDatabase();

describe('preview time limit: settings, skip (agent paused), dial (same path as the agent\'s Dial), callbacks, races', () => {
  const savedEnv = { ...process.env };
  let t: TestApp;
  let worker: DialerWorkerService;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  type Agent = { id: string; token: string };
  let seq = 0;
  let campaigns = 0;

  /** A running preview campaign with unique numbers and the given limit and action (set as the API stores them). */
  async function makeCampaign(ok: number, limit: number | null, action: 'dial' | 'skip') {
    const fx = await makeFixtureCampaign(t.db, { ok, mode: 'preview' });
    const n = ++campaigns;
    for (const [i, l] of fx.leads.entries()) {
      l.phone = `+1557${String(n).padStart(3, '0')}${String(i).padStart(4, '0')}`;
      await t.db.query(`UPDATE leads SET phone = $2 WHERE id = $1`, [l.id, l.phone]);
    }
    await t.db.query(`UPDATE campaigns SET preview_time_limit_s = $2, preview_timeout_action = $3 WHERE id = $1`, [fx.campaignId, limit, action]);
    return fx;
  }

  async function newAgent(): Promise<Agent> {
    const email = `ptl-agent-${process.pid}-${Date.now()}-${++seq}@test.local`;
    const u = await t.app.get(UsersService).upsert(email, 'Preview Agent', Role.Agent, 'correct horse battery staple');
    const res = await t.http.post('/api/auth/login').send({ email, password: 'correct horse battery staple' }).expect(200);
    return { id: u.id, token: res.body.accessToken };
  }

  const ready = (a: Agent, campaignId: string) =>
    t.http.post('/api/agent/state').set(auth(a.token)).send({ state: 'ready', campaignId }).expect(200);
  const stateOf = async (a: Agent) => (await t.http.get('/api/agent/state').set(auth(a.token)).expect(200)).body;
  const logout = (a: Agent) => t.http.post('/api/agent/state').set(auth(a.token)).send({ state: 'logged_out' });

  /** Waits for a preview offer and for the agent to be reserved for it; returns the current call as the desk gets it. */
  async function offerTo(a: Agent, notId?: string) {
    const offer = await waitFor(async () => {
      const r = (await t.http.get('/api/agent/current-call').set(auth(a.token)).expect(200)).body;
      return r.call?.state === 'preview' && r.call.id !== notId ? r : null;
    }, 15_000, 'a preview offer');
    await waitFor(async () => (await stateOf(a)).state === 'reserved', 5_000, 'the agent reserved for the offer');
    return offer;
  }
  const secondsAfter = (iso: string, s: number) => new Date(new Date(iso).getTime() + s * 1000);

  beforeAll(async () => {
    process.env.SIMULATED_TIME_SCALE = '0.01';
    process.env.SIMULATED_ANSWER_RATE = '1';
    t = await createTestApp({ api: true, worker: true }, { LOGIN_RATE_LIMIT: '1000' });
    worker = t.app.get(DialerWorkerService);
  });
  afterAll(async () => {
    await t.close();
    process.env = savedEnv;
  });

  describe('campaign settings', () => {
    const name = () => `PTL ${process.pid} ${Date.now()} ${++seq}`;

    it('defaults to no limit and skip; a manager sets and clears them; the API answers them back', async () => {
      const manager = await t.tokenFor(Role.Manager);
      const created = await t.http.post('/api/campaigns').set(auth(manager)).send({ name: name(), dialMode: 'preview' }).expect(201);
      expect(created.body).toMatchObject({ previewTimeLimitSeconds: null, previewTimeoutAction: 'skip' });
      const set = await t.http.patch(`/api/campaigns/${created.body.id}`).set(auth(manager))
        .send({ previewTimeLimitSeconds: 10, previewTimeoutAction: 'dial' }).expect(200);
      expect(set.body).toMatchObject({ previewTimeLimitSeconds: 10, previewTimeoutAction: 'dial' });
      const read = await t.http.get(`/api/campaigns/${created.body.id}`).set(auth(await t.tokenFor(Role.Compliance))).expect(200);
      expect(read.body).toMatchObject({ previewTimeLimitSeconds: 10, previewTimeoutAction: 'dial' });
      const cleared = await t.http.patch(`/api/campaigns/${created.body.id}`).set(auth(manager)).send({ previewTimeLimitSeconds: null }).expect(200);
      expect(cleared.body).toMatchObject({ previewTimeLimitSeconds: null, previewTimeoutAction: 'dial' });
      const [row] = await t.db.query(`SELECT preview_time_limit_s, preview_timeout_action FROM campaigns WHERE id = $1`, [created.body.id]);
      expect(row).toEqual({ preview_time_limit_s: null, preview_timeout_action: 'dial' });
      const atMax = await t.http.post('/api/campaigns').set(auth(manager)).send({ name: name(), previewTimeLimitSeconds: 3600 }).expect(201);
      expect(atMax.body.previewTimeLimitSeconds).toBe(3600);
    });

    it.each([
      [{ previewTimeLimitSeconds: 9 }, 'previewTimeLimitSeconds', 'must be at least 10 seconds (or null for no limit)'],
      [{ previewTimeLimitSeconds: 3601 }, 'previewTimeLimitSeconds', 'must be at most 3600 seconds (or null for no limit)'],
      [{ previewTimeLimitSeconds: 12.5 }, 'previewTimeLimitSeconds', 'must be a whole number of seconds, or null for no limit'],
      [{ previewTimeLimitSeconds: '30' }, 'previewTimeLimitSeconds', 'must be a whole number of seconds, or null for no limit'],
      [{ previewTimeoutAction: 'wait' }, 'previewTimeoutAction', 'must be one of: dial, skip'],
      [{ previewTimeoutAction: null }, 'previewTimeoutAction', 'must not be null'],
    ])('refuses %j with 400 naming the field and the reason (create and edit)', async (bad, field, reason) => {
      const manager = await t.tokenFor(Role.Manager);
      const res = await t.http.post('/api/campaigns').set(auth(manager)).send({ name: name(), ...bad }).expect(400);
      expect(res.body.errors).toContainEqual({ field, reason: expect.stringContaining(reason) });
      const ok = await t.http.post('/api/campaigns').set(auth(manager)).send({ name: name() }).expect(201);
      const edit = await t.http.patch(`/api/campaigns/${ok.body.id}`).set(auth(manager)).send(bad).expect(400);
      expect(edit.body.errors).toContainEqual({ field, reason: expect.stringContaining(reason) });
    });

    it.each([Role.Agent, Role.Compliance])('refuses role %s setting the limit (403; no new endpoint: the campaign edit\'s roles)', async (role) => {
      const manager = await t.tokenFor(Role.Manager);
      const c = await t.http.post('/api/campaigns').set(auth(manager)).send({ name: name() }).expect(201);
      await t.http.patch(`/api/campaigns/${c.body.id}`).set(auth(await t.tokenFor(role))).send({ previewTimeLimitSeconds: 30 }).expect(403);
      const [row] = await t.db.query(`SELECT preview_time_limit_s FROM campaigns WHERE id = $1`, [c.body.id]);
      expect(row.preview_time_limit_s).toBeNull();
    });
  });

  it('shows the desk when the preview was offered and when the dialer acts (the deadline fixed at the offer)', async () => {
    const fx = await makeCampaign(2, 600, 'skip');
    const me = await newAgent();
    await ready(me, fx.campaignId);
    const offer = await offerTo(me);
    const [row] = await t.db.query(`SELECT queued_at FROM calls WHERE id = $1`, [offer.call.id]);
    expect(new Date(offer.call.offeredAt).getTime()).toBe(new Date(row.queued_at).getTime());
    expect(new Date(offer.call.previewExpiresAt).getTime()).toBe(new Date(row.queued_at).getTime() + 600_000);
    expect(offer.call.previewTimeoutAction).toBe('skip');
    const desk = await t.http.get('/api/web/agent/desk').set(auth(me.token)).expect(200);
    expect(desk.body.call).toMatchObject({ id: offer.call.id, previewExpiresAt: offer.call.previewExpiresAt, previewTimeoutAction: 'skip' });

    // the fixed deadline: not before it
    expect(await worker.enforcePreviewTimeLimits([fx.campaignId], secondsAfter(offer.call.offeredAt, 599))).toBe(0);
    expect((await t.db.query(`SELECT state FROM calls WHERE id = $1`, [offer.call.id]))[0].state).toBe('preview');
    await logout(me).expect(200);
  });

  it('skip: at the limit (not before) the lead goes back unburnt, the agent is paused "preview_timeout" (recorded) and offered nothing more', async () => {
    const fx = await makeCampaign(3, 600, 'skip');
    const me = await newAgent();
    await ready(me, fx.campaignId);
    const offer = await offerTo(me);

    expect(await worker.enforcePreviewTimeLimits([fx.campaignId], secondsAfter(offer.call.offeredAt, 599))).toBe(0);
    expect((await t.db.query(`SELECT state FROM calls WHERE id = $1`, [offer.call.id]))[0].state).toBe('preview');
    expect(await worker.enforcePreviewTimeLimits([fx.campaignId], secondsAfter(offer.call.offeredAt, 600))).toBe(1);

    const [call] = await t.db.query(`SELECT state, outcome, hangup_by, dial_at FROM calls WHERE id = $1`, [offer.call.id]);
    expect(call).toEqual({ state: 'skipped', outcome: 'preview_timeout', hangup_by: 'system', dial_at: null });
    const [lead] = await t.db.query(`SELECT status, attempts, lease_owner FROM leads WHERE id = $1`, [offer.lead.id]);
    expect(lead).toEqual({ status: 'new', attempts: 0, lease_owner: null });
    expect(await stateOf(me)).toMatchObject({ state: 'paused', reason: 'preview_timeout', callId: null });
    const [ev] = await t.db.query(`SELECT state, reason, campaign_id FROM agent_state_events WHERE agent_id = $1 ORDER BY id DESC LIMIT 1`, [me.id]);
    expect(ev).toEqual({ state: 'paused', reason: 'preview_timeout', campaign_id: fx.campaignId });
    // No attempt: nothing on the compliance record for this lead.
    expect(await t.db.query(`SELECT 1 FROM compliance_events WHERE lead_id = $1`, [offer.lead.id])).toHaveLength(0);
    // The agent Passes late: the preview is gone (409), nothing released twice.
    await t.http.post(`/api/agent/calls/${offer.call.id}/skip`).set(auth(me.token)).expect(409);
    // Paused: an absent agent does not cycle through the list.
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await t.http.get('/api/agent/current-call').set(auth(me.token)).expect(200)).body.call).toBeNull();
    // Back at the desk: Ready again, offered a lead (the one that timed out is not barred like a Pass would be).
    await ready(me, fx.campaignId);
    const next = await offerTo(me, offer.call.id);
    expect(next.lead.id).toBe(offer.lead.id);
    await logout(me).expect(200);
  });

  it('skip: a callback booked for the agent stays booked for them (pending, same owner), no one else gets it, and it comes back to them', async () => {
    const fx = await makeCampaign(1, 600, 'skip');
    const owner = await newAgent();
    const other = await newAgent();
    const lead = fx.leads[0];
    await t.db.query(`UPDATE leads SET status = 'callback', attempts = 1, next_attempt_at = now() - interval '1 min' WHERE id = $1`, [lead.id]);
    const [cb] = await t.db.query(
      `INSERT INTO callbacks (campaign_id, lead_id, owner_agent_id, scope, due_at, created_by) VALUES ($1, $2, $3, 'agent', now() - interval '1 min', $3) RETURNING id`,
      [fx.campaignId, lead.id, owner.id],
    );
    await ready(owner, fx.campaignId);
    const offer = await offerTo(owner);
    expect(offer.lead.id).toBe(lead.id);
    expect((await t.db.query(`SELECT status FROM callbacks WHERE id = $1`, [cb.id]))[0].status).toBe('leased');

    expect(await worker.enforcePreviewTimeLimits([fx.campaignId], secondsAfter(offer.call.offeredAt, 601))).toBe(1);
    const [after] = await t.db.query(`SELECT status, owner_agent_id, scope FROM callbacks WHERE id = $1`, [cb.id]);
    expect(after).toEqual({ status: 'pending', owner_agent_id: owner.id, scope: 'agent' });
    const [l] = await t.db.query(`SELECT status, attempts, lease_owner FROM leads WHERE id = $1`, [lead.id]);
    expect(l).toEqual({ status: 'callback', attempts: 1, lease_owner: null });
    expect(await stateOf(owner)).toMatchObject({ state: 'paused', reason: 'preview_timeout' });

    await ready(other, fx.campaignId);
    await new Promise((r) => setTimeout(r, 2_500)); // a few preview ticks with only the other agent Ready
    expect(await t.db.query(`SELECT 1 FROM calls WHERE lead_id = $1 AND agent_id = $2`, [lead.id, other.id])).toHaveLength(0);

    await ready(owner, fx.campaignId);
    const again = await offerTo(owner, offer.call.id);
    expect(again.lead.id).toBe(lead.id);
    for (const a of [owner, other]) await logout(a).expect(200);
  });

  it('dial: the live loop dials it at the 10 s minimum, exactly like the agent\'s Dial: connected to that agent, one attempt, agent not paused', async () => {
    const fx = await makeCampaign(1, 10, 'dial');
    const me = await newAgent();
    await ready(me, fx.campaignId);
    const offer = await offerTo(me);
    const connected = await waitFor(async () => {
      const [c] = await t.db.query(`SELECT agent_id, queued_at, dial_at, connect_at, abandon_at FROM calls WHERE id = $1`, [offer.call.id]);
      return c.connect_at ? c : null;
    }, 40_000, 'the timed-out preview to be dialled and connected');
    expect(connected).toMatchObject({ agent_id: me.id, abandon_at: null });
    // Not before the limit: dialled 10 s or more after the offer.
    expect(new Date(connected.dial_at).getTime() - new Date(offer.call.offeredAt).getTime()).toBeGreaterThanOrEqual(10_000);
    const [lead] = await t.db.query(`SELECT attempts FROM leads WHERE id = $1`, [offer.lead.id]);
    expect(lead.attempts).toBe(1);
    const events = await t.db.query(`SELECT type FROM compliance_events WHERE call_id = $1`, [offer.call.id]);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['attempt']);
    const wrap = await waitFor(async () => {
      const r = (await t.http.get('/api/agent/current-call').set(auth(me.token)).expect(200)).body;
      return r.call?.state === 'wrap_up' ? r : null;
    }, 20_000, 'wrap-up');
    expect(wrap.call.id).toBe(offer.call.id);
    await t.http.post(`/api/agent/calls/${offer.call.id}/disposition`).set(auth(me.token)).send({ outcome: 'no_sale' }).expect(200);
    const states = await t.db.query(`SELECT state, reason FROM agent_state_events WHERE agent_id = $1 ORDER BY id`, [me.id]);
    expect(states.some((s: { reason: string | null }) => s.reason === 'preview_timeout')).toBe(false);
    await logout(me).expect(200);
  });

  it('dial: the dial gate is asked again (a number put on DNC while on screen: blocked, dial_blocked event, lead on DNC, agent Ready)', async () => {
    const fx = await makeCampaign(1, 600, 'dial');
    const me = await newAgent();
    await ready(me, fx.campaignId);
    const offer = await offerTo(me);
    await t.db.query(`INSERT INTO dnc_entries (phone, scope, source) VALUES ($1, 'internal', 'test')`, [offer.lead.phone]);
    expect(await worker.enforcePreviewTimeLimits([fx.campaignId], secondsAfter(offer.call.offeredAt, 600))).toBe(1);
    const [call] = await t.db.query(`SELECT state, dial_at, outcome, sip_reason FROM calls WHERE id = $1`, [offer.call.id]);
    expect(call).toEqual({ state: 'failed', dial_at: null, outcome: 'blocked', sip_reason: 'dnc_internal' });
    const events = await t.db.query(`SELECT type, reason_code FROM compliance_events WHERE lead_id = $1 ORDER BY id`, [offer.lead.id]);
    expect(events).toEqual([{ type: 'dial_blocked', reason_code: 'dnc_internal' }]);
    expect((await t.db.query(`SELECT status, attempts FROM leads WHERE id = $1`, [offer.lead.id]))[0]).toEqual({ status: 'dnc', attempts: 0 });
    expect((await stateOf(me)).state).toBe('ready');
    await logout(me).expect(200);
  });

  it('dial: a gate verdict "blocked" that arrives after the agent\'s own Dial queued the call leaves that call alone (not failed, lead kept, agent not made Ready)', async () => {
    const fx = await makeCampaign(1, 600, 'dial');
    const me = await newAgent();
    await ready(me, fx.campaignId);
    const offer = await offerTo(me);
    await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [fx.campaignId]); // the queued call stays queued
    const gate = (t.app.get(CallsService) as unknown as { gate: { check: (...a: unknown[]) => Promise<Map<string, unknown>> } }).gate;
    const spy = jest.spyOn(gate, 'check').mockImplementationOnce(async () => {
      // the agent's Dial wins the race while the pass asks the gate
      await t.db.query(`UPDATE calls SET state = 'queued' WHERE id = $1 AND state = 'preview'`, [offer.call.id]);
      return new Map([[offer.lead.id, { allowed: false, reason: 'outside_hours' }]]);
    });
    try {
      expect(await worker.enforcePreviewTimeLimits([fx.campaignId], secondsAfter(offer.call.offeredAt, 600))).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const [call] = await t.db.query(`SELECT state, outcome FROM calls WHERE id = $1`, [offer.call.id]);
    expect(call).toEqual({ state: 'queued', outcome: null });
    expect((await t.db.query(`SELECT status FROM leads WHERE id = $1`, [offer.lead.id]))[0].status).toBe('leased');
    expect((await stateOf(me)).state).toBe('reserved');
    await t.db.query(`UPDATE calls SET state = 'failed', end_at = now() WHERE id = $1`, [offer.call.id]); // tidy: no dialer for a paused campaign
  });

  it('the deadline is fixed at the offer: a limit turned on later does not dial a preview shown without a countdown; one removed later still ends it', async () => {
    const none = await makeCampaign(1, null, 'dial');
    const me = await newAgent();
    await ready(me, none.campaignId);
    const offer = await offerTo(me);
    expect(offer.call.previewExpiresAt).toBeNull();
    await t.db.query(`UPDATE campaigns SET preview_time_limit_s = 10, preview_timeout_action = 'dial' WHERE id = $1`, [none.campaignId]);
    expect(await worker.enforcePreviewTimeLimits([none.campaignId], secondsAfter(offer.call.offeredAt, 3600))).toBe(0);
    expect((await t.db.query(`SELECT state FROM calls WHERE id = $1`, [offer.call.id]))[0].state).toBe('preview');
    await t.http.post(`/api/agent/calls/${offer.call.id}/skip`).set(auth(me.token)).expect(200);
    await logout(me).expect(200);

    const limited = await makeCampaign(1, 600, 'skip');
    const you = await newAgent();
    await ready(you, limited.campaignId);
    const shown = await offerTo(you);
    expect(new Date(shown.call.previewExpiresAt).getTime()).toBe(secondsAfter(shown.call.offeredAt, 600).getTime());
    await t.db.query(`UPDATE campaigns SET preview_time_limit_s = NULL WHERE id = $1`, [limited.campaignId]);
    // the desk still counts down to the deadline it was given, and the dialer acts at it
    const desk = (await t.http.get('/api/agent/current-call').set(auth(you.token)).expect(200)).body;
    expect(desk.call.previewExpiresAt).toBe(shown.call.previewExpiresAt);
    expect(await worker.enforcePreviewTimeLimits([limited.campaignId], secondsAfter(shown.call.offeredAt, 599))).toBe(0);
    expect(await worker.enforcePreviewTimeLimits([limited.campaignId], secondsAfter(shown.call.offeredAt, 600))).toBe(1);
    expect((await stateOf(you))).toMatchObject({ state: 'paused', reason: 'preview_timeout' });
    await logout(you).expect(200);
  });

  it('orders settle it too: a Dial just before the pass is not dialled again nor skipped; a pass just before the Dial wins (409)', async () => {
    const first = await makeCampaign(1, 600, 'dial');
    const me = await newAgent();
    await ready(me, first.campaignId);
    const offer = await offerTo(me);
    await t.http.post(`/api/agent/calls/${offer.call.id}/dial`).set(auth(me.token)).expect(202);
    expect(await worker.enforcePreviewTimeLimits([first.campaignId], secondsAfter(offer.call.offeredAt, 600))).toBe(0);
    const wrap = await waitFor(async () => {
      const r = (await t.http.get('/api/agent/current-call').set(auth(me.token)).expect(200)).body;
      return r.call?.state === 'wrap_up' ? r : null;
    }, 30_000, 'wrap-up');
    expect(await t.db.query(`SELECT 1 FROM compliance_events WHERE lead_id = $1 AND type = 'attempt'`, [offer.lead.id])).toHaveLength(1);
    await t.http.post(`/api/agent/calls/${wrap.call.id}/disposition`).set(auth(me.token)).send({ outcome: 'no_sale' }).expect(200);
    await logout(me).expect(200);

    const second = await makeCampaign(1, 600, 'skip');
    await ready(me, second.campaignId);
    const offer2 = await offerTo(me);
    expect(await worker.enforcePreviewTimeLimits([second.campaignId], secondsAfter(offer2.call.offeredAt, 600))).toBe(1);
    await t.http.post(`/api/agent/calls/${offer2.call.id}/dial`).set(auth(me.token)).expect(409);
    expect(await t.db.query(`SELECT 1 FROM calls WHERE lead_id = $1 AND dial_at IS NOT NULL`, [offer2.lead.id])).toHaveLength(0);
    expect(await stateOf(me)).toMatchObject({ state: 'paused', reason: 'preview_timeout' });
    await logout(me).expect(200);
  });

  /** The agent clicks (Dial or Pass) in the same instant as the worker's pass; returns the agent's HTTP status. */
  async function race(action: 'dial' | 'skip', click: 'dial' | 'skip') {
    const fx = await makeCampaign(1, 600, action);
    const me = await newAgent();
    await ready(me, fx.campaignId);
    const offer = await offerTo(me);
    const [res, acted] = await Promise.all([
      t.http.post(`/api/agent/calls/${offer.call.id}/${click}`).set(auth(me.token)),
      worker.enforcePreviewTimeLimits([fx.campaignId], secondsAfter(offer.call.offeredAt, 600)),
    ]);
    return { fx, me, offer, status: res.status, acted };
  }

  it.each([
    ['skip', 'dial'], ['dial', 'dial'], ['skip', 'skip'], ['dial', 'skip'],
  ] as const)('timeout action %s racing the agent\'s %s: one of them wins, no double dial, no lost lead', async (action, click) => {
    for (let round = 0; round < 2; round++) {
      const { fx, me, offer, status, acted } = await race(action, click);
      const agentWon = click === 'dial' ? status === 202 : status === 200;
      // Exactly one acted on the preview.
      expect([agentWon, acted === 1].filter(Boolean)).toHaveLength(1);
      if (!agentWon) expect(status).toBe(409);
      const dialled = agentWon ? click === 'dial' : action === 'dial';
      if (dialled) {
        // One call, placed once for that agent: one attempt on the record.
        await waitFor(async () => (await t.db.query(`SELECT 1 FROM calls WHERE id = $1 AND end_at IS NOT NULL`, [offer.call.id])).length > 0, 30_000, 'the call to end');
        const calls = await t.db.query(`SELECT agent_id FROM calls WHERE lead_id = $1 AND dial_at IS NOT NULL`, [offer.lead.id]);
        expect(calls).toEqual([{ agent_id: me.id }]);
        expect(await t.db.query(`SELECT 1 FROM compliance_events WHERE lead_id = $1 AND type = 'attempt'`, [offer.lead.id])).toHaveLength(1);
        const wrap = await waitFor(async () => {
          const r = (await t.http.get('/api/agent/current-call').set(auth(me.token)).expect(200)).body;
          return r.call?.state === 'wrap_up' ? r : null;
        }, 20_000, 'wrap-up');
        await t.http.post(`/api/agent/calls/${wrap.call.id}/disposition`).set(auth(me.token)).send({ outcome: 'no_sale' }).expect(200);
      } else {
        // Passed (by the agent or the dialer): the lead is back in the pool unburnt, released once.
        const [call] = await t.db.query(`SELECT state, outcome, dial_at FROM calls WHERE id = $1`, [offer.call.id]);
        expect(call).toMatchObject({ state: 'skipped', dial_at: null, outcome: agentWon ? 'skipped' : 'preview_timeout' });
        expect(await t.db.query(`SELECT 1 FROM calls WHERE lead_id = $1 AND dial_at IS NOT NULL`, [offer.lead.id])).toHaveLength(0);
        const [lead] = await t.db.query(`SELECT status, attempts, lease_owner FROM leads WHERE id = $1`, [offer.lead.id]);
        expect(lead).toEqual({ status: 'new', attempts: 0, lease_owner: null });
        const st = await stateOf(me);
        expect(st.state === 'paused' && st.reason === 'preview_timeout').toBe(!agentWon);
      }
      await logout(me);
      expect(fx.leads).toHaveLength(1);
    }
  });
});
