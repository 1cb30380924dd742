import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '../../../common/redis/redis.module';

/** A holder that stops renewing (crashed, frozen, cut off) loses the campaign within this time. */
export const CAMPAIGN_LOCK_TTL_MS = 6_000;
/** Worker liveness key lifetime: a worker whose key expired is dead, and its open calls are reconciled. */
export const WORKER_ALIVE_TTL_MS = 6_000;

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One orchestrator per campaign across every worker process: a Redis key set with NX and an expiry, renewed by
 * its holder (only while it still holds it: compare-and-extend in Lua), released by compare-and-delete.
 */
@Injectable()
export class CampaignLockService {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async acquire(campaignId: string, owner: string): Promise<boolean> {
    return (await this.redis.set(this.key(campaignId), owner, 'PX', CAMPAIGN_LOCK_TTL_MS, 'NX')) === 'OK';
  }

  async renew(campaignId: string, owner: string): Promise<boolean> {
    return Number(await this.redis.eval(RENEW, 1, this.key(campaignId), owner, String(CAMPAIGN_LOCK_TTL_MS))) === 1;
  }

  async release(campaignId: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(campaignId), owner);
  }

  async holder(campaignId: string): Promise<string | null> {
    return this.redis.get(this.key(campaignId));
  }

  /** Liveness: a worker whose key stayed missing for the dead grace is taken for dead (DialerWorkerService). */
  async heartbeat(workerId: string): Promise<void> {
    await this.redis.set(`worker:${workerId}`, '1', 'PX', WORKER_ALIVE_TTL_MS);
  }

  async isAlive(workerId: string): Promise<boolean> {
    return (await this.redis.exists(`worker:${workerId}`)) === 1;
  }

  async forget(workerId: string): Promise<void> {
    await this.redis.del(`worker:${workerId}`);
  }

  private key(campaignId: string): string {
    return `campaign-lock:${campaignId}`;
  }
}
