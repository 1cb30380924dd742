import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { insertGateway, insertLeadList, uniqueName } from './campaigns-fixtures';

type Body = Record<string, unknown>;

/**
 * One resource editors can change at the same time: how to make one, read it back as a user would (GET, or the list
 * for objections), and two different edits A and B, each with what it must leave in the row when it wins.
 */
interface Editable {
  what: string;
  editor: Role;
  others: Role[];
  make(): Promise<{ url: string; read: () => Promise<Body>; hasGet: boolean }>;
  view(b: Body): Body;
  a: Body;
  aView: Body;
  b: Body;
  bView: Body;
}

describe('optimistic concurrency on campaigns, scripts, objections and SIP gateways (If-Match / version -> 412)', () => {
  let t: TestApp;
  let token: Record<Role, string>;
  let listId: string;
  let gatewayId: string;
  const auth = (role: Role) => ({ Authorization: `Bearer ${token[role]}` });

  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false });
    token = {} as Record<Role, string>;
    for (const r of [Role.Admin, Role.Manager, Role.Agent, Role.Compliance]) token[r] = await t.tokenFor(r);
    listId = await insertLeadList(t.db, ['plan']);
    gatewayId = await insertGateway(t.db);
  });
  afterAll(() => t.close());

  const newCampaign = async (extra: Body = {}) =>
    (await t.http.post('/api/campaigns').set(auth(Role.Manager)).send({ name: uniqueName('Versions'), lists: [{ listId }], callerId: '+14155550123', gatewayId, ...extra }).expect(201)).body;
  const getJson = async (url: string, role = Role.Admin) => (await t.http.get(url).set(auth(role)).expect(200)).body as Body;

  const resources: Editable[] = [
    {
      what: 'campaign', editor: Role.Manager, others: [Role.Agent, Role.Compliance],
      async make() {
        const c = await newCampaign();
        const url = `/api/campaigns/${c.id}`;
        return { url, hasGet: true, read: () => getJson(url) };
      },
      view: (c) => ({ description: c.description, lines: (c.pacing as Body).maxLinesPerAgent, busy: (c.retryRules as Body).busyRetryMinutes, record: c.recordCalls }),
      a: { description: 'edited by A', pacing: { maxLinesPerAgent: 2 }, recordCalls: true },
      aView: { description: 'edited by A', lines: 2, record: true },
      b: { description: 'edited by B', retryRules: { busyRetryMinutes: 42 } },
      bView: { description: 'edited by B', busy: 42 },
    },
    {
      what: 'script', editor: Role.Manager, others: [Role.Agent, Role.Compliance],
      async make() {
        const s = (await t.http.post('/api/scripts').set(auth(Role.Manager))
          .send({ name: uniqueName('Script'), description: 'original', sections: [{ key: 'intro', title: 'Intro', template: 'Hello {{lead.firstName}}' }] }).expect(201)).body;
        const url = `/api/scripts/${s.id}`;
        return { url, hasGet: true, read: () => getJson(url) };
      },
      view: (s) => ({ name: s.name, description: s.description }),
      a: { name: 'Script (edited by A)', description: 'A wrote this' },
      aView: { name: 'Script (edited by A)', description: 'A wrote this' },
      b: { name: 'Script (edited by B)' },
      bView: { name: 'Script (edited by B)' },
    },
    {
      what: 'objection', editor: Role.Manager, others: [Role.Agent, Role.Compliance],
      async make() {
        const c = await newCampaign();
        const o = (await t.http.post(`/api/campaigns/${c.id}/objections`).set(auth(Role.Manager))
          .send({ category: 'price', label: 'Too expensive', rebuttalTemplate: 'I understand.', sortOrder: 1 }).expect(201)).body;
        const read = async () => ((await getJson(`/api/campaigns/${c.id}/objections`)) as unknown as Body[]).find((x) => x.id === o.id)!;
        return { url: `/api/campaigns/${c.id}/objections/${o.id}`, hasGet: false, read };
      },
      view: (o) => ({ label: o.label, sortOrder: o.sortOrder, rebuttal: o.rebuttalTemplate }),
      a: { label: 'Too expensive (A)', sortOrder: 7 },
      aView: { label: 'Too expensive (A)', sortOrder: 7 },
      b: { label: 'Too expensive (B)', rebuttalTemplate: 'B says: it pays for itself.' },
      bView: { label: 'Too expensive (B)', rebuttal: 'B says: it pays for itself.' },
    },
    {
      what: 'gateway', editor: Role.Admin, others: [Role.Manager, Role.Agent, Role.Compliance],
      async make() {
        const g = (await t.http.post('/api/gateways').set(auth(Role.Admin))
          .send({ name: uniqueName('carrier'), host: 'sip.carrier.example', cpsLimit: 10, channelLimit: 100 }).expect(201)).body;
        const url = `/api/gateways/${g.id}`;
        return { url, hasGet: true, read: () => getJson(url) };
      },
      view: (g) => ({ host: g.host, cps: g.cpsLimit, channels: g.channelLimit }),
      a: { host: 'a.carrier.example', cpsLimit: 7 },
      aView: { host: 'a.carrier.example', cps: 7 },
      b: { host: 'b.carrier.example', channelLimit: 9 },
      bView: { host: 'b.carrier.example', channels: 9 },
    },
  ];

  describe.each(resources.map((r) => [r.what, r] as const))('%s', (what, r) => {
    const patch = (url: string, body: Body, ifMatch?: string) => {
      const req = t.http.patch(url).set(auth(r.editor));
      return (ifMatch === undefined ? req : req.set('If-Match', ifMatch)).send(body);
    };

    it('answers its version as `version` and, on GET and PATCH, as the ETag', async () => {
      const { url, read, hasGet } = await r.make();
      const before = await read();
      expect(before.version).toBe(1);
      if (hasGet) expect((await t.http.get(url).set(auth(r.editor)).expect(200)).headers.etag).toBe('"1"');
      const res = await patch(url, r.a, '"1"').expect(200);
      expect(res.body.version).toBe(2);
      expect(res.headers.etag).toBe('"2"');
    });

    it('of two edits based on the same version, applies exactly one: the other gets 412 naming `version`, and the row holds only the winner\'s values', async () => {
      for (let round = 0; round < 3; round++) {
        const { url, read } = await r.make();
        const before = await read();
        const etag = `"${before.version}"`;
        const [resA, resB] = await Promise.all([patch(url, r.a, etag), patch(url, r.b, etag)]);
        expect([resA.status, resB.status].sort()).toEqual([200, 412]);
        const [won, lost] = resA.status === 200 ? [resA, resB] : [resB, resA];
        expect(lost.body).toMatchObject({
          statusCode: 412, error: 'PRECONDITION_FAILED', currentVersion: (before.version as number) + 1,
          errors: [{ field: 'version', reason: expect.stringContaining('changed since it was loaded') }],
        });
        expect(lost.body.message).toContain(`the ${what} was changed by someone else`);
        const after = await read();
        expect(after.version).toBe((before.version as number) + 1);
        expect(r.view(after)).toEqual({ ...r.view(before), ...(won === resA ? r.aView : r.bView) });
        expect(r.view(won.body)).toEqual(r.view(after));
      }
    });

    it('refuses a stale version after someone else saved, and accepts the edit again once reloaded', async () => {
      const { url, read } = await r.make();
      const v1 = (await read()).version as number;
      await patch(url, r.a, `"${v1}"`).expect(200);
      const stale = await patch(url, r.b, `"${v1}"`).expect(412);
      expect(stale.body.currentVersion).toBe(v1 + 1);
      expect(r.view(await read())).toMatchObject(r.aView);
      // Reloaded: the edit based on the current version goes through.
      const reloaded = await read();
      const ok = await patch(url, r.b, `"${reloaded.version}"`).expect(200);
      expect(ok.body.version).toBe(v1 + 2);
      expect(r.view(await read())).toEqual({ ...r.view(reloaded), ...r.bView });
      // The same check through the body's `version` instead of If-Match.
      await patch(url, { ...r.a, version: v1 + 1 }).expect(412);
      await patch(url, { ...r.a, version: v1 + 2 }).expect(200);
    });

    it('still accepts an edit that names no version (older clients), and moves the version', async () => {
      const { url, read } = await r.make();
      const before = await read();
      const res = await patch(url, r.b).expect(200);
      expect(res.body.version).toBe((before.version as number) + 1);
      expect(r.view(await read())).toEqual({ ...r.view(before), ...r.bView });
    });

    it('refuses a malformed If-Match, or a body version that contradicts it, with 400 naming the field', async () => {
      const { url, read } = await r.make();
      const before = await read();
      const bad = await patch(url, r.a, 'W/"abc"').expect(400);
      expect(bad.body.errors).toEqual([{ field: 'If-Match', reason: expect.stringContaining('entity tag') }]);
      const both = await patch(url, { ...r.a, version: 5 }, '"1"').expect(400);
      expect(both.body.errors).toEqual([{ field: 'version', reason: 'is 5 but If-Match names 1' }]);
      const zero = await patch(url, { ...r.a, version: 0 }).expect(400);
      expect(zero.body.errors?.map((e: { field: string }) => e.field)).toContain('version');
      expect(await read()).toEqual(before);
    });

    it('still refuses the edit to other roles (403), with or without If-Match', async () => {
      const { url, read } = await r.make();
      const before = await read();
      for (const role of r.others) {
        await t.http.patch(url).set(auth(role)).set('If-Match', `"${before.version}"`).send(r.a).expect(403);
        await t.http.patch(url).set(auth(role)).send(r.a).expect(403);
      }
      expect(await read()).toEqual(before);
    });
  });

  it('campaign: starting or pausing it does not make an edit form opened before stale (status changes keep the version)', async () => {
    const c = await newCampaign();
    expect(c.version).toBe(1);
    await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(Role.Manager)).send({ status: 'running' }).expect(200);
    const paused = (await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(Role.Manager)).send({ status: 'paused' }).expect(200)).body;
    expect(paused.version).toBe(1);
    const res = await t.http.patch(`/api/campaigns/${c.id}`).set(auth(Role.Manager)).set('If-Match', '"1"').send({ pacing: { maxLinesPerAgent: 1.5 } }).expect(200);
    expect(res.body).toMatchObject({ status: 'paused', version: 2, pacing: { maxLinesPerAgent: 1.5 } });
    // The ETag is the edit version, not the status: a client revalidating with it still gets the current status.
    await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(Role.Manager)).send({ status: 'running' }).expect(200);
    const again = await t.http.get(`/api/campaigns/${c.id}`).set(auth(Role.Manager)).set('If-None-Match', '"2"').expect(200);
    expect(again.body).toMatchObject({ status: 'running', version: 2 });
  });

  it('campaign: replacing its lists or outcomes is an edit too (moves the version, honours If-Match)', async () => {
    const c = await newCampaign();
    const other = await insertLeadList(t.db, ['plan']);
    const put = await t.http.put(`/api/campaigns/${c.id}/lists`).set(auth(Role.Manager)).set('If-Match', '"1"').send({ lists: [{ listId: other }] }).expect(200);
    expect(put.body.version).toBe(2);
    expect(put.headers.etag).toBe('"2"');
    const stale = await t.http.put(`/api/campaigns/${c.id}/outcomes`).set(auth(Role.Manager)).set('If-Match', '"1"')
      .send({ outcomes: [{ code: 'sale', label: 'Sale', isFinal: true, isSuccess: true }, { code: 'dnc', label: 'DNC', isFinal: true, isDnc: true }] }).expect(412);
    expect(stale.body.currentVersion).toBe(2);
    expect((await getJson(`/api/campaigns/${c.id}`)).lists).toEqual([expect.objectContaining({ listId: other })]);
  });

  it('campaign: a save that sends the lists and outcomes as they are (the console sends both every time) is not an edit', async () => {
    const c = await newCampaign();
    const loaded = (await getJson(`/api/campaigns/${c.id}`)) as { version: number; lists: Body[]; outcomes: Body[] };
    const same = await t.http.patch(`/api/campaigns/${c.id}`).set(auth(Role.Manager)).set('If-Match', `"${loaded.version}"`)
      .send({
        lists: loaded.lists.map((l: Body) => ({ listId: l.listId, priority: l.priority, weight: l.weight, active: l.active })),
        outcomes: loaded.outcomes.map(({ sortOrder, ...o }: Body) => (void sortOrder, o)), // the order is the array's
      }).expect(200);
    expect(same.body.version).toBe(loaded.version);
    // so another manager's form, opened at that version, still saves
    const real = await t.http.patch(`/api/campaigns/${c.id}`).set(auth(Role.Manager)).set('If-Match', `"${loaded.version}"`).send({ description: 'real edit' }).expect(200);
    expect(real.body.version).toBe(loaded.version + 1);
    // and a changed outcome label is an edit
    const relabelled = loaded.outcomes.map(({ sortOrder, ...o }: Body, i: number) => (void sortOrder, i === 0 ? { ...o, label: `${o.label} (new)` } : o));
    const edited = await t.http.put(`/api/campaigns/${c.id}/outcomes`).set(auth(Role.Manager)).send({ outcomes: relabelled }).expect(200);
    expect(edited.body.version).toBe(loaded.version + 2);
  });

  it('campaign: the list answers each campaign\'s version', async () => {
    const c = await newCampaign();
    await t.http.patch(`/api/campaigns/${c.id}`).set(auth(Role.Manager)).send({ description: 'moved' }).expect(200);
    const list = (await t.http.get('/api/campaigns').set(auth(Role.Manager)).expect(200)).body as Body[];
    expect(list.find((x) => x.id === c.id)?.version).toBe(2);
  });

  it('script: of two new sections versions saved from the same edit version, one is kept and the other gets 412', async () => {
    const s = (await t.http.post('/api/scripts').set(auth(Role.Manager))
      .send({ name: uniqueName('Script'), sections: [{ key: 'intro', title: 'Intro', template: 'Hello' }] }).expect(201)).body;
    expect(s).toMatchObject({ version: 1, currentVersion: 1 });
    const save = (text: string) => t.http.post(`/api/scripts/${s.id}/versions`).set(auth(Role.Manager)).set('If-Match', '"1"')
      .send({ sections: [{ key: 'intro', title: 'Intro', template: text }] });
    const [a, b] = await Promise.all([save('Hello from A'), save('Hello from B')]);
    expect([a.status, b.status].sort()).toEqual([201, 412]);
    const won = a.status === 201 ? 'Hello from A' : 'Hello from B';
    const after = await getJson(`/api/scripts/${s.id}`);
    expect(after).toMatchObject({ version: 2, currentVersion: 2, current: { sections: [expect.objectContaining({ template: won })] } });
    expect((await getJson(`/api/scripts/${s.id}/versions`)) as unknown as Body[]).toHaveLength(2);
  });

  it('objection: deleting (deactivating) and restoring it are edits: an edit form opened before gets 412', async () => {
    const c = await newCampaign();
    const o = (await t.http.post(`/api/campaigns/${c.id}/objections`).set(auth(Role.Manager))
      .send({ category: 'time', label: 'No time', rebuttalTemplate: 'Two minutes.' }).expect(201)).body;
    await t.http.delete(`/api/campaigns/${c.id}/objections/${o.id}`).set(auth(Role.Manager)).expect(204);
    const stale = await t.http.patch(`/api/campaigns/${c.id}/objections/${o.id}`).set(auth(Role.Manager)).set('If-Match', `"${o.version}"`).send({ label: 'No time!' }).expect(412);
    expect(stale.body.currentVersion).toBe(o.version + 1);
    const restored = await t.http.patch(`/api/campaigns/${c.id}/objections/${o.id}`).set(auth(Role.Manager)).set('If-Match', `"${o.version + 1}"`).send({ active: true }).expect(200);
    expect(restored.body).toMatchObject({ active: true, label: 'No time', version: o.version + 2 });
  });
});
