import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { CallOpening, CallRecordWriter } from '../../src/modules/dialer/orchestrator/call-record-writer';
import { isolateDatabase } from '../setup/isolated-db';
import { makeCampaign } from './dialer-fixtures';

/** The writer's statements on the real schema: what one batch writes, skips and refuses as a whole. */
jest.setTimeout(60_000);
isolateDatabase();

describe('CallRecordWriter on PostgreSQL', () => {
  let pool: Pool;
  let db: DataSource;
  beforeAll(() => {
    pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
    db = { query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows } as unknown as DataSource;
  });
  afterAll(async () => pool?.end());

  const opening = (campaignId: string, lead: { id: string; phone: string }, at: Date): CallOpening => ({
    callId: randomUUID(), campaignId, leadId: lead.id, phone: lead.phone, attempt: 1, dialMode: 'progressive',
    callerId: '+12025550100', gatewayId: null, workerId: 'writer-spec', at,
  });
  const attemptsOf = async (leadId: string) => (await db.query(`SELECT attempts FROM leads WHERE id = $1`, [leadId]))[0].attempts as number;
  const attemptEvents = async (callIds: string[]) =>
    (await db.query(`SELECT call_id::text AS id, details FROM compliance_events WHERE type = 'attempt' AND call_id = ANY($1::uuid[])`, [callIds])) as { id: string; details: { mode: string } }[];

  it('opens a batch in one statement: records dialing, attempts counted and logged, callbacks done; a live number is skipped, not fatal', async () => {
    const { campaignId, leads } = await makeCampaign(db, { ok: 4 });
    const [l1, l2, l3, l4] = leads;
    const at = new Date();
    await db.query(`INSERT INTO callbacks (lead_id, campaign_id, due_at, status, scope) VALUES ($1, $2, now(), 'leased', 'anyone')`, [l1.id, campaignId]);
    const writer = new CallRecordWriter(db, { concurrency: 1 });
    // l4's number is already being called: its open is refused by the partial unique index.
    const earlier = opening(campaignId, l4, at);
    await expect(writer.open(earlier)).resolves.toBe(true);
    const batch = [opening(campaignId, l1, at), opening(campaignId, l2, at), { ...opening(campaignId, l3, at), phone: l2.phone }, opening(campaignId, l4, at)];
    const results = await Promise.all(batch.map((o) => writer.open(o)));
    // l3 was given l2's number: two dials to one number in one batch, the second skipped.
    expect(results).toEqual([true, true, false, false]);
    expect(writer.stats().opens).toEqual({ batches: 2, rows: 5 });
    const rows = await db.query(`SELECT id::text AS id, state, dial_at, queued_at, worker_id FROM calls WHERE id = ANY($1::uuid[])`, [batch.map((o) => o.callId)]);
    expect(rows.map((r: { id: string }) => r.id).sort()).toEqual([batch[0].callId, batch[1].callId].sort());
    for (const r of rows) expect(r).toMatchObject({ state: 'dialing', worker_id: 'writer-spec', dial_at: at, queued_at: at });
    expect([await attemptsOf(l1.id), await attemptsOf(l2.id), await attemptsOf(l3.id), await attemptsOf(l4.id)]).toEqual([1, 1, 0, 1]);
    const events = await attemptEvents(batch.map((o) => o.callId));
    expect(events.map((e) => e.id).sort()).toEqual([batch[0].callId, batch[1].callId].sort());
    expect(events[0].details).toEqual({ mode: 'progressive' });
    const [cb] = await db.query(`SELECT status FROM callbacks WHERE lead_id = $1`, [l1.id]);
    expect(cb.status).toBe('done');
  });

  it('a batch whose statement fails writes nothing of any of its rows, and every caller hears it', async () => {
    const { campaignId, leads } = await makeCampaign(db, { ok: 2 });
    const writer = new CallRecordWriter(db, { concurrency: 1 });
    const at = new Date();
    const good = opening(campaignId, leads[0], at);
    // A lead that does not exist: the foreign key fails the whole statement (one transaction).
    const bad = { ...opening(campaignId, leads[1], at), leadId: '999999999' };
    const [a, b] = await Promise.allSettled([writer.open(good), writer.open(bad)]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    expect(await db.query(`SELECT 1 FROM calls WHERE id = ANY($1::uuid[])`, [[good.callId, bad.callId]])).toEqual([]);
    expect(await attemptEvents([good.callId, bad.callId])).toEqual([]);
    expect(await attemptsOf(leads[0].id)).toBe(0);
  });

  it('closes records together, each only from a state it may close from', async () => {
    const { campaignId, leads } = await makeCampaign(db, { ok: 3 });
    const writer = new CallRecordWriter(db);
    const at = new Date();
    const [busy, lost, talked] = leads.map((l) => opening(campaignId, l, at));
    await Promise.all([busy, lost, talked].map((o) => writer.open(o)));
    await db.query(`UPDATE calls SET state = 'connected', outcome = 'sale_pending' WHERE id = $1`, [talked.callId]);
    const end = new Date(at.getTime() + 5_000);
    const closed = await Promise.all([
      writer.close({ callId: busy.callId, to: 'failed', endAt: end, hangupBy: 'carrier', outcome: 'busy', sipCode: 486, sipReason: 'Busy Here', providerCallId: 'abc@host' }),
      writer.close({ callId: lost.callId, to: 'wrap_up', endAt: end, hangupBy: 'agent' }), // never connected: refused
      writer.close({ callId: talked.callId, to: 'wrap_up', endAt: end, hangupBy: 'customer' }),
    ]);
    expect(closed).toEqual([true, false, true]);
    const byId = new Map<string, Record<string, unknown>>(
      (await db.query(`SELECT id::text AS id, state, end_at, outcome, sip_code, sip_reason, sip_call_id, hangup_by FROM calls WHERE campaign_id = $1`, [campaignId]))
        .map((r: Record<string, unknown>) => [r.id as string, r]),
    );
    expect(byId.get(busy.callId)).toMatchObject({ state: 'failed', end_at: end, outcome: 'busy', sip_code: 486, sip_reason: 'Busy Here', sip_call_id: 'abc@host', hangup_by: 'carrier' });
    expect(byId.get(lost.callId)).toMatchObject({ state: 'dialing', end_at: null });
    expect(byId.get(talked.callId)).toMatchObject({ state: 'wrap_up', end_at: end, outcome: 'sale_pending', hangup_by: 'customer' });
  });

  it("records an answer once (from dialing or ringing), and an answered call's end", async () => {
    const { campaignId, leads } = await makeCampaign(db, { ok: 1 });
    const writer = new CallRecordWriter(db);
    const at = new Date();
    const call = opening(campaignId, leads[0], at);
    await writer.open(call);
    const answeredAt = new Date(at.getTime() + 900);
    await expect(writer.answered({ callId: call.callId, at: answeredAt, type: 'machine' })).resolves.toBe(true);
    await expect(writer.answered({ callId: call.callId, at: new Date(), type: 'human' })).resolves.toBe(false); // a duplicate 200
    await expect(writer.close({ callId: call.callId, to: 'ended', endAt: new Date(at.getTime() + 1_000), hangupBy: 'system', outcome: 'machine' })).resolves.toBe(true);
    const [row] = await db.query(`SELECT state, answer_at, answer_type, outcome, end_at IS NOT NULL AS closed FROM calls WHERE id = $1`, [call.callId]);
    expect(row).toMatchObject({ state: 'ended', answer_at: answeredAt, answer_type: 'machine', outcome: 'machine', closed: true });
  });

  it('closes a machine-answered call with its answer in the same statement: from dialing or ringing, never over an answer already recorded', async () => {
    const { campaignId, leads } = await makeCampaign(db, { ok: 3 });
    const writer = new CallRecordWriter(db);
    const at = new Date();
    const [fromDialing, fromRinging, recorded] = leads.map((l) => opening(campaignId, l, at));
    for (const c of [fromDialing, fromRinging, recorded]) await writer.open(c);
    await db.query(`UPDATE calls SET state = 'ringing', ring_at = $2 WHERE id = $1`, [fromRinging.callId, at]);
    const firstAnswer = new Date(at.getTime() + 700);
    await writer.answered({ callId: recorded.callId, at: firstAnswer, type: 'human' });
    const answeredAt = new Date(at.getTime() + 900);
    const end = new Date(at.getTime() + 1_000);
    const answer = { at: answeredAt, type: 'machine' as const };
    await expect(Promise.all([
      writer.close({ callId: fromDialing.callId, to: 'ended', endAt: end, hangupBy: 'system', outcome: 'machine', answer }),
      writer.close({ callId: fromRinging.callId, to: 'ended', endAt: end, hangupBy: 'system', outcome: 'machine', answer }),
      writer.close({ callId: recorded.callId, to: 'ended', endAt: end, hangupBy: 'system', outcome: 'machine', answer }),
    ])).resolves.toEqual([true, true, true]);
    const rows = await db.query(`SELECT id::text AS id, state, answer_at, answer_type, outcome, end_at FROM calls WHERE id = ANY($1::uuid[])`, [[fromDialing.callId, fromRinging.callId, recorded.callId]]);
    const byId = new Map(rows.map((r: { id: string }) => [r.id, r]));
    expect(byId.get(fromDialing.callId)).toMatchObject({ state: 'ended', answer_at: answeredAt, answer_type: 'machine', outcome: 'machine', end_at: end });
    expect(byId.get(fromRinging.callId)).toMatchObject({ state: 'ended', answer_at: answeredAt, answer_type: 'machine', outcome: 'machine', end_at: end });
    // the answer already on the record stays as it was
    expect(byId.get(recorded.callId)).toMatchObject({ state: 'ended', answer_at: firstAnswer, answer_type: 'human' });
    // without an answer, a record still dialing cannot be 'ended' (it was never answered)
    const other = opening(campaignId, (await makeCampaign(db, { ok: 1 })).leads[0], at);
    await writer.open(other);
    await expect(writer.close({ callId: other.callId, to: 'ended', endAt: end, hangupBy: 'system', outcome: 'machine' })).resolves.toBe(false);
  });
});
