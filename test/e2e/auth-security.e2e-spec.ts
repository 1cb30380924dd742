import { AgentStateService } from '../../src/modules/agents/agent-state.service';
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
