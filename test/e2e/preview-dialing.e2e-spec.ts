import { Role } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';
import { makeCampaign as makeFixtureCampaign, waitFor, zoneWhere } from '../integration/dialer-fixtures';
import { isolateDatabase } from '../setup/isolated-db';
import { createTestApp, TestApp } from '../setup/test-app';

/**
 * Preview dialing, callbacks and objections end to end: the real app with its dialer worker and the simulated
 * carrier at 1/100 of real time, every person answering (so a Dialled call always reaches its agent).
 */
jest.setTimeout(120_000);
// It boots a dialer worker: its own database and Redis prefix, so no other suite's worker touches its calls.
isolateDatabase();

describe('preview dialing, callbacks for their owner, objections with the disposition (API + worker + simulated carrier)', () => {
  const savedEnv = { ...process.env };
  let t: TestApp;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  type Agent = { id: string; token: string };
  let seq = 0;
  let campaigns = 0;

  /**
   * The shared fixture, with numbers unique in this file (the fixture's numbers of two campaigns can coincide, and a
   * number on DNC or with an open call in one test would then block another test's lead).
   */
  async function makeCampaign(db: TestApp['db'], opts: Parameters<typeof makeFixtureCampaign>[1]) {
    const fx = await makeFixtureCampaign(db, opts);
    const n = ++campaigns;
    for (const [i, l] of fx.leads.entries()) {
      l.phone = `+1556${String(n).padStart(3, '0')}${String(i).padStart(4, '0')}`;
      await db.query(`UPDATE leads SET phone = $2 WHERE id = $1`, [l.id, l.phone]);
    }
    return fx;
  }

  async function newAgent(): Promise<Agent> {
    const email = `preview-agent-${process.pid}-${Date.now()}-${++seq}@test.local`;
    const u = await t.app.get(UsersService).upsert(email, 'Preview Agent', Role.Agent, 'correct horse battery staple');
    const res = await t.http.post('/api/auth/login').send({ email, password: 'correct horse battery staple' }).expect(200);
    return { id: u.id, token: res.body.accessToken };
  }

  /** The agent's current call as the desk sees it, once it is in `state`. */
  async function currentIn(a: Agent, states: string[], what: string) {
    return waitFor(async () => {
      const r = await t.http.get('/api/agent/current-call').set(auth(a.token)).expect(200);
      return r.body.call && states.includes(r.body.call.state) ? r.body : null;
    }, 15_000, what);
  }

  const ready = (a: Agent, campaignId: string) =>
    t.http.post('/api/agent/state').set(auth(a.token)).send({ state: 'ready', campaignId }).expect(200);

  beforeAll(async () => {
    process.env.SIMULATED_TIME_SCALE = '0.01';
    process.env.SIMULATED_ANSWER_RATE = '1';
    t = await createTestApp({ api: true, worker: true }, { LOGIN_RATE_LIMIT: '1000' }); // a login per agent of every test
  });
  afterAll(async () => {
    await t.close();
    process.env = savedEnv;
  });

  it.each([Role.Admin, Role.Manager, Role.Compliance])('refuses role %s on Dial and Skip (403)', async (role) => {
    const token = await t.tokenFor(role);
    const id = '00000000-0000-4000-8000-000000000000';
    await t.http.post(`/api/agent/calls/${id}/dial`).set(auth(token)).expect(403);
    await t.http.post(`/api/agent/calls/${id}/skip`).set(auth(token)).expect(403);
  });

  it('offers a lead to the Ready agent without dialling; Skip returns it unburnt and offers the next; Dial connects it to that agent', async () => {
    const fx = await makeCampaign(t.db, { ok: 3, mode: 'preview' });
    const me = await newAgent();
    const other = await newAgent();
    await ready(me, fx.campaignId);

    const first = await currentIn(me, ['preview'], 'a preview offer');
    expect(first.call).toMatchObject({ state: 'preview', preview: true, campaignId: fx.campaignId });
    expect(fx.leads.map((l) => l.id)).toContain(first.lead.id);
    // Nothing was dialled: no INVITE, no attempt.
    const [placed] = await t.db.query(`SELECT count(*)::int AS n FROM calls WHERE campaign_id = $1 AND dial_at IS NOT NULL`, [fx.campaignId]);
    expect(placed.n).toBe(0);
    // The manager's live figures agree: an offer on an agent's screen is neither a ringing call nor an attempt.
    const live = await t.http.get(`/api/campaigns/${fx.campaignId}/live`).set(auth(await t.tokenFor(Role.Manager))).expect(200);
    expect(live.body).toMatchObject({ callsRinging: 0, today: { attempts: 0 } });
    // The offer's call row is written just before the agent's state turns 'reserved' (the desk is told after both).
    await waitFor(async () => (await t.http.get('/api/agent/state').set(auth(me.token)).expect(200)).body.state === 'reserved', 5_000, 'the agent reserved for the offer');
    // The desk shows the previewed lead as the page expects (state 'preview').
    const desk = await t.http.get('/api/web/agent/desk').set(auth(me.token)).expect(200);
    expect(desk.body.call).toMatchObject({ id: first.call.id, state: 'preview' });

    // Only the agent who was offered the lead may act on it.
    await t.http.post(`/api/agent/calls/${first.call.id}/dial`).set(auth(other.token)).expect(404);
    await t.http.post(`/api/agent/calls/${first.call.id}/skip`).set(auth(other.token)).expect(404);

    const skip = await t.http.post(`/api/agent/calls/${first.call.id}/skip`).set(auth(me.token)).expect(200);
    expect(skip.body).toMatchObject({ callId: first.call.id, skipped: true, agentState: 'ready' });
    const [skippedLead] = await t.db.query(`SELECT status, attempts FROM leads WHERE id = $1`, [first.lead.id]);
    expect(skippedLead).toEqual({ status: 'new', attempts: 0 });
    const [skippedCall] = await t.db.query(`SELECT state, dial_at FROM calls WHERE id = $1`, [first.call.id]);
    expect(skippedCall).toEqual({ state: 'skipped', dial_at: null });
    // Skipping twice is a state error, not a second release.
    await t.http.post(`/api/agent/calls/${first.call.id}/skip`).set(auth(me.token)).expect(409);

    const second = await waitFor(async () => {
      const r = (await t.http.get('/api/agent/current-call').set(auth(me.token)).expect(200)).body;
      return r.call?.state === 'preview' && r.call.id !== first.call.id ? r : null;
    }, 15_000, 'the next offer');
    expect(second.lead.id).not.toBe(first.lead.id);

    const dial = await t.http.post(`/api/agent/calls/${second.call.id}/dial`).set(auth(me.token)).expect(202);
    expect(dial.body.call).toMatchObject({ id: second.call.id, preview: false });
    const connected = await waitFor(async () => {
      const [c] = await t.db.query(`SELECT agent_id, connect_at, abandon_at, dial_mode FROM calls WHERE id = $1`, [second.call.id]);
      return c.connect_at ? c : null;
    }, 30_000, 'the dialled call to connect').catch(async (err) => {
      // What the call and the agent got to, for the post-mortem of a run where it did not connect.
      const [c] = await t.db.query(`SELECT state, outcome, sip_code, sip_reason, worker_id, dial_at, answer_at, end_at FROM calls WHERE id = $1`, [second.call.id]);
      const agent = (await t.http.get('/api/agent/state').set(auth(me.token))).body;
      throw new Error(`${(err as Error).message}: call ${JSON.stringify(c)}, agent ${JSON.stringify(agent)}`);
    });
    expect(connected).toMatchObject({ agent_id: me.id, abandon_at: null, dial_mode: 'preview' });
    const [lead] = await t.db.query(`SELECT attempts FROM leads WHERE id = $1`, [second.lead.id]);
    expect(lead.attempts).toBe(1);
    const events = await t.db.query(`SELECT type FROM compliance_events WHERE call_id = $1`, [second.call.id]);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['attempt']);
    // The customer hangs up (simulated talk time) and the agent is in wrap-up on that call.
    const wrap = await currentIn(me, ['wrap_up'], 'wrap-up');
    expect(wrap.call.id).toBe(second.call.id);

    // Objections raised on the call, recorded with the disposition in one transaction; a bad one refuses it all.
    const objection = async (label: string) => (await t.db.query(
      `INSERT INTO objections (campaign_id, category, label, rebuttal_template) VALUES ($1, 'price', $2, 'It pays for itself') RETURNING id`,
      [fx.campaignId, label],
    ))[0] as { id: string };
    const obj = await objection('Too expensive');
    const obj2 = await objection('Not interested');
    const bad = await t.http.post(`/api/agent/calls/${second.call.id}/disposition`).set(auth(me.token))
      .send({ outcome: 'sale', objections: [{ objectionId: obj.id, overcome: true }, { objectionId: '00000000-0000-4000-8000-000000000001', overcome: false }] })
      .expect(400);
    expect(bad.body.errors).toEqual([{ field: 'objections[1].objectionId', reason: "no objection with this id in this call's campaign" }]);
    const shape = await t.http.post(`/api/agent/calls/${second.call.id}/disposition`).set(auth(me.token))
      .send({ outcome: 'sale', objections: [{ objectionId: obj.id }] }).expect(400);
    expect(shape.body.errors.map((e: { field: string }) => e.field)).toContain('objections.0.overcome');
    expect(await t.db.query(`SELECT 1 FROM dispositions WHERE call_id = $1`, [second.call.id])).toHaveLength(0);
    expect(await t.db.query(`SELECT 1 FROM call_objections WHERE call_id = $1`, [second.call.id])).toHaveLength(0);
    await t.http.post(`/api/agent/calls/${second.call.id}/disposition`).set(auth(me.token))
      .send({ outcome: 'sale', objections: [{ objectionId: obj.id, overcome: true }, { objectionId: obj2.id, overcome: false }] })
      .expect(200);
    const recorded = await t.db.query(`SELECT objection_id, overcome, agent_id FROM call_objections WHERE call_id = $1 ORDER BY overcome DESC`, [second.call.id]);
    expect(recorded).toEqual([
      { objection_id: obj.id, overcome: true, agent_id: me.id },
      { objection_id: obj2.id, overcome: false, agent_id: me.id },
    ]);
    await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'paused', reason: 'break' }).expect((r) => {
      // A third offer may already be on the desk (reserved): skip it before pausing.
      if (r.status !== 200 && r.status !== 409) throw new Error(`unexpected ${r.status}`);
    });
  });

  it('lets an agent with a preview on screen pause or log out: the lead goes back unburnt (before: 409, and the next preview came at once)', async () => {
    const fx = await makeCampaign(t.db, { ok: 2, mode: 'preview' });
    const me = await newAgent();
    await ready(me, fx.campaignId);
    const offer = await currentIn(me, ['preview'], 'a preview offer');
    await waitFor(async () => (await t.http.get('/api/agent/state').set(auth(me.token)).expect(200)).body.state === 'reserved', 5_000, 'reserved');
    const paused = await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'paused', reason: 'break' }).expect(200);
    expect(paused.body).toMatchObject({ state: 'paused', reason: 'break' });
    const [call] = await t.db.query(`SELECT state, dial_at, hangup_by FROM calls WHERE id = $1`, [offer.call.id]);
    expect(call).toEqual({ state: 'skipped', dial_at: null, hangup_by: 'agent' });
    const [lead] = await t.db.query(`SELECT status, attempts, lease_owner FROM leads WHERE id = $1`, [offer.lead.id]);
    expect(lead).toEqual({ status: 'new', attempts: 0, lease_owner: null });
    expect((await t.http.get('/api/agent/current-call').set(auth(me.token)).expect(200)).body.call).toBeNull();
    // The same with logging out.
    await ready(me, fx.campaignId);
    const second = await currentIn(me, ['preview'], 'the next offer');
    await waitFor(async () => (await t.http.get('/api/agent/state').set(auth(me.token)).expect(200)).body.state === 'reserved', 5_000, 'reserved');
    await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'logged_out' }).expect(200);
    const [again] = await t.db.query(`SELECT state FROM calls WHERE id = $1`, [second.call.id]);
    expect(again.state).toBe('skipped');
  });

  it('blocks Dial on a number put on DNC while it was previewed: 422, dial_blocked event, no INVITE, lead on DNC', async () => {
    const fx = await makeCampaign(t.db, { ok: 1, mode: 'preview' });
    const me = await newAgent();
    await ready(me, fx.campaignId);
    const offer = await currentIn(me, ['preview'], 'a preview offer');
    await t.db.query(`INSERT INTO dnc_entries (phone, scope, source) VALUES ($1, 'internal', 'test')`, [offer.lead.phone]);

    const res = await t.http.post(`/api/agent/calls/${offer.call.id}/dial`).set(auth(me.token)).expect(422);
    expect(res.body.errors).toEqual([{ field: 'id', reason: 'blocked: dnc_internal' }]);
    const events = await t.db.query(`SELECT type, reason_code FROM compliance_events WHERE lead_id = $1 ORDER BY id`, [offer.lead.id]);
    expect(events).toEqual([{ type: 'dial_blocked', reason_code: 'dnc_internal' }]);
    const [call] = await t.db.query(`SELECT state, dial_at, outcome FROM calls WHERE id = $1`, [offer.call.id]);
    expect(call).toEqual({ state: 'failed', dial_at: null, outcome: 'blocked' });
    const [lead] = await t.db.query(`SELECT status, attempts FROM leads WHERE id = $1`, [offer.lead.id]);
    expect(lead).toEqual({ status: 'dnc', attempts: 0 });
    expect((await t.http.get('/api/agent/state').set(auth(me.token)).expect(200)).body.state).toBe('ready');
    // The list is empty now: nothing else is offered.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await t.http.get('/api/agent/current-call').set(auth(me.token)).expect(200)).body).toEqual({ call: null, lead: null });
    await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'logged_out' }).expect(200);
  });

  it('asks the gate once more right before the INVITE: a Dial accepted just before the number went on DNC is not placed', async () => {
    const fx = await makeCampaign(t.db, { ok: 1, mode: 'preview' });
    const me = await newAgent();
    await ready(me, fx.campaignId);
    const offer = await currentIn(me, ['preview'], 'a preview offer');
    // The API's check passed (state queued, as POST .../dial leaves it) and the number goes on DNC in that instant.
    await t.db.query(`INSERT INTO dnc_entries (phone, scope, source) VALUES ($1, 'internal', 'test')`, [offer.lead.phone]);
    await t.db.query(`UPDATE calls SET state = 'queued' WHERE id = $1 AND state = 'preview'`, [offer.call.id]);

    const call = await waitFor(async () => {
      const [c] = await t.db.query(`SELECT state, outcome, sip_reason, dial_at FROM calls WHERE id = $1`, [offer.call.id]);
      return c.state !== 'queued' ? c : null;
    }, 15_000, 'the orchestrator to take the queued call');
    expect(call).toEqual({ state: 'failed', outcome: 'blocked', sip_reason: 'dnc_internal', dial_at: null });
    const events = await t.db.query(`SELECT type, reason_code FROM compliance_events WHERE lead_id = $1 ORDER BY id`, [offer.lead.id]);
    expect(events).toEqual([{ type: 'dial_blocked', reason_code: 'dnc_internal' }]);
    const [lead] = await t.db.query(`SELECT status, attempts FROM leads WHERE id = $1`, [offer.lead.id]);
    expect(lead).toEqual({ status: 'dnc', attempts: 0 });
    await waitFor(async () => (await t.http.get('/api/agent/state').set(auth(me.token)).expect(200)).body.state === 'ready', 5_000, 'the agent to be Ready');
    await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'logged_out' }).expect(200);
  });

  /** A lead waiting for a callback booked for `owner` (scope 'agent'), or for anyone, due now. */
  async function bookCallback(campaignId: string, leadId: string, owner: string | null): Promise<string> {
    await t.db.query(`UPDATE leads SET status = 'callback', attempts = 1, next_attempt_at = now() - interval '1 min' WHERE id = $1`, [leadId]);
    const [cb] = await t.db.query(
      `INSERT INTO callbacks (campaign_id, lead_id, owner_agent_id, scope, due_at, created_by) VALUES ($1, $2, $3, $4, now() - interval '1 min', $3) RETURNING id`,
      [campaignId, leadId, owner, owner ? 'agent' : 'anyone'],
    );
    return cb.id;
  }

  it('dials a due callback booked for one agent for that agent only: another Ready agent never gets it; the owner does (pending -> done)', async () => {
    const fx = await makeCampaign(t.db, { ok: 1, mode: 'progressive' });
    const owner = await newAgent();
    const other = await newAgent();
    const cbId = await bookCallback(fx.campaignId, fx.leads[0].id, owner.id);

    await ready(other, fx.campaignId);
    await new Promise((r) => setTimeout(r, 3_000)); // three pacing ticks with only the other agent Ready
    expect(await t.db.query(`SELECT 1 FROM calls WHERE lead_id = $1`, [fx.leads[0].id])).toHaveLength(0);
    expect((await t.db.query(`SELECT status FROM callbacks WHERE id = $1`, [cbId]))[0].status).toBe('pending');

    await ready(owner, fx.campaignId);
    const call = await waitFor(async () => {
      const [c] = await t.db.query(`SELECT id, agent_id, connect_at, abandon_at FROM calls WHERE lead_id = $1 AND connect_at IS NOT NULL`, [fx.leads[0].id]);
      return c ?? null;
    }, 30_000, 'the callback to connect'); // who gets it is the point, not how fast: a full parallel run can starve the worker
    expect(call).toMatchObject({ agent_id: owner.id, abandon_at: null });
    expect((await t.db.query(`SELECT status FROM callbacks WHERE id = $1`, [cbId]))[0].status).toBe('done');
    expect(await t.db.query(`SELECT 1 FROM calls WHERE lead_id = $1 AND agent_id = $2`, [fx.leads[0].id, other.id])).toHaveLength(0);
    await currentIn(owner, ['wrap_up'], 'wrap-up');
    await t.http.post(`/api/agent/calls/${call.id}/disposition`).set(auth(owner.token)).send({ outcome: 'sale' }).expect(200);
    for (const a of [owner, other]) await t.http.post('/api/agent/state').set(auth(a.token)).send({ state: 'logged_out' }).expect(200);
  });

  it('still gates callbacks: on DNC the callback is cancelled, outside calling hours it waits (pending); both recorded as dial_blocked', async () => {
    const fx = await makeCampaign(t.db, { ok: 2, mode: 'preview' });
    const owner = await newAgent();
    const dncLead = fx.leads[0];
    const lateLead = fx.leads[1];
    await t.db.query(`INSERT INTO dnc_entries (phone, scope, source) VALUES ($1, 'internal', 'test')`, [dncLead.phone]);
    await t.db.query(`UPDATE leads SET timezone = $2 WHERE id = $1`, [lateLead.id, zoneWhere(false)]);
    const dncCb = await bookCallback(fx.campaignId, dncLead.id, owner.id);
    const lateCb = await bookCallback(fx.campaignId, lateLead.id, null);

    await ready(owner, fx.campaignId);
    await waitFor(async () => {
      const rows = await t.db.query(`SELECT status FROM callbacks WHERE id = ANY($1) ORDER BY status`, [[dncCb, lateCb]]);
      const byId = await t.db.query(`SELECT id, status FROM callbacks WHERE id = ANY($1)`, [[dncCb, lateCb]]);
      const m = new Map(byId.map((r: { id: string; status: string }) => [r.id, r.status]));
      return rows.length === 2 && m.get(dncCb) === 'cancelled' && m.get(lateCb) === 'pending'
        && (await t.db.query(`SELECT 1 FROM compliance_events WHERE lead_id = $1 AND type = 'dial_blocked'`, [lateLead.id])).length > 0;
    }, 15_000, 'both callbacks to be blocked');
    const blocked = await t.db.query(
      `SELECT lead_id::text AS lead_id, reason_code FROM compliance_events WHERE lead_id = ANY($1::bigint[]) AND type = 'dial_blocked' ORDER BY lead_id`,
      [[dncLead.id, lateLead.id]],
    );
    expect(new Set(blocked.map((b: { lead_id: string; reason_code: string }) => `${b.lead_id}:${b.reason_code}`))).toEqual(
      new Set([`${dncLead.id}:dnc_internal`, `${lateLead.id}:outside_hours`]),
    );
    const leads = await t.db.query(`SELECT id::text AS id, status FROM leads WHERE id = ANY($1::bigint[]) ORDER BY id`, [[dncLead.id, lateLead.id]]);
    expect(new Map(leads.map((l: { id: string; status: string }) => [l.id, l.status]))).toEqual(new Map([[dncLead.id, 'dnc'], [lateLead.id, 'callback']]));
    expect(await t.db.query(`SELECT 1 FROM calls WHERE lead_id = ANY($1::bigint[]) AND dial_at IS NOT NULL`, [[dncLead.id, lateLead.id]])).toHaveLength(0);
    await t.http.post('/api/agent/state').set(auth(owner.token)).send({ state: 'logged_out' }).expect(200);
  });
});
