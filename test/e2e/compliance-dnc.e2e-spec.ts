import { parse } from 'csv-parse/sync';
import { DialGateService } from '../../src/modules/compliance/dial-gate.service';
import { DncService } from '../../src/modules/compliance/dnc.service';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { makeCall, makeCampaign, makeLead, makeList, nextPhone } from './compliance-fixtures';

jest.setTimeout(60_000);

describe('compliance: DNC lists, dial gate, logs and exports (HTTP)', () => {
  let t: TestApp;
  const auth = async (role: Role) => ({ Authorization: `Bearer ${await t.tokenFor(role)}` });
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lets a manager add a number to the internal list in national format, stores E.164, refuses a duplicate with 409', async () => {
    const p = nextPhone();
    const res = await t.http.post('/api/compliance/dnc').set(await auth(Role.Manager))
      .send({ phone: p.national, scope: 'internal', reason: 'asked by letter', country: 'US' }).expect(201);
    expect(res.body).toMatchObject({ phone: p.e164, scope: 'internal', reason: 'asked by letter', removedAt: null });
    const found = await t.http.get('/api/compliance/dnc/lookup').query({ phone: p.national }).set(await auth(Role.Compliance)).expect(200);
    expect(found.body).toMatchObject({ phone: p.e164, internal: true, registry: false, entries: [expect.objectContaining({ id: res.body.id })] });
    await t.http.get('/api/compliance/dnc/lookup').query({ phone: p.e164 }).set(await auth(Role.Agent)).expect(403);
    const dup = await t.http.post('/api/compliance/dnc').set(await auth(Role.Admin)).send({ phone: p.e164, scope: 'internal', reason: 'again' }).expect(409);
    expect(dup.body.errors).toEqual([{ field: 'phone', reason: 'already on this list' }]);
  });

  it('lists a number again when its entry has expired (a new entry and its own dnc_add event); only an active entry gives 409', async () => {
    const p = nextPhone();
    const admin = await auth(Role.Admin);
    const campaignId = await makeCampaign(t.db, { createdBy: (await t.userFor(Role.Manager)).id });
    const lead = await makeLead(t.db, await makeList(t.db), p.e164);
    const soon = () => new Date(Date.now() + 1500).toISOString();
    const internal = await t.http.post('/api/compliance/dnc').set(admin).send({ phone: p.e164, scope: 'internal', reason: 'until the dispute is settled', expiresAt: soon() }).expect(201);
    const ofCampaign = await t.http.post('/api/compliance/dnc').set(await auth(Role.Manager))
      .send({ phone: p.national, country: 'US', scope: 'campaign', campaignId, reason: 'campaign opt-out for a while', expiresAt: soon() }).expect(201);
    await new Promise((r) => setTimeout(r, 1700));
    const lapsed = await t.http.get('/api/compliance/dnc/lookup').query({ phone: p.e164 }).set(admin).expect(200);
    expect(lapsed.body).toMatchObject({ internal: false, campaignIds: [], entries: [] });
    const gate = async () => (await t.http.post('/api/compliance/gate/check').set(admin).send({ campaignId, leadIds: [lead] }).expect(200)).body.results[0].decision;
    expect(await gate()).not.toMatchObject({ reason: expect.stringMatching(/^dnc_/) });

    const again = await t.http.post('/api/compliance/dnc').set(admin).send({ phone: p.e164, scope: 'internal', reason: 'asked again by letter' }).expect(201);
    expect(again.body).toMatchObject({ phone: p.e164, scope: 'internal', reason: 'asked again by letter', expiresAt: null, removedAt: null });
    expect(again.body.id).not.toBe(internal.body.id);
    const later = new Date(Date.now() + 86400_000).toISOString();
    const againCampaign = await t.http.post('/api/compliance/dnc').set(await auth(Role.Manager))
      .send({ phone: p.e164, scope: 'campaign', campaignId, reason: 'opted out again', expiresAt: later }).expect(201);
    expect(againCampaign.body).toMatchObject({ campaignId, expiresAt: later });
    const listed = await t.http.get('/api/compliance/dnc/lookup').query({ phone: p.e164 }).set(admin).expect(200);
    expect(listed.body).toMatchObject({ internal: true, campaignIds: [campaignId] });
    expect(listed.body.entries.map((e: { id: string }) => e.id)).toEqual([again.body.id, againCampaign.body.id]);
    expect(await gate()).toMatchObject({ allowed: false, reason: 'dnc_internal' });

    // Now the entries are active: a duplicate is refused.
    const dup = await t.http.post('/api/compliance/dnc').set(admin).send({ phone: p.e164, scope: 'internal', reason: 'third time' }).expect(409);
    expect(dup.body.errors).toEqual([{ field: 'phone', reason: 'already on this list' }]);
    await t.http.post('/api/compliance/dnc').set(admin).send({ phone: p.e164, scope: 'campaign', campaignId, reason: 'third time' }).expect(409);

    // The record: every add is its own event, the first ones untouched; the expired entries are kept, closed at their expiry.
    const log = await t.http.get('/api/compliance/log/dnc').query({ phone: p.e164 }).set(await auth(Role.Compliance)).expect(200);
    expect(log.body.items.map((e: { type: string; details: { entryId: string } }) => [e.type, e.details.entryId])).toEqual([
      ['dnc_add', againCampaign.body.id], ['dnc_add', again.body.id], ['dnc_add', ofCampaign.body.id], ['dnc_add', internal.body.id],
    ]);
    expect(log.body.items[1].details).toMatchObject({ reason: 'asked again by letter', expiredEntryId: internal.body.id });
    expect(log.body.items[3].details).toEqual(expect.not.objectContaining({ expiredEntryId: expect.anything() }));
    const all = await t.http.get('/api/compliance/dnc').query({ phone: p.e164, includeRemoved: 'true' }).set(admin).expect(200);
    const old = all.body.items.find((e: { id: string }) => e.id === internal.body.id);
    expect(old).toMatchObject({ removedReason: 'expired', removedBy: null, removedAt: internal.body.expiresAt });
  });

  it('answers bad input with 400 naming the field', async () => {
    const bad = await t.http.post('/api/compliance/dnc').set(await auth(Role.Admin)).send({ phone: '12345', scope: 'internal', reason: 'test' }).expect(400);
    expect(bad.body.errors[0].field).toBe('phone');
    const noCampaign = await t.http.post('/api/compliance/dnc').set(await auth(Role.Admin)).send({ phone: nextPhone().e164, scope: 'campaign', reason: 'test' }).expect(400);
    expect(noCampaign.body.errors[0].field).toBe('campaignId');
    const extra = await t.http.post('/api/compliance/dnc').set(await auth(Role.Admin)).send({ phone: nextPhone().e164, scope: 'registry', reason: 'x', foo: 1 }).expect(400);
    expect(extra.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['foo', 'reason', 'scope']);
  });

  it('lets a manager add campaign DNC entries on their own campaigns only (403 on others)', async () => {
    const manager = await t.userFor(Role.Manager);
    const own = await makeCampaign(t.db, { createdBy: manager.id });
    const other = await makeCampaign(t.db, { createdBy: (await t.userFor(Role.Admin)).id });
    const h = await auth(Role.Manager);
    await t.http.post('/api/compliance/dnc').set(h).send({ phone: nextPhone().e164, scope: 'campaign', campaignId: own, reason: 'campaign opt-out' }).expect(201);
    const denied = await t.http.post('/api/compliance/dnc').set(h).send({ phone: nextPhone().e164, scope: 'campaign', campaignId: other, reason: 'x campaign' }).expect(403);
    expect(denied.body.errors[0].field).toBe('campaignId');
  });

  it.each([Role.Agent, Role.Compliance])('refuses DNC changes to role %s with 403', async (role) => {
    await t.http.post('/api/compliance/dnc').set(await auth(role)).send({ phone: nextPhone().e164, scope: 'internal', reason: 'not allowed' }).expect(403);
    await t.http.post('/api/compliance/dnc/1/remove').set(await auth(role)).send({ reason: 'not allowed' }).expect(403);
  });

  it('gives agents 403 on every compliance endpoint', async () => {
    const h = await auth(Role.Agent);
    for (const path of [
      '/api/compliance/dnc', '/api/compliance/log/dnc', '/api/compliance/log/blocked', '/api/compliance/log/dnc/export', '/api/compliance/log/blocked/export',
      '/api/compliance/reports/abandon-rates', '/api/compliance/reports/abandon-rates/export', '/api/compliance/registry/status',
      '/api/compliance/registry/imports', '/api/compliance/rules/calling-hours',
      '/api/compliance/reports/outside-hours?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z',
    ]) {
      await t.http.get(path).set(h).expect(403);
    }
  });

  it('records add and remove in the DNC log, searchable by number, action and date; remove needs a reason and happens once', async () => {
    const p = nextPhone();
    const admin = await t.userFor(Role.Admin);
    const before = new Date(Date.now() - 1000).toISOString();
    const added = await t.http.post('/api/compliance/dnc').set(await auth(Role.Manager)).send({ phone: p.e164, scope: 'internal', reason: 'customer complaint' }).expect(201);
    await t.http.post(`/api/compliance/dnc/${added.body.id}/remove`).set(await auth(Role.Admin)).send({}).expect(400);
    const removed = await t.http.post(`/api/compliance/dnc/${added.body.id}/remove`).set(await auth(Role.Admin)).send({ reason: 'added to the wrong number' }).expect(200);
    expect(removed.body.removedAt).not.toBeNull();
    expect(removed.body.removedBy).toBe(admin.id);
    await t.http.post(`/api/compliance/dnc/${added.body.id}/remove`).set(await auth(Role.Admin)).send({ reason: 'twice' }).expect(409);

    const log = await t.http.get('/api/compliance/log/dnc').query({ phone: p.national, country: 'US' }).set(await auth(Role.Compliance)).expect(200);
    expect(log.body.total).toBe(2);
    expect(log.body.items.map((e: { type: string }) => e.type)).toEqual(['dnc_remove', 'dnc_add']);
    expect(log.body.items[0]).toMatchObject({ phone: p.e164, actorUserId: admin.id, actorName: 'Test admin', details: expect.objectContaining({ reason: 'added to the wrong number' }) });
    expect(log.body.items[1].details.reason).toBe('customer complaint');
    const removes = await t.http.get('/api/compliance/log/dnc').query({ phone: p.e164, action: 'remove' }).set(await auth(Role.Admin)).expect(200);
    expect(removes.body.total).toBe(1);
    const earlier = await t.http.get('/api/compliance/log/dnc').query({ phone: p.e164, to: before }).set(await auth(Role.Admin)).expect(200);
    expect(earlier.body.total).toBe(0);
    const gone = await t.http.get('/api/compliance/dnc/lookup').query({ phone: p.e164 }).set(await auth(Role.Compliance)).expect(200);
    expect(gone.body).toMatchObject({ internal: false, registry: false, entries: [] });
    const list = await t.http.get('/api/compliance/dnc').query({ phone: p.e164, includeRemoved: 'true' }).set(await auth(Role.Compliance)).expect(200);
    expect(list.body.items[0]).toMatchObject({ removedReason: 'added to the wrong number' });
    expect(list.body).toHaveProperty('registryWarning'); // its value depends on registry imports of other suites sharing the database
    await t.http.get('/api/compliance/log/dnc').set(await auth(Role.Manager)).expect(403);
  });

  it('keeps compliance events append-only at the database', async () => {
    await expect(t.db.query(`UPDATE compliance_events SET reason_code = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM compliance_events`)).rejects.toThrow(/append-only/);
  });

  describe('the dial gate with its data', () => {
    const at = new Date('2026-06-15T16:00:00Z'); // Monday 12:00 in New York
    let campaignId: string;
    let otherCampaign: string;
    let listId: string;

    beforeAll(async () => {
      campaignId = await makeCampaign(t.db);
      otherCampaign = await makeCampaign(t.db);
      listId = await makeList(t.db);
    });

    it('blocks internal, campaign and registry DNC, expired entries no longer block, and every block is a logged event', async () => {
      const dnc = t.app.get(DncService);
      const gate = t.app.get(DialGateService);
      const [clean, internal, campaign, expired, otherCampaignOnly, registry] = Array.from({ length: 6 }, () => nextPhone().e164);
      const ids = {
        clean: await makeLead(t.db, listId, clean),
        internal: await makeLead(t.db, listId, internal),
        campaign: await makeLead(t.db, listId, campaign),
        expired: await makeLead(t.db, listId, expired),
        otherCampaignOnly: await makeLead(t.db, listId, otherCampaignOnly),
        registry: await makeLead(t.db, listId, registry),
        florida: await makeLead(t.db, listId, nextPhone().e164, { state: 'FL' }),
        miamiZip: await makeLead(t.db, listId, nextPhone().e164, { postalCode: '33101' }),
        ambiguous: await makeLead(t.db, listId, nextPhone().e164, { timezone: null, candidates: ['America/New_York', 'America/Los_Angeles'] }),
        noZone: await makeLead(t.db, listId, nextPhone().e164, { timezone: null }),
      };
      await dnc.add({ phone: internal, scope: 'internal' as never, reason: 'r' }, { actorUserId: null });
      await dnc.add({ phone: campaign, scope: 'campaign' as never, campaignId, reason: 'r' }, { actorUserId: null });
      await dnc.add({ phone: otherCampaignOnly, scope: 'campaign' as never, campaignId: otherCampaign, reason: 'r' }, { actorUserId: null });
      await t.db.query(`INSERT INTO dnc_entries (phone, scope, reason, expires_at) VALUES ($1, 'internal', 'temporary', $2)`, [expired, new Date(at.getTime() - 1000)]);
      await t.db.query(`INSERT INTO dnc_entries (phone, scope, source, reason) VALUES ($1, 'registry', 'manual', 'registry')`, [registry]);

      const results = await gate.check(Object.values(ids), campaignId, at, { actor: 'dialer' });
      const byLead = Object.fromEntries(results.map((r) => [r.leadId, r.decision]));
      expect(byLead[ids.clean]).toEqual({ allowed: true });
      expect(byLead[ids.internal]).toMatchObject({ allowed: false, reason: 'dnc_internal' });
      expect(byLead[ids.campaign]).toMatchObject({ allowed: false, reason: 'dnc_campaign' });
      expect(byLead[ids.expired]).toEqual({ allowed: true });
      expect(byLead[ids.otherCampaignOnly]).toEqual({ allowed: true });
      expect(byLead[ids.registry]).toMatchObject({ allowed: false, reason: 'dnc_registry' });
      expect(byLead[ids.florida]).toEqual({ allowed: true });
      expect(byLead[ids.miamiZip]).toEqual({ allowed: true });
      expect(byLead[ids.ambiguous]).toEqual({ allowed: true }); // 12:00 NY, 09:00 LA
      expect(byLead[ids.noZone]).toMatchObject({ allowed: false, reason: 'no_timezone' });

      // 20:30 in New York: federal rule allows, Florida (08-20) does not; 08:30 NY is 05:30 LA.
      // A Florida ZIP code without a state field gets the Florida rule too.
      const evening = await gate.check([ids.clean, ids.florida, ids.miamiZip], campaignId, new Date('2026-06-16T00:30:00Z'));
      expect(evening.map((r) => r.decision.allowed)).toEqual([true, false, false]);
      const morning = await gate.check([ids.clean, ids.ambiguous], campaignId, new Date('2026-06-15T12:30:00Z'));
      expect(morning.map((r) => r.decision.allowed)).toEqual([true, false]);

      const blocked = await t.http.get('/api/compliance/log/blocked').query({ campaignId, reason: 'dnc_internal' }).set(await auth(Role.Compliance)).expect(200);
      expect(blocked.body.total).toBe(1);
      expect(blocked.body.items[0]).toMatchObject({ type: 'dial_blocked', reasonCode: 'dnc_internal', phone: internal, leadId: ids.internal, campaignId, actor: 'dialer' });
      const all = await t.http.get('/api/compliance/log/blocked').query({ campaignId, pageSize: 2, page: 1 }).set(await auth(Role.Admin)).expect(200);
      expect(all.body.total).toBe(7); // 4 blocks + two Florida leads at 20:30 + LA at 05:30
      expect(all.body.items).toHaveLength(2);
    });

    it("adds the agent's 'do not call' to the internal list at once: no campaign dials the number afterwards", async () => {
      const agent = await t.userFor(Role.Agent);
      const phone = nextPhone().e164;
      const lead = await makeLead(t.db, listId, phone);
      const gate = t.app.get(DialGateService);
      expect((await gate.check([lead], otherCampaign, at))[0].decision).toEqual({ allowed: true });
      await t.app.get(DncService).addInternalDnc(phone, { actorUserId: agent.id, campaignId, leadId: lead, reason: 'asked on the call' });
      await t.app.get(DncService).addInternalDnc(phone, { actorUserId: agent.id, campaignId, leadId: lead, reason: 'asked again' });
      expect((await gate.check([lead], otherCampaign, at))[0].decision).toMatchObject({ reason: 'dnc_internal' });
      const log = await t.http.get('/api/compliance/log/dnc').query({ phone, agentId: agent.id }).set(await auth(Role.Compliance)).expect(200);
      expect(log.body.total).toBe(2);
      expect(log.body.items[0]).toMatchObject({ actor: 'agent_disposition', leadId: lead, campaignId, details: expect.objectContaining({ alreadyListed: true }) });
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM dnc_entries WHERE phone = $1 AND removed_at IS NULL`, [phone]);
      expect(n).toBe(1);
    });

    it('caps dials to one number at 3 per 24 hours across campaigns, and enforces attempts and campaign state', async () => {
      const phone = nextPhone().e164;
      const lead = await makeLead(t.db, listId, phone);
      const gate = t.app.get(DialGateService);
      for (const h of [1, 5, 23]) await makeCall(t.db, { campaignId: otherCampaign, leadId: lead, phone, dialAt: new Date(at.getTime() - h * 3600_000) });
      expect((await gate.check([lead], campaignId, at))[0].decision).toMatchObject({ reason: 'frequency_cap' });
      // An hour later the oldest dial is out of the 24 h window.
      expect((await gate.check([lead], campaignId, new Date(at.getTime() + 3600_000 + 1000)))[0].decision).toEqual({ allowed: true });
      const paused = await makeCampaign(t.db, { status: 'paused' });
      expect((await gate.check([lead], paused, at))[0].decision).toMatchObject({ reason: 'campaign_not_running' });
    });

    // The cap is global: this file is the only one whose tests depend on its value (others never exceed 0 recent dials).
    it('lets an admin change the per-number frequency cap, which the gate applies; others get 403', async () => {
      const campaignId = await makeCampaign(t.db, { createdBy: (await t.userFor(Role.Manager)).id });
      const list = await makeList(t.db);
      const phone = nextPhone().e164;
      const lead = await makeLead(t.db, list, phone);
      const at = new Date('2026-06-15T16:00:00Z');
      await makeCall(t.db, { campaignId, leadId: lead, phone, dialAt: new Date(at.getTime() - 3600_000) });
      const dry = async () =>
        (await t.http.post('/api/compliance/gate/check').set(await auth(Role.Admin)).send({ campaignId, leadIds: [lead], at: at.toISOString() }).expect(200)).body.results[0].decision;
      expect((await t.http.get('/api/compliance/rules/frequency-cap').set(await auth(Role.Compliance)).expect(200)).body).toEqual({ maxDials: 3, windowHours: 24 });
      expect(await dry()).toEqual({ allowed: true });
      await t.http.put('/api/compliance/rules/frequency-cap').set(await auth(Role.Manager)).send({ maxDials: 1, windowHours: 24 }).expect(403);
      const bad = await t.http.put('/api/compliance/rules/frequency-cap').set(await auth(Role.Admin)).send({ maxDials: 0, windowHours: 24 }).expect(400);
      expect(bad.body.errors[0].field).toBe('maxDials');
      await t.http.put('/api/compliance/rules/frequency-cap').set(await auth(Role.Admin)).send({ maxDials: 1, windowHours: 24 }).expect(200);
      try {
        expect(await dry()).toMatchObject({ allowed: false, reason: 'frequency_cap' });
      } finally {
        await t.http.put('/api/compliance/rules/frequency-cap').set(await auth(Role.Admin)).send({ maxDials: 3, windowHours: 24 }).expect(200);
      }
      const changes = await t.db.query(`SELECT details FROM compliance_events WHERE type = 'rule_change' AND reason_code = 'frequency_cap' ORDER BY id`);
      expect(changes.map((c: { details: { after: { maxDials: number } } }) => c.details.after.maxDials)).toEqual([1, 3]);
    });

    it('lets compliance export the blocked-dial log as CSV and records the export; managers and agents get 403', async () => {
      const compliance = await t.userFor(Role.Compliance);
      const res = await t.http.get('/api/compliance/log/blocked/export').query({ campaignId }).set(await auth(Role.Compliance)).expect(200);
      expect(res.headers['content-type']).toContain('text/csv');
      const rows = parse(res.text, { columns: true }) as Record<string, string>[];
      expect(rows.length).toBeGreaterThanOrEqual(6);
      expect(rows.every((r) => r.type === 'dial_blocked' && r.campaign_id === campaignId)).toBe(true);
      expect(rows.map((r) => r.reason_code)).toEqual(expect.arrayContaining(['dnc_internal', 'dnc_campaign', 'dnc_registry', 'outside_hours', 'no_timezone']));
      const dncCsv = await t.http.get('/api/compliance/log/dnc/export').set(await auth(Role.Admin)).expect(200);
      expect(dncCsv.text.split('\n')[0]).toContain('event_id,occurred_at,type,reason_code,phone');
      const exports = await t.db.query(`SELECT reason_code, details FROM compliance_events WHERE type = 'export' AND actor_user_id = $1`, [compliance.id]);
      expect(exports).toEqual([expect.objectContaining({ reason_code: 'blocked_dial_log' })]);
      for (const role of [Role.Manager, Role.Agent]) {
        for (const path of ['/api/compliance/log/blocked/export', '/api/compliance/log/dnc/export', '/api/compliance/reports/abandon-rates/export']) {
          await t.http.get(path).set(await auth(role)).expect(403);
        }
      }
    });
  });
});
