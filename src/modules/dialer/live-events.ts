import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '../../common/redis/redis.module';

/**
 * Events pushed to agents' and managers' screens. One bus per process; every event is also published on the
 * Redis channel LIVE_EVENTS_CHANNEL so whichever process holds a browser's SSE/WebSocket can forward it.
 * Payloads carry ids only: the agent's screen fetches the lead through GET /api/agent/current-call.
 */
export const LIVE_EVENTS_CHANNEL = 'live-events';

export interface LiveEventMap {
  /** A human answered and this agent was chosen; the screen pops now. */
  /** preview: the lead is offered to the agent before any dial (Dial or Skip). */
  'call.offered': { agentId: string; callId: string; campaignId: string; leadId: string; preview?: boolean };
  /** The customer's audio is joined to the agent's leg. */
  'call.connected': { agentId: string; callId: string; campaignId: string; at: string };
  /** The customer call ended; the agent is in wrap-up. */
  'call.ended': { agentId: string; callId: string; campaignId: string; at: string; by: string };
  /** The agent's state changed (ready, paused, wrap_up, ...). */
  'agent.state': { agentId: string; campaignId: string | null; state: string; reason: string | null; at: string };
  /**
   * An admin disabled a user or changed their role: every process closes that user's event streams the role no
   * longer allows (see web/events/account-watch.ts). Ids only; the account itself is read again from the database.
   */
  'account.changed': { userId: string; at: string };
  /** About once a second per running campaign: the pacer's view. */
  'campaign.tick': {
    campaignId: string;
    at: string;
    readyAgents: number;
    talkingAgents: number;
    wrapUpAgents: number;
    ringing: number;
    launched: number;
    dialLevel: number;
    reason: string;
    answerRate: number;
  };
}
export type LiveEventName = keyof LiveEventMap;
export interface LiveEvent<K extends LiveEventName = LiveEventName> {
  name: K;
  payload: LiveEventMap[K];
}

@Injectable()
export class LiveEventBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveEventBus.name);
  private readonly local = new EventEmitter();
  private sub?: Redis;

  constructor(@Inject(REDIS) private readonly redis: Redis) {
    this.local.setMaxListeners(1000);
  }

  /** Publishes to every process (through Redis); subscribers in this process get it from the Redis echo. */
  publish<K extends LiveEventName>(name: K, payload: LiveEventMap[K]): void {
    this.redis.publish(this.channel(), JSON.stringify({ name, payload })).catch((err) => this.logger.warn(`live event not published: ${err.message}`));
  }

  /** Listen to every live event (from any process). Returns an unsubscribe function. */
  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.local.on('event', listener);
    return () => this.local.off('event', listener);
  }

  async onModuleInit(): Promise<void> {
    this.sub = this.redis.duplicate();
    this.sub.on('message', (_ch, raw: string) => {
      try {
        this.local.emit('event', JSON.parse(raw) as LiveEvent);
      } catch {
        /* not ours */
      }
    });
    await this.sub.subscribe(this.channel());
  }

  async onModuleDestroy(): Promise<void> {
    await this.sub?.quit().catch(() => undefined);
  }

  /** ioredis applies keyPrefix to keys, not to channels: prefix by hand so test runs stay apart. */
  channel(): string {
    return `${this.redis.options.keyPrefix ?? ''}${LIVE_EVENTS_CHANNEL}`;
  }
}
