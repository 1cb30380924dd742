import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { Role } from '../../src/modules/users/user.entity';
import { callInWrapUp as makeCallInWrapUp, makeCampaign } from '../integration/dialer-fixtures';
import { createTestApp, TestApp } from '../setup/test-app';

/**
 * A call whose agent was disabled mid-call (or walked away) used to stay in 'wrap_up' for ever: the agent's own
 * disposition is refused (401) and nobody else could record one, so the lead stayed leased and the KPIs missed it.
 * Managers and admins now see those calls (GET /api/wrap-ups) and record the outcome on the agent's behalf
 * (POST /api/wrap-ups/:id/disposition) with a reason, under the agent's own rules.
 */
describe('outcome of a call left in wrap-up, recorded by a manager or admin on the agent’s behalf', () => {
  let t: TestApp;
  let admin: string;
  let manager: { id: string; token: string };
  let fx: Awaited<ReturnType<typeof makeCampaign>>;
  let leadIndex = 0;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.tokenFor(Role.Admin);
    manager = await t.userFor(Role.Manager);
    // Preview: no dialer worker dials this campaign behind the test's back. The manager created it (their campaign).
    fx = await makeCampaign(t.db, { ok: 20, mode: 'preview' });
    await t.db.query(`UPDATE campaigns SET created_by = $2 WHERE id = $1`, [fx.campaignId, manager.id]);
  });
  afterAll(() => t.close());

  async function agent(): Promise<{ id: string; token: string }> {
    const email = `wrapup-agent-${Date.now()}-${Math.random().toString(36).slice(2)}@test.local`;
    const created = await t.http.post('/api/users').set(auth(admin)).send({ email, displayName: 'Wrap-up Agent', role: Role.Agent, password }).expect(201);
    const login = await t.http.post('/api/auth/login').send({ email, password }).expect(200);
    return { id: created.body.id, token: login.body.accessToken };
  }

  /** A call of `agentId` in wrap-up (the agent too), its customer gone `waitedS` seconds ago. */
  async function wrapUp(agentId: string, waitedS = 5, campaign = fx): Promise<string> {
    const callId = await makeCallInWrapUp(t.db, campaign, agentId, leadIndex++ % campaign.leads.length, (a, c, id) => t.app.get(AgentStateService).transition(a, 'wrap_up', c, { callId: id }));
    await t.db.query(`UPDATE calls SET end_at = now() - make_interval(secs => $2) WHERE id = $1`, [callId, waitedS]);
    return callId;
  }

  it.each([Role.Agent, Role.Compliance])('refuses role %s on the list and the disposition (403)', async (role) => {
    const token = await t.tokenFor(role);
    await t.http.get('/api/wrap-ups').set(auth(token)).expect(403);
    await t.http.post(`/api/wrap-ups/${fx.campaignId}/disposition`).set(auth(token)).send({ outcome: 'sale', reason: 'agent left' }).expect(403);
  });

  it('records the outcome of a disabled agent’s call: call dispositioned, lead settled, who/why kept, agent out of the dialer', async () => {
    const a = await agent();
    const callId = await wrapUp(a.id);
    await t.http.patch(`/api/users/${a.id}`).set(auth(admin)).send({ active: false }).expect(200);
    // The agent can no longer do it themselves.
    await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(a.token)).send({ outcome: 'no_sale' }).expect(401);

    const list = await t.http.get('/api/wrap-ups').set(auth(manager.token)).expect(200);
    const row = list.body.calls.find((c: { callId: string }) => c.callId === callId);
    expect(row).toMatchObject({ campaignId: fx.campaignId, agentId: a.id, agentName: 'Wrap-up Agent', agentAccount: 'disabled', agentState: 'wrap_up', actionable: true });
    expect(row.waitingSeconds).toBeGreaterThanOrEqual(4);
    expect(new Date(row.waitingSince).getTime()).toBeLessThan(Date.now());
    expect(list.body.outcomes[fx.campaignId].map((o: { code: string }) => o.code)).toEqual(['sale', 'no_sale', 'call_later', 'dnc']);

    const res = await t.http.post(`/api/wrap-ups/${callId}/disposition`).set(auth(manager.token))
      .send({ outcome: 'no_sale', notes: 'customer declined', reason: 'agent disabled mid-shift' }).expect(200);
    expect(res.body).toMatchObject({ callId, outcome: 'no_sale', leadStatus: 'done', agentState: 'logged_out' });
    const [call] = await t.db.query(`SELECT state, outcome, disposition_at FROM calls WHERE id = $1`, [callId]);
    expect(call).toMatchObject({ state: 'dispositioned', outcome: 'no_sale' });
    const [d] = await t.db.query(`SELECT agent_id, recorded_by, recorded_reason, notes FROM dispositions WHERE call_id = $1`, [callId]);
    expect(d).toEqual({ agent_id: a.id, recorded_by: manager.id, recorded_reason: 'agent disabled mid-shift', notes: 'customer declined' });
    const [lead] = await t.db.query(`SELECT l.status, l.lease_owner FROM leads l JOIN calls c ON c.lead_id = l.id WHERE c.id = $1`, [callId]);
    expect(lead).toEqual({ status: 'done', lease_owner: null });
    const [ev] = await t.db.query(`SELECT actor, actor_user_id, agent_id, details FROM compliance_events WHERE call_id = $1 AND type = 'disposition_on_behalf'`, [callId]);
    expect(ev).toMatchObject({ actor: 'user', actor_user_id: manager.id, agent_id: a.id });
    expect(ev.details).toMatchObject({ outcome: 'no_sale', reason: 'agent disabled mid-shift', actorRole: 'manager', agentAccount: 'disabled' });
    expect((await t.app.get(AgentStateService).get(a.id)).state).toBe('logged_out');
    // A compliance officer finds it in the compliance record.
    const log = await t.http.get(`/api/compliance/log/events?type=disposition_on_behalf&campaignId=${fx.campaignId}`).set(auth(await t.tokenFor(Role.Compliance))).expect(200);
    expect(log.body.items.map((e: { callId: string }) => e.callId)).toContain(callId);
    // Gone from the list; a second outcome is refused.
    expect((await t.http.get('/api/wrap-ups').set(auth(manager.token)).expect(200)).body.calls.map((c: { callId: string }) => c.callId)).not.toContain(callId);
    const again = await t.http.post(`/api/wrap-ups/${callId}/disposition`).set(auth(admin)).send({ outcome: 'sale', reason: 'second try' }).expect(409);
    expect(again.body.errors[0]).toEqual({ field: 'id', reason: 'call is dispositioned, not in wrap-up' });
  });

  it('refuses (409) while an active agent is in wrap-up for under a minute; allows it after a minute, or once the agent logged out', async () => {
    const a = await agent();
    const fresh = await wrapUp(a.id, 10);
    const early = await t.http.post(`/api/wrap-ups/${fresh}/disposition`).set(auth(admin)).send({ outcome: 'no_sale', reason: 'agent slow' }).expect(409);
    expect(early.body.errors[0].field).toBe('id');
    expect(early.body.errors[0].reason).toMatch(/in wrap-up for 1\d s: possible after 60 s/);
    const listed = (await t.http.get('/api/wrap-ups').set(auth(admin)).expect(200)).body.calls.find((c: { callId: string }) => c.callId === fresh);
    expect(listed).toMatchObject({ agentAccount: 'active', agentState: 'wrap_up', actionable: false });
    // The agent's own disposition still works meanwhile, and is recorded as theirs.
    await t.http.post(`/api/agent/calls/${fresh}/disposition`).set(auth(a.token)).send({ outcome: 'no_sale' }).expect(200);
    expect((await t.db.query(`SELECT recorded_by FROM dispositions WHERE call_id = $1`, [fresh]))[0].recorded_by).toBeNull();

    // Over a minute: allowed; the active agent is paused (not made Ready by someone else), with a reason of its own.
    const stale = await wrapUp(a.id, 75);
    const ok = await t.http.post(`/api/wrap-ups/${stale}/disposition`).set(auth(admin)).send({ outcome: 'no_sale', reason: 'agent did not answer' }).expect(200);
    expect(ok.body.agentState).toBe('paused');
    expect(await t.app.get(AgentStateService).get(a.id)).toMatchObject({ state: 'paused', reason: 'outcome_by_supervisor' });

    // Logged out of the dialer (e.g. paused in wrap-up, then the desk closed and the agent logged out): allowed at once.
    const b = await agent();
    const left = await wrapUp(b.id, 5);
    await t.app.get(AgentStateService).transition(b.id, 'logged_out', null);
    await t.http.post(`/api/wrap-ups/${left}/disposition`).set(auth(admin)).send({ outcome: 'sale', reason: 'agent logged out' }).expect(200);
  });

  it('validates like the agent’s own disposition, plus a required reason, naming the field', async () => {
    const a = await agent();
    const callId = await wrapUp(a.id, 90);
    const post = (body: object) => t.http.post(`/api/wrap-ups/${callId}/disposition`).set(auth(admin)).send(body);
    const noReason = await post({ outcome: 'sale' }).expect(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toContain('reason');
    const blank = await post({ outcome: 'sale', reason: '     ' }).expect(400);
    expect(blank.body.errors).toContainEqual({ field: 'reason', reason: 'must not be blank' });
    const unknown = await post({ outcome: 'bribe', reason: 'agent left' }).expect(422);
    expect(unknown.body.errors[0]).toEqual({ field: 'outcome', reason: 'unknown outcome code for this campaign' });
    const past = await post({ outcome: 'call_later', callbackAt: new Date(Date.now() - 60_000).toISOString(), reason: 'agent left' }).expect(400);
    expect(past.body.errors[0]).toEqual({ field: 'callbackAt', reason: 'must be in the future' });
    const finalCb = await post({ outcome: 'dnc', callbackAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'agent left' }).expect(400);
    expect(finalCb.body.errors[0].field).toBe('callbackAt');
    const bad = await t.http.post('/api/wrap-ups/not-a-uuid/disposition').set(auth(admin)).send({ outcome: 'sale', reason: 'agent left' }).expect(400);
    expect(bad.body.errors?.[0]?.field ?? bad.body.message).toBeTruthy();
    await t.http.post(`/api/wrap-ups/00000000-0000-4000-8000-000000000000/disposition`).set(auth(admin)).send({ outcome: 'sale', reason: 'agent left' }).expect(404);
    // Nothing was recorded by the refused attempts.
    expect(await t.db.query(`SELECT 1 FROM dispositions WHERE call_id = $1`, [callId])).toEqual([]);
  });

  it('books a callback for anyone and puts a do-not-call request on the internal list with the supervisor as actor', async () => {
    const a = await agent();
    await t.http.patch(`/api/users/${a.id}`).set(auth(admin)).send({ active: false }).expect(200);
    const cbCall = await wrapUp(a.id, 5);
    const forAgent = await t.http.post(`/api/wrap-ups/${cbCall}/disposition`).set(auth(admin))
      .send({ outcome: 'call_later', callbackAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'customer asked for tomorrow' }).expect(400);
    expect(forAgent.body.errors[0]).toEqual({ field: 'callbackScope', reason: "the call's agent can no longer take calls: book the callback for anyone" });
    await t.http.post(`/api/wrap-ups/${cbCall}/disposition`).set(auth(admin))
      .send({ outcome: 'call_later', callbackAt: new Date(Date.now() + 3_600_000).toISOString(), callbackScope: 'anyone', reason: 'customer asked for tomorrow' }).expect(200);
    const [cb] = await t.db.query(`SELECT scope, status, owner_agent_id, created_by FROM callbacks WHERE call_id = $1`, [cbCall]);
    const adminId = (await t.userFor(Role.Admin)).id;
    expect(cb).toEqual({ scope: 'anyone', status: 'pending', owner_agent_id: a.id, created_by: adminId });

    const dncCall = await wrapUp(a.id, 5);
    const [{ phone }] = await t.db.query(`SELECT phone FROM calls WHERE id = $1`, [dncCall]);
    await t.http.post(`/api/wrap-ups/${dncCall}/disposition`).set(auth(admin)).send({ outcome: 'no_sale', dnc: true, reason: 'customer asked not to be called' }).expect(200);
    const [entry] = await t.db.query(`SELECT source, created_by FROM dnc_entries WHERE phone = $1 AND scope = 'internal' AND removed_at IS NULL`, [phone]);
    expect(entry).toEqual({ source: 'supervisor_disposition', created_by: adminId });
    const [ev] = await t.db.query(`SELECT actor, actor_user_id, agent_id FROM compliance_events WHERE call_id = $1 AND type = 'dnc_add'`, [dncCall]);
    expect(ev).toEqual({ actor: 'supervisor_disposition', actor_user_id: adminId, agent_id: a.id });
  });

  it('limits a manager to the campaigns they created: others are not listed and their calls answer 403', async () => {
    const other = await makeCampaign(t.db, { ok: 2, mode: 'preview' });
    const a = await agent();
    const callId = await wrapUp(a.id, 90, other);
    const mine = await t.http.get('/api/wrap-ups').set(auth(manager.token)).expect(200);
    expect(mine.body.calls.map((c: { callId: string }) => c.callId)).not.toContain(callId);
    const refused = await t.http.post(`/api/wrap-ups/${callId}/disposition`).set(auth(manager.token)).send({ outcome: 'sale', reason: 'agent left' }).expect(403);
    expect(refused.body.errors[0]).toEqual({ field: 'id', reason: 'not one of your campaigns' });
    await t.http.get(`/api/wrap-ups?campaignId=${other.campaignId}`).set(auth(manager.token)).expect(403);
    const bad = await t.http.get('/api/wrap-ups?campaignId=nope').set(auth(manager.token)).expect(400);
    expect(bad.body.errors[0].field).toBe('campaignId');
    // An admin sees and may act on every campaign.
    expect((await t.http.get('/api/wrap-ups').set(auth(admin)).expect(200)).body.calls.map((c: { callId: string }) => c.callId)).toContain(callId);
    await t.http.post(`/api/wrap-ups/${callId}/disposition`).set(auth(admin)).send({ outcome: 'sale', reason: 'agent left' }).expect(200);
  });
});
