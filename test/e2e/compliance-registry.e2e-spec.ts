import { QueueEvents } from 'bullmq';
import { readdir } from 'node:fs/promises';
import { REGISTRY_UPLOAD_DIR } from '../../src/modules/compliance/registry.controller';
import { DateTime } from 'luxon';
import { redisConnection } from '../../src/common/queue/queue.module';
import { QueueName } from '../../src/common/queue/queue-names';
import { DialGateService } from '../../src/modules/compliance/dial-gate.service';
import { RegistryImportService } from '../../src/modules/compliance/registry-import.service';
import { RegistryLookupService } from '../../src/modules/compliance/registry-lookup.service';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { makeCampaign, makeLead, makeList } from './compliance-fixtures';
import { isolateDatabase } from '../setup/isolated-db';

/** Ten-digit NANP numbers in a range no other compliance test uses (area code 3xx, exchange 7xx). */
const registryNumber = (i: number) => `3${String(10 + (i % 80)).padStart(2, '0')}7${String(Math.floor(i / 80) % 100).padStart(2, '0')}${String(i % 10000).padStart(4, '0')}`;

jest.setTimeout(60_000);

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describe('compliance: national registry import job (HTTP + worker)', () => {
  let t: TestApp;
  let events: QueueEvents;
  const progress = new Map<string, number[]>();
  const auth = async (role: Role) => ({ Authorization: `Bearer ${await t.tokenFor(role)}` });
  const daysAgo = (d: number) => DateTime.utc().minus({ days: d }).toISODate() as string;

  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: true });
    t.app.get(RegistryImportService).progressEveryLines = 1000;
    events = new QueueEvents(QueueName.DncImport, { connection: redisConnection(process.env.REDIS_URL as string), prefix: process.env.QUEUE_PREFIX });
    events.on('progress', ({ jobId, data }) => progress.set(jobId, [...(progress.get(jobId) ?? []), Number(data)]));
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await events.close();
    await t.close();
  });

  async function upload(lines: string[], fileDate: string) {
    const res = await t.http.post('/api/compliance/registry/imports').set(await auth(Role.Admin))
      .field('source', 'us-national-dnc').field('country', 'US').field('fileDate', fileDate)
      .attach('file', Buffer.from(lines.join('\n')), 'dnc-registry.txt').expect(201);
    expect(res.body).toMatchObject({ status: expect.stringMatching(/^(queued|running|completed)$/), source: 'us-national-dnc', fileDate, fileName: 'dnc-registry.txt' });
    return res.body.id as string;
  }

  async function waitDone(id: string) {
    for (let i = 0; i < 200; i++) {
      const res = await t.http.get(`/api/compliance/registry/imports/${id}`).set(await auth(Role.Compliance)).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('import did not finish');
  }

  it('refuses uploads from every role but admin', async () => {
    for (const role of [Role.Agent, Role.Manager, Role.Compliance]) {
      await t.http.post('/api/compliance/registry/imports').set(await auth(role))
        .field('source', 'x').field('country', 'US').field('fileDate', daysAgo(1)).attach('file', Buffer.from('2125550123\n'), 'f.txt').expect(403);
    }
    const before = await readdir(REGISTRY_UPLOAD_DIR).catch(() => [] as string[]);
    const badDate = await t.http.post('/api/compliance/registry/imports').set(await auth(Role.Admin))
      .field('source', 'x').field('country', 'US').field('fileDate', '2099-01-01').attach('file', Buffer.from('2125550123\n'), 'f.txt').expect(400);
    expect(badDate.body.errors[0].field).toBe('fileDate');
    expect((await readdir(REGISTRY_UPLOAD_DIR)).sort()).toEqual(before.sort()); // the refused file is not kept
    const noFile = await t.http.post('/api/compliance/registry/imports').set(await auth(Role.Admin))
      .field('source', 'x').field('country', 'US').field('fileDate', daysAgo(1)).expect(400);
    expect(noFile.body.errors[0].field).toBe('file');
  });

  it('imports a file as a job with progress, warns when the copy is over 31 days old, and a newer file replaces it', async () => {
    const first = Array.from({ length: 20_000 }, (_, i) => registryNumber(i));
    const junk = ['0125550123', 'not a number', '12345'];
    const id1 = await upload(['phone_number', ...first.slice(0, 10_000), ...junk, '', ...first.slice(10_000)], daysAgo(40));
    const done1 = await waitDone(id1);
    expect(done1).toMatchObject({ status: 'completed', imported: 20_000, rejected: 4, progressPct: 100, linesRead: 20_005 });
    const steps = progress.get(`dnc-import-${id1}`) ?? [];
    expect(steps.length).toBeGreaterThan(3);
    expect(steps[steps.length - 1]).toBe(100);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);

    const stale = await t.http.get('/api/compliance/registry/status').set(await auth(Role.Manager)).expect(200);
    // Other suites sharing the database may add sources of their own: look at ours.
    expect(stale.body).toMatchObject({ stale: true, maxAgeDays: 31 });
    expect(stale.body.sources.filter((x: { source: string }) => x.source === 'us-national-dnc')).toEqual([
      expect.objectContaining({ ageDays: 40, numbers: 20_000, stale: true }),
    ]);
    expect(stale.body.warning).toContain('older than 31 days');

    const campaignId = await makeCampaign(t.db);
    const listId = await makeList(t.db);
    const onlyFirst = await makeLead(t.db, listId, `+1${first[5]}`);
    const inBoth = await makeLead(t.db, listId, `+1${first[15_000]}`);
    const never = await makeLead(t.db, listId, '+12125550199');
    const gate = t.app.get(DialGateService);
    const lookup = t.app.get(RegistryLookupService);
    const at = new Date('2026-06-15T16:00:00Z');
    expect(lookup.inMemory).toBe(true);
    const d1 = await gate.check([onlyFirst, inBoth, never], campaignId, at);
    expect(d1.map((r) => r.decision)).toEqual([
      expect.objectContaining({ reason: 'dnc_registry' }), expect.objectContaining({ reason: 'dnc_registry' }), { allowed: true },
    ]);
    const found = await t.http.get('/api/compliance/dnc/lookup').query({ phone: first[5], country: 'US' }).set(await auth(Role.Manager)).expect(200);
    expect(found.body).toMatchObject({ phone: `+1${first[5]}`, registry: true, internal: false, campaignIds: [] });
    expect(found.body.registryWarning).toContain('older than 31 days');
    // The database path (used until the in-memory copy is loaded) agrees with memory.
    const phones = [`+1${first[5]}`, `+1${first[15_000]}`, '+12125550199'];
    expect([...(await lookup.hasManyInDb(phones))].sort()).toEqual([...(await lookup.hasMany(phones))].sort());

    const second = first.slice(10_000).concat(Array.from({ length: 5_000 }, (_, i) => registryNumber(30_000 + i)));
    const id2 = await upload(second, daysAgo(2));
    expect(await waitDone(id2)).toMatchObject({ status: 'completed', imported: 15_000, rejected: 0 });
    expect((await t.http.get(`/api/compliance/registry/imports/${id1}`).set(await auth(Role.Admin)).expect(200)).body.status).toBe('superseded');
    // The superseded copy's numbers are purged right after the new copy goes live.
    let left = -1;
    for (let i = 0; i < 50 && left !== 0; i++) {
      [{ n: left }] = await t.db.query(`SELECT count(*)::int AS n FROM dnc_registry_numbers WHERE import_id = $1`, [id1]);
      if (left) await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe(0);
    const d2 = await gate.check([onlyFirst, inBoth], campaignId, at);
    expect(d2.map((r) => r.decision.allowed)).toEqual([true, false]);
    const fresh = await t.http.get('/api/compliance/registry/status').set(await auth(Role.Compliance)).expect(200);
    expect(fresh.body).toMatchObject({ stale: false, warning: null });
    expect(fresh.body.sources.filter((x: { source: string }) => x.source === 'us-national-dnc')).toEqual([
      expect.objectContaining({ fileDate: daysAgo(2), numbers: 15_000, stale: false }),
    ]);

    const list = await t.http.get('/api/compliance/registry/imports').set(await auth(Role.Compliance)).expect(200);
    const ours = list.body.items.filter((i: { source: string }) => i.source === 'us-national-dnc');
    expect(ours.map((i: { id: string }) => i.id)).toEqual([id2, id1]);
    const evts = await t.db.query(
      `SELECT reason_code, details FROM compliance_events WHERE type = 'registry_import' AND details->>'source' = 'us-national-dnc' ORDER BY id`,
    );
    expect(evts.map((e: { reason_code: string }) => e.reason_code)).toEqual(['queued', 'completed', 'queued', 'completed']);
  });

  it('keeps the copy in force when a file gives no number (empty, or every line rejected) or is under half its size, unless allowShrink=true', async () => {
    const source = 'guard-test-dnc';
    // Ten-digit NANP numbers no other test uses (area code 4xx, exchange 8xx).
    const num = (i: number) => `4${10 + (i % 80)}8${String(Math.floor(i / 80) % 100).padStart(2, '0')}${String(i).padStart(4, '0')}`;
    const copy = Array.from({ length: 4000 }, (_, i) => num(i));
    const send = async (body: Buffer, fields: Record<string, string> = {}, expected = 201) => {
      let req = t.http.post('/api/compliance/registry/imports').set(await auth(Role.Admin));
      for (const [k, v] of Object.entries({ source, country: 'US', fileDate: daysAgo(3), ...fields })) req = req.field(k, v);
      return req.attach('file', body, 'registry.txt').expect(expected);
    };
    const inForce = async () =>
      (await t.http.get('/api/compliance/registry/status').set(await auth(Role.Compliance)).expect(200)).body.sources.filter((x: { source: string }) => x.source === source);
    const numbersOf = async (id: string) => (await t.db.query(`SELECT count(*)::int AS n FROM dnc_registry_numbers WHERE import_id = $1`, [id]))[0].n;
    const listed = async (digits: string) => (await t.app.get(RegistryLookupService).hasMany([`+1${digits}`])).has(`+1${digits}`);

    const first = (await send(Buffer.from(copy.join('\n')))).body.id as string;
    expect(await waitDone(first)).toMatchObject({ status: 'completed', imported: 4000 });

    // A 0-byte upload.
    const empty = await waitDone((await send(Buffer.alloc(0))).body.id);
    expect(empty).toMatchObject({ status: 'failed', imported: 0, rejected: 0, linesRead: 0 });
    expect(empty.error).toContain('the file is empty');
    expect(empty.error).toContain(`copy in force (import ${first}`);
    // country=UK for a file of US numbers: every line rejected, and the rejections still counted.
    const wrongCountry = await waitDone((await send(Buffer.from(copy.slice(0, 50).join('\n')), { country: 'UK' })).body.id);
    expect(wrongCountry).toMatchObject({ status: 'failed', imported: 0, rejected: 50, linesRead: 50 });
    expect(wrongCountry.error).toContain('no number accepted: all 50 non-empty lines of 50 rejected');
    // A truncated download: 1,500 of 4,000 numbers.
    const truncated = await waitDone((await send(Buffer.from(copy.slice(0, 1500).join('\n')))).body.id);
    expect(truncated).toMatchObject({ status: 'failed', imported: 1500 });
    expect(truncated.error).toContain('under half the 4000 of the copy in force');
    expect(truncated.error).toContain('allowShrink=true');

    expect(await inForce()).toEqual([expect.objectContaining({ importId: first, numbers: 4000 })]);
    expect(await numbersOf(first)).toBe(4000);
    expect(await listed(copy[3999])).toBe(true);
    for (const id of [empty.id, wrongCountry.id, truncated.id]) expect(await numbersOf(id)).toBe(0);

    const bad = await send(Buffer.from(copy.slice(0, 1500).join('\n')), { allowShrink: 'yes' }, 400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'allowShrink' })]);
    const shrunk = (await send(Buffer.from(copy.slice(0, 1500).join('\n')), { allowShrink: 'true' })).body.id as string;
    expect(await waitDone(shrunk)).toMatchObject({ status: 'completed', imported: 1500 });
    expect(await inForce()).toEqual([expect.objectContaining({ importId: shrunk, numbers: 1500 })]);
    expect((await t.http.get(`/api/compliance/registry/imports/${first}`).set(await auth(Role.Admin)).expect(200)).body.status).toBe('superseded');

    const evts = await t.db.query(
      `SELECT reason_code, details FROM compliance_events WHERE type = 'registry_import' AND details->>'source' = $1 ORDER BY id`,
      [source],
    );
    expect(evts.map((e: { reason_code: string; details: { refused?: string } }) => [e.reason_code, e.details.refused ?? null])).toEqual([
      ['queued', null], ['completed', null], ['queued', null], ['failed', 'no_numbers'], ['queued', null], ['failed', 'no_numbers'],
      ['queued', null], ['failed', 'shrank'], ['queued', null], ['completed', null],
    ]);
    expect(evts[8].details.allowShrink).toBe(true);
  });
});
