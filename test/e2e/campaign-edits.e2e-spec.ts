import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { isolateDatabase } from '../setup/isolated-db';
import { insertGateway, insertLeadList, uniqueName } from './campaigns-fixtures';

// Some tests here lock tables and rows: a database of this file's own keeps other suites out of their way.
isolateDatabase();

describe('campaign edits: null values, concurrent status changes (HTTP)', () => {
  let t: TestApp;
  let manager: string;
  let listId: string;
  let gatewayId: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false });
    manager = await t.tokenFor(Role.Manager);
    listId = await insertLeadList(t.db, ['plan']);
    gatewayId = await insertGateway(t.db);
  });
  afterAll(() => t.close());

  const validBody = () => ({
    name: uniqueName('Edits'),
    description: 'renewals',
    timezone: 'America/New_York',
    startsAt: '2030-01-01T09:00:00Z',
    endsAt: '2030-02-01T09:00:00Z',
    callerId: '+14155550123',
    gatewayId,
    lists: [{ listId }],
  });
  const create = async () => (await t.http.post('/api/campaigns').set(auth(manager)).send(validBody()).expect(201)).body;
  const get = async (id: string) => (await t.http.get(`/api/campaigns/${id}`).set(auth(manager)).expect(200)).body;
  const fieldsOf = (body: { errors?: { field: string; reason: string }[] }) => (body.errors ?? []).map((e) => e.field);

  describe('null where a setting must have a value', () => {
    // Every field whose column (or setting) cannot be empty; null used to reach the service and answer 500.
    const mustHaveValue: [string, Record<string, unknown>, string][] = [
      ['name', { name: null }, 'name'],
      ['dialMode', { dialMode: null }, 'dialMode'],
      ['timezone', { timezone: null }, 'timezone'],
      ['schedule', { schedule: null }, 'schedule'],
      ['schedule.windows', { schedule: { windows: null } }, 'schedule.windows'],
      ['pacing', { pacing: null }, 'pacing'],
      ['retryRules', { retryRules: null }, 'retryRules'],
      ['recordCalls', { recordCalls: null }, 'recordCalls'],
      ['callbackPolicy', { callbackPolicy: null }, 'callbackPolicy'],
      ['lists', { lists: null }, 'lists'],
      ['outcomes', { outcomes: null }, 'outcomes'],
      ...(['abandonTargetPct', 'maxLinesPerAgent', 'warmupAnsweredCalls', 'ringTimeoutS'] as const)
        .map((k): [string, Record<string, unknown>, string] => [`pacing.${k}`, { pacing: { [k]: null } }, `pacing.${k}`]),
      ...(['busyRetryMinutes', 'noAnswerRetryHours', 'machineRetryShiftHours', 'carrierFailureRetryMinutes', 'maxAttempts', 'maxAttemptsPerDay'] as const)
        .map((k): [string, Record<string, unknown>, string] => [`retryRules.${k}`, { retryRules: { [k]: null } }, `retryRules.${k}`]),
      ...(['priority', 'weight', 'active'] as const)
        .map((k): [string, Record<string, unknown>, string] => [`lists[].${k}`, { lists: [{ listId: 'L', [k]: null }] }, `lists.0.${k}`]),
      ...(['isFinal', 'isSuccess', 'isDnc'] as const).map((k): [string, Record<string, unknown>, string] => [
        `outcomes[].${k}`,
        { outcomes: [{ code: 'sale', label: 'Sale', isSuccess: true }, { code: 'dnc', label: 'DNC', isDnc: true }, { code: 'x', label: 'X', [k]: null }] },
        `outcomes.2.${k}`,
      ]),
    ];
    const withList = (patch: Record<string, unknown>) =>
      JSON.parse(JSON.stringify(patch).replace('"listId":"L"', `"listId":"${listId}"`)) as Record<string, unknown>;

    it.each(mustHaveValue)('PATCH {%s: null} is refused with 400 naming the field, and nothing changes', async (_label, patch, field) => {
      const c = await create();
      const res = await t.http.patch(`/api/campaigns/${c.id}`).set(auth(manager)).send(withList(patch));
      expect({ status: res.status, fields: fieldsOf(res.body) }).toEqual({ status: 400, fields: expect.arrayContaining([field]) });
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field, reason: 'must not be null' }]));
      expect(await get(c.id)).toEqual(c);
    });

    it.each(mustHaveValue.filter(([label]) => label !== 'name'))('POST with {%s: null} is refused with 400 naming the field, and nothing is created', async (_label, patch, field) => {
      const body = { ...validBody(), ...withList(patch) };
      const res = await t.http.post('/api/campaigns').set(auth(manager)).send(body);
      expect({ status: res.status, fields: fieldsOf(res.body) }).toEqual({ status: 400, fields: expect.arrayContaining([field]) });
      const [row] = await t.db.query('SELECT count(*)::int AS n FROM campaigns WHERE name = $1', [body.name]);
      expect(row.n).toBe(0);
    });

    it('PUT lists / outcomes with null entries or null fields is refused with 400 naming the field', async () => {
      const c = await create();
      let res = await t.http.put(`/api/campaigns/${c.id}/lists`).set(auth(manager)).send({ lists: null }).expect(400);
      expect(fieldsOf(res.body)).toContain('lists');
      res = await t.http.put(`/api/campaigns/${c.id}/lists`).set(auth(manager)).send({ lists: [{ listId, weight: null }] }).expect(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field: 'lists.0.weight', reason: 'must not be null' }]));
      res = await t.http.put(`/api/campaigns/${c.id}/outcomes`).set(auth(manager)).send({ outcomes: null }).expect(400);
      expect(fieldsOf(res.body)).toContain('outcomes');
      res = await t.http.put(`/api/campaigns/${c.id}/outcomes`).set(auth(manager))
        .send({ outcomes: [{ code: 'sale', label: 'Sale', isSuccess: null }, { code: 'dnc', label: 'DNC', isDnc: true }] }).expect(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field: 'outcomes.0.isSuccess', reason: 'must not be null' }]));
      res = await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(manager)).send({ status: null }).expect(400);
      expect(fieldsOf(res.body)).toContain('status');
      expect(await get(c.id)).toEqual(c);
    });

    it('null still clears the settings that may be empty (description, callerId, gatewayId, scriptId, startsAt, endsAt, a retry delay)', async () => {
      const c = await create();
      const res = await t.http.patch(`/api/campaigns/${c.id}`).set(auth(manager))
        .send({ description: null, callerId: null, gatewayId: null, scriptId: null, startsAt: null, endsAt: null }).expect(200);
      expect(res.body).toMatchObject({ description: null, callerId: null, gatewayId: null, scriptId: null, startsAt: null, endsAt: null });
      const out = await t.http.put(`/api/campaigns/${c.id}/outcomes`).set(auth(manager)).send({
        outcomes: [{ code: 'sale', label: 'Sale', isSuccess: true }, { code: 'dnc', label: 'DNC', isDnc: true }, { code: 'later', label: 'Later', retryAfterMinutes: null }],
      }).expect(200);
      expect(out.body.outcomes.find((o: { code: string }) => o.code === 'later').retryAfterMinutes).toBeNull();
      const ready = await create();
      await t.http.post(`/api/campaigns/${ready.id}/status`).set(auth(manager)).send({ status: 'running', reason: null }).expect(200);
    });
  });

  describe('an edit or a delete racing a status change', () => {
    /** Waits until a request of the app is blocked on a lock, in a query matching `pattern`. */
    async function blockedOn(pattern: string): Promise<void> {
      for (let i = 0; i < 200; i++) {
        const [row] = await t.db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE $1`, [pattern],
        );
        if (row.n > 0) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no request blocked on ${pattern}`);
    }
    const setStatus = (id: string, status: string) => t.http.post(`/api/campaigns/${id}/status`).set(auth(manager)).send({ status });

    it('edits the pacing of a running campaign right after it was paused: the campaign stays paused', async () => {
      const c = await create();
      await setStatus(c.id, 'running').expect(200);
      await setStatus(c.id, 'paused').expect(200);
      const before = await get(c.id);
      const res = await t.http.patch(`/api/campaigns/${c.id}`).set(auth(manager)).send({ pacing: { ringTimeoutS: 40 } }).expect(200);
      expect(res.body).toMatchObject({ status: 'paused', pacing: { ringTimeoutS: 40 } });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
      expect(await get(c.id)).toMatchObject({ status: 'paused', pacing: { ringTimeoutS: 40 } });
    });

    it('a pause made while an edit of the campaign is in progress survives the edit', async () => {
      const c = await create();
      await setStatus(c.id, 'running').expect(200);
      // Hold the edit between loading the campaign and writing it: it checks the gateway, and that table is locked.
      const locker = t.db.createQueryRunner();
      await locker.connect();
      let edit: Promise<{ status: number; body: { status: string; pacing: { ringTimeoutS: number } } }>;
      try {
        await locker.startTransaction();
        await locker.query('LOCK TABLE sip_gateways IN ACCESS EXCLUSIVE MODE');
        edit = t.http.patch(`/api/campaigns/${c.id}`).set(auth(manager)).send({ gatewayId, pacing: { ringTimeoutS: 40 } }).then((r) => r);
        await blockedOn('%sip_gateways%');
        await setStatus(c.id, 'paused').expect(200);
        await locker.commitTransaction();
      } finally {
        if (locker.isTransactionActive) await locker.rollbackTransaction();
        await locker.release();
      }
      const res = await edit!;
      expect({ status: res.status, campaign: res.body.status, ringTimeoutS: res.body.pacing?.ringTimeoutS }).toEqual({ status: 200, campaign: 'paused', ringTimeoutS: 40 });
      expect(await get(c.id)).toMatchObject({ status: 'paused', pacing: { ringTimeoutS: 40 } });
      const [row] = await t.db.query('SELECT status FROM campaigns WHERE id = $1', [c.id]);
      expect(row.status).toBe('paused');
    });

    it('a delete racing a start of the draft is refused (409) and the running campaign stays', async () => {
      const c = await create();
      // A concurrent start holds the campaign's row: the delete waits for it, then must see the campaign running.
      const locker = t.db.createQueryRunner();
      await locker.connect();
      let del: Promise<{ status: number; body: { errors?: unknown } }>;
      try {
        await locker.startTransaction();
        await locker.query('SELECT id FROM campaigns WHERE id = $1 FOR UPDATE', [c.id]);
        del = t.http.delete(`/api/campaigns/${c.id}`).set(auth(manager)).then((r) => r);
        await blockedOn('%campaigns%');
        await locker.query(`UPDATE campaigns SET status = 'running' WHERE id = $1`, [c.id]);
        await locker.commitTransaction();
      } finally {
        if (locker.isTransactionActive) await locker.rollbackTransaction();
        await locker.release();
      }
      const res = await del!;
      expect({ status: res.status, errors: res.body.errors }).toEqual({ status: 409, errors: [{ field: 'status', reason: 'is running' }] });
      expect(await get(c.id)).toMatchObject({ status: 'running' });
    });

    it('still deletes a draft (204) and answers 404 for one already deleted', async () => {
      const c = await create();
      await t.http.delete(`/api/campaigns/${c.id}`).set(auth(manager)).expect(204);
      await t.http.get(`/api/campaigns/${c.id}`).set(auth(manager)).expect(404);
      await t.http.delete(`/api/campaigns/${c.id}`).set(auth(manager)).expect(404);
      const r = await create();
      await setStatus(r.id, 'running').expect(200);
      const res = await t.http.delete(`/api/campaigns/${r.id}`).set(auth(manager)).expect(409);
      expect(res.body.errors).toEqual([{ field: 'status', reason: 'is running' }]);
    });
  });
});
