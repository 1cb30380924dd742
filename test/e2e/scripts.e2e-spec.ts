import { ScriptsService } from '../../src/modules/scripts/scripts.service';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { insertLead, insertLeadList, uniqueName } from './campaigns-fixtures';

const english = [
  {
    key: 'greeting', title: 'Greeting',
    template: 'Hello {{properName lead.firstName}}, this is {{agent.name}} calling from {{campaign.name}}. Is now a good time?',
    branches: [{ label: 'Yes', goto: 'qualify' }, { label: 'No, call later', goto: 'goodbye' }],
  },
  {
    key: 'qualify', title: 'Qualify',
    template: '{{#if lead.custom.plan}}I see you are on our {{lead.custom.plan}} plan.{{else}}Are you with another provider today?{{/if}}',
    branches: [{ label: 'Continue', goto: 'pitch' }],
  },
  { key: 'pitch', title: 'Pitch', template: 'Renew before {{formatDate lead.custom.renewalDate format="long"}} and pay {{formatMoney lead.custom.price currency="USD"}}.' },
  { key: 'objections', title: 'Objections', template: 'Listen, acknowledge, answer.' },
  { key: 'close', title: 'Close', template: 'Shall I renew it for you, {{lead.firstName}}?', branches: [{ label: 'Done', goto: 'goodbye' }] },
  { key: 'goodbye', title: 'Goodbye', template: 'Thank you for your time. Goodbye!' },
];

const chinese = [
  { key: 'greeting', title: '问候', template: '{{lead.lastName}}{{lead.firstName}}您好，我是{{campaign.name}}的{{agent.name}}。', branches: [{ label: '继续', goto: 'pitch' }] },
  { key: 'pitch', title: '介绍', template: '您的{{lead.custom.套餐}}将于{{formatDate lead.custom.到期日 format="long" locale="zh-CN" tz="Asia/Shanghai"}}到期，续费仅需{{formatMoney lead.custom.价格 currency="CNY" locale="zh-CN"}}。' },
  { key: 'goodbye', title: '结束', template: '感谢您的时间，再见！' },
];

describe('scripts (HTTP)', () => {
  let t: TestApp;
  let manager: string;
  let listEn: string;
  let listZh: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    manager = await t.tokenFor(Role.Manager);
    listEn = await insertLeadList(t.db, ['plan', 'renewalDate', 'price']);
    listZh = await insertLeadList(t.db, ['套餐', '到期日', '价格']);
  });
  afterAll(() => t.close());

  const campaignWith = async (listId: string, scriptId?: string) =>
    (await t.http.post('/api/campaigns').set(auth(manager))
      .send({ name: uniqueName('Script campaign'), lists: [{ listId }], scriptId, callerId: '+14155550123' }).expect(201)).body;

  it('creates an English script, attaches it to a campaign and previews it with a real lead\'s custom fields', async () => {
    const { body: s } = await t.http.post('/api/scripts').set(auth(manager)).send({ name: uniqueName('Renewal'), sections: english }).expect(201);
    expect(s.currentVersion).toBe(1);
    expect(s.current.sections.map((x: { key: string }) => x.key)).toEqual(['greeting', 'qualify', 'pitch', 'objections', 'close', 'goodbye']);
    const campaign = await campaignWith(listEn, s.id);
    expect(campaign.scriptId).toBe(s.id);
    const leadId = await insertLead(t.db, listEn, {
      firstName: 'mary-jane', lastName: 'Watson', timezone: 'America/New_York',
      custom: { plan: '<Gold & Silver>', renewalDate: '2026-03-01T15:00:00Z', price: 49.9 },
    });
    const res = await t.http.post(`/api/scripts/${s.id}/preview`).set(auth(manager)).send({ leadId }).expect(200);
    const html = Object.fromEntries(res.body.sections.map((x: { key: string; html: string }) => [x.key, x.html]));
    expect(html.greeting).toBe(`Hello Mary-Jane, this is Test manager calling from ${campaign.name}. Is now a good time?`);
    expect(html.qualify).toBe('I see you are on our &lt;Gold &amp; Silver&gt; plan.');
    expect(html.pitch).toBe('Renew before March 1, 2026 and pay $49.90.');
    expect(res.body.sections[0].branches).toEqual([{ label: 'Yes', goto: 'qualify' }, { label: 'No, call later', goto: 'goodbye' }]);
    expect(res.body.scriptVersionId).toBe(s.current.id);

    const sample = await t.http.post(`/api/scripts/${s.id}/preview`).set(auth(manager))
      .send({ lead: { firstName: 'bob', custom: {} } }).expect(200);
    expect(sample.body.sections[1].html).toBe('Are you with another provider today?');
    expect(sample.body.sections[0].html).toMatch(/^Hello Bob,/);
  });

  it('renders a Chinese script with Chinese custom field names', async () => {
    const { body: s } = await t.http.post('/api/scripts').set(auth(manager)).send({ name: uniqueName('续费话术'), sections: chinese }).expect(201);
    const campaign = await campaignWith(listZh, s.id);
    const leadId = await insertLead(t.db, listZh, { firstName: '小明', lastName: '王', custom: { 套餐: '金卡', 到期日: '2026-03-01T20:00:00Z', 价格: 199 } });
    const res = await t.http.post(`/api/scripts/${s.id}/preview`).set(auth(manager)).send({ leadId, campaignId: campaign.id }).expect(200);
    expect(res.body.sections[0].html).toBe(`王小明您好，我是${campaign.name}的Test manager。`);
    expect(res.body.sections[1].html).toBe('您的金卡将于2026年3月2日到期，续费仅需¥199.00。');
    expect(res.body.sections.map((x: { title: string }) => x.title)).toEqual(['问候', '介绍', '结束']);
  });

  it('rejects template errors with 400 giving section, line and column', async () => {
    const sections = [
      { key: 'greeting', title: 'Greeting', template: 'Hello {{lead.firstName}},\nthis is {{agent.name}} {{#if lead.firstName}}x' },
      { key: 'pitch', title: 'Pitch', template: 'Price:\n  {{{lead.custom.price}}} {{lookup lead "x"}}', branches: [{ label: 'Go', goto: 'closing' }] },
    ];
    const res = await t.http.post('/api/scripts').set(auth(manager)).send({ name: uniqueName('Broken'), sections }).expect(400);
    expect(res.body.errors).toEqual([
      { field: 'sections[0].template', section: 'greeting', line: 2, column: expect.any(Number), reason: expect.stringMatching(/^syntax error/) },
      { field: 'sections[1].branches[0].goto', section: 'pitch', reason: 'no section with key "closing"' },
      { field: 'sections[1].template', section: 'pitch', line: 2, column: 3, reason: 'unescaped output ({{{ }}} or {{& }}) is not allowed; use {{ }}' },
      { field: 'sections[1].template', section: 'pitch', line: 2, column: 27, reason: expect.stringMatching(/^unknown helper "lookup"/) },
    ]);
    expect(res.body.message).toMatch(/section greeting, line 2/);
  });

  it('checks variables against the custom fields of the lists of the campaigns using the script', async () => {
    const { body: s } = await t.http.post('/api/scripts').set(auth(manager)).send({ name: uniqueName('Vars'), sections: english }).expect(201);
    await campaignWith(listEn, s.id);
    const edited = english.map((x) => (x.key === 'pitch' ? { ...x, template: 'Hi {{lead.firstName}}!\nYour {{lead.custom.colour}} car, {{lead.email}}' } : x));
    const res = await t.http.post(`/api/scripts/${s.id}/versions`).set(auth(manager)).send({ sections: edited }).expect(400);
    expect(res.body.errors).toEqual([
      {
        field: 'sections[2].template', section: 'pitch', line: 2, column: 8,
        reason: 'unknown variable lead.custom.colour: no attached lead list has a custom field "colour" (known: plan, price, renewalDate)',
      },
      { field: 'sections[2].template', section: 'pitch', line: 2, column: 36, reason: expect.stringMatching(/^unknown variable lead\.email; known: lead\.firstName/) },
    ]);
    // a campaign whose lists lack the script's fields cannot adopt it
    const other = await campaignWith(listZh);
    const adopt = await t.http.patch(`/api/campaigns/${other.id}`).set(auth(manager)).send({ scriptId: s.id }).expect(400);
    expect(adopt.body.errors[0]).toMatchObject({ field: 'scriptId', section: 'qualify', line: 1, column: 7 });
    expect(adopt.body.errors[0].reason).toMatch(/lead\.custom\.plan: no attached lead list has a custom field "plan"/);
  });

  it('saves every edit as a new immutable version and keeps old versions readable', async () => {
    const { body: s } = await t.http.post('/api/scripts').set(auth(manager)).send({ name: uniqueName('Versions'), sections: english }).expect(201);
    const v1 = s.current;
    const edited = english.map((x) => (x.key === 'greeting' ? { ...x, template: 'Good morning {{lead.firstName}}!' } : x));
    const { body: s2 } = await t.http.post(`/api/scripts/${s.id}/versions`).set(auth(manager)).send({ sections: edited }).expect(201);
    expect(s2.currentVersion).toBe(2);
    expect(s2.current.id).not.toBe(v1.id);
    const old = (await t.http.get(`/api/scripts/${s.id}/versions/1`).set(auth(manager)).expect(200)).body;
    expect(old).toEqual(v1);
    const all = (await t.http.get(`/api/scripts/${s.id}/versions`).set(auth(manager)).expect(200)).body;
    expect(all.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    // preview an old version on request
    const p1 = await t.http.post(`/api/scripts/${s.id}/preview`).set(auth(manager)).send({ version: 1, lead: { firstName: 'Ann' } }).expect(200);
    expect(p1.body.sections[0].html).toMatch(/^Hello Ann,/);
    const p2 = await t.http.post(`/api/scripts/${s.id}/preview`).set(auth(manager)).send({ lead: { firstName: 'Ann' } }).expect(200);
    expect(p2.body.sections[0].html).toBe('Good morning Ann!');
    // the database refuses to change a saved version
    await expect(t.db.query('UPDATE script_versions SET sections = $1::jsonb WHERE id = $2', ['[]', v1.id])).rejects.toThrow(/append-only/);

    // the dialer renders by script id (current version) or by an exact version id
    const svc = t.app.get(ScriptsService);
    const lead = { firstName: 'Lee', customFields: { plan: 'Basic' } };
    const byScript = await svc.renderForCall(s.id, lead, { displayName: 'Agent Smith' }, { name: 'C' });
    expect(byScript).toMatchObject({ scriptVersionId: s2.current.id, version: 2 });
    expect(byScript.sections[0].html).toBe('Good morning Lee!');
    const byVersion = await svc.renderForCall(v1.id, lead, { displayName: 'Agent Smith' }, { name: 'C' });
    expect(byVersion).toMatchObject({ scriptVersionId: v1.id, version: 1 });
    expect(byVersion.sections[0].html).toBe('Hello Lee, this is Agent Smith calling from C. Is now a good time?');
  });

  it('validates the script body shape', async () => {
    const res = await t.http.post('/api/scripts').set(auth(manager))
      .send({ name: '', sections: [{ key: 'Greeting!', title: 'x', template: 'x' }, { key: 'a', title: 'a', template: 'a' }, { key: 'a', title: 'b', template: 'b' }] })
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['name', 'sections.0.key']));
    const dup = await t.http.post('/api/scripts').set(auth(manager))
      .send({ name: 'dup', sections: [{ key: 'a', title: 'a', template: 'a' }, { key: 'a', title: 'b', template: 'b' }] }).expect(400);
    expect(dup.body.errors).toEqual([{ field: 'sections[1].key', section: 'a', reason: 'section key "a" is used twice' }]);
    await t.http.post('/api/scripts').set(auth(manager)).send({ name: 'empty', sections: [] }).expect(400);
  });

  it('records in the compliance data-access log which manager previewed the script with which lead (a sample lead is not recorded)', async () => {
    const managerUser = await t.userFor(Role.Manager);
    const compliance = await t.tokenFor(Role.Compliance);
    const { body: s } = await t.http.post('/api/scripts').set(auth(manager)).send({ name: uniqueName('Audit'), sections: english }).expect(201);
    const campaign = await campaignWith(listEn, s.id);
    const leadId = await insertLead(t.db, listEn, { firstName: 'Pat', lastName: 'Private', custom: { plan: 'Gold' } });
    const [{ phone }] = await t.db.query('SELECT phone FROM leads WHERE id = $1', [leadId]);
    const since = new Date().toISOString();
    const res = await t.http.post(`/api/scripts/${s.id}/preview`).set(auth(manager)).send({ leadId }).expect(200);
    expect(res.body.sections[0].html).toMatch(/^Hello Pat,/);
    await t.http.post(`/api/scripts/${s.id}/preview`).set(auth(manager)).send({ lead: { firstName: 'Sample' } }).expect(200);
    await t.http.post(`/api/scripts/${s.id}/preview`).set(auth(manager)).send({ leadId: '999999999' }).expect(404);

    const log = await t.http.get('/api/compliance/log/events').query({ type: 'data_access', agentId: managerUser.id, from: since }).set(auth(compliance)).expect(200);
    expect(log.body.items).toEqual([
      expect.objectContaining({
        type: 'data_access', reasonCode: 'script_preview', actorUserId: managerUser.id, actorName: 'Test manager', leadId, phone, campaignId: campaign.id,
        details: { role: 'manager', scriptId: s.id, version: 1 },
      }),
    ]);
  });

  it('refuses PATCH {name: null} with 400 naming the field and leaves the script unchanged; null still clears the description', async () => {
    const { body: s } = await t.http.post('/api/scripts').set(auth(manager)).send({ name: uniqueName('Nulls'), description: 'renewals', sections: english }).expect(201);
    const [before] = await t.db.query('SELECT * FROM scripts WHERE id = $1', [s.id]);
    const res = await t.http.patch(`/api/scripts/${s.id}`).set(auth(manager)).send({ name: null });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([{ field: 'name', reason: 'must not be null' }]));
    expect((await t.db.query('SELECT * FROM scripts WHERE id = $1', [s.id]))[0]).toEqual(before);

    const cleared = await t.http.patch(`/api/scripts/${s.id}`).set(auth(manager)).send({ description: null }).expect(200);
    expect(cleared.body).toMatchObject({ name: s.name, description: null });
  });

  it('gives agents 403 on script management and lets compliance only read', async () => {
    const { body: s } = await t.http.post('/api/scripts').set(auth(manager)).send({ name: uniqueName('Roles'), sections: english }).expect(201);
    const agent = await t.tokenFor(Role.Agent);
    const compliance = await t.tokenFor(Role.Compliance);
    await t.http.get('/api/scripts').set(auth(agent)).expect(403);
    await t.http.get(`/api/scripts/${s.id}`).set(auth(agent)).expect(403);
    await t.http.post('/api/scripts').set(auth(agent)).send({ name: 'x', sections: english }).expect(403);
    await t.http.post(`/api/scripts/${s.id}/versions`).set(auth(agent)).send({ sections: english }).expect(403);
    await t.http.post(`/api/scripts/${s.id}/preview`).set(auth(agent)).send({}).expect(403);
    await t.http.get(`/api/scripts/${s.id}/versions/1`).set(auth(compliance)).expect(200);
    await t.http.post(`/api/scripts/${s.id}/versions`).set(auth(compliance)).send({ sections: english }).expect(403);
    const admin = await t.tokenFor(Role.Admin);
    await t.http.post(`/api/scripts/${s.id}/versions`).set(auth(admin)).send({ sections: english }).expect(201);
  });
});
