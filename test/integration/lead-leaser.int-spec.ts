import { CampaignEntity } from '../../src/modules/campaigns/campaign.entity';
import { LeadLeaser } from '../../src/modules/dialer/orchestrator/lead-leaser.service';
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
