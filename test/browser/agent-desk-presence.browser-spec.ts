import Redis from 'ioredis';
import { Page, Request } from 'playwright-core';
import { REDIS } from '../../src/common/redis/redis.module';
import { DESK_ALIVE_MS } from '../../src/modules/agents/desk-presence.service';
import { Role } from '../../src/modules/users/user.entity';
import { waitFor } from '../setup/wait';
import { BrowserHarness, describeBrowser, startHarness } from './harness';

jest.setTimeout(120_000);

describeBrowser('agent desktop: the page keeps its desk present and its event stream open (headless Chromium)', () => {
  let hx: BrowserHarness;
  let page: Page;
  let agent: { id: string; token: string };

  beforeAll(async () => {
    hx = await startHarness({ api: true, worker: false });
    const login = await hx.loginAs(Role.Agent);
    page = login.page;
    agent = await hx.t.userFor(Role.Agent); // the same (cached) user the page logged in as
  });
  afterAll(async () => hx?.close());

  it("answers the event stream's ping with a desk beat, which keeps the desk open another 45 s", async () => {
    const beats: Request[] = [];
    page.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/agent/desk/beat' && beats.push(r));
    const redis: Redis = hx.t.app.get(REDIS);
    await waitFor(async () => (await redis.exists(`desk:seen:${agent.id}`)) === 1, 5_000, 'the desk to open');
    // The server pings every 15 s; the page answers. Nothing on the server beats for it any more.
    await redis.pexpire(`desk:alive:${agent.id}`, 60_000);
    await waitFor(async () => beats.length > 0, 20_000, 'the page to answer a ping', 250);
    await waitFor(async () => (await beats[0].response())?.status() === 204, 5_000, 'the beat to be taken');
    const ttl = await redis.pttl(`desk:alive:${agent.id}`);
    expect(ttl).toBeGreaterThan(DESK_ALIVE_MS - 5_000);
    expect(ttl).toBeLessThanOrEqual(DESK_ALIVE_MS);
  });

  it('opens a new event stream when the reconnect is refused (503 from a server shutting down), and gets live events again', async () => {
    let opened = 0;
    await page.route('**/api/events/agent', async (route) => {
      opened++;
      // 1: a stream the server ends at once (as it does when it shuts down), asking for a quick reconnect;
      // 2: the reconnect refused with an error, after which EventSource gives up for good; 3: the real stream.
      if (opened === 1) return route.fulfill({ status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' }, body: 'retry: 300\n\n' });
      if (opened === 2) return route.fulfill({ status: 503, contentType: 'application/json', body: '{"message":"the server is shutting down"}' });
      return route.continue();
    });
    try {
      await page.reload();
      await page.locator('#state-label').waitFor();
      await waitFor(async () => opened >= 3, 15_000, 'the page to open a new stream', 100);
      // The new stream is live: a state change made elsewhere (here, the API) shows without a reload.
      await new Promise((r) => setTimeout(r, 1_000));
      await hx.t.http.post('/api/agent/state').set('Authorization', `Bearer ${agent.token}`).send({ state: 'paused', reason: 'lunch' }).expect(200);
      await page.waitForFunction(() => document.querySelector('#state-label')?.textContent === 'Paused · Lunch', undefined, { timeout: 5_000 });
    } finally {
      await page.unroute('**/api/events/agent');
    }
  });
});
