import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { CLOCK, Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { REDIS } from '../../common/redis/redis.module';
import { LiveEventBus } from '../dialer/live-events';
import { AgentState } from './agent-state-event.entity';
import { releasePreview } from '../calls/preview-release';
import { DeskPresence } from './desk-presence.service';

export interface AgentLiveState {
  agentId: string;
  state: AgentState;
  campaignId: string | null;
  since: number;
  callId: string | null;
  reason: string | null;
}

const key = {
  agent: (id: string) => `agent:${id}`,
  ready: (campaignId: string) => `agents:ready:${campaignId}`,
  members: (campaignId: string) => `agents:campaign:${campaignId}`,
};

/**
 * Agent state: the live value in Redis (shared by API and worker processes), every change also appended to
 * agent_state_events (reports are built from those). Ready agents of a campaign sit in a sorted set scored by
 * the time they became ready, so the longest-waiting agent is taken first, atomically (ZPOPMIN).
 */
@Injectable()
export class AgentStateService {
  private readonly logger = new Logger(AgentStateService.name);
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly db: DataSource,
    private readonly events: LiveEventBus,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly presence: DeskPresence,
  ) {}

  async get(agentId: string): Promise<AgentLiveState> {
    const h = await this.redis.hgetall(key.agent(agentId));
    if (!h.state) return { agentId, state: 'logged_out', campaignId: null, since: 0, callId: null, reason: null };
    return { agentId, state: h.state as AgentState, campaignId: h.campaignId || null, since: Number(h.since), callId: h.callId || null, reason: h.reason || null };
  }

  /** The agent's own request (ready / paused / logged_out). Refused while a call is on. */
  async setByAgent(agentId: string, state: 'ready' | 'paused' | 'logged_out', campaignId: string | null, reason: string | null): Promise<AgentLiveState> {
    const cur = await this.get(agentId);
    // A lead only previewed (not dialled) does not hold the agent: pausing or logging out returns it to the pool.
    const leavingPreview = cur.state === 'reserved' && state !== 'ready' && !!cur.callId
      && (await releasePreview(this.db, cur.callId, this.clock.now(), 'agent'));
    if ((cur.state === 'reserved' && !leavingPreview) || cur.state === 'on_call' || cur.state === 'on_hold') {
      throw new DomainError('INVALID_STATE', 'finish the current call first', [{ field: 'state', reason: `agent is ${cur.state}` }]);
    }
    if (cur.state === 'wrap_up' && state === 'ready') {
      throw new DomainError('INVALID_STATE', 'submit the disposition to end wrap-up', [{ field: 'state', reason: 'agent is in wrap_up' }]);
    }
    // Pausing in wrap-up is allowed (a break after this call), but the call still waits for its outcome: neither
    // Ready nor logging out may leave it without one (its lead would keep the provisional retry).
    if (state !== 'paused' && (await this.undispositionedCall(agentId))) {
      throw new DomainError('INVALID_STATE', 'submit the disposition of your last call first', [{ field: 'state', reason: 'a call of this agent is in wrap-up without an outcome' }]);
    }
    const target = state === 'logged_out' ? null : (campaignId ?? cur.campaignId);
    if (state === 'ready' && !target) throw new DomainError('VALIDATION', 'campaignId is required to go ready', [{ field: 'campaignId', reason: 'required when state is ready' }]);
    return this.transition(agentId, state, target, { reason });
  }

  /** Moves an agent (system side: reserved, on_call, wrap_up, ready after wrap-up). */
  async transition(
    agentId: string,
    state: AgentState,
    campaignId: string | null,
    opts: { callId?: string | null; reason?: string | null; recordInBackground?: boolean } = {},
  ): Promise<AgentLiveState> {
    const now = this.clock.now();
    const prev = await this.get(agentId);
    const multi = this.redis.multi();
    if (prev.campaignId) multi.zrem(key.ready(prev.campaignId), agentId);
    if (prev.campaignId && prev.campaignId !== campaignId) multi.srem(key.members(prev.campaignId), agentId);
    if (state === 'logged_out') multi.del(key.agent(agentId));
    else {
      multi.hset(key.agent(agentId), {
        state, campaignId: campaignId ?? '', since: String(now.getTime()), callId: opts.callId ?? '', reason: opts.reason ?? '',
      });
      if (campaignId) multi.sadd(key.members(campaignId), agentId);
      if (state === 'ready' && campaignId) multi.zadd(key.ready(campaignId), now.getTime(), agentId);
    }
    await multi.exec();
    if (state === 'logged_out') await this.presence.forget(agentId); // no desk left to judge
    const record = () => this.db.query(`INSERT INTO agent_state_events (agent_id, campaign_id, state, reason, call_id, at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      agentId, campaignId, state, opts.reason ?? null, opts.callId ?? null, now,
    ]);
    if (opts.recordInBackground) {
      // The live state (Redis) is what the caller waits for; the event row (its own time, `at`) follows, retried while
      // the database is unreachable: a PostgreSQL stall must not hold a person on the line past the 2 s limit.
      void retryInBackground(record, this.logger);
    } else {
      await record();
    }
    this.events.publish('agent.state', { agentId, campaignId, state, reason: opts.reason ?? null, at: now.toISOString() });
    return { agentId, state, campaignId, since: now.getTime(), callId: opts.callId ?? null, reason: opts.reason ?? null };
  }

  /** A call handled by this agent that ended and has no outcome yet (in wrap-up). */
  private async undispositionedCall(agentId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM calls WHERE agent_id = $1 AND state = 'wrap_up' LIMIT 1`, [agentId]);
    return rows.length > 0;
  }

  /** Takes the longest-waiting Ready agent of the campaign, or null. Atomic across processes. */
  async takeLongestWaiting(campaignId: string): Promise<string | null> {
    const popped = await this.redis.zpopmin(key.ready(campaignId));
    return popped.length ? popped[0] : null;
  }

  /** Takes this Ready agent out of the campaign's Ready queue (for a lead offered to them); false when not Ready there. */
  async takeSpecific(campaignId: string, agentId: string): Promise<boolean> {
    return (await this.redis.zrem(key.ready(campaignId), agentId)) === 1;
  }

  /** Puts an agent back at the head of the Ready queue (the call it was taken for vanished). */
  async putBack(campaignId: string, agentId: string, since: number): Promise<void> {
    const cur = await this.get(agentId);
    if (cur.state === 'ready' && cur.campaignId === campaignId) await this.redis.zadd(key.ready(campaignId), since, agentId);
  }

  /** Every agent logged in to the campaign, in one Redis round trip (the pacer asks once a second). */
  async campaignAgents(campaignId: string): Promise<AgentLiveState[]> {
    const ids = await this.redis.smembers(key.members(campaignId));
    if (!ids.length) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(key.agent(id));
    const results = (await pipe.exec()) ?? [];
    const out: AgentLiveState[] = [];
    ids.forEach((agentId, i) => {
      const h = (results[i]?.[1] ?? {}) as Record<string, string>;
      if (!h.state || h.campaignId !== campaignId || h.state === 'logged_out') return;
      out.push({ agentId, state: h.state as AgentState, campaignId, since: Number(h.since), callId: h.callId || null, reason: h.reason || null });
    });
    return out;
  }
}

/** Runs `fn` until it succeeds, waiting 1 s, 2 s, 4 s ... (at most 30 s) between tries, for up to ~10 minutes. */
async function retryInBackground(fn: () => Promise<unknown>, logger: { warn(o: object, m: string): void }): Promise<void> {
  for (let attempt = 0, wait = 1_000, waited = 0; ; attempt++) {
    try {
      await fn();
      return;
    } catch (err) {
      if (waited > 600_000) {
        logger.warn({ err: (err as Error).message, attempts: attempt + 1 }, 'agent state event not recorded: gave up');
        return;
      }
      await new Promise((r) => setTimeout(r, wait).unref?.());
      waited += wait;
      wait = Math.min(wait * 2, 30_000);
    }
  }
}
