import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { LiveEvent, LiveEventBus } from '../../dialer/live-events';
import { CampaignLive, LiveStatsService } from '../../dialer/live-stats.service';
import { WebEvents } from './web-events';

/** At most one stats query per campaign per second, however many managers watch and however often it ticks. */
const STATS_MIN_INTERVAL_MS = 1000;
/** Paused campaigns do not tick; their dashboards still refresh (agents pausing, abandon windows sliding). */
const IDLE_REFRESH_MS = 5000;

/**
 * Forwards the dialer's live events (from any process, through Redis) to the SSE streams: agent events as they
 * come, campaign ticks enriched with the full live figures (LiveStatsService) for the dashboards.
 */
@Injectable()
export class LiveBridge implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveBridge.name);
  private unsubscribe?: () => void;
  private stats?: LiveStatsService;
  private readonly lastStats = new Map<string, number>();
  private readonly pending = new Set<string>();
  /** A push held back by the once-a-second limit is sent when the second is over (so a change is never lost). */
  private readonly trailing = new Map<string, NodeJS.Timeout>();
  /** The newest pacer tick held back by the rate limit: the trailing push carries it, so no tick is lost. */
  private readonly heldTick = new Map<string, LiveEvent<'campaign.tick'>['payload']>();
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly bus: LiveEventBus,
    private readonly web: WebEvents,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    // The dialer's HTTP module owns LiveStatsService (not exported); without it the dashboards get ticks only.
    try {
      this.stats = this.moduleRef.get(LiveStatsService, { strict: false });
    } catch {
      this.logger.warn('LiveStatsService not available: campaign streams carry the pacer ticks only');
    }
    this.unsubscribe = this.bus.subscribe((e) => this.forward(e));
    this.idleTimer = setInterval(() => {
      for (const id of this.web.watchedCampaigns()) if (Date.now() - (this.lastStats.get(id) ?? 0) >= IDLE_REFRESH_MS) this.pushStats(id, null);
    }, IDLE_REFRESH_MS);
    this.idleTimer.unref();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    clearInterval(this.idleTimer);
    for (const t of this.trailing.values()) clearTimeout(t);
    this.trailing.clear();
  }

  private forward(e: LiveEvent): void {
    if (e.name === 'campaign.tick') {
      const tick = e.payload as LiveEvent<'campaign.tick'>['payload'];
      if (this.web.watchedCampaigns().includes(tick.campaignId)) this.pushStats(tick.campaignId, tick);
      return;
    }
    const p = e.payload as { agentId?: string; at?: string; campaignId?: string | null };
    if (!p.agentId) return;
    // An agent changing state (or a call of theirs starting/ending) moves the dashboard's agents by state at once,
    // not only at the next pacer tick (a campaign whose agents are all busy may not tick for a while).
    if (p.campaignId && this.web.watchedCampaigns().includes(p.campaignId)) this.pushStats(p.campaignId, null);
    this.web.publishAgent({ agentId: p.agentId, type: e.name as never, at: p.at ?? new Date().toISOString(), data: { ...(e.payload as object) } });
  }

  pushStats(campaignId: string, tick: LiveEvent<'campaign.tick'>['payload'] | null): void {
    const now = Date.now();
    const wait = STATS_MIN_INTERVAL_MS - (now - (this.lastStats.get(campaignId) ?? 0));
    if (this.pending.has(campaignId) || wait > 0) {
      if (tick) this.heldTick.set(campaignId, tick);
      if (!this.trailing.has(campaignId)) {
        const timer = setTimeout(() => {
          this.trailing.delete(campaignId);
          const held = this.heldTick.get(campaignId) ?? null;
          this.heldTick.delete(campaignId);
          if (this.web.watchedCampaigns().includes(campaignId)) this.pushStats(campaignId, held);
        }, Math.max(wait, 100));
        timer.unref();
        this.trailing.set(campaignId, timer);
      }
      return;
    }
    this.lastStats.set(campaignId, now);
    tick = tick ?? this.heldTick.get(campaignId) ?? null;
    this.heldTick.delete(campaignId);
    if (!this.stats) {
      if (tick) this.web.publishCampaign({ campaignId, type: 'campaign.stats', at: tick.at, data: { campaignId, tick } });
      return;
    }
    this.pending.add(campaignId);
    this.stats
      .live(campaignId)
      // The trend's history is for a page that just opened (GET .../live); each push adds its own point.
      .then(({ history: _history, ...live }: CampaignLive) => this.web.publishCampaign({ campaignId, type: 'campaign.stats', at: new Date().toISOString(), data: { ...live, tick } }))
      .catch((err: Error) => this.logger.warn(`live stats for a campaign failed: ${err.message}`))
      .finally(() => this.pending.delete(campaignId));
  }
}
