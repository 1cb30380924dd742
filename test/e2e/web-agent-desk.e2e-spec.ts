import { Role } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';
import { createTestApp, TestApp } from '../setup/test-app';

/** The agent desk composes the dialer's current call with the script and objections rendered for its lead. */
describe('web: agent desk', () => {
  let t: TestApp;
  let campaignId: string;
  let callId: string;
  let objectionId: string;
  let agent: { id: string; token: string };
  beforeAll(async () => {
    t = await createTestApp();
    agent = await t.userFor(Role.Agent);
    const manager = await t.tokenFor(Role.Manager);
    const auth = { Authorization: `Bearer ${manager}` };
    const script = await t.http.post('/api/scripts').set(auth).send({
      name: 'Desk script',
      sections: [
        { key: 'greeting', title: 'Greeting', template: 'Hello {{lead.firstName}}, this is {{agent.firstName}}.', branches: [{ label: 'Interested', goto: 'pitch' }] },
        { key: 'pitch', title: 'Pitch', template: '<b>Offer</b> for {{lead.lastName}}' },
        { key: 'close', title: 'Close', template: 'Prices for {{lead.country}} include tax.' },
      ],
    }).expect(201);
    const campaign = await t.http.post('/api/campaigns').set(auth).send({ name: 'Desk campaign', scriptId: script.body.id }).expect(201);
    campaignId = campaign.body.id;
    const obj = await t.http.post(`/api/campaigns/${campaignId}/objections`).set(auth).send({ category: 'price', label: 'Too expensive', rebuttalTemplate: 'I hear you, {{lead.firstName}} ({{lead.country}}).' }).expect(201);
    objectionId = obj.body.id;
    const [list] = await t.db.query(`INSERT INTO lead_lists (name) VALUES ('desk list') RETURNING id`);
    const [lead] = await t.db.query(`INSERT INTO leads (list_id, phone, country, first_name, last_name, timezone) VALUES ($1, '+12126430111', 'GB', 'Mei', 'O''Brien <i>', 'UTC') RETURNING id`, [list.id]);
    const [call] = await t.db.query(
      `INSERT INTO calls (campaign_id, lead_id, phone, dial_mode, state, agent_id, answer_type, answer_at, connect_at)
       VALUES ($1, $2, '+12126430111', 'progressive', 'connected', $3, 'human', now(), now()) RETURNING id`,
      [campaignId, lead.id, agent.id],
    );
    callId = call.id;
  });
  afterAll(() => t.close());

  const asAgent = (req: ReturnType<TestApp['http']['get']>) => req.set('Authorization', `Bearer ${agent.token}`);

  it('gives the agent the lead of their current call with the script and rebuttals rendered for it', async () => {
    const res = await asAgent(t.http.get('/api/web/agent/desk')).expect(200);
    expect(res.body.call.id).toBe(callId);
    expect(res.body.lead).toMatchObject({ firstName: 'Mei', lastName: "O'Brien <i>" });
    expect(res.body.script.sections[0]).toEqual({ key: 'greeting', title: 'Greeting', html: 'Hello Mei, this is Test.', branches: [{ label: 'Interested', goto: 'pitch' }] });
    // Lead values are escaped; the template's own markup is the manager's (the page keeps only plain formatting tags).
    expect(res.body.script.sections[1].html).toBe('<b>Offer</b> for O&#x27;Brien &lt;i&gt;');
    // The lead's country, which the dialer's current call does not carry, as the manager's preview renders it.
    expect(res.body.script.sections[2].html).toBe('Prices for GB include tax.');
    expect(res.body.objections).toEqual([{ id: objectionId, category: 'price', label: 'Too expensive', rebuttalHtml: 'I hear you, Mei (GB).' }]);
    expect(res.body.outcomes.map((o: { code: string }) => o.code)).toContain('sale');
    // The call now records the script version its agent saw.
    const [row] = await t.db.query('SELECT script_version_id FROM calls WHERE id = $1', [callId]);
    expect(row.script_version_id).toBe(res.body.script.scriptVersionId);
  });

  it('shows another agent nothing of this call, and refuses them its objections as not found', async () => {
    const email = `other-agent-${Date.now()}@test.local`;
    await t.app.get(UsersService).upsert(email, 'Other Agent', Role.Agent, 'correct horse battery staple');
    const login = await t.http.post('/api/auth/login').send({ email, password: 'correct horse battery staple' }).expect(200);
    const other = { Authorization: `Bearer ${login.body.accessToken}` };
    const desk = await t.http.get('/api/web/agent/desk').set(other).expect(200);
    expect(desk.body).toMatchObject({ call: null, lead: null, script: null, objections: [] });
    await t.http.post(`/api/web/agent/calls/${callId}/objections`).set(other).send({ objections: [{ objectionId, overcome: true }] }).expect(404);
  });

  it('records objections raised and overcome on the agent’s own call', async () => {
    await asAgent(t.http.post(`/api/web/agent/calls/${callId}/objections`)).send({ objections: [{ objectionId, overcome: false }] }).expect(200);
    const again = await asAgent(t.http.post(`/api/web/agent/calls/${callId}/objections`)).send({ objections: [{ objectionId, overcome: true }] }).expect(200);
    expect(again.body).toEqual([{ objectionId, overcome: true }]);
    const desk = await asAgent(t.http.get('/api/web/agent/desk')).expect(200);
    // With its label: the desk page lists the raised objections after a reload from this alone.
    expect(desk.body.raisedObjections).toEqual([{ objectionId, label: 'Too expensive', overcome: true }]);
  });

  it('lists only the agent’s own pending callbacks (name, no number) and the running campaigns', async () => {
    const [lead] = await t.db.query('SELECT lead_id FROM calls WHERE id = $1', [callId]);
    const email = `cb-agent-${Date.now()}@test.local`;
    const someoneElse = await t.app.get(UsersService).upsert(email, 'Someone Else', Role.Agent, 'correct horse battery staple');
    const due = new Date(Date.now() + 3_600_000);
    await t.db.query(
      `INSERT INTO callbacks (campaign_id, lead_id, owner_agent_id, scope, due_at) VALUES ($1, $2, $3, 'agent', $4), ($1, $2, $5, 'agent', $4)`,
      [campaignId, lead.lead_id, agent.id, due, someoneElse.id],
    );
    const res = await asAgent(t.http.get('/api/web/agent/callbacks')).expect(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({ campaignId, campaignName: 'Desk campaign', scope: 'agent', lead: { firstName: 'Mei', lastName: "O'Brien <i>" } });
    expect(JSON.stringify(res.body)).not.toContain('+1212');
    const campaigns = await asAgent(t.http.get('/api/web/agent/campaigns')).expect(200);
    expect(campaigns.body.find((c: { id: string }) => c.id === campaignId)).toBeUndefined(); // a draft is not offered
  });

  it("gives a timed preview's time left by the server's clock (the page counts it down on its own clock, whatever the PC's time)", async () => {
    expect((await asAgent(t.http.get('/api/web/agent/desk')).expect(200)).body.call.previewRemainingMs).toBeNull(); // connected: no limit
    const email = `preview-agent-${Date.now()}@test.local`;
    const previewer = await t.app.get(UsersService).upsert(email, 'Preview Agent', Role.Agent, 'correct horse battery staple');
    const login = await t.http.post('/api/auth/login').send({ email, password: 'correct horse battery staple' }).expect(200);
    await t.db.query(`UPDATE campaigns SET dial_mode = 'preview', preview_time_limit_s = 600, preview_timeout_action = 'skip' WHERE id = $1`, [campaignId]);
    const [lead] = await t.db.query(
      `INSERT INTO leads (list_id, phone, first_name, timezone) SELECT list_id, '+12126430112', 'Ines', 'UTC' FROM leads WHERE id = (SELECT lead_id FROM calls WHERE id = $1) RETURNING id`,
      [callId],
    );
    await t.db.query(
      `INSERT INTO calls (campaign_id, lead_id, phone, dial_mode, state, agent_id, queued_at, preview_expires_at, preview_timeout_action)
       VALUES ($1, $2, '+12126430112', 'preview', 'preview', $3, now() - interval '100 seconds', now() + interval '500 seconds', 'skip')`,
      [campaignId, lead.id, previewer.id],
    );
    const res = await t.http.get('/api/web/agent/desk').set('Authorization', `Bearer ${login.body.accessToken}`).expect(200);
    expect(res.body.call).toMatchObject({ state: 'preview', previewTimeoutAction: 'skip' });
    expect(res.body.call.previewRemainingMs).toBeGreaterThan(495_000);
    expect(res.body.call.previewRemainingMs).toBeLessThanOrEqual(500_000);
  });

  it.each([Role.Manager, Role.Compliance, Role.Admin])('refuses %s the agent desk with 403', async (role) => {
    await t.http.get('/api/web/agent/desk').set('Authorization', `Bearer ${await t.tokenFor(role)}`).expect(403);
  });
});
