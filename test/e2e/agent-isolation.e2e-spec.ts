import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Role } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';
import { makeCampaign, waitFor } from '../integration/dialer-fixtures';
import { isolateDatabase } from '../setup/isolated-db';
import { createTestApp, TestApp } from '../setup/test-app';

/**
 * Agent isolation on a live campaign: two agents take real calls from the dialer (simulated carrier, 1/100 time).
 * Each agent's event stream (/api/events/agent), current call, desk, callbacks and state carry only their own calls
 * and leads; every call-scoped endpoint answers another agent's call with 404; the lead, list and call-reading
 * endpoints of managers are 403 to agents. (agent-calls and web-agent-desk cover one inserted call; this one runs the
 * dialer and covers every agent-facing endpoint at once.)
 */
jest.setTimeout(120_000);

interface Stream { text: string; close(): void }
function openStream(port: number, token: string): Stream {
  const s: Stream = { text: '', close: () => req.destroy() };
  const req = http.get({ host: '127.0.0.1', port, path: '/api/events/agent', headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => (s.text += c));
  });
  req.on('error', () => undefined);
  return s;
}

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describe('agent isolation on a running campaign (every agent-facing endpoint and the SSE stream)', () => {
  const saved = { ...process.env };
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    Object.assign(process.env, { SIMULATED_TIME_SCALE: '0.01', SIMULATED_ANSWER_RATE: '0.8' });
    t = await createTestApp({ api: true, worker: true });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
    process.env = saved;
  });

  it('each agent sees only their own calls and leads; the other agent gets 404/403 everywhere', async () => {
    const fx = await makeCampaign(t.db, { ok: 40, mode: 'progressive' });
    const users = t.app.get(UsersService);
    const agents: { id: string; token: string }[] = [];
    for (const n of [1, 2]) {
      const email = `iso-agent-${n}-${process.pid}-${Date.now()}@test.local`;
      const u = await users.upsert(email, `Iso Agent ${n}`, Role.Agent, 'correct horse battery staple');
      const res = await t.http.post('/api/auth/login').send({ email, password: 'correct horse battery staple' }).expect(200);
      agents.push({ id: u.id, token: res.body.accessToken });
    }
    const as = (i: number) => ({ Authorization: `Bearer ${agents[i].token}` });
    const streams = agents.map((a) => openStream(port, a.token));
    const handled: Record<number, Set<string>> = { 0: new Set(), 1: new Set() };
    try {
    await new Promise((r) => setTimeout(r, 300));
    for (const i of [0, 1]) await t.http.post('/api/agent/state').set(as(i)).send({ state: 'ready', campaignId: fx.campaignId }).expect(200);

    // Each agent takes calls and records an outcome; while on a call, the other agent probes it.
    const probes: { who: number; path: string; status: number }[] = [];
    const deadline = Date.now() + 60_000;
    while ((handled[0].size < 3 || handled[1].size < 3) && Date.now() < deadline) {
      for (const i of [0, 1]) {
        const other = 1 - i;
        const cur = await t.http.get('/api/agent/current-call').set(as(i)).expect(200);
        const call = cur.body.call;
        if (!call || handled[i].has(call.id)) continue;
        // The other agent's view at this moment: not this call, not this lead.
        const oc = await t.http.get('/api/agent/current-call').set(as(other)).expect(200);
        expect(oc.body.call?.id).not.toBe(call.id);
        if (cur.body.lead) expect(oc.body.lead?.id).not.toBe(cur.body.lead.id);
        const desk = await t.http.get('/api/web/agent/desk').set(as(other));
        expect(desk.status).toBe(200);
        expect(JSON.stringify(desk.body)).not.toContain(call.id);
        if (cur.body.lead) expect(JSON.stringify(desk.body)).not.toContain(cur.body.lead.phone);
        const st = await t.http.get('/api/agent/state').set(as(other)).expect(200);
        expect(st.body.callId).not.toBe(call.id);
        for (const [method, path, body] of [
          ['post', `/api/agent/calls/${call.id}/hangup`, undefined],
          ['post', `/api/agent/calls/${call.id}/disposition`, { outcome: 'sale' }],
          ['post', `/api/web/agent/calls/${call.id}/objections`, { objections: [{ objectionId: '00000000-0000-4000-8000-000000000009', overcome: true }] }],
        ] as const) {
          const r = await t.http[method](path).set(as(other)).send(body);
          probes.push({ who: other, path, status: r.status });
        }
        if (cur.body.lead) {
          for (const path of [`/api/leads/${cur.body.lead.id}`, `/api/leads/${cur.body.lead.id}/dialability`, `/api/lead-lists/${fx.listId}/leads`, `/api/leads?search=${encodeURIComponent(cur.body.lead.phone)}`, `/api/campaigns/${fx.campaignId}/live`]) {
            probes.push({ who: other, path, status: (await t.http.get(path).set(as(other))).status });
          }
        }
        // The owner records an outcome (some with a callback of their own).
        const body = handled[i].size === 0 ? { outcome: 'call_later', callbackAt: new Date(Date.now() + 3_600_000).toISOString(), callbackScope: 'own' } : { outcome: 'no_sale' };
        const d = await t.http.post(`/api/agent/calls/${call.id}/disposition`).set(as(i)).send(body);
        if (d.status === 200) handled[i].add(call.id);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(handled[0].size).toBeGreaterThanOrEqual(3);
    expect(handled[1].size).toBeGreaterThanOrEqual(3);
    // The other agent is refused each call-scoped action as "not found" (the call's existence is not disclosed)...
    for (const p of probes.filter((x) => x.path.startsWith('/api/agent/calls') || x.path.startsWith('/api/web/agent/calls'))) expect(p).toEqual({ ...p, status: 404 });
    // ...and every lead, list and campaign-figures read as forbidden.
    for (const p of probes.filter((x) => !x.path.includes('/calls/'))) expect(p).toEqual({ ...p, status: 403 });
    expect(probes.length).toBeGreaterThan(20);

    // Callbacks: each agent lists only their own.
    for (const i of [0, 1]) {
      const cb = await t.http.get('/api/web/agent/callbacks').set(as(i)).expect(200);
      const text = JSON.stringify(cb.body);
      for (const id of handled[1 - i]) expect(text).not.toContain(id);
      const mine = await t.db.query(`SELECT lead_id::text AS lead FROM callbacks WHERE owner_agent_id = $1`, [agents[i].id]);
      const theirs = await t.db.query(`SELECT lead_id::text AS lead FROM callbacks WHERE owner_agent_id = $1`, [agents[1 - i].id]);
      expect(mine.length).toBeGreaterThan(0);
      expect(theirs.length).toBeGreaterThan(0);
      for (const r of theirs) expect(text).not.toContain(`"${r.lead}"`);
    }

    } finally {
      await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [fx.campaignId]);
      await waitFor(async () => (await t.db.query(`SELECT 1 FROM calls WHERE campaign_id = $1 AND end_at IS NULL`, [fx.campaignId])).length === 0, 20_000, 'calls to end').catch(() => undefined);
      streams.forEach((s) => s.close());
    }

    // The event streams: each carried its own agent's calls (with the screen pop), none of the other's.
    const calls = await t.db.query(`SELECT id::text, agent_id::text AS agent, phone, lead_id::text AS lead FROM calls WHERE campaign_id = $1 AND agent_id IS NOT NULL`, [fx.campaignId]);
    for (const i of [0, 1]) {
      const own = calls.filter((c: { agent: string }) => c.agent === agents[i].id);
      const foreign = calls.filter((c: { agent: string }) => c.agent !== agents[i].id);
      expect(own.length).toBeGreaterThanOrEqual(3);
      for (const c of own.filter((x: { id: string }) => handled[i].has(x.id))) expect(streams[i].text).toContain(c.id);
      for (const c of foreign) {
        expect(streams[i].text).not.toContain(c.id);
        expect(streams[i].text).not.toContain(c.phone);
      }
      expect(streams[i].text).toMatch(/event: call\./);
    }
  });
});
