import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { systemClock } from '../../src/common/clock';
import { REDIS } from '../../src/common/redis/redis.module';
import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { DeskPresence } from '../../src/modules/agents/desk-presence.service';
import { LiveEventBus } from '../../src/modules/dialer/live-events';
import { createTestApp, TestApp } from '../setup/test-app';
import { makeAgents, makeCampaign } from './dialer-fixtures';

/**
 * Reserving an agent for an answered call is raced against the 2-second limit: with PostgreSQL stalled, the live
 * state (Redis) must still change at once, its event row following when the database answers.
 */
describe('agent state while PostgreSQL stalls', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false });
  });
  afterAll(() => t.close());

  it('reserves at once with the event row written in the background; a plain transition waits for its row', async () => {
    const fx = await makeCampaign(t.db, { ok: 1 });
    const [agentId] = await makeAgents(t.db, 1);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stalling = { query: (sql: string, params?: unknown[]) => (sql.startsWith('INSERT INTO agent_state_events') ? gate.then(() => t.db.query(sql, params)) : t.db.query(sql, params)) };
    const agents = new AgentStateService(t.app.get<Redis>(REDIS), stalling as unknown as DataSource, t.app.get(LiveEventBus), systemClock, t.app.get(DeskPresence));
    const within = <T>(p: Promise<T>, ms: number) => Promise.race([p.then(() => 'done'), new Promise((r) => setTimeout(() => r('waiting'), ms))]);

    expect(await within(agents.transition(agentId, 'reserved', fx.campaignId, { callId: null, recordInBackground: true }), 500)).toBe('done');
    expect((await agents.get(agentId)).state).toBe('reserved');
    expect(await within(agents.transition(agentId, 'ready', fx.campaignId), 500)).toBe('waiting');
    release();
    const rows = async () => (await t.db.query(`SELECT state FROM agent_state_events WHERE agent_id = $1 ORDER BY at`, [agentId])).map((r: { state: string }) => r.state);
    for (let i = 0; i < 50 && (await rows()).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await rows()).toEqual(['reserved', 'ready']);
  });
});
