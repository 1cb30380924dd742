import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '../../common/redis/redis.module';

/**
 * How long a desk counts as present without a beat. The page beats when its event stream opens and then answers each
 * of the stream's pings (every 15 s) with POST /api/agent/desk/beat: three missed beats and the desk is gone. Only the
 * browser keeps it: the server's own socket may stay "open" for a browser that vanished (Wi-Fi drop, laptop asleep,
 * NAT timeout) for ~15 min of TCP retries, or for good behind a proxy.
 */
export const DESK_ALIVE_MS = 45_000;
/** How long a desk whose stream the server closed on shutdown stays open without a beat (drain + restart + reconnect). */
export const DESK_REDEPLOY_GRACE_MS = 120_000;
/** After the last stream of an agent closes: time for a page reload to reconnect (and beat) before the desk counts as gone. */
export const DESK_CLOSE_GRACE_MS = 20_000;
const SEEN_S = 12 * 3600;

const key = {
  seen: (id: string) => `desk:seen:${id}`,
  alive: (id: string) => `desk:alive:${id}`,
};

/**
 * Whether an agent's desk (the agent page: its event stream and its beats) is still open. Shared by every API process
 * through Redis; the dialer worker asks it about Ready agents, so that an agent whose browser closed is not handed
 * calls that a person has answered (they would hear silence). Only agents who opened a desk are judged: an agent
 * working through the API alone, or a simulated one, never counts as gone.
 */
@Injectable()
export class DeskPresence {
  /** Streams open in this process, per agent. */
  private readonly local = new Map<string, number>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async opened(agentId: string): Promise<void> {
    this.local.set(agentId, (this.local.get(agentId) ?? 0) + 1);
    await this.redis.multi().set(key.seen(agentId), '1', 'EX', SEEN_S).set(key.alive(agentId), '1', 'PX', DESK_ALIVE_MS).exec();
  }

  /** The desk's page said it is still there (it answered a ping of its event stream). */
  async beat(agentId: string): Promise<void> {
    await this.redis.set(key.alive(agentId), '1', 'PX', DESK_ALIVE_MS);
  }

  /**
   * A stream closed; when it was this process's last for the agent, the desk counts as gone after a short grace.
   * `byClient` false: this process closed it (shutting down); the page reconnects elsewhere and its beats decide.
   */
  async closed(agentId: string, byClient = true): Promise<void> {
    const n = (this.local.get(agentId) ?? 1) - 1;
    if (n > 0) {
      this.local.set(agentId, n);
      return;
    }
    this.local.delete(agentId);
    if (!byClient) {
      // A redeploy: the page reconnects (backing off while the server drains and restarts) and beats again. Its desk
      // stays open meanwhile, or every Ready agent would be paused desk_closed by the next worker.
      const ttl = await this.redis.pttl(key.alive(agentId));
      if (ttl >= 0 && ttl < DESK_REDEPLOY_GRACE_MS) await this.redis.pexpire(key.alive(agentId), DESK_REDEPLOY_GRACE_MS);
      return;
    }
    // Only shortens: beats through another process's stream keep it alive.
    const ttl = await this.redis.pttl(key.alive(agentId));
    if (ttl > DESK_CLOSE_GRACE_MS) await this.redis.pexpire(key.alive(agentId), DESK_CLOSE_GRACE_MS);
  }

  /** The agent logged out: no desk to judge any more. */
  async forget(agentId: string): Promise<void> {
    await this.redis.del(key.seen(agentId), key.alive(agentId));
  }

  /** Of these agents, those who opened a desk that is no longer open. */
  async gone(agentIds: string[]): Promise<string[]> {
    if (!agentIds.length) return [];
    const pipe = this.redis.pipeline();
    for (const id of agentIds) pipe.exists(key.seen(id)).exists(key.alive(id));
    const res = ((await pipe.exec()) ?? []).map(([, v]) => Number(v));
    return agentIds.filter((_, i) => res[2 * i] === 1 && res[2 * i + 1] === 0);
  }
}
