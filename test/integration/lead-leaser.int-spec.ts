import { CampaignEntity } from '../../src/modules/campaigns/campaign.entity';
import { DialGateService } from '../../src/modules/compliance/dial-gate.service';
import { LeadLeaser } from '../../src/modules/dialer/orchestrator/lead-leaser.service';
import { MaintenanceService } from '../../src/modules/maintenance/maintenance.service';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { makeAgents, makeCampaign } from './dialer-fixtures';

/** Lead selection (LeadLeaser.lease) on the real PostgreSQL: callbacks and campaigns that share a list. */
describe('LeadLeaser: a callback belongs to the campaign that booked it', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No dialer worker: the test leases by hand.
    t = await createTestApp({ api: true, worker: false });
  });
  afterAll(() => t.close());

  const campaign = (id: string) => t.db.getRepository(CampaignEntity).findOneByOrFail({ id });

  it.each(['agent', 'anyone'])("another campaign sharing the list leaves a lead with a pending '%s' callback alone", async (scope) => {
    const x = await makeCampaign(t.db, { ok: 1, mode: 'preview' });
    const y = await makeCampaign(t.db, { ok: 0, mode: 'preview' });
    await t.db.query(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES ($1, $2)`, [y.campaignId, x.listId]);
    const [agent] = await makeAgents(t.db, 1);
    const lead = x.leads[0];
    // Agent A of campaign X booked "call me back at this hour"; the hour has come.
    await t.db.query(`UPDATE leads SET status = 'callback', attempts = 1, next_attempt_at = now() - interval '1 min' WHERE id = $1`, [lead.id]);
    await t.db.query(
      `INSERT INTO callbacks (campaign_id, lead_id, owner_agent_id, scope, due_at, created_by) VALUES ($1, $2, $3, $4, now() - interval '1 min', $3)`,
      [x.campaignId, lead.id, agent, scope],
    );
    const leaser = new LeadLeaser(t.db);
    const now = new Date();
    // Campaign Y's pacer (before: it leased the lead first, callbacks sort first, and X's callback stayed pending for good).
    expect(await leaser.lease(await campaign(y.campaignId), 5, 'worker-y', now)).toEqual([]);
    // Campaign X places it: for its owner (agent scope) or for anyone.
    const got = await leaser.lease(await campaign(x.campaignId), 5, 'worker-x', now, scope === 'agent' ? { forAgent: agent } : {});
    expect(got.map((l) => l.id)).toEqual([lead.id]);
    const [cb] = await t.db.query(`SELECT status FROM callbacks WHERE lead_id = $1`, [lead.id]);
    expect(cb.status).toBe('leased');
  });

  it('once the callback is done the lead is every campaign\'s again', async () => {
    const x = await makeCampaign(t.db, { ok: 1, mode: 'preview' });
    const y = await makeCampaign(t.db, { ok: 0, mode: 'preview' });
    await t.db.query(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES ($1, $2)`, [y.campaignId, x.listId]);
    const lead = x.leads[0];
    await t.db.query(`UPDATE leads SET status = 'retry', attempts = 2, next_attempt_at = now() - interval '1 min' WHERE id = $1`, [lead.id]);
    await t.db.query(
      `INSERT INTO callbacks (campaign_id, lead_id, scope, due_at, status) VALUES ($1, $2, 'anyone', now() - interval '1 day', 'done')`,
      [x.campaignId, lead.id],
    );
    const got = await new LeadLeaser(t.db).lease(await campaign(y.campaignId), 5, 'worker-y', new Date());
    expect(got.map((l) => l.id)).toEqual([lead.id]);
  });
});

describe('a callback booked on the lead\'s last attempt (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false });
  });
  afterAll(() => t.close());

  it('is placed when due, past the lifetime attempt limit; a lead at the limit with no callback stays finished', async () => {
    const fx = await makeCampaign(t.db, { ok: 2, mode: 'preview' }); // max_attempts 5
    const [booked, exhausted] = fx.leads;
    const camp = await t.db.getRepository(CampaignEntity).findOneByOrFail({ id: fx.campaignId });
    // The 5th call ended with "call me back at 18:30": the lead is 'callback' with all 5 attempts used.
    await t.db.query(`UPDATE leads SET status = 'callback', attempts = 5, next_attempt_at = now() - interval '1 min' WHERE id = $1`, [booked.id]);
    await t.db.query(`INSERT INTO callbacks (campaign_id, lead_id, scope, due_at) VALUES ($1, $2, 'anyone', now() - interval '1 min')`, [fx.campaignId, booked.id]);
    await t.db.query(`UPDATE leads SET status = 'retry', attempts = 5, next_attempt_at = now() - interval '1 min' WHERE id = $1`, [exhausted.id]);

    const manager = await t.tokenFor(Role.Manager);
    const why = await t.http.get(`/api/leads/${booked.id}/dialability`).query({ campaignId: fx.campaignId }).set('Authorization', `Bearer ${manager}`).expect(200);
    expect(JSON.stringify(why.body)).not.toContain('attempts_exhausted');

    // Before: the leaser wanted attempts < 5 and the gate blocked 'attempts_exhausted': the callback never happened.
    const leased = await new LeadLeaser(t.db).lease(camp, 5, 'worker-x', new Date());
    expect(leased.map((l) => l.id)).toEqual([booked.id]);
    const [verdict] = await t.app.get(DialGateService).check([booked.id], fx.campaignId, new Date(), { recordBlocks: false });
    expect(verdict.decision).toEqual({ allowed: true });
    const [other] = await t.app.get(DialGateService).check([exhausted.id], fx.campaignId, new Date(), { recordBlocks: false });
    expect(other.decision).toMatchObject({ allowed: false, reason: 'attempts_exhausted' });
  });
});

describe('an expired lease released by the maintenance job (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false });
  });
  afterAll(() => t.close());

  it("gives a lead leased for its callback back as 'callback' with the callback pending (before: 'retry', the callback 'leased' for good)", async () => {
    const fx = await makeCampaign(t.db, { ok: 2, mode: 'preview' });
    const [withCallback, plain] = fx.leads;
    for (const l of [withCallback, plain]) {
      await t.db.query(`UPDATE leads SET status = 'leased', attempts = 2, lease_owner = 'dead-worker', lease_expires_at = now() - interval '1 min' WHERE id = $1`, [l.id]);
    }
    const [cb] = await t.db.query(
      `INSERT INTO callbacks (campaign_id, lead_id, scope, due_at, status) VALUES ($1, $2, 'anyone', now() - interval '5 min', 'leased') RETURNING id`,
      [fx.campaignId, withCallback.id],
    );
    expect(await new MaintenanceService(t.db).releaseExpiredLeases()).toBeGreaterThanOrEqual(2);
    const rows = await t.db.query(`SELECT id::text AS id, status, lease_owner FROM leads WHERE id = ANY($1::bigint[])`, [[withCallback.id, plain.id]]);
    expect(new Map(rows.map((r: { id: string; status: string }) => [r.id, r.status]))).toEqual(new Map([[withCallback.id, 'callback'], [plain.id, 'retry']]));
    const [after] = await t.db.query(`SELECT status FROM callbacks WHERE id = $1`, [cb.id]);
    expect(after.status).toBe('pending');
  });
});
