import Redis from 'ioredis';
import { REDIS } from '../../src/common/redis/redis.module';
import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { CallsService } from '../../src/modules/calls/calls.service';
import { CampaignLockService } from '../../src/modules/dialer/orchestrator/campaign-lock.service';
import { DialerWorkerService } from '../../src/modules/dialer/orchestrator/dialer-worker.service';
import { LEASE_MS } from '../../src/modules/dialer/orchestrator/lead-leaser.service';
import { createTestApp, TestApp } from '../setup/test-app';
import { isolateDatabase } from '../setup/isolated-db';
import { waitFor } from '../setup/wait';
import { makeAgents, makeCampaign } from './dialer-fixtures';

/**
 * What a live worker does about records that say something it no longer believes: a call of its own still open in
 * the database that it does not follow any more (its closing update was lost, e.g. by a PostgreSQL crash), and leads
 * leased with no call behind them (a dead holder's, or its own after a lost settle). These are the leftovers the
 * recovery test and the chaos run met; here each is built by hand so the outcome is certain.
 */
jest.setTimeout(60_000);
isolateDatabase();

describe('reconciling leftovers in a live worker (PostgreSQL + Redis)', () => {
  let t: TestApp;
  let worker: DialerWorkerService;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: true });
    worker = t.app.get(DialerWorkerService);
  });
  afterAll(async () => t?.close());

  const lease = (leadId: string, owner: string, takenMsAgo: number) =>
    t.db.query(`UPDATE leads SET status = 'leased', lease_owner = $2, lease_expires_at = $3 WHERE id = $1`, [leadId, owner, new Date(Date.now() - takenMsAgo + LEASE_MS)]);
  const openCall = async (campaignId: string, lead: { id: string; phone: string }, state: string, secondsAgo: number, agentId: string | null = null) => {
    const [c] = await t.db.query(
      `INSERT INTO calls (campaign_id, lead_id, phone, attempt, dial_mode, state, caller_id, worker_id, agent_id, queued_at, dial_at, connect_at, updated_at)
       VALUES ($1, $2, $3, 1, 'progressive', $4, '+12025550100', $5, $6, now() - make_interval(secs => $7), now() - make_interval(secs => $7),
               CASE WHEN $4 = 'connected' THEN now() ELSE NULL END, now() - make_interval(secs => $7)) RETURNING id`,
      [campaignId, lead.id, lead.phone, state, worker.workerId, agentId, secondsAgo],
    );
    return c.id as string;
  };
  const call = async (id: string) => (await t.db.query(`SELECT state, end_at, outcome FROM calls WHERE id = $1`, [id]))[0];
  const lead = async (id: string) => (await t.db.query(`SELECT status, lease_owner FROM leads WHERE id = $1`, [id]))[0];

  it("closes its own call left 'ringing' by a lost update, frees its lead, and leaves fresh calls alone", async () => {
    const fx = await makeCampaign(t.db, { ok: 4 });
    await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [fx.campaignId]); // no runner dials these leads
    const [lost, fresh, talking] = fx.leads;
    const [agent] = await makeAgents(t.db, 1);
    const agents = t.app.get(AgentStateService);
    await agents.transition(agent, 'ready', fx.campaignId); // this agent moved on from the call below
    for (const l of [lost, fresh, talking]) await lease(l.id, worker.workerId, 30_000);
    const lostId = await openCall(fx.campaignId, lost, 'ringing', 60);
    const freshId = await openCall(fx.campaignId, fresh, 'ringing', 0);
    const talkingId = await openCall(fx.campaignId, talking, 'connected', 60, agent);

    await worker.reconcileOwnOrphans();
    await waitFor(async () => (await call(lostId)).end_at !== null, 5_000, 'the lost call to be closed');
    expect(await call(lostId)).toMatchObject({ state: 'failed', outcome: 'worker_lost' });
    // The attempt was never completed: refunded, and the lead is dialable again.
    expect(await lead(lost.id)).toMatchObject({ status: expect.stringMatching(/^(new|retry)$/), lease_owner: null });
    // A call touched moments ago may be one this worker is creating right now.
    expect(await call(freshId)).toMatchObject({ state: 'ringing', end_at: null });
    expect(await lead(fresh.id)).toMatchObject({ status: 'leased' });
    // A connected call goes to wrap-up so its outcome can still be recorded; the agent who moved on stays Ready.
    await waitFor(async () => (await call(talkingId)).state === 'wrap_up', 5_000, 'the connected orphan to reach wrap-up');
    expect((await agents.get(agent)).state).toBe('ready');
  });

  it('frees leads leased with no call behind them: its own and a dead worker’s (even fresh), not a live worker’s nor its own fresh lease', async () => {
    const fx = await makeCampaign(t.db, { ok: 6 });
    await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [fx.campaignId]);
    const [mineOld, mineFresh, liveOthers, deadKnown, deadWiped, deadFresh] = fx.leads;
    const locks = t.app.get(CampaignLockService);
    const redis = t.app.get<Redis>(REDIS);
    const live = `test-live-${process.pid}`;
    const dead = `test-dead-${process.pid}`;
    const wiped = `test-wiped-${process.pid}`;
    await locks.heartbeat(live);
    const beat = setInterval(() => void locks.heartbeat(live), 1_000); // a live worker keeps beating
    // `dead`: a worker whose liveness key expired (no beat any more)
    await lease(mineOld.id, worker.workerId, 30_000);
    await lease(mineFresh.id, worker.workerId, 1_000);
    await lease(liveOthers.id, live, 30_000);
    await lease(deadKnown.id, dead, 30_000);
    await lease(deadFresh.id, dead, 1_000); // a dead worker launches nothing more: no need to wait for its lease to age
    await lease(deadWiped.id, wiped, 30_000); // no key at all (Redis came back empty)

    await worker.releaseStaleLeases();
    await waitFor(async () => (await lead(mineOld.id)).status === 'new', 5_000, 'own stale lease to be freed');
    expect(await lead(mineFresh.id)).toMatchObject({ status: 'leased' });
    // First look: the others without a liveness key are only suspected (a worker reconnecting after a Redis outage
    // sets its key again within a second, whether Redis kept its "known" key or not).
    for (const l of [deadKnown, deadFresh, deadWiped]) expect(await lead(l.id)).toMatchObject({ status: 'leased' });
    await waitFor(async () => {
      for (const l of [deadKnown, deadFresh, deadWiped]) if ((await lead(l.id)).status !== 'new') return false;
      return true;
    }, 10_000, 'the holders without a liveness key to be taken for dead after the grace');
    expect(await lead(deadFresh.id)).toMatchObject({ status: 'new', lease_owner: null });
    expect(await lead(liveOthers.id)).toMatchObject({ status: 'leased', lease_owner: live });
    clearInterval(beat);
    await redis.del(`worker:${live}`);
  });

  it("does not overwrite an outcome the agent saved as soon as the closed call showed in wrap-up (the buyer is not called again)", async () => {
    const fx = await makeCampaign(t.db, { ok: 1 });
    await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [fx.campaignId]);
    const [agent] = await makeAgents(t.db, 1);
    await lease(fx.leads[0].id, worker.workerId, 30_000);
    const id = await openCall(fx.campaignId, fx.leads[0], 'connected', 60, agent);
    // closeOpenCalls' bulk update: the call is in wrap-up (the desk shows it) before its lead is settled ...
    await t.db.query(`UPDATE calls SET state = 'wrap_up', end_at = now(), hangup_by = 'system' WHERE id = $1`, [id]);
    // ... the agent saves "sale" in that moment ...
    await t.app.get(CallsService).disposition(agent, id, { outcome: 'sale' });
    expect(await lead(fx.leads[0].id)).toMatchObject({ status: 'done' });
    // ... then the pass reaches the row: the provisional retry of a connected call must not replace the sale.
    await (worker as unknown as { settleClosedCall(r: object, at: Date): Promise<void> })
      .settleClosedCall({ id, lead_id: fx.leads[0].id, campaign_id: fx.campaignId, was: 'connected' }, new Date());
    expect(await lead(fx.leads[0].id)).toMatchObject({ status: 'done', lease_owner: null });
    const [l] = await t.db.query(`SELECT last_outcome FROM leads WHERE id = $1`, [fx.leads[0].id]);
    expect(l.last_outcome).toBe('sale');
  });
});
