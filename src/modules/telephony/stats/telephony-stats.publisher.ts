import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Telephony, TELEPHONY } from '../telephony.port';
import { STATS_PUBLISH_MS, TelephonyStatsStore } from './telephony-stats.store';

/**
 * In each worker: publishes the telephony engine's figures every few seconds, so the API process (which holds no
 * calls) can serve them. The sample is removed at shutdown; a crashed worker's expires.
 */
@Injectable()
export class TelephonyStatsPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(TelephonyStatsPublisher.name);
  readonly worker = TelephonyStatsStore.workerName();
  private timer: NodeJS.Timeout | null = null;
  private failing = false;

  constructor(
    @Inject(TELEPHONY) private readonly telephony: Telephony,
    private readonly store: TelephonyStatsStore,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: boot does not wait for Redis (its client queues commands while it reconnects).
    void this.publish();
    this.timer = setInterval(() => void this.publish(), STATS_PUBLISH_MS);
    this.timer.unref();
  }

  /** Before the Redis client closes (onApplicationShutdown). */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.store.forget(this.worker).catch(() => undefined);
  }

  async publish(): Promise<void> {
    try {
      const stats = this.telephony.stats();
      await this.store.publish({
        worker: this.worker, telephony: this.telephony.name, connected: stats.connected, sampledAt: new Date().toISOString(),
        stats: { ...stats },
      });
      if (this.failing) this.log.log('telephony figures published again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.warn(`telephony figures not published: ${(err as Error).message}`);
      this.failing = true;
    }
  }
}
