import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';

describe('SIP gateways admin API (/api/gateways)', () => {
  let t: TestApp;
  let admin: string;
  const name = `carrier-${process.pid}-${Date.now()}`;
  const body = {
    name,
    host: 'sip.carrier.example',
    port: 5080,
    transport: 'tcp',
    username: 'acct42',
    password: 's3cret-digest-pass',
    numberFormat: 'national',
    prefix: '1234#',
    callerIdRules: { pAssertedIdentity: true, diversion: '+12025550199' },
    cpsLimit: 25,
    channelLimit: 60,
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.tokenFor(Role.Admin);
  });
  afterAll(() => t.close());

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('lets an admin create, read, update and delete a gateway, never returning the password', async () => {
    const created = await t.http.post('/api/gateways').set(auth(admin)).send(body).expect(201);
    expect(created.body).toMatchObject({ name, host: 'sip.carrier.example', port: 5080, transport: 'tcp', numberFormat: 'national', prefix: '1234#', cpsLimit: 25, channelLimit: 60, hasPassword: true });
    expect(created.body.callerIdRules).toEqual({ pAssertedIdentity: true, diversion: '+12025550199' });
    expect(JSON.stringify(created.body)).not.toContain('s3cret');
    const id = created.body.id as string;

    const one = await t.http.get(`/api/gateways/${id}`).set(auth(admin)).expect(200);
    expect(one.body.password).toBeUndefined();
    expect(one.body.hasPassword).toBe(true);
    const all = await t.http.get('/api/gateways').set(auth(admin)).expect(200);
    expect(JSON.stringify(all.body)).not.toContain('s3cret');
    expect(all.body.find((g: { id: string }) => g.id === id).host).toBe('sip.carrier.example');

    const [row] = await t.db.query('SELECT password FROM sip_gateways WHERE id = $1', [id]);
    expect(row.password).toBe('s3cret-digest-pass');

    const updated = await t.http.patch(`/api/gateways/${id}`).set(auth(admin)).send({ cpsLimit: 5, password: null, active: false }).expect(200);
    expect(updated.body).toMatchObject({ cpsLimit: 5, hasPassword: false, active: false, channelLimit: 60 });

    await t.http.delete(`/api/gateways/${id}`).set(auth(admin)).expect(204);
    await t.http.get(`/api/gateways/${id}`).set(auth(admin)).expect(404);
  });

  it('shows a manager only ids and names', async () => {
    const created = await t.http.post('/api/gateways').set(auth(admin)).send({ ...body, name: `${name}-m` }).expect(201);
    const res = await t.http.get('/api/gateways').set(auth(await t.tokenFor(Role.Manager))).expect(200);
    const mine = res.body.find((g: { id: string }) => g.id === created.body.id);
    expect(Object.keys(mine).sort()).toEqual(['active', 'id', 'name']);
  });

  it('refuses a duplicate name with 409 naming the field', async () => {
    await t.http.post('/api/gateways').set(auth(admin)).send({ ...body, name: `${name}-dup` }).expect(201);
    const res = await t.http.post('/api/gateways').set(auth(admin)).send({ ...body, name: `${name}-dup` }).expect(409);
    expect(res.body.errors[0].field).toBe('name');
  });

  it('answers a bad body with 400 naming each field', async () => {
    const res = await t.http
      .post('/api/gateways')
      .set(auth(admin))
      .send({ name: 'x', host: 'bad host!', port: 70000, transport: 'carrier-pigeon', numberFormat: 'roman', prefix: 'abc', cpsLimit: 0, callerIdRules: { diversion: '555' } })
      .expect(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['host', 'port', 'transport', 'numberFormat', 'prefix', 'cpsLimit']));
    expect(fields.some((f: string) => f.includes('diversion'))).toBe(true);
  });

  it('answers null in a field that cannot be empty with 400 naming it (was 500), and lets null clear the credentials', async () => {
    const created = await t.http.post('/api/gateways').set(auth(admin)).send({ ...body, name: `${name}-nulls`, username: 'u', password: 'p' }).expect(201);
    for (const field of ['name', 'host', 'port', 'transport', 'numberFormat', 'prefix', 'cpsLimit', 'channelLimit', 'active', 'callerIdRules']) {
      const res = await t.http.patch(`/api/gateways/${created.body.id}`).set(auth(admin)).send({ [field]: null }).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const onCreate = await t.http.post('/api/gateways').set(auth(admin)).send({ ...body, name: `${name}-nulls2`, port: null }).expect(400);
    expect(onCreate.body.errors.map((e: { field: string }) => e.field)).toContain('port');
    const cleared = await t.http.patch(`/api/gateways/${created.body.id}`).set(auth(admin)).send({ username: null, password: null }).expect(200);
    expect(cleared.body.username).toBeNull();
  });

  it.each([Role.Agent, Role.Compliance])('gives role %s 403 on every gateway endpoint', async (role) => {
    const token = await t.tokenFor(role);
    const id = '00000000-0000-4000-8000-000000000000';
    await t.http.get('/api/gateways').set(auth(token)).expect(403);
    await t.http.post('/api/gateways').set(auth(token)).send(body).expect(403);
    await t.http.get(`/api/gateways/${id}`).set(auth(token)).expect(403);
    await t.http.patch(`/api/gateways/${id}`).set(auth(token)).send({ cpsLimit: 1 }).expect(403);
    await t.http.delete(`/api/gateways/${id}`).set(auth(token)).expect(403);
  });

  it('gives a manager 403 on reading the full configuration and on changing gateways', async () => {
    const token = await t.tokenFor(Role.Manager);
    const id = '00000000-0000-4000-8000-000000000000';
    await t.http.post('/api/gateways').set(auth(token)).send(body).expect(403);
    await t.http.get(`/api/gateways/${id}`).set(auth(token)).expect(403);
    await t.http.patch(`/api/gateways/${id}`).set(auth(token)).send({ cpsLimit: 1 }).expect(403);
    await t.http.delete(`/api/gateways/${id}`).set(auth(token)).expect(403);
  });
});
