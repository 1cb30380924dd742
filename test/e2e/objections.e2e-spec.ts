import { DomainError } from '../../src/common/errors/domain-error';
import { ObjectionsService } from '../../src/modules/scripts/objections.service';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { insertLead, insertLeadList, uniqueName } from './campaigns-fixtures';

describe('objections (HTTP)', () => {
  let t: TestApp;
  let manager: string;
  let listId: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    manager = await t.tokenFor(Role.Manager);
    listId = await insertLeadList(t.db, ['plan', 'price', '城市']);
  });
  afterAll(() => t.close());

  const newCampaign = async () =>
    (await t.http.post('/api/campaigns').set(auth(manager)).send({ name: uniqueName('Objections'), lists: [{ listId }], callerId: '+14155550123' }).expect(201)).body;
  const newObjection = async (campaignId: string, body: object) =>
    (await t.http.post(`/api/campaigns/${campaignId}/objections`).set(auth(manager)).send(body).expect(201)).body;

  it('keeps a library per campaign and renders rebuttals like the script (English and Chinese)', async () => {
    const c = await newCampaign();
    const price = await newObjection(c.id, {
      category: 'price', label: 'Too expensive', sortOrder: 1,
      rebuttalTemplate: 'I understand, {{lead.firstName}}. On the {{lead.custom.plan}} plan you pay {{formatMoney lead.custom.price currency="USD"}}.',
    });
    await newObjection(c.id, { category: '时间', label: '没时间', sortOrder: 2, rebuttalTemplate: '{{lead.lastName}}先生，我只占用您两分钟，{{lead.custom.城市}}的客户都很满意。' });
    expect(price).toMatchObject({ campaignId: c.id, category: 'price', active: true });

    const leadId = await insertLead(t.db, listId, { firstName: 'Sam', lastName: '李', custom: { plan: 'Gold', price: 19.5, 城市: '上海' } });
    const res = await t.http.post(`/api/campaigns/${c.id}/objections/preview`).set(auth(manager)).send({ leadId }).expect(200);
    expect(res.body.map((o: { label: string; rebuttalHtml: string }) => [o.label, o.rebuttalHtml])).toEqual([
      ['Too expensive', 'I understand, Sam. On the Gold plan you pay $19.50.'],
      ['没时间', '李先生，我只占用您两分钟，上海的客户都很满意。'],
    ]);
  });

  it('records in the compliance data-access log which manager previewed the rebuttals with which lead (a sample lead is not recorded)', async () => {
    const managerUser = await t.userFor(Role.Manager);
    const compliance = await t.tokenFor(Role.Compliance);
    const c = await newCampaign();
    await newObjection(c.id, { category: 'price', label: 'Too expensive', rebuttalTemplate: 'I understand, {{lead.firstName}}.' });
    const leadId = await insertLead(t.db, listId, { firstName: 'Pat', lastName: 'Private' });
    const [{ phone }] = await t.db.query('SELECT phone FROM leads WHERE id = $1', [leadId]);
    const since = new Date().toISOString();
    const res = await t.http.post(`/api/campaigns/${c.id}/objections/preview`).set(auth(manager)).send({ leadId }).expect(200);
    expect(res.body[0].rebuttalHtml).toBe('I understand, Pat.');
    await t.http.post(`/api/campaigns/${c.id}/objections/preview`).set(auth(manager)).send({ lead: { firstName: 'Sample' } }).expect(200);
    await t.http.post(`/api/campaigns/${c.id}/objections/preview`).set(auth(manager)).send({ leadId: '999999999' }).expect(404);

    const log = await t.http.get('/api/compliance/log/events').query({ type: 'data_access', agentId: managerUser.id, from: since }).set(auth(compliance)).expect(200);
    expect(log.body.items).toEqual([
      expect.objectContaining({
        type: 'data_access', reasonCode: 'objection_preview', actorUserId: managerUser.id, actorName: 'Test manager', leadId, phone, campaignId: c.id,
        details: { role: 'manager' },
      }),
    ]);
  });

  it('rejects a bad rebuttal template with line and column, and unknown custom fields', async () => {
    const c = await newCampaign();
    let res = await t.http.post(`/api/campaigns/${c.id}/objections`).set(auth(manager))
      .send({ category: 'price', label: 'x', rebuttalTemplate: 'Fine.\nBut {{lead.custom.colour}} and {{{lead.firstName}}}' }).expect(400);
    expect(res.body.errors).toEqual([
      { field: 'rebuttalTemplate', line: 2, column: 7, reason: 'unknown variable lead.custom.colour: no attached lead list has a custom field "colour" (known: plan, price, 城市)' },
      { field: 'rebuttalTemplate', line: 2, column: 32, reason: 'unescaped output ({{{ }}} or {{& }}) is not allowed; use {{ }}' },
    ]);
    res = await t.http.post(`/api/campaigns/${c.id}/objections`).set(auth(manager)).send({ category: '', label: 'x', rebuttalTemplate: '{{#if}}' }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['category']);
  });

  it('records objections on calls, checks they belong to the call\'s campaign, and reports stats per campaign and script version', async () => {
    const c = await newCampaign();
    const other = await newCampaign();
    const price = await newObjection(c.id, { category: 'price', label: 'Too expensive', rebuttalTemplate: 'Value.' });
    const time = await newObjection(c.id, { category: 'time', label: 'No time', rebuttalTemplate: 'Two minutes.' });
    const email = await newObjection(c.id, { category: 'info', label: 'Send me an e-mail', rebuttalTemplate: 'Sure.' });
    const foreign = await newObjection(other.id, { category: 'x', label: 'Other campaign', rebuttalTemplate: 'x' });
    const section = [{ key: 'greeting', title: 'G', template: 'Hi' }];
    const { body: script } = await t.http.post('/api/scripts').set(auth(manager)).send({ name: uniqueName('S'), sections: section }).expect(201);
    const v1 = script.current.id;
    const v2 = (await t.http.post(`/api/scripts/${script.id}/versions`).set(auth(manager)).send({ sections: section }).expect(201)).body.current.id;
    const agent = await t.userFor(Role.Agent);

    const call = async (versionId: string, outcome: string) => {
      const leadId = await insertLead(t.db, listId, { firstName: 'L' });
      const [row] = await t.db.query(
        `INSERT INTO calls (campaign_id, lead_id, phone, dial_mode, state, agent_id, script_version_id, connect_at, end_at)
         SELECT $1, id, phone, 'progressive', 'dispositioned', $2, $3, now(), now() FROM leads WHERE id = $4 RETURNING id`,
        [c.id, agent.id, versionId, leadId],
      );
      await t.db.query('INSERT INTO dispositions (call_id, campaign_id, lead_id, agent_id, outcome) VALUES ($1, $2, $3, $4, $5)', [row.id, c.id, leadId, agent.id, outcome]);
      return row.id as string;
    };
    const svc = t.app.get(ObjectionsService);
    const c1 = await call(v1, 'sale');
    const c2 = await call(v1, 'not_interested');
    const c3 = await call(v2, 'sale');
    await call(v2, 'sale');
    const c5 = await call(v2, 'not_interested');
    await svc.recordForCall(c1, agent.id, [{ objectionId: price.id, overcome: true }, { objectionId: time.id, overcome: false }]);
    await svc.recordForCall(c2, agent.id, [{ objectionId: price.id, overcome: true }]);
    // recording again corrects the earlier entry instead of adding one
    expect(await svc.recordForCall(c2, agent.id, [{ objectionId: price.id, overcome: false }])).toEqual([{ objectionId: price.id, overcome: false }]);
    await svc.recordForCall(c3, agent.id, [{ objectionId: price.id, overcome: true }]);
    await svc.recordForCall(c5, agent.id, [{ objectionId: time.id, overcome: true }]);

    const refused = await svc.recordForCall(c1, agent.id, [{ objectionId: foreign.id, overcome: true }]).catch((e) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused.errors).toEqual([{ field: 'objections[0].objectionId', reason: "does not belong to this call's campaign" }]);

    const { body: stats } = await t.http.get(`/api/campaigns/${c.id}/objections/stats`).set(auth(manager)).expect(200);
    expect(stats.handledCalls).toBe(5);
    const pick = (rows: { objectionId: string }[], id: string) => rows.find((r) => r.objectionId === id);
    expect(pick(stats.objections, price.id)).toMatchObject({ raised: 3, frequencyPct: 60, overcome: 2, overcomeRatePct: 66.7, converted: 2, conversionRatePct: 66.7 });
    expect(pick(stats.objections, time.id)).toMatchObject({ raised: 2, frequencyPct: 40, overcome: 1, overcomeRatePct: 50, converted: 1, conversionRatePct: 50 });
    expect(pick(stats.objections, email.id)).toMatchObject({ raised: 0, frequencyPct: 0, overcomeRatePct: null, conversionRatePct: null });
    expect(stats.objections[0].objectionId).toBe(price.id);

    const byV = Object.fromEntries(stats.byScriptVersion.map((v: { version: number }) => [v.version, v]));
    expect(byV[1]).toMatchObject({ scriptVersionId: v1, scriptId: script.id, handledCalls: 2 });
    expect(pick(byV[1].objections, price.id)).toMatchObject({ raised: 2, frequencyPct: 100, overcomeRatePct: 50, conversionRatePct: 50 });
    expect(pick(byV[2].objections, time.id)).toMatchObject({ raised: 1, frequencyPct: 33.3, overcomeRatePct: 100, conversionRatePct: 0 });

    const { body: onlyV2 } = await t.http.get(`/api/campaigns/${c.id}/objections/stats?scriptVersionId=${v2}`).set(auth(manager)).expect(200);
    expect(onlyV2.handledCalls).toBe(3);
    expect(pick(onlyV2.objections, price.id)).toMatchObject({ raised: 1, overcome: 1, converted: 1 });
    await t.http.get(`/api/campaigns/${c.id}/objections/stats?scriptVersionId=nope`).set(auth(manager)).expect(400);
  });

  // Every column of an objection is NOT NULL; null used to reach the database (or the template check) and answer 500.
  it.each(['category', 'label', 'rebuttalTemplate', 'sortOrder', 'active'])(
    'refuses PATCH {%s: null} with 400 naming the field, and leaves the objection unchanged',
    async (field) => {
      const c = await newCampaign();
      const o = await newObjection(c.id, { category: 'price', label: 'Too expensive', rebuttalTemplate: 'Value.', sortOrder: 3 });
      const [before] = await t.db.query('SELECT * FROM objections WHERE id = $1', [o.id]);
      const res = await t.http.patch(`/api/campaigns/${c.id}/objections/${o.id}`).set(auth(manager)).send({ [field]: null });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field, reason: 'must not be null' }]));
      expect((await t.db.query('SELECT * FROM objections WHERE id = $1', [o.id]))[0]).toEqual(before);
    },
  );

  it('deactivates instead of deleting, and keeps agents and compliance off the management endpoints', async () => {
    const c = await newCampaign();
    const o = await newObjection(c.id, { category: 'price', label: 'Too expensive', rebuttalTemplate: 'Value.' });
    const agent = await t.tokenFor(Role.Agent);
    const compliance = await t.tokenFor(Role.Compliance);
    await t.http.get(`/api/campaigns/${c.id}/objections`).set(auth(agent)).expect(403);
    await t.http.post(`/api/campaigns/${c.id}/objections`).set(auth(agent)).send({ category: 'a', label: 'b', rebuttalTemplate: 'c' }).expect(403);
    await t.http.patch(`/api/campaigns/${c.id}/objections/${o.id}`).set(auth(agent)).send({ label: 'x' }).expect(403);
    await t.http.get(`/api/campaigns/${c.id}/objections/stats`).set(auth(agent)).expect(403);
    await t.http.post(`/api/campaigns/${c.id}/objections/preview`).set(auth(agent)).send({}).expect(403);
    await t.http.get(`/api/campaigns/${c.id}/objections`).set(auth(compliance)).expect(200);
    await t.http.post(`/api/campaigns/${c.id}/objections`).set(auth(compliance)).send({ category: 'a', label: 'b', rebuttalTemplate: 'c' }).expect(403);

    const upd = await t.http.patch(`/api/campaigns/${c.id}/objections/${o.id}`).set(auth(manager)).send({ label: 'Price too high', rebuttalTemplate: 'Hi {{lead.custom.nope}}' }).expect(400);
    expect(upd.body.errors[0]).toMatchObject({ field: 'rebuttalTemplate', line: 1, column: 6 });
    await t.http.delete(`/api/campaigns/${c.id}/objections/${o.id}`).set(auth(manager)).expect(204);
    const list = (await t.http.get(`/api/campaigns/${c.id}/objections`).set(auth(manager)).expect(200)).body;
    expect(list).toEqual([expect.objectContaining({ id: o.id, active: false, label: 'Too expensive' })]);
    const preview = (await t.http.post(`/api/campaigns/${c.id}/objections/preview`).set(auth(manager)).send({}).expect(200)).body;
    expect(preview).toEqual([]);
  });
});
