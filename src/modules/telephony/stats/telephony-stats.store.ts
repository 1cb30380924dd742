import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../../../common/redis/redis.module';
import { TelephonyStatsBase } from '../telephony.port';

/** How often each worker publishes its telephony figures. */
export const STATS_PUBLISH_MS = 5_000;
/** A worker's sample outlives it by this much: a worker that stopped publishing (crashed) drops out of the list. */
export const STATS_TTL_S = 15;
const KEY = 'telephony:stats:';

/** One worker's figures at one moment, as GET /api/telephony/sip-stats lists them. */
export interface WorkerTelephonySample {
  /** host:pid:random, one per worker process. */
  worker: string;
  telephony: 'simulated' | 'drachtio';
  connected: boolean;
  /** When the worker took the sample (ISO 8601). */
  sampledAt: string;
  stats: TelephonyStatsBase & Record<string, unknown>;
}

/** Workers' telephony samples in Redis: one key per worker, expiring unless the worker keeps publishing. */
@Injectable()
export class TelephonyStatsStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static workerName(): string {
    return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  }

  async publish(sample: WorkerTelephonySample): Promise<void> {
    await this.redis.set(`${KEY}${sample.worker}`, JSON.stringify(sample), 'EX', STATS_TTL_S);
  }

  async forget(worker: string): Promise<void> {
    await this.redis.del(`${KEY}${worker}`);
  }

  /** Every live worker's last sample, by worker name. */
  async all(): Promise<WorkerTelephonySample[]> {
    // SCAN matches whole key names: ioredis adds its keyPrefix to keys, not to the pattern.
    const prefix = this.redis.options.keyPrefix ?? '';
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${prefix}${KEY}*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch.map((k) => k.slice(prefix.length)));
    } while (cursor !== '0');
    if (!keys.length) return [];
    const values = await this.redis.mget(...keys);
    return values
      .filter((v): v is string => v !== null) // expired between SCAN and MGET
      .map((v) => JSON.parse(v) as WorkerTelephonySample)
      .sort((a, b) => a.worker.localeCompare(b.worker));
  }
}
