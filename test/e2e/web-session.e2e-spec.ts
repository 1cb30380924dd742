import http from 'node:http';
import { AddressInfo } from 'node:net';
import { LiveEventBus } from '../../src/modules/dialer/live-events';
import { WebEvents } from '../../src/modules/web/events/web-events';
import { AuthService } from '../../src/modules/auth/auth.service';
import { Role } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';
import { createTestApp, TestApp } from '../setup/test-app';

/** Opens an SSE stream on the real port and collects raw text until `until` matches or the time runs out. */
function readStream(port: number, path: string, cookie: string, until: RegExp, ms = 3000): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = http.get({ host: '127.0.0.1', port, path, headers: { Accept: 'text/event-stream', Cookie: cookie } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (until.test(text)) finish();
      });
      const finish = () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, text });
      };
      const timer = setTimeout(finish, ms);
      res.on('end', finish);
    });
    req.on('error', (e) => (text ? undefined : reject(e)));
  });
}

describe('web: session cookie, pages, assets, event streams', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  const cookieFor = async (role: Role) => {
    const res = await t.http.post('/api/auth/session').set('Authorization', `Bearer ${await t.tokenFor(role)}`).expect(200);
    return String(res.headers['set-cookie'][0]).split(';')[0];
  };

  it('turns a bearer token into an HttpOnly SameSite=Strict cookie that the pages and the API accept', async () => {
    const res = await t.http.post('/api/auth/session').set('Authorization', `Bearer ${await t.tokenFor(Role.Agent)}`).expect(200);
    expect(res.body).toEqual({ home: '/agent', role: 'agent', displayName: 'Test agent' });
    const set = String(res.headers['set-cookie'][0]);
    expect(set).toMatch(/^dialer_token=[\w-]+\.[\w-]+\.[\w-]+;/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\//);
    expect(set).toMatch(/Max-Age=\d+/);
    const cookie = set.split(';')[0];
    const me = await t.http.get('/api/auth/me').set('Cookie', cookie).expect(200);
    expect(me.body.role).toBe('agent');
    const page = await t.http.get('/agent').set('Cookie', cookie).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('/assets/js/agent.js');
  });

  it('refuses to make a session without a valid token, and clears it on DELETE', async () => {
    await t.http.post('/api/auth/session').expect(401);
    await t.http.post('/api/auth/session').set('Authorization', 'Bearer a.b.c').expect(401);
    const res = await t.http.delete('/api/auth/session').expect(204);
    expect(String(res.headers['set-cookie'][0])).toMatch(/^dialer_token=;.*Expires=Thu, 01 Jan 1970/);
  });

  it.each([
    ['/agent', Role.Manager],
    ['/agent', Role.Compliance],
    ['/agent', Role.Admin],
    ['/manager', Role.Agent],
    ['/manager', Role.Compliance],
    ['/compliance', Role.Agent],
    ['/compliance', Role.Manager],
  ])('refuses the page %s to %s with a 403 page', async (path, role) => {
    const res = await t.http.get(path).set('Cookie', await cookieFor(role)).set('Accept', 'text/html').expect(403);
    expect(res.text).toContain('Not allowed');
    expect(res.text).not.toMatch(/assets\/js\/(agent|manager|compliance)\.js/);
  });

  it('redirects a browser without a session to the login page, and answers a program 401', async () => {
    const res = await t.http.get('/compliance').set('Accept', 'text/html,application/xhtml+xml').expect(302);
    expect(res.headers.location).toBe('/login?next=%2Fcompliance');
    await t.http.get('/compliance').expect(401);
    const root = await t.http.get('/').expect(302);
    expect(root.headers.location).toBe('/login');
    const home = await t.http.get('/').set('Cookie', await cookieFor(Role.Compliance)).expect(302);
    expect(home.headers.location).toBe('/compliance');
  });

  it('shows a disabled account the login form (before: /login and /agent redirected to each other for good)', async () => {
    const email = `disabled-${Date.now()}@test.local`;
    const user = await t.app.get(UsersService).upsert(email, 'Soon Disabled', Role.Agent, 'correct horse battery staple');
    const { accessToken } = await t.app.get(AuthService).login({ email, password: 'correct horse battery staple' });
    const session = await t.http.post('/api/auth/session').set('Authorization', `Bearer ${accessToken}`).expect(200);
    const cookie = String(session.headers['set-cookie'][0]).split(';')[0];
    expect((await t.http.get('/login').set('Cookie', cookie).expect(302)).headers.location).toBe('/agent');
    await t.db.query(`UPDATE users SET active = false WHERE id = $1`, [user.id]);
    const agent = await t.http.get('/agent').set('Cookie', cookie).set('Accept', 'text/html').expect(302);
    expect(agent.headers.location).toBe('/login?next=%2Fagent');
    const login = await t.http.get('/login?next=%2Fagent').set('Cookie', cookie).set('Accept', 'text/html').expect(200);
    expect(login.text).toContain('/assets/js/login.js');
    expect((await t.http.get('/').set('Cookie', cookie).expect(302)).headers.location).toBe('/login');
  });

  it('answers a tampered cookie (not percent-encoding) as no session, not with a 500', async () => {
    await t.http.get('/api/auth/me').set('Cookie', 'dialer_token=%').expect(401);
    expect((await t.http.get('/login').set('Cookie', 'dialer_token=%; dialer_lang=%E0%A4%A').expect(200)).text).toContain('/assets/js/login.js');
    expect((await t.http.get('/').set('Cookie', 'dialer_token=%').expect(302)).headers.location).toBe('/login');
  });

  it('serves the page scripts and styles, and nothing outside the public folder', async () => {
    const js = await t.http.get('/assets/js/shell.js').expect(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    await t.http.get('/assets/css/app.css').expect(200).expect('content-type', /text\/css/);
    await t.http.get('/assets/js/nope.js').expect(404);
    await t.http.get('/assets/..%2F..%2Fweb.module.ts').expect(404);
    await t.http.get('/assets/%2e%2e/web.module.ts').expect(404);
  });

  it('streams an agent only their own events, and refuses a client that did not ask for a stream', async () => {
    const agentCookie = await cookieFor(Role.Agent);
    const me = (await t.http.get('/api/auth/me').set('Cookie', agentCookie)).body as { id: string };
    await t.http.get('/api/events/agent').set('Cookie', agentCookie).expect(406);
    const events = t.app.get(WebEvents);
    const stream = readStream(port, '/api/events/agent', agentCookie, /event: call\.connected/);
    setTimeout(() => {
      events.publishAgent({ agentId: '00000000-0000-4000-8000-000000000001', type: 'call.connected', at: new Date().toISOString(), data: { callId: 'someone-else' } });
      events.publishAgent({ agentId: me.id, type: 'call.connected', at: new Date().toISOString(), data: { callId: 'mine' } });
    }, 300);
    const { status, text } = await stream;
    expect(status).toBe(200);
    expect(text).toContain('"callId":"mine"');
    expect(text).not.toContain('someone-else');
  });

  it('streams campaign ticks to managers only, for campaigns that exist', async () => {
    const [{ id }] = await t.db.query(`INSERT INTO campaigns (name) VALUES ('SSE test') RETURNING id`);
    const manager = await cookieFor(Role.Manager);
    await t.http.get(`/api/events/campaigns/${id}`).set('Cookie', await cookieFor(Role.Agent)).set('Accept', 'text/event-stream').expect(403);
    await t.http.get('/api/events/campaigns/00000000-0000-4000-8000-000000000009').set('Cookie', manager).set('Accept', 'text/event-stream').expect(404);
    await t.http.get('/api/events/campaigns/not-a-uuid').set('Cookie', manager).set('Accept', 'text/event-stream').expect(400);
    // Read until the published event: the bridge's idle refresh (every 5 s) may send a full snapshot first.
    const stream = readStream(port, `/api/events/campaigns/${id}`, manager, /event: campaign\.stats[^]*"ringing":4/);
    setTimeout(() => t.app.get(WebEvents).publishCampaign({ campaignId: id, type: 'campaign.stats', at: new Date().toISOString(), data: { ringing: 4 } }), 300);
    const { status, text } = await stream;
    expect(status).toBe(200);
    expect(text).toContain('"ringing":4');
  });

  it('forwards the dialer’s live events (through Redis) to the agent’s stream and to the campaign’s dashboard', async () => {
    const agentCookie = await cookieFor(Role.Agent);
    const me = (await t.http.get('/api/auth/me').set('Cookie', agentCookie)).body as { id: string };
    const bus = t.app.get(LiveEventBus);
    const agentStream = readStream(port, '/api/events/agent', agentCookie, /event: call\.offered/, 5000);
    setTimeout(() => bus.publish('call.offered', { agentId: me.id, callId: 'c-1', campaignId: 'x', leadId: '1' }), 300);
    const a = await agentStream;
    expect(a.text).toMatch(/event: call\.offered\n(?:id: \d+\n)?data: .*"callId":"c-1"/);

    const [{ id }] = await t.db.query(`INSERT INTO campaigns (name, status) VALUES ('Bridge test', 'running') RETURNING id`);
    const dash = readStream(port, `/api/events/campaigns/${id}`, await cookieFor(Role.Manager), /event: campaign\.stats[^]*"dialLevel":1\.5/, 5000);
    setTimeout(
      () => bus.publish('campaign.tick', { campaignId: id, at: new Date().toISOString(), readyAgents: 2, talkingAgents: 1, wrapUpAgents: 0, ringing: 3, launched: 1, dialLevel: 1.5, reason: 'test', answerRate: 0.3 }),
      300,
    );
    const d = await dash;
    // (an idle refresh, without a tick, may come first)
    const events = [...d.text.matchAll(/event: campaign\.stats\n(?:id: \d+\n)?data: (.*)/g)].map((m) => JSON.parse(m[1]));
    const data = events.find((e) => e.tick);
    expect(data.tick).toMatchObject({ ringing: 3, dialLevel: 1.5 });
    expect(data).toMatchObject({ campaignId: id, status: 'running', today: { attempts: 0 } });
  });
});
