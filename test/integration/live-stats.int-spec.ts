import type Redis from 'ioredis';
import { Clock } from '../../src/common/clock';
import { REDIS } from '../../src/common/redis/redis.module';
import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { LiveStatsService, MONTH_FIGURES_TTL_MS } from '../../src/modules/dialer/live-stats.service';
import { createTestApp, TestApp } from '../setup/test-app';
import { makeCampaign } from './dialer-fixtures';

/**
 * The live view is read every second while a dashboard is open: its per-second query covers the last two days of
 * calls, and the 30-day abandon rate (a month of calls) is read again at most once a minute.
 */
describe('live campaign figures on the real database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false });
  });
  afterAll(() => t.close());

  it('gives each window its calls, and reads the 30-day figures again only once a minute', async () => {
    const fx = await makeCampaign(t.db, { ok: 6 });
    await t.db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [fx.campaignId]);
    let now = Date.now();
    const clock: Clock = { now: () => new Date(now) };
    const live = new LiveStatsService(t.db, t.app.get<Redis>(REDIS), t.app.get(AgentStateService), clock);
    /** A human-answered call `ago` ms before the test's start, abandoned or not. */
    const call = async (i: number, ago: number, abandoned: boolean) => {
      const at = new Date(Date.now() - ago);
      await t.db.query(
        `INSERT INTO calls (campaign_id, lead_id, phone, dial_mode, state, answer_type, queued_at, dial_at, answer_at, abandon_at, end_at)
         VALUES ($1, $2, $3, 'predictive', $4, 'human', $5, $5, $5, $6, $5)`,
        [fx.campaignId, fx.leads[i].id, fx.leads[i].phone, abandoned ? 'abandoned' : 'ended', at, abandoned ? at : null],
      );
    };
    const day = 86_400_000;
    await call(0, 10 * day, true); // ten days ago: 30-day window only
    await call(1, 10 * day, false);
    await call(2, 3 * day, false); // three days ago: 30-day window only
    await call(3, 30 * 60_000, true); // half an hour ago: every window
    const first = await live.live(fx.campaignId);
    expect(first.abandonRate).toEqual({ lastHour: 1, last24h: 1, last30d: 2 / 4 });
    expect(first.today).toMatchObject({ attempts: 1, humanAnswered: 1 });

    await call(4, 10 * day, false); // another month-old answer
    now += MONTH_FIGURES_TTL_MS / 2;
    expect((await live.live(fx.campaignId)).abandonRate.last30d).toBe(2 / 4); // not read again yet
    await call(5, 20 * 60_000, false); // the per-second figures follow at once
    expect((await live.live(fx.campaignId)).abandonRate).toMatchObject({ lastHour: 1 / 2, last24h: 1 / 2 });
    now += MONTH_FIGURES_TTL_MS / 2 + 1;
    expect((await live.live(fx.campaignId)).abandonRate.last30d).toBe(2 / 6);
  });
});
