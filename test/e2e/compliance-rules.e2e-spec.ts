import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { makeCampaign, makeLead, makeList, nextPhone } from './compliance-fixtures';

jest.setTimeout(60_000);

describe('compliance: calling-hours rule table and the gate dry run (HTTP)', () => {
  let t: TestApp;
  const auth = async (role: Role) => ({ Authorization: `Bearer ${await t.tokenFor(role)}` });
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists the seeded legal windows, including the stricter Florida rule', async () => {
    const res = await t.http.get('/api/compliance/rules/calling-hours').set(await auth(Role.Compliance)).expect(200);
    const byRegion = Object.fromEntries(res.body.map((r: { region: string }) => [r.region, r]));
    expect(byRegion.US.windows).toEqual([{ days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '21:00' }]);
    expect(byRegion['US-FL'].windows[0]).toMatchObject({ start: '08:00', end: '20:00' });
    expect(byRegion.GB.windows[0]).toMatchObject({ start: '08:00', end: '21:00' });
  });

  it('lets an admin add a regional rule that the gate applies at once, recorded as a rule change; others get 403', async () => {
    const manager = await t.userFor(Role.Manager);
    const campaignId = await makeCampaign(t.db, { createdBy: manager.id });
    const list = await makeList(t.db);
    const texas = await makeLead(t.db, list, nextPhone().e164, { state: 'TX', timezone: 'America/Chicago' });
    const georgia = await makeLead(t.db, list, nextPhone().e164, { state: 'GA' });
    const at = '2026-06-16T00:00:00Z'; // Mon 19:00 in Chicago, 20:00 in New York
    const dry = async () => {
      const res = await t.http.post('/api/compliance/gate/check').set(await auth(Role.Manager)).send({ campaignId, leadIds: [texas, georgia], at }).expect(200);
      return res.body.results.map((r: { decision: { allowed: boolean } }) => r.decision.allowed);
    };
    expect(await dry()).toEqual([true, true]);

    for (const role of [Role.Manager, Role.Compliance, Role.Agent]) {
      await t.http.put('/api/compliance/rules/calling-hours/US-TX').set(await auth(role)).send({ windows: [{ days: [1], start: '09:00', end: '18:00' }] }).expect(403);
    }
    const bad = await t.http.put('/api/compliance/rules/calling-hours/US-TX').set(await auth(Role.Admin))
      .send({ windows: [{ days: [1, 8], start: '18:00', end: '09:00' }] }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('windows.0.days');
    const bad2 = await t.http.put('/api/compliance/rules/calling-hours/US-TX').set(await auth(Role.Admin))
      .send({ windows: [{ days: [1], start: '18:00', end: '09:00' }] }).expect(400);
    expect(bad2.body.errors[0].field).toBe('windows.0');
    await t.http.put('/api/compliance/rules/calling-hours/US-TX').set(await auth(Role.Admin))
      .send({ windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '18:00' }], citation: 'test rule' }).expect(200);

    expect(await dry()).toEqual([false, true]);
    // A dry run is not a dial: nothing in the blocked-dial log.
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM compliance_events WHERE type = 'dial_blocked' AND campaign_id = $1`, [campaignId]);
    expect(n).toBe(0);
    const [change] = await t.db.query(`SELECT details FROM compliance_events WHERE type = 'rule_change' ORDER BY id DESC LIMIT 1`);
    expect(change.details).toMatchObject({ region: 'US-TX', before: null, after: { windows: [{ start: '09:00', end: '18:00' }] } });
  });

  it('refuses the dry run on another manager\'s campaign', async () => {
    const other = await makeCampaign(t.db, { createdBy: (await t.userFor(Role.Admin)).id });
    await t.http.post('/api/compliance/gate/check').set(await auth(Role.Manager)).send({ campaignId: other, leadIds: ['1'] }).expect(403);
    await t.http.post('/api/compliance/gate/check').set(await auth(Role.Compliance)).send({ campaignId: other, leadIds: ['1'] }).expect(403);
  });
});
