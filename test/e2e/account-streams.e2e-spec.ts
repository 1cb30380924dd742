import { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { DESK_CLOSE_GRACE_MS } from '../../src/modules/agents/desk-presence.service';
import { Role } from '../../src/modules/users/user.entity';
import { makeCampaign, waitFor } from '../integration/dialer-fixtures';
import { openStream, Stream } from '../setup/sse-client';
import { createTestApp, TestApp } from '../setup/test-app';
import { EventsController, MAX_STREAMS_PER_USER } from '../../src/modules/web/events/events.controller';

/**
 * The guard checks an event stream's account only at connect. A user an admin disables, or whose new role the stream
 * does not allow, must not keep receiving customer events on a stream opened before: it gets 'session.ended' and the
 * stream is closed within a few seconds. Other users' streams stay open.
 */

describe('event streams of a user who is disabled or changes role', () => {
  let t: TestApp;
  let port: number;
  let admin: string;
  const streams: Stream[] = [];
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false }, { LOGIN_RATE_LIMIT: '1000' }); // a login per user of every test
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    admin = await t.tokenFor(Role.Admin);
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await t?.close();
  });

  async function user(role: Role): Promise<{ id: string; token: string }> {
    const email = `stream-${role}-${Date.now()}-${Math.random().toString(36).slice(2)}@test.local`;
    const created = await t.http.post('/api/users').set(auth(admin)).send({ email, displayName: 'Stream User', role, password: 'correct horse battery staple' }).expect(201);
    const login = await t.http.post('/api/auth/login').send({ email, password: 'correct horse battery staple' }).expect(200);
    return { id: created.body.id, token: login.body.accessToken };
  }

  function open(path: string, token: string): Promise<Stream> {
    const s = openStream(port, path, token);
    streams.push(s);
    return waitFor(async () => s.status === 200 && s, 5000, 'the stream to open');
  }

  const endedWith = (s: Stream) => {
    const m = /event: session\.ended\n(?:id: .*\n)?data: (.*)\n/.exec(s.text);
    return m ? JSON.parse(m[1]).reason : null;
  };

  it("closes a disabled agent's stream within seconds ('session.ended', account_disabled); another agent's stays open", async () => {
    const leaving = await user(Role.Agent);
    const staying = await user(Role.Agent);
    const mine = await open('/api/events/agent', leaving.token);
    const theirs = await open('/api/events/agent', staying.token);
    const changedAt = Date.now();
    await t.http.patch(`/api/users/${leaving.id}`).set(auth(admin)).send({ active: false }).expect(200);
    await waitFor(async () => mine.ended, 4000, "the disabled agent's stream to end");
    expect(Date.now() - changedAt).toBeLessThan(4000);
    expect(endedWith(mine)).toBe('account_disabled');
    // The other agent's stream is untouched and still delivers their own events.
    await new Promise((r) => setTimeout(r, 500));
    expect(theirs.ended).toBe(false);
    expect(endedWith(theirs)).toBeNull();
    await t.http.post('/api/agent/state').set(auth(staying.token)).send({ state: 'paused', reason: 'break' }).expect(200);
    await waitFor(async () => theirs.text.includes('event: agent.state'), 4000, "the other agent's own event");
    // Reconnecting with the same token is refused.
    const again = openStream(port, '/api/events/agent', leaving.token);
    streams.push(again);
    await waitFor(async () => again.status, 4000, 'the answer to a reconnect');
    expect(again.status).toBe(401);
  });

  it("closes an agent's stream when the agent is made a compliance officer ('session.ended', role_changed)", async () => {
    const moved = await user(Role.Agent);
    const staying = await user(Role.Agent);
    const mine = await open('/api/events/agent', moved.token);
    const theirs = await open('/api/events/agent', staying.token);
    await t.http.patch(`/api/users/${moved.id}`).set(auth(admin)).send({ role: Role.Compliance }).expect(200);
    await waitFor(async () => mine.ended, 4000, "the former agent's stream to end");
    expect(endedWith(mine)).toBe('role_changed');
    await new Promise((r) => setTimeout(r, 500));
    expect(theirs.ended).toBe(false);
  });

  it("closes a disabled manager's campaign dashboard stream; an admin watching the same campaign keeps theirs", async () => {
    const fx = await makeCampaign(t.db, { ok: 1, mode: 'preview' });
    const manager = await user(Role.Manager);
    const mine = await open(`/api/events/campaigns/${fx.campaignId}`, manager.token);
    const adminStream = await open(`/api/events/campaigns/${fx.campaignId}`, admin);
    await t.http.patch(`/api/users/${manager.id}`).set(auth(admin)).send({ active: false }).expect(200);
    await waitFor(async () => mine.ended, 4000, "the disabled manager's stream to end");
    expect(endedWith(mine)).toBe('account_disabled');
    await new Promise((r) => setTimeout(r, 500));
    expect(adminStream.ended).toBe(false);
  });

  it('keeps the stream open when an edit leaves the account and role as they were (e.g. a new display name)', async () => {
    const agent = await user(Role.Agent);
    const s = await open('/api/events/agent', agent.token);
    await t.http.patch(`/api/users/${agent.id}`).set(auth(admin)).send({ displayName: 'Renamed Agent' }).expect(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(s.ended).toBe(false);
  });

  it("closes a stream opened before the user's password was changed ('session_ended'); one opened after it stays", async () => {
    const agent = await user(Role.Agent);
    const before = await open('/api/events/agent', agent.token);
    await new Promise((r) => setTimeout(r, 1100)); // tokens carry their issue time in whole seconds
    await t.http.patch(`/api/users/${agent.id}`).set(auth(admin)).send({ password: 'a brand new long password' }).expect(200);
    await waitFor(async () => before.ended, 4000, 'the stream of the old session to end');
    expect(endedWith(before)).toBe('session_ended');
    const email = (await t.http.get(`/api/users/${agent.id}`).set(auth(admin)).expect(200)).body.email;
    const login = await t.http.post('/api/auth/login').send({ email, password: 'a brand new long password' }).expect(200);
    const after = await open('/api/events/agent', login.body.accessToken);
    await new Promise((r) => setTimeout(r, 500));
    expect(after.ended).toBe(false);
  });

  it('holds the stream cap for requests arriving together: 15 dashboard streams opened at once, at most 10 open', async () => {
    const manager = await user(Role.Manager);
    const fx = await makeCampaign(t.db, { ok: 1 });
    const many = Array.from({ length: 15 }, () => openStream(port, `/api/events/campaigns/${fx.campaignId}`, manager.token));
    streams.push(...many);
    await waitFor(async () => many.every((s) => s.status !== undefined), 8000, 'an answer to every stream');
    expect(many.filter((s) => s.status === 200).length).toBe(MAX_STREAMS_PER_USER);
    expect(many.filter((s) => s.status === 429).length).toBe(15 - MAX_STREAMS_PER_USER);
    for (const s of many) s.close();
  });

  it('frees the slot of a stream whose client left before it began (12 dashboards closed while the server looked up the campaign)', async () => {
    const manager = await user(Role.Manager);
    const fx = await makeCampaign(t.db, { ok: 1 });
    const repo = (t.app.get(EventsController) as unknown as { campaigns: { exists: (...a: unknown[]) => Promise<boolean> } }).campaigns;
    const real = repo.exists.bind(repo);
    const spy = jest.spyOn(repo, 'exists').mockImplementation(async (...a: unknown[]) => {
      await new Promise((r) => setTimeout(r, 400));
      return real(...a);
    });
    try {
      const gone = Array.from({ length: 12 }, () => openStream(port, `/api/events/campaigns/${fx.campaignId}`, manager.token));
      await new Promise((r) => setTimeout(r, 100));
      for (const s of gone) s.close();
      await new Promise((r) => setTimeout(r, 800));
    } finally {
      spy.mockRestore();
    }
    const fresh = await open(`/api/events/campaigns/${fx.campaignId}`, manager.token);
    expect(fresh.status).toBe(200);
  });

  it(`refuses a user's ${MAX_STREAMS_PER_USER + 1}th open stream with 429, and takes one again once a stream closes`, async () => {
    const agent = await user(Role.Agent);
    const mine: Stream[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_USER; i++) mine.push(await open('/api/events/agent', agent.token));
    const other = await user(Role.Agent);
    await open('/api/events/agent', other.token); // another user is not limited by this one's streams
    const over = openStream(port, '/api/events/agent', agent.token);
    streams.push(over);
    await waitFor(async () => over.status, 4000, 'the answer to one stream too many');
    expect(over.status).toBe(429);
    mine[0].close();
    await waitFor(async () => {
      const retry = openStream(port, '/api/events/agent', agent.token);
      streams.push(retry);
      const status = await waitFor(async () => retry.status, 4000, 'an answer');
      if (status !== 200) retry.close();
      return status === 200;
    }, 5000, 'a stream slot to free');
  });
});

/**
 * An open event stream never ends by itself: without the server ending them, closing the application (SIGTERM)
 * waited for the HTTP server, which waited for every open stream, for good, and the shutdown hooks (queues, database,
 * Redis, SIP) never ran. The pages' EventSource reconnects, to another process or to the restarted one.
 */
describe('event streams when the application shuts down', () => {
  it('ends every open stream so the application closes within seconds; the desk is not counted as closed by the browser', async () => {
    const t = await createTestApp({ api: true, worker: false });
    const streams: Stream[] = [];
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: `${process.env.QUEUE_PREFIX ?? 'dialer'}:` });
    let closing: Promise<void> | undefined;
    try {
      await t.app.listen(0, '127.0.0.1');
      const port = (t.app.getHttpServer().address() as AddressInfo).port;
      const agent = await t.userFor(Role.Agent);
      const fx = await makeCampaign(t.db, { ok: 0 });
      for (const [path, token] of [['/api/events/agent', agent.token], [`/api/events/campaigns/${fx.campaignId}`, await t.tokenFor(Role.Manager)]]) {
        const s = openStream(port, path, token);
        streams.push(s);
        await waitFor(async () => s.status === 200, 5000, `the stream ${path} to open`);
      }
      await waitFor(async () => (await redis.exists(`desk:alive:${agent.id}`)) === 1, 5000, 'the desk to count as open');

      const started = Date.now();
      closing = t.app.close();
      const closed = await Promise.race([closing.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5000))]);
      expect(closed).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(streams.map((s) => s.ended)).toEqual([true, true]);
      // The server ended it, not the browser: the page's next beats (through whichever process it reconnects to)
      // decide, not the 20 s close grace.
      expect(await redis.pttl(`desk:alive:${agent.id}`)).toBeGreaterThan(DESK_CLOSE_GRACE_MS);
    } finally {
      for (const s of streams) s.close(); // lets a close that hung finish
      redis.disconnect();
      await (closing ?? t.app.close()).catch(() => undefined);
    }
  });
});
