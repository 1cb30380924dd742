import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { UsersService } from '../../src/modules/users/users.service';
import { AuthService } from '../../src/modules/auth/auth.service';
import { makeCampaign } from '../integration/dialer-fixtures';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';

describe('login rate limit and token expiry', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false }, { LOGIN_RATE_LIMIT: '4', JWT_EXPIRES_IN: '2s' });
  });
  afterAll(() => t.close());

  it('rate-limits login attempts per client (429 after the limit, even with the right password)', async () => {
    const user = await t.userFor(Role.Agent); // one login
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.http.post('/api/auth/login').send({ email: user.email, password: i < 3 ? 'wrong password' : 'correct horse battery staple' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('refuses a token once it has expired', async () => {
    // A fresh token (the cached one may be older than its 2 s when the machine is busy; the HTTP login is rate-limited).
    const { email } = await t.userFor(Role.Agent);
    const { accessToken: token } = await t.app.get(AuthService).login({ email, password: 'correct horse battery staple' });
    await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    await new Promise((r) => setTimeout(r, 3100));
    const res = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
    expect(res.body.message).toBe('invalid or expired token');
  });
});

describe('an account changed by an admin applies to the tokens already issued', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false });
  });
  afterAll(() => t.close());
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('refuses a deactivated user at once (401), and a re-activated one is let in again', async () => {
    const manager = await t.userFor(Role.Manager);
    const admin = await t.tokenFor(Role.Admin);
    await t.http.get('/api/lead-lists').set(auth(manager.token)).expect(200);
    await t.http.patch(`/api/users/${manager.id}`).set(auth(admin)).send({ active: false }).expect(200);
    // The same token, well inside its 8 h: the customer data behind it is closed now.
    const res = await t.http.get('/api/lead-lists').set(auth(manager.token)).expect(401);
    expect(res.body.message).toBe('this account is disabled or no longer exists');
    await t.http.patch(`/api/users/${manager.id}`).set(auth(admin)).send({ active: true }).expect(200);
    await t.http.get('/api/lead-lists').set(auth(manager.token)).expect(200);
  });

  it("applies a changed role at once: a manager made agent loses the managers' endpoints (403) and gets the agent's", async () => {
    const { email, password } = { email: `demoted-${Date.now()}@test.local`, password: 'correct horse battery staple' };
    const admin = await t.tokenFor(Role.Admin);
    const created = await t.http.post('/api/users').set(auth(admin)).send({ email, displayName: 'Demoted Manager', role: Role.Manager, password }).expect(201);
    const { accessToken: token } = await t.app.get(AuthService).login({ email, password });
    await t.http.get('/api/lead-lists').set(auth(token)).expect(200);
    await t.http.patch(`/api/users/${created.body.id}`).set(auth(admin)).send({ role: Role.Agent }).expect(200);
    await t.http.get('/api/lead-lists').set(auth(token)).expect(403);
    expect((await t.http.get('/api/auth/me').set(auth(token)).expect(200)).body.role).toBe(Role.Agent);
  });

  it('a changed password ends the sessions opened before it (a leaked token stops working), and the new password works', async () => {
    const admin = await t.tokenFor(Role.Admin);
    const email = `reset-${Date.now()}@test.local`;
    const created = await t.http.post('/api/users').set(auth(admin)).send({ email, displayName: 'Reset Manager', role: Role.Manager, password: 'correct horse battery staple' }).expect(201);
    const { accessToken: old } = await t.app.get(AuthService).login({ email, password: 'correct horse battery staple' });
    await t.http.get('/api/lead-lists').set(auth(old)).expect(200);
    await new Promise((r) => setTimeout(r, 1100)); // tokens carry their issue time in whole seconds
    await t.http.patch(`/api/users/${created.body.id}`).set(auth(admin)).send({ displayName: 'Renamed Manager' }).expect(200);
    await t.http.get('/api/lead-lists').set(auth(old)).expect(200); // other changes do not end sessions
    await t.http.patch(`/api/users/${created.body.id}`).set(auth(admin)).send({ password: 'a brand new long password' }).expect(200);
    const refused = await t.http.get('/api/lead-lists').set(auth(old)).expect(401);
    expect(refused.body.message).toBe('this session has ended (the password was changed): log in again');
    // the page with the old session cookie sends the browser to the login page
    const page = await t.http.get('/manager').set('Cookie', `dialer_token=${old}`).set('Accept', 'text/html');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/login?next=%2Fmanager');
    await t.http.get('/login').set('Cookie', `dialer_token=${old}`).set('Accept', 'text/html').expect(200); // no redirect loop
    const fresh = await t.http.post('/api/auth/login').send({ email, password: 'a brand new long password' }).expect(200);
    await t.http.get('/api/lead-lists').set(auth(fresh.body.accessToken)).expect(200);
  });

  it('takes an agent out of the dialer when an admin disables them or makes them a manager (before: still Ready, handed answered calls)', async () => {
    const admin = await t.tokenFor(Role.Admin);
    const fx = await makeCampaign(t.db, { ok: 1, mode: 'preview' });
    await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [fx.campaignId]); // no offers meanwhile
    const agents = t.app.get(AgentStateService);
    for (const change of [{ active: false }, { role: Role.Manager }]) {
      const email = `leaving-${Date.now()}-${Math.random().toString(36).slice(2)}@test.local`;
      const created = await t.http.post('/api/users').set(auth(admin)).send({ email, displayName: 'Leaving Agent', role: Role.Agent, password: 'correct horse battery staple' }).expect(201);
      await agents.transition(created.body.id, 'ready', fx.campaignId);
      await t.http.patch(`/api/users/${created.body.id}`).set(auth(admin)).send(change).expect(200);
      expect((await agents.get(created.body.id)).state).toBe('logged_out');
    }
  });
});

describe('behind a TLS proxy (TRUST_PROXY), and password guessing from many addresses', () => {
  let t: TestApp;
  const password = 'correct horse battery staple';
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false }, { LOGIN_RATE_LIMIT: '2', LOGIN_FAILURES_PER_ACCOUNT: '3', TRUST_PROXY: '1' });
  });
  afterAll(() => t.close());
  let seq = 0;
  const newUser = async () => {
    const email = `guess-${process.pid}-${Date.now()}-${++seq}@test.local`;
    await t.app.get(UsersService).upsert(email, 'Guessed User', Role.Manager, password);
    return email;
  };
  const login = (email: string, pw: string, from: string) =>
    t.http.post('/api/auth/login').set('X-Forwarded-For', from).send({ email, password: pw });

  it('limits logins per client address as the proxy reports it, not per proxy', async () => {
    const email = await newUser();
    expect((await login(email, password, '198.51.100.1')).status).toBe(200);
    expect((await login(email, password, '198.51.100.1')).status).toBe(200);
    expect((await login(email, password, '198.51.100.1')).status).toBe(429);
    expect((await login(email, password, '198.51.100.2')).status).toBe(200); // another client behind the same proxy
  });

  it('locks one account after 3 failed logins from different addresses (429, the right password included); others log in', async () => {
    const email = await newUser();
    const other = await newUser();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(email, `wrong ${i}`, `203.0.113.${10 + i}`)).status);
    expect(statuses).toEqual([401, 401, 401]);
    const locked = await login(email, password, '203.0.113.50');
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/too many failed logins for this account/);
    expect((await login(other, password, '203.0.113.51')).status).toBe(200);
    // the account's count is per e-mail whatever its case
    expect((await login(email.toUpperCase(), password, '203.0.113.52')).status).toBe(429);
  });

  it('counts guesses sent in parallel too: 30 at once get at most 3 password checks (401), the rest 429', async () => {
    const email = await newUser();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => login(email, `parallel guess ${i}`, `198.18.${i >> 8}.${i & 255}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s === 401).length + statuses.filter((s) => s === 429).length).toBe(30);
    expect((await login(email, password, '198.18.1.1')).status).toBe(429);
  });

  it('a successful login clears the failed count', async () => {
    const email = await newUser();
    for (let i = 0; i < 2; i++) expect((await login(email, `wrong ${i}`, `192.0.2.${i + 1}`)).status).toBe(401);
    expect((await login(email, password, '192.0.2.10')).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await login(email, `wrong again ${i}`, `192.0.2.${i + 20}`)).status).toBe(401);
    expect((await login(email, password, '192.0.2.30')).status).toBe(200);
  });

  it('marks the session cookie Secure when the proxy says the browser came over https', async () => {
    const email = await newUser();
    const { body } = await login(email, password, '198.51.100.9').expect(200);
    const https = await t.http.post('/api/auth/session').set('Authorization', `Bearer ${body.accessToken}`).set('X-Forwarded-Proto', 'https').expect(200);
    expect(https.headers['set-cookie'][0]).toMatch(/; Secure/);
    const plain = await t.http.post('/api/auth/session').set('Authorization', `Bearer ${body.accessToken}`).expect(200);
    expect(plain.headers['set-cookie'][0]).not.toMatch(/; Secure/);
  });
});

describe('without TRUST_PROXY, forwarded headers are not believed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false });
  });
  afterAll(() => t.close());

  it('a client cannot get a Secure cookie by sending X-Forwarded-Proto itself', async () => {
    const token = await t.tokenFor(Role.Agent);
    const res = await t.http.post('/api/auth/session').set('Authorization', `Bearer ${token}`).set('X-Forwarded-Proto', 'https').expect(200);
    expect(res.headers['set-cookie'][0]).not.toMatch(/; Secure/);
  });
});
