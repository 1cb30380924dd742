import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';

/** GET /softphone in the real app: who may open it, what it is served with, and what its script may load. */
describe('softphone page (GET /softphone)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is served to an agent (cookie, as the agent desktop logs in) with headers that allow only its WebSocket and its own scripts', async () => {
    const token = await t.tokenFor(Role.Agent);
    const res = await t.http.get('/softphone').set('Cookie', `dialer_token=${encodeURIComponent(token)}`).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain('connect-src \'self\' ws: wss:');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<script type="module" src="/softphone/app.js">');
    expect(res.text).toMatch(/<input id="password"[^>]*type="password"/);
  });

  it('sends a browser that is not logged in to the login page and back; refuses other roles', async () => {
    const anon = await t.http.get('/softphone').set('Accept', 'text/html').expect(302);
    expect(anon.headers.location).toBe('/login?next=%2Fsoftphone');
    await t.http.get('/softphone').set('Authorization', `Bearer ${await t.tokenFor(Role.Manager)}`).expect(403);
  });

  it('serves its script and SIP.js as ES modules, and nothing outside SIP.js', async () => {
    const app = await t.http.get('/softphone/app.js').expect(200);
    expect(app.headers['content-type']).toMatch(/javascript/);
    expect(app.text).toContain("from '/softphone/sip.js/index.js'");
    const lib = await t.http.get('/softphone/sip.js/index.js').expect(200);
    expect(lib.text).toContain('export * from "./api/index.js"');
    await t.http.get('/softphone/sip.js/platform/web/index.js').expect(200);
    await t.http.get('/softphone/sip.js/..%2F..%2Fpackage.json').expect(404);
    await t.http.get('/softphone/sip.js/index.d.ts').expect(404);
    await t.http.get('/softphone/sip.js/nope.js').expect(404);
  });
});
