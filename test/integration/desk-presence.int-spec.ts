import http from 'node:http';
import { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { REDIS } from '../../src/common/redis/redis.module';
import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { DESK_CLOSE_GRACE_MS, DeskPresence } from '../../src/modules/agents/desk-presence.service';
import { DialerWorkerService } from '../../src/modules/dialer/orchestrator/dialer-worker.service';
import { Role } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';
import { createTestApp, TestApp } from '../setup/test-app';
import { isolateDatabase } from '../setup/isolated-db';
import { makeAgents, makeCampaign } from './dialer-fixtures';

/**
 * An agent whose desk (the agent page) closed while Ready is paused by the dialer, not handed answered calls; a
 * preview left on a closed desk goes back to the pool. Agents who never opened a desk (API, simulated) are not judged.
 */
jest.setTimeout(60_000);
isolateDatabase();

describe('agents whose desk closed (PostgreSQL + Redis)', () => {
  let t: TestApp;
  let redis: Redis;
  let presence: DeskPresence;
  let agents: AgentStateService;
  let worker: DialerWorkerService;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: true });
    redis = t.app.get(REDIS);
    presence = t.app.get(DeskPresence);
    agents = t.app.get(AgentStateService);
    worker = t.app.get(DialerWorkerService);
  });
  afterAll(async () => t?.close());

  /** A desk that was open and whose stream has stopped beating (what the close grace ends in). */
  const deskClosed = async (id: string) => {
    await presence.opened(id);
    await presence.closed(id);
    await redis.del(`desk:alive:${id}`);
  };

  it('pauses a Ready agent whose desk closed; leaves one whose desk is open and one who never had a desk', async () => {
    const fx = await makeCampaign(t.db, { ok: 1, mode: 'progressive' });
    await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [fx.campaignId]); // no runner of its own
    const [closed, open, apiOnly] = await makeAgents(t.db, 3);
    for (const a of [closed, open, apiOnly]) await agents.transition(a, 'ready', fx.campaignId);
    await deskClosed(closed);
    await presence.opened(open);

    expect(await worker.pauseAgentsWithoutDesk(fx.campaignId)).toBe(1);
    expect(await agents.get(closed)).toMatchObject({ state: 'paused', reason: 'desk_closed' });
    expect((await agents.get(open)).state).toBe('ready');
    expect((await agents.get(apiOnly)).state).toBe('ready');
    // Out of the Ready queue: the pacer cannot take it for the next answered call.
    expect(await redis.zscore(`agents:ready:${fx.campaignId}`, closed)).toBeNull();
    const [ev] = await t.db.query(`SELECT state, reason FROM agent_state_events WHERE agent_id = $1 ORDER BY id DESC LIMIT 1`, [closed]);
    expect(ev).toEqual({ state: 'paused', reason: 'desk_closed' });
  });

  it('returns a preview left on a closed desk to the pool, unburnt, and pauses the agent', async () => {
    const fx = await makeCampaign(t.db, { ok: 1, mode: 'preview' });
    await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [fx.campaignId]);
    const [agent] = await makeAgents(t.db, 1);
    const lead = fx.leads[0];
    await t.db.query(`UPDATE leads SET status = 'leased', lease_owner = 'test' WHERE id = $1`, [lead.id]);
    const [call] = await t.db.query(
      `INSERT INTO calls (campaign_id, lead_id, phone, dial_mode, state, agent_id) VALUES ($1, $2, $3, 'preview', 'preview', $4) RETURNING id`,
      [fx.campaignId, lead.id, lead.phone, agent],
    );
    await agents.transition(agent, 'reserved', fx.campaignId, { callId: call.id });
    await deskClosed(agent);

    expect(await worker.pauseAgentsWithoutDesk(fx.campaignId)).toBe(1);
    expect(await agents.get(agent)).toMatchObject({ state: 'paused', reason: 'desk_closed' });
    const [c] = await t.db.query(`SELECT state, end_at, hangup_by, dial_at FROM calls WHERE id = $1`, [call.id]);
    expect(c).toMatchObject({ state: 'skipped', hangup_by: 'system', dial_at: null });
    const [l] = await t.db.query(`SELECT status, attempts, lease_owner FROM leads WHERE id = $1`, [lead.id]);
    expect(l).toEqual({ status: 'new', attempts: 0, lease_owner: null });
  });

  it("counts the agent's event stream as the desk: open while it runs, gone a short grace after it closes", async () => {
    const email = `desk-${Date.now()}@test.local`;
    const user = await t.app.get(UsersService).upsert(email, 'Desk Agent', Role.Agent, 'correct horse battery staple');
    const login = await t.http.post('/api/auth/login').send({ email, password: 'correct horse battery staple' }).expect(200);
    await t.app.listen(0, '127.0.0.1');
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const req = http.get({ host: '127.0.0.1', port, path: '/api/events/agent', headers: { Accept: 'text/event-stream', Authorization: `Bearer ${login.body.accessToken}` } }, (res) => res.resume());
    req.on('error', () => undefined);
    const deadline = Date.now() + 5_000;
    while (!(await redis.exists(`desk:alive:${user.id}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await presence.gone([user.id])).toEqual([]);
    expect(await redis.exists(`desk:seen:${user.id}`)).toBe(1);
    req.destroy();
    const closedBy = Date.now() + 5_000;
    while ((await redis.pttl(`desk:alive:${user.id}`)) > DESK_CLOSE_GRACE_MS && Date.now() < closedBy) await new Promise((r) => setTimeout(r, 50));
    const ttl = await redis.pttl(`desk:alive:${user.id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(DESK_CLOSE_GRACE_MS);
    // Logging out forgets the desk: nothing left to judge.
    await agents.transition(user.id, 'logged_out', null);
    expect(await redis.exists(`desk:seen:${user.id}`)).toBe(0);
  });
});
