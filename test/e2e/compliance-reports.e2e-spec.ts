import { parse } from 'csv-parse/sync';
import { ComplianceEventsService } from '../../src/modules/compliance/compliance-events.service';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { makeCall, makeCampaign, makeLead, makeList, nextPhone } from './compliance-fixtures';

jest.setTimeout(60_000);

describe('compliance: abandon rates and calls outside hours (HTTP)', () => {
  let t: TestApp;
  const auth = async (role: Role) => ({ Authorization: `Bearer ${await t.tokenFor(role)}` });
  const at = new Date('2026-06-15T18:00:00Z'); // 14:00 in New York
  const minus = (h: number) => new Date(at.getTime() - h * 3600_000);
  let own: string;
  let others: string;

  beforeAll(async () => {
    t = await createTestApp();
    const manager = await t.userFor(Role.Manager);
    own = await makeCampaign(t.db, { createdBy: manager.id, timezone: 'America/New_York' });
    others = await makeCampaign(t.db, { createdBy: (await t.userFor(Role.Admin)).id });
    const list = await makeList(t.db);
    const phone = nextPhone().e164;
    const lead = await makeLead(t.db, list, phone);
    const call = (hoursAgo: number, kind: 'human' | 'abandoned' | 'machine' | 'noanswer') => {
      const answerAt = minus(hoursAgo);
      return makeCall(t.db, {
        campaignId: own, leadId: lead, phone, dialAt: new Date(answerAt.getTime() - 20_000),
        answerAt: kind === 'noanswer' ? null : answerAt, human: kind === 'human' || kind === 'abandoned',
        abandonAt: kind === 'abandoned' ? new Date(answerAt.getTime() + 2000) : null,
      });
    };
    // Today (local): 8 live answers, 1 abandoned. Yesterday evening (local, inside 24 h): 2 live, 1 abandoned.
    for (let i = 0; i < 7; i++) await call(2, 'human');
    await call(2, 'abandoned');
    await call(20, 'human');
    await call(20, 'abandoned');
    // Ten days ago: 20 live answers. Forty days ago: 5 abandons, outside every window. Machines and no-answers never count.
    for (let i = 0; i < 20; i++) await call(240, 'human');
    for (let i = 0; i < 5; i++) await call(960, 'abandoned');
    for (let i = 0; i < 3; i++) await call(2, 'machine');
    await call(3, 'noanswer');
    const ev = t.app.get(ComplianceEventsService);
    await ev.record({ type: 'abandon', campaignId: own, leadId: lead, phone, actor: 'dialer', occurredAt: minus(2) });
    await ev.record({ type: 'abandon', campaignId: own, leadId: lead, phone, actor: 'dialer', occurredAt: minus(20) });
  });
  afterAll(() => t.close());

  it('shows FCC 30 days, Ofcom 24 h and the calendar day side by side, flagging each window over 3%', async () => {
    const res = await t.http.get('/api/compliance/reports/abandon-rates').query({ at: at.toISOString(), campaignId: own }).set(await auth(Role.Compliance)).expect(200);
    expect(res.body.capPct).toBe(3);
    const [row] = res.body.campaigns;
    expect(row.campaignId).toBe(own);
    expect(row.fcc30d).toMatchObject({ abandoned: 2, humanAnswered: 30, ratePct: 6.67, overCap: true });
    expect(row.ofcom24h).toMatchObject({ abandoned: 2, humanAnswered: 10, ratePct: 20, overCap: true });
    expect(row.calendarDay).toMatchObject({ date: '2026-06-15', abandoned: 1, humanAnswered: 8, ratePct: 12.5, overCap: true });
    expect(new Date(row.calendarDay.from).toISOString()).toBe('2026-06-15T04:00:00.000Z');
    expect(row.abandonEvents30d).toBe(2);
    // 45 days later only the 10-day-old calls would be gone too: nothing answered, no rate.
    const later = await t.http.get('/api/compliance/reports/abandon-rates').query({ at: '2026-09-01T00:00:00Z', campaignId: own }).set(await auth(Role.Admin)).expect(200);
    expect(later.body.campaigns[0].fcc30d).toMatchObject({ abandoned: 0, humanAnswered: 0, ratePct: null, overCap: false });
  });

  it("shows a manager their own campaigns' abandon rates only, and refuses them the export", async () => {
    const h = await auth(Role.Manager);
    const res = await t.http.get('/api/compliance/reports/abandon-rates').query({ at: at.toISOString() }).set(h).expect(200);
    expect(res.body.campaigns.map((c: { campaignId: string }) => c.campaignId)).toEqual([own]);
    await t.http.get('/api/compliance/reports/abandon-rates').query({ campaignId: others }).set(h).expect(403);
    await t.http.get('/api/compliance/reports/abandon-rates/export').set(h).expect(403);
    await t.http.get('/api/compliance/reports/abandon-rates').set(await auth(Role.Agent)).expect(403);
  });

  it('exports abandon rates as CSV and records who exported', async () => {
    const compliance = await t.userFor(Role.Compliance);
    const res = await t.http.get('/api/compliance/reports/abandon-rates/export').query({ at: at.toISOString() }).set(await auth(Role.Compliance)).expect(200);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    const mine = rows.find((r) => r.campaign_id === own) as Record<string, string>;
    expect(mine).toMatchObject({ fcc_30d_rate_pct: '6.67', ofcom_24h_rate_pct: '20', day_rate_pct: '12.5', calendar_day: '2026-06-15', fcc_30d_over_cap: 'true' });
    expect(rows.some((r) => r.campaign_id === others)).toBe(true);
    // Who exported what is itself reviewable, and exportable.
    const audit = await t.http.get('/api/compliance/log/events').query({ type: 'export', agentId: compliance.id }).set(await auth(Role.Admin)).expect(200);
    expect(audit.body.items[0]).toMatchObject({ type: 'export', reasonCode: 'abandon_rates', actorUserId: compliance.id, details: expect.objectContaining({ report: 'abandon_rates' }) });
    const abandons = await t.http.get('/api/compliance/log/events/export').query({ type: 'abandon', campaignId: own }).set(await auth(Role.Compliance)).expect(200);
    expect((parse(abandons.text, { columns: true }) as Record<string, string>[]).map((r) => r.type)).toEqual(['abandon', 'abandon']);
    await t.http.get('/api/compliance/log/events').query({ type: 'export' }).set(await auth(Role.Manager)).expect(403);
    await t.http.get('/api/compliance/log/events').query({ type: 'nonsense' }).set(await auth(Role.Admin)).expect(400);
  });

  it('lists calls dialled outside legal or campaign hours in the lead zone(s), and exports them', async () => {
    const campaign = await makeCampaign(t.db, { schedule: { windows: { mon: [['09:00', '17:00']] } } });
    const list = await makeList(t.db);
    const ny = nextPhone().e164;
    const nyLead = await makeLead(t.db, list, ny);
    const amb = nextPhone().e164;
    const ambLead = await makeLead(t.db, list, amb, { timezone: null, candidates: ['America/New_York', 'America/Los_Angeles'] });
    const ok = await makeCall(t.db, { campaignId: campaign, leadId: nyLead, phone: ny, dialAt: new Date('2026-06-15T14:00:00Z') }); // 10:00
    const early = await makeCall(t.db, { campaignId: campaign, leadId: nyLead, phone: ny, dialAt: new Date('2026-06-15T11:00:00Z') }); // 07:00
    const late = await makeCall(t.db, { campaignId: campaign, leadId: nyLead, phone: ny, dialAt: new Date('2026-06-15T22:00:00Z') }); // 18:00
    const laEarly = await makeCall(t.db, { campaignId: campaign, leadId: ambLead, phone: amb, dialAt: new Date('2026-06-15T13:30:00Z') }); // 06:30 LA
    const q = { from: '2026-06-15T00:00:00Z', to: '2026-06-16T00:00:00Z', campaignId: campaign };
    const res = await t.http.get('/api/compliance/reports/outside-hours').query(q).set(await auth(Role.Compliance)).expect(200);
    expect(res.body).toMatchObject({ checked: 4, total: 3 });
    const byCall = Object.fromEntries(res.body.items.map((r: { callId: string }) => [r.callId, r]));
    expect(byCall[ok]).toBeUndefined();
    expect(byCall[early]).toMatchObject({ kind: 'legal', reason: 'outside_hours', zones: ['America/New_York'] });
    expect(byCall[late]).toMatchObject({ kind: 'campaign', reason: 'outside_hours' });
    expect(byCall[laEarly]).toMatchObject({ kind: 'legal', detail: expect.stringContaining('America/Los_Angeles') });
    // The report shows customers' numbers: the officer's reading of it is in the audit trail.
    const officer = await t.userFor(Role.Compliance);
    const [read] = await t.db.query(
      `SELECT details FROM compliance_events WHERE type = 'data_access' AND reason_code = 'compliance_log' AND actor_user_id = $1 AND details->>'log' = 'outside_hours' ORDER BY id DESC LIMIT 1`,
      [officer.id],
    );
    expect(read.details).toMatchObject({ role: 'compliance', returned: 3, filters: { campaignId: campaign } });
    const csv = await t.http.get('/api/compliance/reports/outside-hours/export').query(q).set(await auth(Role.Admin)).expect(200);
    expect((parse(csv.text, { columns: true }) as Record<string, string>[]).map((r) => r.call_id).sort()).toEqual([early, late, laEarly].sort());
    await t.http.get('/api/compliance/reports/outside-hours').query(q).set(await auth(Role.Manager)).expect(403);
    await t.http.get('/api/compliance/reports/outside-hours/export').query(q).set(await auth(Role.Manager)).expect(403);
    const bad = await t.http.get('/api/compliance/reports/outside-hours').query({ from: q.to, to: q.from }).set(await auth(Role.Admin)).expect(400);
    expect(bad.body.errors[0].field).toBe('to');
  });
});
