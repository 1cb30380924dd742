import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { ComplianceDialGate } from '../../src/modules/compliance/compliance-dial-gate';
import { ComplianceEventsService } from '../../src/modules/compliance/compliance-events.service';
import { ComplianceRulesService } from '../../src/modules/compliance/compliance-rules.service';
import { DncScope } from '../../src/modules/compliance/compliance.entities';
import { DialGateService, GateLeadRow } from '../../src/modules/compliance/dial-gate.service';
import { DncService } from '../../src/modules/compliance/dnc.service';
import { RegistryImportJob, RegistryImportService } from '../../src/modules/compliance/registry-import.service';
import { RegistryLookupService } from '../../src/modules/compliance/registry-lookup.service';
import { Queue } from 'bullmq';
import { ALL_DAY, makeCampaign, makeLead, makeList } from '../e2e/compliance-fixtures';

/**
 * The gate's data path on the real database, with the registry read from PostgreSQL (the path a process uses until
 * its in-memory copy is loaded): many leads in one check, a constant number of queries, every block recorded.
 */
describe('DialGateService on PostgreSQL', () => {
  let db: DataSource;
  let gate: DialGateService;
  let dnc: DncService;
  const at = new Date('2026-06-15T16:00:00Z');

  beforeAll(async () => {
    db = await new DataSource(typeOrmOptions(process.env.DATABASE_URL as string)).initialize();
    const events = new ComplianceEventsService(db);
    dnc = new DncService(db, events);
    gate = new DialGateService(db, dnc, new RegistryLookupService(db), new ComplianceRulesService(db, events), events);
  });
  afterAll(() => db.destroy());

  it('decides 300 leads in a constant number of queries and logs exactly the blocked ones', async () => {
    const campaignId = await makeCampaign(db, { schedule: ALL_DAY });
    const otherCampaign = await makeCampaign(db);
    const list = await makeList(db);
    const [imp] = await db.query(
      `INSERT INTO dnc_registry_imports (source, country, file_date, status) VALUES ('int-test', 'US', current_date, 'completed') RETURNING id`,
    );
    const expected = new Map<string, string | null>();
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const phone = `+1404${String(7000000 + i)}`;
      const id = await makeLead(db, list, phone);
      ids.push(id);
      const kind = i % 6;
      if (kind === 1) await dnc.add({ phone, scope: DncScope.Internal, reason: 'r' }, {});
      if (kind === 2) await dnc.add({ phone, scope: DncScope.Campaign, campaignId, reason: 'r' }, {});
      if (kind === 3) await dnc.add({ phone, scope: DncScope.Campaign, campaignId: otherCampaign, reason: 'r' }, {});
      if (kind === 4) await db.query(`INSERT INTO dnc_registry_numbers (import_id, phone) VALUES ($1, $2)`, [imp.id, phone.slice(1)]);
      expected.set(id, { 0: null, 1: 'dnc_internal', 2: 'dnc_campaign', 3: null, 4: 'dnc_registry', 5: null }[kind] ?? null);
    }
    const spy = jest.spyOn(db, 'query');
    const results = await gate.check(ids, campaignId, at);
    const queries = spy.mock.calls.length;
    spy.mockRestore();
    expect(queries).toBeLessThanOrEqual(8);
    for (const r of results) {
      const want = expected.get(r.leadId);
      if (want === null) expect(r.decision).toEqual({ allowed: true });
      else expect(r.decision).toMatchObject({ allowed: false, reason: want });
    }
    const logged = await db.query(
      `SELECT reason_code, count(*)::int AS n FROM compliance_events WHERE type = 'dial_blocked' AND campaign_id = $1 GROUP BY reason_code ORDER BY reason_code`,
      [campaignId],
    );
    expect(logged).toEqual([{ reason_code: 'dnc_campaign', n: 50 }, { reason_code: 'dnc_internal', n: 50 }, { reason_code: 'dnc_registry', n: 50 }]);
  });

  it('checks an alternate number when told to, and accepts lead rows the caller already holds', async () => {
    const campaignId = await makeCampaign(db);
    const list = await makeList(db);
    const lead = await makeLead(db, list, '+14045551000');
    await dnc.add({ phone: '+14045551001', scope: DncScope.Internal, reason: 'alt number opted out' }, {});
    const [main] = await gate.check([lead], campaignId, at, { recordBlocks: false });
    expect(main.decision).toEqual({ allowed: true });
    const [alt] = await gate.check([lead], campaignId, at, { phoneOverride: { [lead]: '+14045551001' }, recordBlocks: false });
    expect(alt).toMatchObject({ phone: '+14045551001', decision: { reason: 'dnc_internal' } });
    const row: GateLeadRow = {
      id: lead, phone: '+14045551000', country: 'US', timezone: 'America/Los_Angeles', tz_candidates: null, status: 'leased', attempts: 2,
      attempts_today: 3, attempts_day: '2026-06-15', next_attempt_at: null, deleted_at: null,
    };
    // The dialer's port: keyed by lead id, data reloaded by id (the DB row is New York, not the stale row below).
    const port = await new ComplianceDialGate(gate).check([{ id: lead }], { id: campaignId }, at);
    expect(port.get(lead)).toEqual({ allowed: true });
    const [fromRow] = await gate.check([row], campaignId, at, { recordBlocks: false });
    expect(fromRow.decision).toMatchObject({ reason: 'daily_attempts_exhausted' });
    const [nextDay] = await gate.check([row], campaignId, new Date('2026-06-16T17:00:00Z'), { recordBlocks: false });
    expect(nextDay.decision).toEqual({ allowed: true });
    const [early] = await gate.check([{ ...row, attempts_today: 0 }], campaignId, new Date('2026-06-15T14:00:00Z'), { recordBlocks: false });
    expect(early.decision).toMatchObject({ reason: 'outside_hours' }); // 07:00 in Los Angeles
  });

  it('marks a registry import failed, keeps no partial numbers, and leaves the current copy in force', async () => {
    const events = new ComplianceEventsService(db);
    const lookup = new RegistryLookupService(db);
    const imports = new RegistryImportService(db, {} as Queue<RegistryImportJob>, events, lookup);
    const [imp] = await db.query(
      `INSERT INTO dnc_registry_imports (source, country, file_date) VALUES ('int-failing', 'US', current_date) RETURNING id`,
    );
    await expect(imports.run({ importId: String(imp.id), path: '/nonexistent/registry.txt' })).rejects.toThrow();
    const view = await imports.get(String(imp.id));
    expect(view).toMatchObject({ status: 'failed', error: 'Error' });
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM dnc_registry_numbers WHERE import_id = $1`, [imp.id]);
    expect(n).toBe(0);
    const [ev] = await db.query(`SELECT reason_code FROM compliance_events WHERE type = 'registry_import' AND details->>'importId' = $1`, [String(imp.id)]);
    expect(ev.reason_code).toBe('failed');
    const status = await imports.status(new Date());
    expect(status.sources.map((x) => x.source)).not.toContain('int-failing');
  });
});
