import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { CLOCK, Clock } from '../../common/clock';
import { notFound } from '../../common/errors/domain-error';
import { REDIS } from '../../common/redis/redis.module';
import { AgentStateService } from '../agents/agent-state.service';
import { LIVE_HISTORY_POINTS, LiveHistoryPoint, liveHistoryKey, parseLiveHistory } from './live-history';

export interface CampaignLive {
  campaignId: string;
  status: string;
  dialMode: string;
  agents: Record<string, number>;
  callsRinging: number;
  callsConnected: number;
  /** The pacer's last decision (null when no orchestrator ticked in the last 10 s). */
  pacing: { dialLevel: number; reason: string; launched: number; at: string; predictedAbandonRate: number } | null;
  today: { attempts: number; humanAnswered: number; contactRate: number; conversions: number; conversionRate: number };
  abandonRate: { lastHour: number; last24h: number; last30d: number };
  /** The last 5 minutes of calls ringing, dial level and agents on call, one point per pacer tick, oldest first. */
  history: LiveHistoryPoint[];
}

/** The 30-day abandon figures of the live view are read again at most this often per campaign: they scan a month of calls. */
export const MONTH_FIGURES_TTL_MS = 60_000;

/** GET /api/campaigns/:id/live: what a manager watches, from the calls table, Redis agent state and the pacer. */
@Injectable()
export class LiveStatsService {
  constructor(
    private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly agents: AgentStateService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async live(campaignId: string): Promise<CampaignLive> {
    const [campaign] = await this.db.query(`SELECT id, status, dial_mode FROM campaigns WHERE id = $1 AND deleted_at IS NULL`, [campaignId]);
    if (!campaign) throw notFound('campaign');
    const now = this.clock.now().getTime();
    const agentStates = await this.agents.campaignAgents(campaignId);
    const agents: Record<string, number> = { ready: 0, reserved: 0, on_call: 0, on_hold: 0, wrap_up: 0, paused: 0 };
    for (const a of agentStates) agents[a.state] = (agents[a.state] ?? 0) + 1;
    // Read every second while a dashboard is open: bounded to the last two days of calls (a day's figures need the
    // calls answered in the last 24 h, which were placed at most a ring or a preview before), whatever the campaign's
    // age. The 30-day figures scan a month of calls: read at most once a minute (monthFigures).
    const [r] = await this.db.query(
      `SELECT count(*) FILTER (WHERE state IN ('dialing', 'ringing'))::int AS ringing,
              count(*) FILTER (WHERE state = 'connected')::int AS connected,
              count(*) FILTER (WHERE dial_at >= $2)::int AS attempts_today,
              count(*) FILTER (WHERE queued_at >= $2 AND answer_type = 'human')::int AS human_today,
              count(*) FILTER (WHERE answer_type = 'human' AND answer_at > $3)::int AS a1, count(*) FILTER (WHERE abandon_at > $3)::int AS b1,
              count(*) FILTER (WHERE answer_type = 'human' AND answer_at > $2)::int AS a24, count(*) FILTER (WHERE abandon_at > $2)::int AS b24
         FROM calls WHERE campaign_id = $1 AND queued_at > $4`,
      [campaignId, new Date(now - 86_400_000), new Date(now - 3_600_000), new Date(now - 2 * 86_400_000)],
    );
    const month = await this.monthFigures(campaignId, now);
    const [conv] = await this.db.query(
      `SELECT count(*)::int AS n FROM dispositions d JOIN campaign_outcomes o ON o.campaign_id = d.campaign_id AND o.code = d.outcome
        WHERE d.campaign_id = $1 AND o.is_success AND d.created_at >= $2`,
      [campaignId, new Date(now - 86_400_000)],
    );
    const [rawPacing, rawHistory] = await Promise.all([
      this.redis.get(`pacing:${campaignId}`),
      this.redis.lrange(liveHistoryKey(campaignId), 0, LIVE_HISTORY_POINTS - 1),
    ]);
    const p = rawPacing ? JSON.parse(rawPacing) : null;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
    return {
      campaignId,
      status: campaign.status,
      dialMode: campaign.dial_mode,
      agents,
      callsRinging: r.ringing,
      callsConnected: r.connected,
      pacing: p ? { dialLevel: p.dialLevel, reason: p.reason, launched: p.launched, at: p.at, predictedAbandonRate: p.predictedAbandonRate } : null,
      today: {
        attempts: r.attempts_today,
        humanAnswered: r.human_today,
        contactRate: ratio(r.human_today, r.attempts_today),
        conversions: conv.n,
        conversionRate: ratio(conv.n, r.human_today),
      },
      abandonRate: { lastHour: ratio(r.b1, r.a1), last24h: ratio(r.b24, r.a24), last30d: ratio(month.abandoned, month.humanAnswered) },
      history: parseLiveHistory(rawHistory, now),
    };
  }

  private readonly months = new Map<string, { at: number; humanAnswered: number; abandoned: number }>();

  /** The campaign's 30-day human answers and abandons, read again at most every MONTH_FIGURES_TTL_MS per process. */
  private async monthFigures(campaignId: string, now: number): Promise<{ humanAnswered: number; abandoned: number }> {
    const kept = this.months.get(campaignId);
    if (kept && now - kept.at < MONTH_FIGURES_TTL_MS && now >= kept.at) return kept;
    const [m] = await this.db.query(
      `SELECT count(*) FILTER (WHERE answer_type = 'human')::int AS a30, count(*) FILTER (WHERE abandon_at IS NOT NULL)::int AS b30
         FROM calls WHERE campaign_id = $1 AND queued_at > $2`,
      [campaignId, new Date(now - 30 * 86_400_000)],
    );
    if (this.months.size > 1000) for (const [id, v] of this.months) if (now - v.at >= MONTH_FIGURES_TTL_MS) this.months.delete(id);
    const fresh = { at: now, humanAnswered: m.a30, abandoned: m.b30 };
    this.months.set(campaignId, fresh);
    return fresh;
  }

}
