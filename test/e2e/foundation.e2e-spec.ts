import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';

describe('service foundation (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves /health green with the database and Redis checks', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.checks.db.status).toBe('up');
    expect(res.body.checks.redis.status).toBe('up');
  });

  it('serves the OpenAPI document with bearer auth and the users endpoints', async () => {
    const res = await t.http.get('/api/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.paths['/api/users']).toBeDefined();
    expect(res.body.components.securitySchemes.bearer).toBeDefined();
    const html = await t.http.get('/api/docs').redirects(1);
    expect(html.status).toBe(200);
    expect(html.text).toContain('swagger');
  });

  it('logs in with the right password and refuses a wrong one without saying which part was wrong', async () => {
    const admin = await t.userFor(Role.Admin);
    const ok = await t.http.post('/api/auth/login').send({ email: admin.email, password: 'correct horse battery staple' }).expect(200);
    expect(ok.body.accessToken.split('.')).toHaveLength(3);
    expect(ok.body.user.role).toBe('admin');
    expect(ok.body.user.passwordHash).toBeUndefined();
    const bad = await t.http.post('/api/auth/login').send({ email: admin.email, password: 'wrong password!' }).expect(401);
    expect(bad.body.message).toBe('wrong e-mail or password');
    const nobody = await t.http.post('/api/auth/login').send({ email: 'nobody@test.local', password: 'whatever123' }).expect(401);
    expect(nobody.body.message).toBe('wrong e-mail or password');
  });

  it('stores passwords only as argon2id hashes', async () => {
    const admin = await t.userFor(Role.Admin);
    const [row] = await t.db.query('SELECT password_hash FROM users WHERE id = $1', [admin.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain('correct horse');
  });

  it('refuses requests without a token (401) and with a forged one', async () => {
    await t.http.get('/api/users').expect(401);
    await t.http.get('/api/users').set('Authorization', 'Bearer abc.def.ghi').expect(401);
  });

  it.each([Role.Agent, Role.Compliance, Role.Manager])('gives role %s 403 on creating users (admin only)', async (role) => {
    const token = await t.tokenFor(role);
    const res = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${token}`)
      .send({ email: 'x@test.local', displayName: 'X', password: 'long enough password', role: 'agent' })
      .expect(403);
    expect(res.body.message).toContain(role);
  });

  it('answers a bad body with 400 naming each field and its reason', async () => {
    const token = await t.tokenFor(Role.Admin);
    const res = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${token}`)
      .send({ email: 'not-an-email', displayName: 'X', password: 'short', role: 'emperor', extra: 1 })
      .expect(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['email', 'extra', 'password', 'role']);
    expect(res.body.errors.find((e: { field: string }) => e.field === 'role').reason).toContain('admin, manager, agent, compliance');
  });

  it('lets an admin create a user who can then log in, and refuses a duplicate e-mail with 409', async () => {
    const token = await t.tokenFor(Role.Admin);
    const email = `new-agent-${Date.now()}@test.local`;
    const body = { email, displayName: 'New Agent', password: 'a long password', role: 'agent' };
    const created = await t.http.post('/api/users').set('Authorization', `Bearer ${token}`).send(body).expect(201);
    expect(created.body.role).toBe('agent');
    await t.http.post('/api/auth/login').send({ email, password: 'a long password' }).expect(200);
    const dup = await t.http.post('/api/users').set('Authorization', `Bearer ${token}`).send({ ...body, email: email.toUpperCase() }).expect(409);
    expect(dup.body.errors[0]).toEqual({ field: 'email', reason: 'already in use' });
  });

  it('answers POST and PATCH /api/users with the whole user, active included, as GET shows it', async () => {
    const token = await t.tokenFor(Role.Admin);
    const body = { email: `whole-${Date.now()}@test.local`, displayName: 'Whole User', password: 'a long password', role: 'agent' };
    const created = (await t.http.post('/api/users').set('Authorization', `Bearer ${token}`).send(body).expect(201)).body;
    expect(created.active).toBe(true);
    const patched = (await t.http.patch(`/api/users/${created.id}`).set('Authorization', `Bearer ${token}`).send({ displayName: 'Renamed' }).expect(200)).body;
    const got = (await t.http.get(`/api/users/${created.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body;
    expect(got).toMatchObject({ active: true, displayName: 'Renamed' });
    expect(patched).toEqual(got);
    expect(created).toEqual({ ...got, displayName: 'Whole User' });
  });

  // Every field whose column is NOT NULL; null used to reach the database and answer 500.
  it.each(['email', 'displayName', 'password', 'role', 'active', 'locale'])(
    'refuses PATCH /api/users/:id {%s: null} with 400 naming the field, and leaves the user unchanged',
    async (field) => {
      const token = await t.tokenFor(Role.Admin);
      const email = `null-${field}-${Date.now()}@test.local`;
      const body = { email, displayName: 'Null Check', password: 'a long password', role: 'agent', sipUri: 'sip:null@10.0.0.5', locale: 'zh-CN' };
      const { body: user } = await t.http.post('/api/users').set('Authorization', `Bearer ${token}`).send(body).expect(201);
      const [before] = await t.db.query('SELECT * FROM users WHERE id = $1', [user.id]);
      const res = await t.http.patch(`/api/users/${user.id}`).set('Authorization', `Bearer ${token}`).send({ [field]: null });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field, reason: 'must not be null' }]));
      expect((await t.db.query('SELECT * FROM users WHERE id = $1', [user.id]))[0]).toEqual(before);
    },
  );

  it('still clears a user\'s SIP URI with null', async () => {
    const token = await t.tokenFor(Role.Admin);
    const body = { email: `clear-sip-${Date.now()}@test.local`, displayName: 'Clear Sip', password: 'a long password', role: 'agent', sipUri: 'sip:clear@10.0.0.5' };
    const { body: user } = await t.http.post('/api/users').set('Authorization', `Bearer ${token}`).send(body).expect(201);
    const [{ updated_at: _, ...before }] = await t.db.query('SELECT * FROM users WHERE id = $1', [user.id]);
    expect(before.sip_uri).toBe('sip:clear@10.0.0.5');
    const res = await t.http.patch(`/api/users/${user.id}`).set('Authorization', `Bearer ${token}`).send({ sipUri: null }).expect(200);
    expect(res.body.sipUri).toBeNull();
    const [{ updated_at: __, ...after }] = await t.db.query('SELECT * FROM users WHERE id = $1', [user.id]);
    expect(after).toEqual({ ...before, sip_uri: null });
  });
});
