import http from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import Redis from 'ioredis';
import { REDIS } from '../../src/common/redis/redis.module';
import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { DESK_ALIVE_MS, DESK_CLOSE_GRACE_MS, DESK_REDEPLOY_GRACE_MS, DeskPresence } from '../../src/modules/agents/desk-presence.service';
import { DialerWorkerService } from '../../src/modules/dialer/orchestrator/dialer-worker.service';
import { Role } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';
import { createTestApp, TestApp } from '../setup/test-app';
import { isolateDatabase } from '../setup/isolated-db';
import { makeAgents, makeCampaign } from './dialer-fixtures';
import { waitFor } from '../setup/wait';

/**
 * An agent whose desk (the agent page) closed while Ready is paused by the dialer, not handed answered calls; a
 * preview left on a closed desk goes back to the pool. Agents who never opened a desk (API, simulated) are not judged.
 * Only the browser keeps a desk open (its answers to the stream's pings), not the server's socket, which can outlive
 * a vanished browser by many minutes.
 */
jest.setTimeout(150_000);
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

  async function deskAgent(): Promise<{ id: string; token: string }> {
    const email = `desk-${Date.now()}-${Math.random().toString(36).slice(2)}@test.local`;
    const user = await t.app.get(UsersService).upsert(email, 'Desk Agent', Role.Agent, 'correct horse battery staple');
    const login = await t.http.post('/api/auth/login').send({ email, password: 'correct horse battery staple' }).expect(200);
    return { id: user.id, token: login.body.accessToken };
  }
  async function listening(): Promise<number> {
    if (!t.app.getHttpServer().listening) await t.app.listen(0, '127.0.0.1');
    return (t.app.getHttpServer().address() as AddressInfo).port;
  }

  it('keeps a desk open through a redeploy: a stream the server closed on shutdown leaves the desk open 2 minutes, one the browser closed 20 s', async () => {
    for (const [byClient, atLeast, atMost] of [[false, DESK_REDEPLOY_GRACE_MS - 5_000, DESK_REDEPLOY_GRACE_MS], [true, 0, DESK_CLOSE_GRACE_MS]] as const) {
      const agent = await deskAgent();
      await presence.opened(agent.id);
      await redis.pexpire(`desk:alive:${agent.id}`, 30_000); // the last beat was 15 s ago
      await presence.closed(agent.id, byClient);
      const ttl = await redis.pttl(`desk:alive:${agent.id}`);
      expect(ttl).toBeGreaterThan(atLeast);
      expect(ttl).toBeLessThanOrEqual(atMost);
    }
  });

  it('takes desk beats from agents only: other roles get 403; a beat keeps the desk open another 45 s', async () => {
    const agent = await deskAgent();
    for (const role of [Role.Admin, Role.Manager, Role.Compliance]) {
      const res = await t.http.post('/api/agent/desk/beat').set('Authorization', `Bearer ${await t.tokenFor(role)}`).expect(403);
      expect(JSON.stringify(res.body)).toMatch(/may not call this endpoint/);
    }
    await t.http.post('/api/agent/desk/beat').expect(401);
    await presence.opened(agent.id);
    await redis.pexpire(`desk:alive:${agent.id}`, 1_000);
    await t.http.post('/api/agent/desk/beat').set('Authorization', `Bearer ${agent.token}`).expect(204);
    expect(await redis.pttl(`desk:alive:${agent.id}`)).toBeGreaterThan(DESK_ALIVE_MS - 5_000);
  });

  it('pauses (desk_closed), within about a minute, a Ready agent whose browser vanished without closing its stream; an agent whose page answers the pings stays Ready', async () => {
    const port = await listening();
    const fx = await makeCampaign(t.db, { ok: 0, mode: 'progressive' }); // running, nothing to dial: the worker's own pass judges the desks
    const vanished = await deskAgent();
    const present = await deskAgent();

    // The vanished browser: the request went out, then nothing is read or sent again, and the connection is never
    // closed (laptop asleep, Wi-Fi gone, NAT mapping dropped): for the server the socket stays open.
    const sock: Socket = connect(port, '127.0.0.1');
    sock.on('error', () => undefined);
    sock.write(`GET /api/events/agent HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${vanished.token}\r\n\r\n`);
    sock.pause();
    // The present page: reads its stream and answers each ping with a beat, as agent.js does.
    let beats = 0;
    const live = http.get({ host: '127.0.0.1', port, path: '/api/events/agent', headers: { Accept: 'text/event-stream', Authorization: `Bearer ${present.token}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (!chunk.includes('event: ping')) return;
        void t.http.post('/api/agent/desk/beat').set('Authorization', `Bearer ${present.token}`).then((r) => r.status === 204 && beats++);
      });
    });
    live.on('error', () => undefined);
    try {
      await waitFor(async () => (await redis.exists(`desk:seen:${vanished.id}`, `desk:seen:${present.id}`)) === 2, 5_000, 'both desks to open');
      const openedAt = Date.now();
      for (const a of [vanished, present]) {
        await t.http.post('/api/agent/state').set('Authorization', `Bearer ${a.token}`).send({ state: 'ready', campaignId: fx.campaignId }).expect(200);
      }

      // ~50 s nominal (45 s without a beat, then the worker's 5 s pass); generous for a machine running every suite at once
      await waitFor(async () => (await agents.get(vanished.id)).state === 'paused', 100_000, 'the vanished desk’s agent to be paused', 500);
      const pausedAfter = Date.now() - openedAt;
      expect(await agents.get(vanished.id)).toMatchObject({ state: 'paused', reason: 'desk_closed' });
      expect(pausedAfter).toBeGreaterThanOrEqual(DESK_ALIVE_MS - 5_000); // not judged before its beats were due
      expect(sock.destroyed).toBe(false); // the server never saw it close
      // The page that answers its pings is still present and still Ready (it beat at least twice meanwhile).
      expect(beats).toBeGreaterThanOrEqual(2);
      expect((await agents.get(present.id)).state).toBe('ready');
      expect(await presence.gone([vanished.id, present.id])).toEqual([vanished.id]);
    } finally {
      sock.destroy();
      live.destroy();
      await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [fx.campaignId]);
    }
  });
});
