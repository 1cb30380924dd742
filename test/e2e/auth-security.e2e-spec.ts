import { AuthService } from '../../src/modules/auth/auth.service';
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
