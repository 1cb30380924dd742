import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { Role } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';
import { callInWrapUp as makeCallInWrapUp, makeCampaign } from '../integration/dialer-fixtures';
import { createTestApp, TestApp } from '../setup/test-app';

describe('agent API: state, current call, hangup, disposition (HTTP)', () => {
  let t: TestApp;
  let me: { id: string; token: string };
  let other: { id: string; token: string };
  let fx: Awaited<ReturnType<typeof makeCampaign>>;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    me = await t.userFor(Role.Agent);
    const email = `other-agent-${Date.now()}@test.local`;
    const u = await t.app.get(UsersService).upsert(email, 'Other Agent', Role.Agent, 'correct horse battery staple');
    const res = await t.http.post('/api/auth/login').send({ email, password: 'correct horse battery staple' }).expect(200);
    other = { id: u.id, token: res.body.accessToken };
    // Preview: no dialer worker (e.g. of a test running in parallel) dials this campaign behind the test's back.
    fx = await makeCampaign(t.db, { ok: 4, mode: 'preview' });
  });
  afterAll(() => t.close());

  /** A call answered for `agentId` and ended: the agent is in wrap-up on it. */
  async function callInWrapUp(agentId: string, leadIndex: number): Promise<string> {
    return makeCallInWrapUp(t.db, fx, agentId, leadIndex, (a, campaignId, callId) => t.app.get(AgentStateService).transition(a, 'wrap_up', campaignId, { callId }));
  }

  it.each([Role.Admin, Role.Manager, Role.Compliance])('refuses role %s on the agent endpoints (403)', async (role) => {
    const token = await t.tokenFor(role);
    await t.http.post('/api/agent/state').set(auth(token)).send({ state: 'ready', campaignId: fx.campaignId }).expect(403);
    await t.http.get('/api/agent/current-call').set(auth(token)).expect(403);
    await t.http.post(`/api/agent/calls/${fx.campaignId}/hangup`).set(auth(token)).expect(403);
    await t.http.post(`/api/agent/calls/${fx.campaignId}/disposition`).set(auth(token)).send({ outcome: 'sale' }).expect(403);
  });

  it.each([Role.Agent, Role.Compliance])('refuses role %s on the live campaign figures (403)', async (role) => {
    await t.http.get(`/api/campaigns/${fx.campaignId}/live`).set(auth(await t.tokenFor(role))).expect(403);
  });

  it('validates state changes, naming the field', async () => {
    const bad = await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'dancing' }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('state');
    const noReason = await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'paused' }).expect(400);
    expect(new Set(noReason.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['reason']));
    const noCampaign = await t.http.post('/api/agent/state').set(auth(other.token)).send({ state: 'ready' }).expect(400);
    expect(noCampaign.body.errors[0].field).toBe('campaignId');
    const [draft] = await t.db.query(`INSERT INTO campaigns (name) VALUES ($1) RETURNING id`, [`draft-${Date.now()}`]);
    const notRunning = await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'ready', campaignId: draft.id }).expect(409);
    expect(notRunning.body.errors[0]).toEqual({ field: 'campaignId', reason: 'campaign is draft' });
  });

  it('goes ready, pauses with a reason and logs out; each change is an agent_state_events row', async () => {
    const ready = await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'ready', campaignId: fx.campaignId }).expect(200);
    expect(ready.body).toMatchObject({ state: 'ready', campaignId: fx.campaignId });
    await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'paused', reason: 'break' }).expect(200);
    const live = await t.http.get(`/api/campaigns/${fx.campaignId}/live`).set(auth(await t.tokenFor(Role.Manager))).expect(200);
    expect(live.body.agents.paused).toBe(1);
    await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'logged_out' }).expect(200);
    const rows = await t.db.query(`SELECT state, reason FROM agent_state_events WHERE agent_id = $1 ORDER BY id`, [me.id]);
    expect(rows.slice(-3)).toEqual([{ state: 'ready', reason: null }, { state: 'paused', reason: 'break' }, { state: 'logged_out', reason: null }]);
    expect((await t.http.get('/api/agent/current-call').set(auth(me.token)).expect(200)).body).toEqual({ call: null, lead: null });
  });

  it('says since when the agent is in their state (ISO time of the change), so a reloaded desk keeps counting from it', async () => {
    const set = await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'paused', reason: 'meeting' }).expect(200);
    const [ev] = await t.db.query(`SELECT at FROM agent_state_events WHERE agent_id = $1 ORDER BY id DESC LIMIT 1`, [me.id]);
    expect(set.body.since).toBe(new Date(ev.at).toISOString());
    const got = await t.http.get('/api/agent/state').set(auth(me.token)).expect(200);
    expect(got.body).toMatchObject({ state: 'paused', reason: 'meeting', since: set.body.since });
    await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'logged_out' }).expect(200);
    expect((await t.http.get('/api/agent/state').set(auth(me.token)).expect(200)).body).toMatchObject({ state: 'logged_out', since: null });
  });

  it('shows the agent the lead of their own call only; another agent cannot see, hang up or disposition it (404)', async () => {
    const callId = await callInWrapUp(me.id, 0);
    const cur = await t.http.get('/api/agent/current-call').set(auth(me.token)).expect(200);
    expect(cur.body.call.id).toBe(callId);
    expect(cur.body.lead).toMatchObject({ id: fx.leads[0].id, phone: fx.leads[0].phone, firstName: 'Test' });
    expect((await t.http.get('/api/agent/current-call').set(auth(other.token)).expect(200)).body.call).toBeNull();
    await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(other.token)).send({ outcome: 'sale' }).expect(404);
    await t.http.post(`/api/agent/calls/${callId}/hangup`).set(auth(other.token)).expect(404);
    // Own call, but already ended: nothing to hang up.
    await t.http.post(`/api/agent/calls/${callId}/hangup`).set(auth(me.token)).expect(409);
    // Wrap-up cannot be left by going Ready: only a disposition ends it.
    await t.http.post('/api/agent/state').set(auth(me.token)).send({ state: 'ready', campaignId: fx.campaignId }).expect(409);
  });

  it('refuses an unknown outcome (422), a past callback (400), then records a callback for the agent and makes them Ready', async () => {
    const callId = await callInWrapUp(me.id, 1);
    const unknown = await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(me.token)).send({ outcome: 'teleported' }).expect(422);
    expect(unknown.body.errors[0].field).toBe('outcome');
    const past = await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(me.token))
      .send({ outcome: 'call_later', callbackAt: new Date(Date.now() - 60_000).toISOString() }).expect(400);
    expect(past.body.errors[0]).toEqual({ field: 'callbackAt', reason: 'must be in the future' });

    const due = new Date(Date.now() + 86_400_000);
    const ok = await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(me.token))
      .send({ outcome: 'call_later', notes: 'wants the evening', callbackAt: due.toISOString(), callbackScope: 'own' }).expect(200);
    expect(ok.body).toMatchObject({ callId, outcome: 'call_later', leadStatus: 'callback', agentState: 'ready' });
    const [lead] = await t.db.query(`SELECT status, next_attempt_at, lease_owner, last_outcome FROM leads WHERE id = $1`, [fx.leads[1].id]);
    expect(lead).toMatchObject({ status: 'callback', lease_owner: null, last_outcome: 'call_later' });
    expect(+lead.next_attempt_at).toBe(+due);
    const [cb] = await t.db.query(`SELECT scope, owner_agent_id, due_at FROM callbacks WHERE call_id = $1`, [callId]);
    expect(cb).toMatchObject({ scope: 'agent', owner_agent_id: me.id });
    const [call] = await t.db.query(`SELECT state, outcome, wrapup_end_at, disposition_at FROM calls WHERE id = $1`, [callId]);
    expect(call).toMatchObject({ state: 'dispositioned', outcome: 'call_later' });
    expect(call.wrapup_end_at).not.toBeNull();
    const [d] = await t.db.query(`SELECT notes, callback_scope FROM dispositions WHERE call_id = $1`, [callId]);
    expect(d).toEqual({ notes: 'wants the evening', callback_scope: 'agent' });
    // A second disposition of the same call is refused.
    await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(me.token)).send({ outcome: 'sale' }).expect(409);
  });

  it('"never call me again" puts the number on the internal DNC list with a compliance event, and the lead is final', async () => {
    const callId = await callInWrapUp(other.id, 2);
    await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(other.token)).send({ outcome: 'no_sale', dnc: true }).expect(200);
    const phone = fx.leads[2].phone;
    const dnc = await t.db.query(`SELECT scope, source, created_by FROM dnc_entries WHERE phone = $1 AND removed_at IS NULL`, [phone]);
    expect(dnc).toEqual([{ scope: 'internal', source: 'agent_disposition', created_by: other.id }]);
    const [ev] = await t.db.query(`SELECT type, agent_id, call_id FROM compliance_events WHERE phone = $1 AND type = 'dnc_add'`, [phone]);
    expect(ev).toEqual({ type: 'dnc_add', agent_id: other.id, call_id: callId });
    const [lead] = await t.db.query(`SELECT status FROM leads WHERE id = $1`, [fx.leads[2].id]);
    expect(lead.status).toBe('dnc');
  });

  it('lets an agent pause in wrap-up, but not go Ready or log out until the call has its outcome', async () => {
    const callId = await callInWrapUp(other.id, 3);
    await t.http.post('/api/agent/state').set(auth(other.token)).send({ state: 'paused', reason: 'break' }).expect(200);
    // Paused, the call still waits for its outcome: Ready (or logging out) would leave it without one.
    const ready = await t.http.post('/api/agent/state').set(auth(other.token)).send({ state: 'ready', campaignId: fx.campaignId }).expect(409);
    expect(ready.body.errors[0]).toEqual({ field: 'state', reason: 'a call of this agent is in wrap-up without an outcome' });
    await t.http.post('/api/agent/state').set(auth(other.token)).send({ state: 'logged_out' }).expect(409);
    expect((await t.http.get('/api/agent/current-call').set(auth(other.token)).expect(200)).body.call).toMatchObject({ id: callId, state: 'wrap_up' });
    // The outcome is saved; the agent stays on their break, then goes Ready.
    const done = await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(other.token)).send({ outcome: 'no_sale' }).expect(200);
    expect(done.body.agentState).toBe('paused');
    await t.http.post('/api/agent/state').set(auth(other.token)).send({ state: 'ready', campaignId: fx.campaignId }).expect(200);
    await t.http.post('/api/agent/state').set(auth(other.token)).send({ state: 'logged_out' }).expect(200);
  });

  it('lets a manager read the live campaign figures', async () => {
    const res = await t.http.get(`/api/campaigns/${fx.campaignId}/live`).set(auth(await t.tokenFor(Role.Manager))).expect(200);
    expect(res.body).toMatchObject({ campaignId: fx.campaignId, status: 'running', callsRinging: 0 });
    expect(res.body.abandonRate).toEqual({ lastHour: 0, last24h: 0, last30d: 0 });
    expect(res.body.today.humanAnswered).toBeGreaterThanOrEqual(3);
    await t.http.get(`/api/campaigns/00000000-0000-0000-0000-000000000000/live`).set(auth(await t.tokenFor(Role.Admin))).expect(404);
  });
});
