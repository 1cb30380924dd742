import { createHmac } from 'node:crypto';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';

/**
 * GET /api/softphone/ice-servers: the STUN/TURN servers the agent's browser softphone uses, with a TURN credential
 * minted per agent in the TURN REST API scheme (coturn use-auth-secret), checked here with the shared secret alone,
 * as the TURN server checks it.
 */
describe('softphone ICE servers (GET /api/softphone/ice-servers)', () => {
  const secret = 'turn-shared-secret-for-e2e-0123456789';
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false }, {
      TURN_URLS: 'stun:stun.example.test:3478, turn:turn.example.test:3478?transport=udp,turns:turn.example.test:5349?transport=tcp',
      TURN_SECRET: secret, TURN_CREDENTIAL_TTL: '3600', SOFTPHONE_ICE_POLICY: 'relay',
    });
  });
  afterAll(() => t.close());

  it('gives an agent the STUN servers and a TURN credential for that agent, valid for the configured time, with the relay policy', async () => {
    const agent = await t.userFor(Role.Agent);
    const before = Math.floor(Date.now() / 1000);
    const res = await t.http.get('/api/softphone/ice-servers').set('Authorization', `Bearer ${agent.token}`).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.iceTransportPolicy).toBe('relay');
    expect(res.body.iceServers).toEqual([
      { urls: ['stun:stun.example.test:3478'] },
      { urls: ['turn:turn.example.test:3478?transport=udp', 'turns:turn.example.test:5349?transport=tcp'], username: expect.any(String), credential: expect.any(String) },
    ]);
    const { username, credential } = res.body.iceServers[1];
    const [expiry, who] = username.split(':');
    expect(who).toBe(agent.id);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 3600);
    expect(Number(expiry)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);
    expect(new Date(res.body.expiresAt).getTime()).toBe(Number(expiry) * 1000);
    // what the TURN server computes from the shared secret: the credential must match it exactly
    expect(credential).toBe(createHmac('sha1', secret).update(username).digest('base64'));
    // the secret itself never leaves the server
    expect(JSON.stringify(res.body)).not.toContain(secret);
  });

  it('refuses managers, compliance officers and admins (403) and anonymous callers (401)', async () => {
    for (const role of [Role.Manager, Role.Compliance, Role.Admin]) {
      await t.http.get('/api/softphone/ice-servers').set('Authorization', `Bearer ${await t.tokenFor(role)}`).expect(403);
    }
    await t.http.get('/api/softphone/ice-servers').expect(401);
  });

  it('gives no servers at all when none is configured (the browser then reaches rtpengine directly)', async () => {
    const plain = await createTestApp({ api: true, worker: false }, { TURN_URLS: '', TURN_SECRET: '', SOFTPHONE_ICE_POLICY: 'all' });
    try {
      const res = await plain.http.get('/api/softphone/ice-servers').set('Authorization', `Bearer ${await plain.tokenFor(Role.Agent)}`).expect(200);
      expect(res.body).toEqual({ iceServers: [], iceTransportPolicy: 'all', expiresAt: null });
    } finally {
      await plain.close();
    }
  });
});
