import { parse } from 'csv-parse/sync';
import { randomUUID } from 'crypto';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { makeCall, makeCampaign, makeLead, makeList, nextPhone } from './compliance-fixtures';

jest.setTimeout(60_000);

/**
 * A manager's KPI report, checked against figures worked out by hand from a small, fully known day: two agents'
 * state events (one spanning the start of the period, one on another campaign, a log-out gap, a pause with a
 * reason) and their calls (a sale, a refusal, an abandon, a machine, a ring-out, one dialled before the period).
 */
describe('reports: a campaign\'s KPIs over a period (HTTP)', () => {
  let t: TestApp;
  let campaign: string;
  let agentA: string;
  let agentB: string;
  const day = (hhmm: string) => new Date(`2026-06-15T${hhmm}Z`);
  const period = { from: '2026-06-15T14:00:00Z', to: '2026-06-15T16:00:00Z' };
  const auth = async (role: Role) => ({ Authorization: `Bearer ${await t.tokenFor(role)}` });

  beforeAll(async () => {
    t = await createTestApp();
    campaign = await makeCampaign(t.db);
    const other = await makeCampaign(t.db);
    await t.db.query(
      `INSERT INTO campaign_outcomes (campaign_id, code, label, is_final, is_success) VALUES ($1, 'sale', 'Sale', true, true), ($1, 'not_interested', 'No', true, false)`,
      [campaign],
    );
    const agent = async (name: string) =>
      (await t.db.query(`INSERT INTO users (email, display_name, password_hash, role) VALUES ($1, $2, 'x', 'agent') RETURNING id`, [`${randomUUID()}@kpi.test`, name]))[0].id as string;
    agentA = await agent('Agent Able');
    agentB = await agent('Agent Baker');
    const ev = (agentId: string, at: string, state: string, opts: { campaign?: string | null; reason?: string } = {}) =>
      t.db.query(`INSERT INTO agent_state_events (agent_id, campaign_id, state, reason, at) VALUES ($1, $2, $3, $4, $5)`, [
        agentId, opts.campaign === undefined ? campaign : opts.campaign, state, opts.reason ?? null, day(at),
      ]);
    // Agent A: ready since before the period, a 4-minute call and 1 minute of wrap-up, a 15-minute break, logged out
    // 15:00-15:50, ready again until past the period's end.
    for (const [at, state, reason] of [['13:30', 'ready'], ['14:10', 'on_call'], ['14:14', 'wrap_up'], ['14:15', 'ready'], ['14:30', 'paused', 'break'], ['14:45', 'ready']]) {
      await ev(agentA, at, state, { reason });
    }
    await ev(agentA, '15:00', 'logged_out', { campaign: null });
    await ev(agentA, '15:50', 'ready');
    // Agent B: 20 minutes on another campaign (not counted here), then 10 min on call, 2 on hold, 8 on call, 2 wrap-up.
    await ev(agentB, '14:00', 'ready', { campaign: other });
    for (const [at, state] of [['14:20', 'ready'], ['14:30', 'on_call'], ['14:40', 'on_hold'], ['14:42', 'on_call'], ['14:50', 'wrap_up'], ['14:52', 'ready']]) {
      await ev(agentB, at, state);
    }
    await ev(agentB, '16:30', 'logged_out', { campaign: null });

    const list = await makeList(t.db);
    const lead = await makeLead(t.db, list, nextPhone().e164);
    for (const status of ['done', 'dnc', 'retry']) await makeLead(t.db, list, nextPhone().e164, { status });
    const gone = await makeLead(t.db, list, nextPhone().e164, { status: 'done' });
    await t.db.query(`UPDATE leads SET deleted_at = now() WHERE id = $1`, [gone]);
    const inactive = await makeList(t.db);
    await makeLead(t.db, inactive, nextPhone().e164, { status: 'done' });
    await t.db.query(`INSERT INTO campaign_lists (campaign_id, list_id, active) VALUES ($1, $2, true), ($1, $3, false)`, [campaign, list, inactive]);

    const phone = nextPhone().e164;
    const call = (dial: string, o: { answer?: string; human?: boolean; abandon?: string } = {}) =>
      makeCall(t.db, { campaignId: campaign, leadId: lead, phone, dialAt: day(dial), answerAt: o.answer ? day(o.answer) : null, human: o.human, abandonAt: o.abandon ? day(o.abandon) : null });
    const handled = async (id: string, agentId: string, connect: string, end: string, wrapEnd: string, outcome: string) =>
      t.db.query(`UPDATE calls SET agent_id = $2, connect_at = $3, end_at = $4, wrapup_end_at = $5, disposition_at = $5, outcome = $6, state = 'dispositioned' WHERE id = $1`, [
        id, agentId, day(connect), day(end), day(wrapEnd), outcome,
      ]);
    await handled(await call('14:09:30', { answer: '14:09:50', human: true }), agentA, '14:10:00', '14:14:00', '14:15:00', 'sale');
    await handled(await call('14:29:40', { answer: '14:29:55', human: true }), agentB, '14:30:00', '14:50:00', '14:52:00', 'not_interested');
    await call('15:10:00', { answer: '15:10:09', human: true, abandon: '15:10:11' });
    await t.db.query(`UPDATE calls SET answer_type = 'machine' WHERE id = $1`, [await call('15:20:00', { answer: '15:20:05' })]);
    await call('15:30:00');
    await call('13:00:00', { answer: '13:00:10', human: true }); // before the period
  });
  afterAll(() => t.close());

  it('counts the calls of the period and times the agents from their state events', async () => {
    const res = await t.http.get(`/api/reports/campaigns/${campaign}/kpis`).query(period).set(await auth(Role.Manager)).expect(200);
    expect(res.body).toMatchObject({ campaignId: campaign, from: '2026-06-15T14:00:00.000Z', to: '2026-06-15T16:00:00.000Z' });
    expect(res.body.totals).toEqual({
      attempts: 5, humanAnswered: 3, machineAnswered: 1, abandoned: 1, handled: 2, conversions: 1,
      contactRate: 0.6, abandonRate: 0.3333, conversionRate: 0.5,
      averageTalkS: 720, averageWrapUpS: 90, averageHandleS: 810,
      // logged in: A 70 min (10+15+15+10 ready, 4 call, 1 wrap-up, 15 paused), B 100 min (78 ready, 18 call, 2 hold, 2 wrap-up)
      loggedInS: 10200, pausedS: 900, pausedByReason: { break: 900 },
      occupancy: 0.1742, talkMinutesPerAgentHour: 8.47, callsPerAgentHour: 0.71, averageWaitS: 3840,
    });
    expect(res.body.lists).toEqual({ leads: 4, finished: 2, penetration: 0.5 });
    const [a, b] = res.body.agents;
    expect(a).toMatchObject({ agentId: agentA, displayName: 'Agent Able', handled: 1, conversions: 1, conversionRate: 1, averageTalkS: 240, averageWrapUpS: 60,
      averageHandleS: 300, loggedInS: 4200, pausedS: 900, pausedByReason: { break: 900 }, occupancy: 0.0909, talkMinutesPerAgentHour: 3.43, callsPerAgentHour: 0.86, averageWaitS: 3000 });
    expect(b).toMatchObject({ agentId: agentB, displayName: 'Agent Baker', handled: 1, conversions: 0, averageTalkS: 1200, averageHandleS: 1320,
      loggedInS: 6000, pausedS: 0, occupancy: 0.22, talkMinutesPerAgentHour: 12, callsPerAgentHour: 0.6, averageWaitS: 4680 });
    expect(res.body.agents).toHaveLength(2);
    // Dialling figures are the campaign's, not an agent's (a call has no agent until one takes it).
    expect(Object.keys(a)).not.toEqual(expect.arrayContaining(['attempts']));
    expect(a.contactRate).toBeUndefined();
  });

  it('clips the agents\' time to a shorter period', async () => {
    const res = await t.http.get(`/api/reports/campaigns/${campaign}/kpis`).query({ from: '2026-06-15T14:35:00Z', to: '2026-06-15T14:41:00Z' }).set(await auth(Role.Admin)).expect(200);
    const byId = Object.fromEntries(res.body.agents.map((x: { agentId: string }) => [x.agentId, x]));
    expect(byId[agentA]).toMatchObject({ loggedInS: 360, pausedS: 360 });
    expect(byId[agentB]).toMatchObject({ loggedInS: 360, occupancy: 1, talkMinutesPerAgentHour: 60 });
    expect(res.body.totals.attempts).toBe(0);
  });

  it('exports the per-agent rows as CSV', async () => {
    const res = await t.http.get(`/api/reports/campaigns/${campaign}/kpis/agents.csv`).query(period).set(await auth(Role.Manager)).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.display_name, r.handled, r.average_handle_s, r.occupancy, r.paused_by_reason])).toEqual([
      ['Agent Able', '1', '300', '0.0909', '{"break":900}'],
      ['Agent Baker', '1', '1320', '0.22', '{}'],
    ]);
  });

  it('refuses a bad period with the field and the reason, an unknown campaign with 404, and agents and compliance with 403', async () => {
    const h = await auth(Role.Manager);
    const bad = async (query: object, field: string, reason: RegExp) => {
      const res = await t.http.get(`/api/reports/campaigns/${campaign}/kpis`).query(query).set(h).expect(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, reason: expect.stringMatching(reason) })]));
    };
    await bad({ from: '2026-06-15T16:00:00Z', to: '2026-06-15T14:00:00Z' }, 'to', /after from/);
    await bad({ from: 'yesterday' }, 'from', /ISO 8601/);
    await bad({ from: '2026-01-01T00:00:00Z', to: '2026-06-15T00:00:00Z' }, 'to', /93 days/);
    await t.http.get(`/api/reports/campaigns/${randomUUID()}/kpis`).set(h).expect(404);
    await t.http.get(`/api/reports/campaigns/${campaign}/kpis`).set(await auth(Role.Agent)).expect(403);
    await t.http.get(`/api/reports/campaigns/${campaign}/kpis/agents.csv`).set(await auth(Role.Compliance)).expect(403);
  });
});
