import type Redis from 'ioredis';
import { REDIS } from '../../src/common/redis/redis.module';
import { RedisDigestAttemptStore, RedisRegistrar } from '../../src/modules/telephony/drachtio/registrar';
import { UserPhoneDirectory } from '../../src/modules/telephony/drachtio/user-phone.directory';
import { GatewaysService } from '../../src/modules/telephony/gateways/gateways.service';
import { UserEntity, Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';

/** What the SIP adapter reads from the database: agents' phones and trunk configurations (passwords included). */
describe('SIP adapter directories on the real database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it("finds an agent's phone and REGISTER password by SIP user name, and nothing for an inactive agent", async () => {
    const agent = await t.userFor(Role.Agent);
    const sipUser = `agent-${process.pid}-${Date.now()}`;
    await t.db.query('UPDATE users SET sip_username = $2, sip_password = $3, sip_uri = $4 WHERE id = $1', [agent.id, sipUser, 'phone-pass', 'sip:a@127.0.0.1:5090']);
    const phones = new UserPhoneDirectory(t.db.getRepository(UserEntity));
    expect(await phones.phoneOf(agent.id)).toEqual({ sipUsername: sipUser, sipUri: 'sip:a@127.0.0.1:5090' });
    expect(await phones.credentialsOf(sipUser)).toEqual({ agentId: agent.id, password: 'phone-pass' });
    expect(await phones.credentialsOf('nobody-here')).toBeNull();
    await t.db.query('UPDATE users SET active = false WHERE id = $1', [agent.id]);
    expect(await phones.phoneOf(agent.id)).toBeNull();
    expect(await phones.credentialsOf(sipUser)).toBeNull();
  });

  it('gives the adapter the full gateway (digest password included) that the API never shows, and skips inactive ones', async () => {
    const admin = await t.tokenFor(Role.Admin);
    const created = await t.http
      .post('/api/gateways')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: `dir-${process.pid}-${Date.now()}`, host: '127.0.0.1', port: 5080, username: 'acct', password: 'trunk-pass', cpsLimit: 7 })
      .expect(201);
    const gateways = t.app.get(GatewaysService);
    const gw = await gateways.forDial(created.body.id);
    expect(gw).toMatchObject({ id: created.body.id, host: '127.0.0.1', port: 5080, username: 'acct', password: 'trunk-pass', cpsLimit: 7, numberFormat: 'e164' });
    await t.http.patch(`/api/gateways/${created.body.id}`).set('Authorization', `Bearer ${admin}`).send({ active: false }).expect(200);
    expect(await gateways.forDial(created.body.id)).toBeNull();
  });

  it('shares registrations between dialer workers through Redis, expiring with the registration', async () => {
    const redis = t.app.get<Redis>(REDIS);
    const a = new RedisRegistrar(redis);
    const b = new RedisRegistrar(redis);
    const user = `reg-${process.pid}-${Date.now()}`;
    await a.register(user, 'sip:x@df7jal23ls0d.invalid;transport=ws', 'ws', 1, 'sip:127.0.0.1:41000;transport=ws');
    expect(await b.lookup(user)).toMatchObject({ contactUri: 'sip:x@df7jal23ls0d.invalid;transport=ws', transport: 'ws', proxy: 'sip:127.0.0.1:41000;transport=ws' });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await b.lookup(user)).toBeNull();
    await a.register(user, 'sip:x@127.0.0.1:5090', 'udp', 60);
    await b.unregister(user);
    expect(await a.lookup(user)).toBeNull();
  });

  it('shares REGISTER authentication memory between dialer workers: a digest answer is used once, failures are counted in a window', async () => {
    const redis = t.app.get<Redis>(REDIS);
    const a = new RedisDigestAttemptStore(redis);
    const b = new RedisDigestAttemptStore(redis);
    const key = `test:digest:${process.pid}-${Date.now()}`;
    expect(await a.claim(`${key}:used`, 60_000)).toBe(true);
    expect(await b.claim(`${key}:used`, 60_000)).toBe(false);
    expect(await a.failures(`${key}:fail`)).toBe(0);
    expect(await a.fail(`${key}:fail`, 1000)).toBe(1);
    expect(await b.fail(`${key}:fail`, 1000)).toBe(2);
    expect(await b.failures(`${key}:fail`)).toBe(2);
    await a.forgive(`${key}:fail`);
    expect(await b.failures(`${key}:fail`)).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await a.failures(`${key}:fail`)).toBe(0);
  });
});
