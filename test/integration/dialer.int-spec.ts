import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { REDIS } from '../../src/common/redis/redis.module';
import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { CallsService } from '../../src/modules/calls/calls.service';
import { LiveEventBus } from '../../src/modules/dialer/live-events';
import { DialerWorkerService } from '../../src/modules/dialer/orchestrator/dialer-worker.service';
import { Rng } from '../../src/modules/telephony/simulated/random';
import { SimulatedAgents } from '../../src/modules/telephony/simulated/simulated-agents';
import { SimulatedCarrier } from '../../src/modules/telephony/simulated/simulated-carrier';
import { RealTimers } from '../../src/modules/telephony/simulated/timers';
import { TELEPHONY } from '../../src/modules/telephony/telephony.port';
import { createTestApp, TestApp } from '../setup/test-app';
import { makeAgents, makeCampaign, waitFor } from './dialer-fixtures';
import { isolateDatabase } from '../setup/isolated-db';

/**
 * A campaign against the simulated carrier on the real PostgreSQL and Redis, at 1/100 of real time
 * (a 25 s ring timeout takes 250 ms, a 3-minute talk 1.8 s).
 */
jest.setTimeout(90_000);

const FINAL_STATES = ['ended', 'failed', 'wrap_up', 'dispositioned'];

async function pauseAndDrain(t: TestApp, campaignId: string): Promise<void> {
  await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [campaignId]);
  await waitFor(async () => (await t.db.query(`SELECT 1 FROM calls WHERE campaign_id = $1 AND end_at IS NULL`, [campaignId])).length === 0, 20_000, 'calls to end');
}

function attachSimAgents(t: TestApp, agentIds: string[]): () => void {
  const calls = t.app.get(CallsService);
  const sim = new SimulatedAgents(new RealTimers(), new Rng(7), { meanMs: 150, sdMs: 50 }, ['sale', 'no_sale', 'call_later'], {
    disposition: async (agentId, callId, outcome) => void (await calls.disposition(agentId, callId, { outcome })),
  });
  return t.app.get(LiveEventBus).subscribe((e) => {
    if (e.name !== 'call.ended') return;
    const p = e.payload as { agentId: string; callId: string };
    if (agentIds.includes(p.agentId)) sim.callEnded(p.agentId, p.callId);
  });
}

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describe('dialer against the simulated carrier (PostgreSQL + Redis)', () => {
  const savedEnv = { ...process.env };
  beforeAll(() => {
    process.env.SIMULATED_TIME_SCALE = '0.01';
    process.env.SIMULATED_ANSWER_RATE = '0.5';
  });
  afterAll(() => {
    process.env = savedEnv;
  });

  it('runs a campaign: no number dialled twice at once, no DNC or out-of-hours dial, every call record complete', async () => {
    const t = await createTestApp({ api: true, worker: true });
    const stop: (() => void)[] = [];
    try {
      const fx = await makeCampaign(t.db, { ok: 60, dncInternal: 3, dncCampaign: 2, outsideHours: 3, mode: 'predictive', warmup: 3 });
      const agentIds = await makeAgents(t.db, 4);
      stop.push(attachSimAgents(t, agentIds));
      const agents = t.app.get(AgentStateService);
      for (const a of agentIds) await agents.setByAgent(a, 'ready', fx.campaignId, null);

      // An agent hangs up the customer: the request reaches the worker holding the call through Redis.
      const connected = await waitFor(async () => {
        const [c] = await t.db.query(`SELECT id, agent_id FROM calls WHERE campaign_id = $1 AND state = 'connected' LIMIT 1`, [fx.campaignId]);
        return c;
      }, 20_000, 'a connected call');
      await t.app.get(CallsService).requestHangup(connected.agent_id, connected.id);
      const hungUp = await waitFor(async () => {
        const [c] = await t.db.query(`SELECT hangup_by, end_at FROM calls WHERE id = $1 AND end_at IS NOT NULL`, [connected.id]);
        return c;
      }, 5_000, 'the hangup');
      expect(hungUp.hangup_by).toBe('agent');
      // Every logged-in agent has a nailed-up phone leg held by the orchestrator.
      const carrier = t.app.get<SimulatedCarrier>(TELEPHONY);
      expect(agentIds.every((id) => carrier.hasAgentLeg(id))).toBe(true);
      // Let it dial until at least 30 calls were placed and several people were connected to agents.
      await waitFor(async () => {
        const [r] = await t.db.query(`SELECT count(*)::int AS n, count(connect_at)::int AS c FROM calls WHERE campaign_id = $1`, [fx.campaignId]);
        const [b] = await t.db.query(`SELECT count(*)::int AS n FROM compliance_events WHERE campaign_id = $1 AND type = 'dial_blocked'`, [fx.campaignId]);
        return r.n >= 30 && r.c >= 5 && b.n >= 8;
      }, 45_000, 'the campaign to dial');
      const live = await t.http.get(`/api/campaigns/${fx.campaignId}/live`).set('Authorization', `Bearer ${await t.tokenFor('manager' as never)}`).expect(200);
      expect(live.body.today.attempts).toBeGreaterThanOrEqual(30);
      expect(live.body.pacing).not.toBeNull();
      await pauseAndDrain(t, fx.campaignId);
      await waitFor(async () => !t.app.get(DialerWorkerService).runnerFor(fx.campaignId), 10_000, 'the orchestrator to stop');
      // Wrap-ups still in progress finish.
      await waitFor(async () => (await t.db.query(`SELECT 1 FROM calls WHERE campaign_id = $1 AND state = 'wrap_up'`, [fx.campaignId])).length === 0, 10_000, 'wrap-ups');

      const calls = await t.db.query(`SELECT c.*, c.lead_id::text AS lead FROM calls c WHERE campaign_id = $1`, [fx.campaignId]);
      // No number had two calls overlapping in time.
      const byPhone = new Map<string, { dial: number; end: number }[]>();
      for (const c of calls) byPhone.set(c.phone, [...(byPhone.get(c.phone) ?? []), { dial: +c.queued_at, end: +c.end_at }]);
      for (const spans of byPhone.values()) {
        spans.sort((a, b) => a.dial - b.dial);
        for (let i = 1; i < spans.length; i++) expect(spans[i].dial).toBeGreaterThanOrEqual(spans[i - 1].end);
      }
      // Never a DNC or out-of-hours number; each of them was blocked with its reason on record.
      const forbidden = new Set(fx.leads.filter((l) => l.kind !== 'ok').map((l) => l.phone));
      expect(calls.filter((c: { phone: string }) => forbidden.has(c.phone))).toEqual([]);
      const blocked = await t.db.query(`SELECT reason_code, lead_id::text AS lead FROM compliance_events WHERE campaign_id = $1 AND type = 'dial_blocked'`, [fx.campaignId]);
      for (const l of fx.leads.filter((x) => x.kind !== 'ok')) {
        expect(blocked.find((b: { lead: string }) => b.lead === l.id)?.reason_code).toBe(l.kind);
      }
      // Every call record is complete and consistent with its state.
      for (const c of calls) {
        expect(FINAL_STATES).toContain(c.state);
        expect(c.end_at).not.toBeNull();
        expect(c.dial_at).not.toBeNull();
        expect(+c.dial_at).toBeGreaterThanOrEqual(+c.queued_at);
        expect(+c.end_at).toBeGreaterThanOrEqual(+c.dial_at);
        if (c.state === 'failed') expect(c.sip_code ?? c.outcome).toBeTruthy();
        if (c.answer_type) expect(+c.answer_at).toBeGreaterThanOrEqual(+c.dial_at);
        // an answering machine is hung up at once; its answer is written by the closing update
        if (c.outcome === 'machine') expect([c.state, c.answer_type, c.answer_at !== null]).toEqual(['ended', 'machine', true]);
        if (c.connect_at) {
          expect(c.agent_id).not.toBeNull();
          expect(agentIds).toContain(c.agent_id);
          expect(c.state).toBe('dispositioned');
          expect(c.disposition_at).not.toBeNull();
        }
        if (c.outcome === 'abandoned') expect(c.abandon_at).not.toBeNull();
      }
      expect(calls.some((c: { state: string }) => c.state === 'dispositioned')).toBe(true);
      expect(calls.some((c: { state: string }) => c.state === 'failed')).toBe(true);
      // This campaign does not record its calls.
      expect(calls.filter((c: { recording_path: string | null }) => c.recording_path !== null)).toEqual([]);
      // One 'attempt' compliance event per call; one 'abandon' event per abandoned call.
      const [ev] = await t.db.query(
        `SELECT count(*) FILTER (WHERE type = 'attempt')::int AS attempts, count(*) FILTER (WHERE type = 'abandon')::int AS abandons
           FROM compliance_events WHERE campaign_id = $1`,
        [fx.campaignId],
      );
      expect(ev.attempts).toBe(calls.length);
      expect(ev.abandons).toBe(calls.filter((c: { outcome: string }) => c.outcome === 'abandoned').length);
      // Every connected agent appears in agent_state_events as ready -> reserved -> on_call -> wrap_up -> ready.
      const states = await t.db.query(`SELECT state FROM agent_state_events WHERE agent_id = $1 ORDER BY id`, [calls.find((c: { agent_id: string }) => c.agent_id).agent_id]);
      expect(states.map((s: { state: string }) => s.state).slice(0, 5)).toEqual(['ready', 'reserved', 'on_call', 'wrap_up', 'ready']);
      // No lead is left leased.
      const [leased] = await t.db.query(`SELECT count(*)::int AS n FROM leads WHERE list_id = $1 AND status = 'leased'`, [fx.listId]);
      expect(leased.n).toBe(0);
    } finally {
      stop.forEach((f) => f());
      await t.close();
    }
  });

  it('a campaign that records its calls: every answered call carries its recording reference on its record, no other call does', async () => {
    const t = await createTestApp({ api: true, worker: true });
    const stop: (() => void)[] = [];
    try {
      const fx = await makeCampaign(t.db, { ok: 16, mode: 'progressive', record: true });
      const agentIds = await makeAgents(t.db, 2);
      stop.push(attachSimAgents(t, agentIds));
      const agents = t.app.get(AgentStateService);
      for (const a of agentIds) await agents.setByAgent(a, 'ready', fx.campaignId, null);
      await waitFor(async () => {
        const [r] = await t.db.query(`SELECT count(connect_at)::int AS c, count(*) FILTER (WHERE answer_at IS NULL AND end_at IS NOT NULL)::int AS u FROM calls WHERE campaign_id = $1`, [fx.campaignId]);
        return r.c >= 2 && r.u >= 1;
      }, 30_000, 'connected and unanswered calls');
      await pauseAndDrain(t, fx.campaignId);
      const calls: { id: string; answer_at: Date | null; connect_at: Date | null; recording_path: string | null }[] =
        await t.db.query(`SELECT id::text AS id, answer_at, connect_at, recording_path FROM calls WHERE campaign_id = $1`, [fx.campaignId]);
      const answered = calls.filter((c) => c.answer_at !== null);
      expect(answered.length).toBeGreaterThanOrEqual(2);
      for (const c of answered) expect([c.id, c.recording_path]).toEqual([c.id, `simulated:${c.id}`]);
      for (const c of calls.filter((x) => x.answer_at === null)) expect([c.id, c.recording_path]).toEqual([c.id, null]);
    } finally {
      stop.forEach((f) => f());
      await t.close();
    }
  });

  it('runs exactly one orchestrator per campaign with two workers, and refuses a second live dial to one number', async () => {
    const a = await createTestApp({ api: true, worker: true });
    const b = await createTestApp({ api: true, worker: true }).catch(async (err) => {
      await a.close();
      throw err;
    });
    try {
      const fx = await makeCampaign(a.db, { ok: 30, mode: 'progressive' });
      const agentIds = await makeAgents(a.db, 3);
      const stop = attachSimAgents(a, agentIds);
      for (const id of agentIds) await a.app.get(AgentStateService).setByAgent(id, 'ready', fx.campaignId, null);
      await waitFor(async () => (await a.db.query(`SELECT 1 FROM calls WHERE campaign_id = $1`, [fx.campaignId])).length >= 10, 30_000, 'calls');
      const owners = await a.db.query(`SELECT DISTINCT worker_id FROM calls WHERE campaign_id = $1`, [fx.campaignId]);
      expect(owners).toHaveLength(1);
      const running = [a, b].filter((x) => x.app.get(DialerWorkerService).runnerFor(fx.campaignId));
      expect(running).toHaveLength(1);
      expect(owners[0].worker_id).toBe(running[0].app.get(DialerWorkerService).workerId);

      // The database refuses a second live call to a number: the dialer gets null and leaves the lead alone.
      const calls = a.app.get(CallsService);
      const [lead] = await a.db.query(`SELECT * FROM leads WHERE id = $1`, [fx.leads[29].id]);
      const campaign = { id: fx.campaignId, dialMode: 'progressive', callerId: null, gatewayId: null } as never;
      const leadView = { id: String(lead.id), phone: lead.phone, attempts: 0 } as never;
      const first = await calls.createQueued(campaign, leadView, 'test-worker', new Date());
      expect(first).toBeTruthy();
      expect(await calls.createQueued(campaign, leadView, 'test-worker', new Date())).toBeNull();
      await calls.transition(first!, 'failed', { end_at: new Date(), outcome: 'cancelled' });
      stop();
      await pauseAndDrain(a, fx.campaignId);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('hands each answered call to the longest-waiting Ready agent', async () => {
    const t = await createTestApp({ api: true, worker: false });
    try {
      const fx = await makeCampaign(t.db, { ok: 1 });
      const [a, b, c] = await makeAgents(t.db, 3);
      const agents = t.app.get(AgentStateService);
      for (const id of [b, c, a]) {
        await agents.setByAgent(id, 'ready', fx.campaignId, null);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await agents.takeLongestWaiting(fx.campaignId)).toBe(b);
      await agents.setByAgent(b, 'ready', fx.campaignId, null); // back at the end of the queue
      expect(await agents.takeLongestWaiting(fx.campaignId)).toBe(c);
      expect(await agents.takeLongestWaiting(fx.campaignId)).toBe(a);
      expect(await agents.takeLongestWaiting(fx.campaignId)).toBe(b);
      expect(await agents.takeLongestWaiting(fx.campaignId)).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('a worker killed with SIGKILL mid-campaign: another takes over within 10 s, closes its calls, releases its leads', async () => {
    const t0 = await createTestApp({ api: true, worker: false });
    const db = t0.db;
    const fx = await makeCampaign(db, { ok: 30, mode: 'progressive' });
    const agentIds = await makeAgents(db, 3);
    const agents = t0.app.get(AgentStateService);
    for (const a of agentIds) await agents.setByAgent(a, 'ready', fx.campaignId, null);
    const redis = t0.app.get<Redis>(REDIS);

    // A separate worker process, calls slowed to 1/5 of real time so some are ringing or talking when it dies.
    const child: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '../../src/worker.ts')], {
      env: { ...process.env, SIMULATED_TIME_SCALE: '0.2', SIMULATED_ANSWER_RATE: '0.6', TS_NODE_PROJECT: join(__dirname, '../../tsconfig.json') },
      stdio: 'ignore',
    });
    let t: TestApp | undefined;
    try {
      const holder = await waitFor(async () => {
        const h = await redis.get(`campaign-lock:${fx.campaignId}`);
        return h && h.includes(`:${child.pid}:`) ? h : null;
      }, 60_000, 'the child worker to take the campaign');
      await waitFor(async () => {
        const [r] = await db.query(`SELECT count(*)::int AS n, count(connect_at)::int AS c FROM calls WHERE worker_id = $1 AND end_at IS NULL`, [holder]);
        return r.n >= 1 && r.c >= 1;
      }, 30_000, 'open calls in the child');

      child.kill('SIGKILL');
      const killedAt = Date.now();
      t = await createTestApp({ api: true, worker: true });
      const me = t.app.get(DialerWorkerService).workerId;
      await waitFor(async () => (await redis.get(`campaign-lock:${fx.campaignId}`)) === me, 15_000, 'takeover');
      expect(Date.now() - killedAt).toBeLessThan(10_000 + 3_000); // + the test app's own boot time
      await waitFor(async () => (await db.query(`SELECT 1 FROM calls WHERE worker_id = $1 AND end_at IS NULL`, [holder])).length === 0, 5_000, 'reconcile');

      const orphans = await db.query(`SELECT state, outcome, end_at, hangup_by, agent_id FROM calls WHERE worker_id = $1`, [holder]);
      expect(orphans.length).toBeGreaterThan(0);
      for (const c of orphans) {
        expect(c.end_at).not.toBeNull();
        expect(['failed', 'ended', 'wrap_up']).toContain(c.state);
      }
      // The agent whose call was cut is in wrap-up (can still record the outcome), not stuck on a dead call.
      const cut = orphans.find((c: { state: string; hangup_by: string }) => c.state === 'wrap_up' && c.hangup_by === 'system');
      if (cut) await waitFor(async () => (await agents.get(cut.agent_id)).state === 'wrap_up', 3_000, 'the cut agent in wrap-up');
      // Its leads go back to the pool in the same pass: those of its calls when they are closed, and one it had leased
      // but not yet dialled at once too (it is dead: it launches nothing more), not after the 20 s a live worker's gets.
      await waitFor(async () => {
        const [leased] = await db.query(`SELECT count(*)::int AS n FROM leads WHERE list_id = $1 AND lease_owner = $2`, [fx.listId, holder]);
        return leased.n === 0;
      }, 3_000, 'the dead worker\'s leases released');

      await pauseAndDrain(t, fx.campaignId);
      const [open] = await db.query(`SELECT count(*)::int AS n FROM calls WHERE campaign_id = $1 AND end_at IS NULL`, [fx.campaignId]);
      expect(open.n).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await t?.close();
      await t0.close();
    }
  });
});
