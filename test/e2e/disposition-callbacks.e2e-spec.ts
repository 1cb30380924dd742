import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { Role } from '../../src/modules/users/user.entity';
import { callInWrapUp as makeCallInWrapUp, makeCampaign } from '../integration/dialer-fixtures';
import { createTestApp, TestApp } from '../setup/test-app';

describe('disposition: a callback only with an outcome that leaves the lead callable (HTTP)', () => {
  let t: TestApp;
  let agent: { id: string; token: string };
  let fx: Awaited<ReturnType<typeof makeCampaign>>;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();

  beforeAll(async () => {
    t = await createTestApp();
    agent = await t.userFor(Role.Agent);
    // Preview: no dialer worker (e.g. of a test running in parallel) dials this campaign behind the test's back.
    // Outcomes: sale (final, success), no_sale (final), call_later (not final), dnc (final, do-not-call).
    fx = await makeCampaign(t.db, { ok: 4, mode: 'preview' });
  });
  afterAll(() => t.close());

  /** A call answered for the agent and ended: the agent is in wrap-up on it. */
  async function callInWrapUp(leadIndex: number): Promise<string> {
    return makeCallInWrapUp(t.db, fx, agent.id, leadIndex, (a, campaignId, callId) => t.app.get(AgentStateService).transition(a, 'wrap_up', campaignId, { callId }));
  }

  /** What the agent and the records show for the call's lead: nothing of a refused disposition may be there. */
  async function written(callId: string, leadIndex: number) {
    const lead = fx.leads[leadIndex];
    const [call] = await t.db.query(`SELECT state FROM calls WHERE id = $1`, [callId]);
    const [l] = await t.db.query(`SELECT status FROM leads WHERE id = $1`, [lead.id]);
    const [n] = await t.db.query(
      `SELECT (SELECT count(*)::int FROM dispositions WHERE call_id = $1) AS dispositions,
              (SELECT count(*)::int FROM callbacks WHERE lead_id = $2) AS callbacks,
              (SELECT count(*)::int FROM dnc_entries WHERE phone = $3) AS dnc`,
      [callId, lead.id, lead.phone],
    );
    return { call: call.state, lead: l.status, ...n, myCallbacks: await myCallbacks() };
  }
  /** How many callbacks the agent's desk lists. */
  const myCallbacks = async () => ((await t.http.get('/api/web/agent/callbacks').set(auth(agent.token)).expect(200)).body as unknown[]).length;

  it('refuses a callback on the do-not-call outcome (400 on callbackAt) and writes nothing; without the callback it is recorded', async () => {
    const callId = await callInWrapUp(0);
    const listed = await myCallbacks();
    const res = await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(agent.token))
      .send({ outcome: 'dnc', callbackAt: tomorrow(), callbackScope: 'own' });
    expect({ status: res.status, errors: res.body.errors }).toEqual({
      status: 400, errors: [{ field: 'callbackAt', reason: 'cannot book a callback on a do-not-call outcome' }],
    });
    expect(await written(callId, 0)).toEqual({ call: 'wrap_up', lead: 'leased', dispositions: 0, callbacks: 0, dnc: 0, myCallbacks: listed });

    const ok = await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(agent.token)).send({ outcome: 'dnc' }).expect(200);
    expect(ok.body).toMatchObject({ leadStatus: 'dnc' });
    expect(await written(callId, 0)).toMatchObject({ call: 'dispositioned', lead: 'dnc', dispositions: 1, callbacks: 0, dnc: 1, myCallbacks: listed });
  });

  it('refuses a callback on a final outcome (400 on callbackAt) and writes nothing', async () => {
    const callId = await callInWrapUp(1);
    const listed = await myCallbacks();
    const res = await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(agent.token))
      .send({ outcome: 'no_sale', callbackAt: tomorrow() });
    expect({ status: res.status, errors: res.body.errors }).toEqual({
      status: 400, errors: [{ field: 'callbackAt', reason: 'cannot book a callback on a final outcome (no_sale)' }],
    });
    expect(await written(callId, 1)).toEqual({ call: 'wrap_up', lead: 'leased', dispositions: 0, callbacks: 0, dnc: 0, myCallbacks: listed });
  });

  it('still refuses a callback with a do-not-call request on any outcome, and books one on a non-final outcome', async () => {
    const callId = await callInWrapUp(2);
    const listed = await myCallbacks();
    const res = await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(agent.token))
      .send({ outcome: 'sale', dnc: true, callbackAt: tomorrow() }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'callbackAt', reason: 'cannot book a callback on a do-not-call request' }]);
    const ok = await t.http.post(`/api/agent/calls/${callId}/disposition`).set(auth(agent.token))
      .send({ outcome: 'call_later', callbackAt: tomorrow(), callbackScope: 'own' }).expect(200);
    expect(ok.body).toMatchObject({ leadStatus: 'callback' });
    expect(await written(callId, 2)).toEqual({ call: 'dispositioned', lead: 'callback', dispositions: 1, callbacks: 1, dnc: 0, myCallbacks: listed + 1 });
  });
});
