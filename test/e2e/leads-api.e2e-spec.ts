import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';

describe('lead lists and leads over HTTP', () => {
  let t: TestApp;
  let admin: string;
  let manager: string;
  let compliance: string;
  let listId: string;
  let leadIds: string[];
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    [admin, manager, compliance] = await Promise.all([t.tokenFor(Role.Admin), t.tokenFor(Role.Manager), t.tokenFor(Role.Compliance)]);
    const list = await t.http.post('/api/lead-lists').set(auth(manager)).send({ name: `Lists ${Date.now()}`, defaultCountry: 'US' }).expect(201);
    listId = list.body.id;
    const rows = await t.db.query(
      `INSERT INTO leads (list_id, phone, first_name, last_name, status, timezone, tz_candidates, attempts)
       VALUES ($1, '+14155550123', 'Ann', 'Lee', 'new', 'America/Los_Angeles', '{America/Los_Angeles}', 0),
              ($1, '+12125550188', 'Bob', 'Smith', 'done', 'America/New_York', '{America/New_York}', 2),
              ($1, '+13125550100', 'Cy', 'Young', 'new', NULL, '{America/Chicago,America/Denver}', 0)
       RETURNING id`,
      [listId],
    );
    leadIds = rows.map((r: { id: string }) => String(r.id));
  });
  afterAll(() => t.close());

  it('lists lists with counts by status', async () => {
    const res = await t.http.get(`/api/lead-lists/${listId}`).set(auth(compliance)).expect(200);
    expect(res.body).toMatchObject({ id: listId, defaultCountry: 'US', counts: { new: 2, done: 1 }, total: 3 });
    const all = await t.http.get('/api/lead-lists').set(auth(admin)).expect(200);
    expect(all.body.find((l: { id: string }) => l.id === listId).total).toBe(3);
  });

  it('pages and filters leads, full numbers for managers and masked for compliance', async () => {
    const page = await t.http.get(`/api/lead-lists/${listId}/leads?status=new&pageSize=1&page=2`).set(auth(manager)).expect(200);
    expect(page.body).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(page.body.items[0]).toMatchObject({ phone: '+13125550100', tzAmbiguous: false, tzCandidates: ['America/Chicago', 'America/Denver'] });
    const masked = await t.http.get(`/api/lead-lists/${listId}/leads?name=lee`).set(auth(compliance)).expect(200);
    expect(masked.body.items.map((l: { phone: string }) => l.phone)).toEqual(['+1415***0123']);
    const bad = await t.http.get(`/api/lead-lists/${listId}/leads?status=sold`).set(auth(manager)).expect(400);
    expect(bad.body.errors[0].field).toBe('status');
  });

  it('finds a lead by its number written any usual way; compliance gets it masked', async () => {
    const found = await t.http.get('/api/leads').query({ phone: '(415) 555-0123' }).set(auth(manager)).expect(200);
    expect(found.body.map((l: { phone: string }) => l.phone)).toEqual(['+14155550123']);
    const forCompliance = await t.http.get('/api/leads').query({ phone: '+1 415 555 0123' }).set(auth(compliance)).expect(200);
    expect(forCompliance.body[0].phone).toBe('+1415***0123');
    const bad = await t.http.get('/api/leads').query({ phone: 'abc' }).set(auth(manager)).expect(400);
    expect(bad.body.errors[0]).toEqual({ field: 'phone', reason: 'contains letters' });
  });

  it('edits a lead (a zone fixes the ambiguity) and refuses an unknown zone naming the field', async () => {
    const res = await t.http.patch(`/api/leads/${leadIds[2]}`).set(auth(manager)).send({ timezone: 'America/Chicago', firstName: 'Cyrus', customFields: { plan: 'gold' } }).expect(200);
    expect(res.body).toMatchObject({ firstName: 'Cyrus', timezone: 'America/Chicago', tzAmbiguous: false, tzCandidates: ['America/Chicago'], customFields: { plan: 'gold' } });
    const bad = await t.http.patch(`/api/leads/${leadIds[2]}`).set(auth(manager)).send({ timezone: 'Moon/Base' }).expect(400);
    expect(bad.body.errors[0].field).toBe('timezone');
    // "MST" / "AST" name two clocks (with and without summer time): an edit sets one zone, so it must say which.
    for (const tz of ['MST', 'AST']) {
      const two = await t.http.patch(`/api/leads/${leadIds[2]}`).set(auth(manager)).send({ timezone: tz }).expect(400);
      expect(two.body.errors[0]).toEqual({ field: 'timezone', reason: expect.stringMatching(/may mean America\/\w+ or America\/\w+/) });
    }
    expect((await t.http.patch(`/api/leads/${leadIds[2]}`).set(auth(manager)).send({ timezone: 'EST' }).expect(200)).body.timezone).toBe('America/New_York');
    await t.http.patch(`/api/leads/${leadIds[2]}`).set(auth(manager)).send({ attempts: 0 }).expect(400);
  });

  it('explains why a lead is not dialable: DNC, attempts, retry time, status, hours', async () => {
    const [c] = await t.db.query(
      `INSERT INTO campaigns (name, status, max_attempts, schedule) VALUES ($1, 'running', 2, $2) RETURNING id`,
      [`Explain ${Date.now()}`, JSON.stringify({ windows: {} })],
    );
    await t.db.query(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES ($1, $2)`, [c.id, listId]);
    await t.db.query(`INSERT INTO dnc_entries (phone, scope) VALUES ('+12125550188', 'internal')`);
    await t.db.query(`UPDATE leads SET next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [leadIds[1]]);
    const res = await t.http.get(`/api/leads/${leadIds[1]}/dialability`).set(auth(compliance)).expect(200);
    expect(res.body.campaigns).toHaveLength(1);
    const codes = res.body.campaigns[0].reasons.map((r: { code: string }) => r.code);
    expect(codes).toEqual(['lead_not_dialable', 'dnc_internal', 'attempts_exhausted', 'retry_not_due', 'outside_hours']);
    expect(res.body.campaigns[0].dialable).toBe(false);
    // The dial gate's own verdict (its first reason) is given next to the explanation.
    expect(res.body.campaigns[0].gate).toMatchObject({ allowed: false, reason: 'lead_not_dialable' });
    // An explanation is not a dial: no blocked-dial record, only the read itself (data_access).
    const events = await t.db.query(`SELECT type FROM compliance_events WHERE lead_id = $1`, [leadIds[1]]);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['data_access']);
  });

  it('records who read which customer data (lead, search by number, list page, dialability) for the compliance officer', async () => {
    const managerUser = await t.userFor(Role.Manager);
    const complianceUser = await t.userFor(Role.Compliance);
    const since = new Date().toISOString();
    await t.http.get(`/api/leads/${leadIds[1]}`).set(auth(manager)).expect(200);
    await t.http.get('/api/leads').query({ phone: '212-555-0188' }).set(auth(compliance)).expect(200);
    await t.http.get('/api/leads').query({ phone: '212-555-0199' }).set(auth(manager)).expect(200); // no such lead: the search is still recorded
    await t.http.get(`/api/lead-lists/${listId}/leads`).query({ name: 'smi', pageSize: 5 }).set(auth(manager)).expect(200);
    await t.http.get(`/api/leads/${leadIds[1]}/dialability`).set(auth(compliance)).expect(200);
    await t.http.get('/api/leads/999999999').set(auth(manager)).expect(404); // nothing read, nothing recorded

    const log = await t.http.get('/api/compliance/log/events').query({ type: 'data_access', from: since, pageSize: 100 }).set(auth(compliance)).expect(200);
    const mine = log.body.items
      .filter((e: { actorUserId: string }) => [managerUser.id, complianceUser.id].includes(e.actorUserId))
      .map((e: { reasonCode: string; actorUserId: string; leadId: string | null; phone: string | null; details: Record<string, unknown> }) => ({
        what: e.reasonCode, who: e.actorUserId, leadId: e.leadId, phone: e.phone, role: e.details.role,
      }));
    expect(mine).toEqual(expect.arrayContaining([
      { what: 'lead_view', who: managerUser.id, leadId: leadIds[1], phone: '+12125550188', role: 'manager' },
      { what: 'lead_search', who: complianceUser.id, leadId: null, phone: '+12125550188', role: 'compliance' },
      { what: 'lead_search', who: managerUser.id, leadId: null, phone: '+12125550199', role: 'manager' },
      { what: 'lead_list_page', who: managerUser.id, leadId: null, phone: null, role: 'manager' },
      { what: 'lead_dialability', who: complianceUser.id, leadId: leadIds[1], phone: '+12125550188', role: 'compliance' },
    ]));
    expect(mine).toHaveLength(5);
    const page = log.body.items.find((e: { reasonCode: string; actorUserId: string }) => e.reasonCode === 'lead_list_page' && e.actorUserId === managerUser.id);
    expect(page.details).toMatchObject({ listId, page: 1, pageSize: 5, returned: 1, filters: { name: 'smi' } });
    // Who looked at this number: the compliance officer's search by number finds the views, searches and checks.
    const byNumber = await t.http.get('/api/compliance/log/events').query({ type: 'data_access', phone: '+12125550188', from: since }).set(auth(compliance)).expect(200);
    expect(byNumber.body.items.map((e: { reasonCode: string }) => e.reasonCode).sort()).toEqual(['lead_dialability', 'lead_search', 'lead_view']);
    // Searching the compliance logs shows numbers too: that search is recorded, with the number searched for.
    const searches = await t.http.get('/api/compliance/log/events')
      .query({ type: 'data_access', reason: 'compliance_log', phone: '+12125550188', from: since }).set(auth(admin)).expect(200);
    expect(searches.body.items).toEqual([
      expect.objectContaining({ actorUserId: complianceUser.id, phone: '+12125550188', details: expect.objectContaining({ role: 'compliance', log: 'data_access', returned: 3 }) }),
    ]);
    // The record is append-only.
    await expect(t.db.query(`UPDATE compliance_events SET actor_user_id = NULL WHERE type = 'data_access'`)).rejects.toThrow();
  });

  it('refuses a NUL character (PostgreSQL cannot store it) with the field, in a body and in a query', async () => {
    const res = await t.http.post('/api/lead-lists').set(auth(manager)).send({ name: 'a\u0000b' }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'name', reason: expect.stringContaining('NUL') }]);
    const q = await t.http.get(`/api/lead-lists/${listId}/leads`).query({ name: 'x\u0000' }).set(auth(manager)).expect(400);
    expect(q.body.errors[0].field).toBe('name');
  });

  it('soft-deletes a lead: gone from pages and counts, still in the database', async () => {
    await t.http.delete(`/api/leads/${leadIds[0]}`).set(auth(manager)).expect(204);
    await t.http.get(`/api/leads/${leadIds[0]}`).set(auth(manager)).expect(404);
    await t.http.get(`/api/leads/${leadIds[0]}/dialability`).set(auth(manager)).expect(404);
    const list = await t.http.get(`/api/lead-lists/${listId}`).set(auth(manager)).expect(200);
    expect(list.body.total).toBe(2);
    const [row] = await t.db.query(`SELECT deleted_at FROM leads WHERE id = $1`, [leadIds[0]]);
    expect(row.deleted_at).not.toBeNull();
  });

  it('refuses ids and page numbers too large for the database with 400 naming the field (they answered 500)', async () => {
    const id = await t.http.get('/api/leads/99999999999999999999/dialability').set(auth(manager)).expect(400);
    expect(id.body.errors[0].field).toBe('id');
    const page = await t.http.get(`/api/lead-lists/${listId}/leads`).query({ page: '1e21' }).set(auth(manager)).expect(400);
    expect(page.body.errors[0].field).toBe('page');
    const log = await t.http.get('/api/compliance/log/events').query({ type: 'attempt', page: '1e21' }).set(auth(compliance)).expect(400);
    expect(log.body.errors.map((e: { field: string }) => e.field)).toEqual(['page']);
    const dnc = await t.http.get('/api/compliance/dnc').query({ page: '1e21' }).set(auth(compliance)).expect(400);
    expect(dnc.body.errors[0].field).toBe('page');
  });

  it('gives agents 403 on every list and lead endpoint', async () => {
    const agent = auth(await t.tokenFor(Role.Agent));
    await t.http.get('/api/lead-lists').set(agent).expect(403);
    await t.http.post('/api/lead-lists').set(agent).send({ name: 'x' }).expect(403);
    await t.http.get(`/api/lead-lists/${listId}`).set(agent).expect(403);
    await t.http.patch(`/api/lead-lists/${listId}`).set(agent).send({ name: 'y' }).expect(403);
    await t.http.delete(`/api/lead-lists/${listId}`).set(agent).expect(403);
    await t.http.get(`/api/lead-lists/${listId}/leads`).set(agent).expect(403);
    await t.http.get('/api/leads').query({ phone: '+14155550123' }).set(agent).expect(403);
    await t.http.get(`/api/leads/${leadIds[1]}`).set(agent).expect(403);
    await t.http.patch(`/api/leads/${leadIds[1]}`).set(agent).send({ firstName: 'z' }).expect(403);
    await t.http.delete(`/api/leads/${leadIds[1]}`).set(agent).expect(403);
    await t.http.get(`/api/leads/${leadIds[1]}/dialability`).set(agent).expect(403);
  });

  it('lets compliance read but not change lists or leads', async () => {
    const c = auth(compliance);
    await t.http.post('/api/lead-lists').set(c).send({ name: 'x' }).expect(403);
    await t.http.patch(`/api/lead-lists/${listId}`).set(c).send({ name: 'y' }).expect(403);
    await t.http.delete(`/api/lead-lists/${listId}`).set(c).expect(403);
    await t.http.patch(`/api/leads/${leadIds[1]}`).set(c).send({ firstName: 'z' }).expect(403);
    await t.http.delete(`/api/leads/${leadIds[1]}`).set(c).expect(403);
  });

  it('cancels a queued import (no worker runs in this app): no list is created and the import says cancelled', async () => {
    const name = `Never ${Date.now()}`;
    const up = await t.http.post('/api/lead-imports').set(auth(manager))
      .field('newListName', name).field('mapping', JSON.stringify({ phone: 'phone' }))
      .attach('file', Buffer.from('phone\n4155550123\n'), 'x.csv').expect(201);
    expect(up.body.status).toBe('queued');
    const res = await t.http.post(`/api/lead-imports/${up.body.id}/cancel`).set(auth(manager)).expect(200);
    expect(res.body).toMatchObject({ status: 'cancelled', cancelRequested: true, listId: null });
    await t.http.post(`/api/lead-imports/${up.body.id}/cancel`).set(auth(manager)).expect(409);
    const [n] = await t.db.query(`SELECT count(*)::int AS n FROM lead_lists WHERE name = $1`, [name]);
    expect(n.n).toBe(0);
  });

  it('soft-deletes a list with its leads', async () => {
    await t.http.delete(`/api/lead-lists/${listId}`).set(auth(admin)).expect(204);
    await t.http.get(`/api/lead-lists/${listId}`).set(auth(admin)).expect(404);
    const [n] = await t.db.query(`SELECT count(*)::int AS n FROM leads WHERE list_id = $1 AND deleted_at IS NULL`, [listId]);
    expect(n.n).toBe(0);
  });
});
