import { Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Clock } from '../../../common/clock';
import { AgentStateService } from '../../agents/agent-state.service';
import { CallsService } from '../../calls/calls.service';
import { nextAfterSystemOutcome, retryRules, SystemOutcome } from '../../calls/retry-policy';
import { CampaignPacing } from '../../campaigns/campaign-settings';
import { CampaignEntity, CampaignStatus, DialMode } from '../../campaigns/campaign.entity';
import { BlockReason } from '../../compliance/dial-gate.types';
import { LeadEntity } from '../../leads/lead.entity';
import { DialResult, Telephony } from '../../telephony/telephony.port';
import { DialGate } from '../gate/dial-gate';
import { LiveEventBus } from '../live-events';
import { LIVE_HISTORY_MS, LIVE_HISTORY_POINTS, LiveHistoryPoint, liveHistoryKey } from '../live-history';
import { decideDials } from '../pacing/pacing-engine';
import { AttemptResult, PacingStats } from '../pacing/pacing-stats';
import { AbandonWindow, DialDecision, DurationStats, PacingPolicy, PacingState } from '../pacing/pacing.types';
import { CallRecordWriter } from './call-record-writer';
import { LeadLeaser } from './lead-leaser.service';

/** A person who answered waits at most this long for an agent before the call is abandoned (47 CFR 64.1200(a)(7)(i)). */
export const ABANDON_AFTER_MS = 2_000;
const AGENT_POLL_MS = 100;
/** How long a stopping orchestrator lets its connected calls end by themselves before hanging them up. */
export const STOP_DRAIN_MS = 20_000;
const CAMPAIGN_RELOAD_MS = 3_000;
const WINDOWS_RELOAD_MS = 5_000;

export interface RunnerDeps {
  db: DataSource;
  redis: Redis;
  clock: Clock;
  telephony: Telephony;
  gate: DialGate;
  leaser: LeadLeaser;
  calls: CallsService;
  agents: AgentStateService;
  events: LiveEventBus;
  workerId: string;
  tickMs: number;
  /** Group-committed call records (one per worker, shared by its runners, so their launches batch together). */
  records?: CallRecordWriter;
  /**
   * Which campaign holds each agent leg of this worker's telephony adapter (one per worker, shared by its runners):
   * an agent who moves to another campaign keeps their leg, and a runner tears down only legs it holds.
   */
  legOwners?: Map<string, string>;
}

interface LiveCall {
  id: string;
  lead: LeadEntity;
  launchedAt: number;
  answeredAt?: number;
  connectedAt?: number;
  agentId?: string;
  /** The agent this call was dialled for (preview Dial, or a callback booked for that agent): no abandon, no pool. */
  reservedAgent?: string;
  answerType?: 'human' | 'machine';
  /** The answer is on the record ('answered'); a machine's is not written apart but carried by the closing update. */
  answerRecorded?: boolean;
  abandoned?: boolean;
  /** An event of this call could not be recorded: it is being ended (see giveUp). */
  givenUp?: boolean;
  /** Its record never committed (number already live, or the store failed): no INVITE left, its events are ignored. */
  notOpened?: boolean;
  /** The carrier's id of the call, written with the record's closing update. */
  providerCallId?: string;
  chain: Promise<void>;
  /** Its place in the pacing statistics, which count attempts in launch order (see PacingStats). */
  statsTicket?: number;
  talkTicket?: number;
}

/**
 * The orchestrator of one running campaign, in the worker that holds its lock: once a tick it asks the pacing
 * engine how many calls to launch, leases that many leads, passes each through the dial gate, launches through
 * the telephony port and follows every call to its end, settling the lead on every path.
 */
export class CampaignRunner {
  private readonly logger = new Logger(CampaignRunner.name);
  private readonly live = new Map<string, LiveCall>();
  private readonly leasing = new Set<string>();
  /** Events queued or running per call (a call's end may wait seconds for a busy database). */
  private readonly recording = new Map<string, number>();
  private readonly stats = new PacingStats();
  private readonly records: CallRecordWriter;
  private campaign: CampaignEntity;
  private campaignLoadedAt = 0;
  private windows: { lastHour: AbandonWindow; last24h: AbandonWindow; last30d: AbandonWindow } = {
    lastHour: { abandoned: 0, answered: 0 }, last24h: { abandoned: 0, answered: 0 }, last30d: { abandoned: 0, answered: 0 },
  };
  private windowsLoadedAt = 0;
  private longWindowsLoadedAt = 0;
  private cpsLimit: number | null = null;
  /** Agent -> the campaign holding its long-lived phone leg in this worker's adapter (see RunnerDeps.legOwners). */
  private readonly legOwners: Map<string, string>;
  private wrapUp: DurationStats = { meanMs: 30_000, sdMs: 15_000 };
  private timer?: NodeJS.Timeout;
  private ticking = false;
  /** What the last decision saw, for the dashboard's trend point. */
  private sample = { ringing: 0, talking: 0 };
  private draining = false;
  private stopped = false;
  /** Stop finished: late carrier events (after the calls were closed) are ignored. */
  private closed = false;
  lastDecision: DialDecision | null = null;

  constructor(
    campaign: CampaignEntity,
    private readonly d: RunnerDeps,
  ) {
    this.campaign = campaign;
    this.campaignLoadedAt = d.clock.now().getTime();
    this.records = d.records ?? new CallRecordWriter(d.db);
    this.legOwners = d.legOwners ?? new Map();
  }

  get campaignId(): string {
    return this.campaign.id;
  }
  /** Calls this runner follows: live ones, and ones whose events are still being recorded (a closing update in flight). */
  get liveCallIds(): string[] {
    return [...new Set([...this.live.keys(), ...this.recording.keys()])];
  }
  /** Leads leased by this runner that have no call record yet (a launch or an offer in progress). */
  get leadsInFlight(): string[] {
    return [...this.leasing];
  }
  /** Stopped launching (campaign no longer running) and no call left: the lock can go. */
  get finished(): boolean {
    return this.draining && this.live.size === 0;
  }

  async start(): Promise<void> {
    await this.seedStats();
    await this.loadCpsLimit();
    this.timer = setInterval(() => void this.tick(), this.d.tickMs);
  }

  /**
   * Graceful stop: no more launches; calls still ringing are cancelled; a person who answered is put through or
   * abandoned as usual (2 s); calls connected to an agent are left to end, for at most `drainMs`, then hung up;
   * anything still open after that is closed as worker_lost.
   */
  async stop(drainMs = STOP_DRAIN_MS): Promise<void> {
    this.stopped = true;
    this.draining = true;
    if (this.timer) clearInterval(this.timer);
    while (this.ticking) await sleep(20); // a launch in progress finishes first, so its calls are cancelled too
    for (const c of [...this.live.values()]) if (c.answeredAt === undefined) await this.d.telephony.hangup(c.id).catch(() => undefined);
    const until = Date.now() + drainMs;
    while ([...this.live.values()].some((c) => c.answeredAt !== undefined) && Date.now() < until) await sleep(100);
    for (const c of [...this.live.values()]) await this.d.telephony.hangup(c.id).catch(() => undefined);
    await Promise.all([...this.live.values()].map((c) => c.chain));
    const deadline = Date.now() + 2_000;
    while (this.live.size && Date.now() < deadline) await sleep(50);
    for (const c of [...this.live.values()]) await this.closeLost(c);
    // Paused, completed or handed to another worker: the phones of this campaign's agents are not held up for it
    // (an agent who logs out meanwhile would keep the dialer's call on their phone, with no runner to end it).
    await this.releaseLegs(new Set());
    this.closed = true;
  }

  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const now = this.d.clock.now();
      if (now.getTime() - this.campaignLoadedAt >= CAMPAIGN_RELOAD_MS) await this.reloadCampaign(now);
      if (this.draining) return;
      if (this.campaign.dialMode === DialMode.Preview) {
        await this.previewTick(now);
        return;
      }
      if (now.getTime() - this.windowsLoadedAt >= WINDOWS_RELOAD_MS) await this.loadWindows(now);
      await this.offerOwnedCallbacks(now);
      await this.dialQueued();
      const decision = await this.decide(now);
      this.lastDecision = decision;
      const launched = decision.launch > 0 ? await this.launch(decision.launch, now) : 0;
      // The last decision, and a point of the manager's 5-minute trend (kept here, so a dashboard opened now has it).
      const point: LiveHistoryPoint = { t: now.getTime(), ringing: this.sample.ringing, dialLevel: decision.dialLevel, talking: this.sample.talking };
      const history = liveHistoryKey(this.campaign.id);
      await this.d.redis.multi()
        .set(`pacing:${this.campaign.id}`, JSON.stringify({ ...decision, launched, at: now.toISOString() }), 'PX', 10_000)
        .lpush(history, JSON.stringify(point)).ltrim(history, 0, LIVE_HISTORY_POINTS - 1).pexpire(history, LIVE_HISTORY_MS)
        .exec();
    } catch (err) {
      this.logger.error({ campaignId: this.campaign.id, err: (err as Error).message }, 'pacing tick failed');
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Preview mode: the pacer launches nothing. Every Ready agent is offered the next eligible lead (a due callback
   * booked for them first, then 'anyone' callbacks, then the pool), checked by the dial gate at selection; the
   * agent Dials or Skips it (CallsService.requestDial / requestSkip); a Dialled call is placed here.
   */
  private async previewTick(now: Date): Promise<void> {
    const agents = await this.d.agents.campaignAgents(this.campaign.id);
    await this.syncAgentLegs(agents.map((a) => a.agentId));
    for (const a of agents) {
      if (a.state === 'ready') await this.offer(a.agentId, now, false);
    }
    await this.dialQueued();
    await this.d.redis.set(`pacing:${this.campaign.id}`, JSON.stringify({ mode: 'preview', launch: 0, launched: 0, at: now.toISOString() }), 'PX', 10_000);
  }

  /**
   * Auto-dial modes: a due callback booked for one agent (scope 'agent') is dialled for its owner only, when the owner
   * is Ready in this campaign (until then it waits; the pacer's anonymous dials never take it).
   */
  private async offerOwnedCallbacks(now: Date): Promise<void> {
    const ready = (await this.d.agents.campaignAgents(this.campaign.id)).filter((a) => a.state === 'ready').map((a) => a.agentId);
    if (!ready.length) return;
    const owners: { owner: string }[] = await this.d.db.query(
      `SELECT DISTINCT cb.owner_agent_id AS owner FROM callbacks cb JOIN leads l ON l.id = cb.lead_id
        WHERE cb.campaign_id = $1 AND cb.status = 'pending' AND cb.scope = 'agent' AND cb.due_at <= $2
          AND cb.owner_agent_id = ANY($3::uuid[]) AND l.status = 'callback'`,
      [this.campaign.id, now, ready],
    );
    for (const { owner } of owners) await this.offer(owner, now, true);
  }

  /**
   * Leases a lead for one agent, asks the gate (at selection), and reserves the agent for it: a 'preview' call row
   * (preview mode: the agent decides) or a queued one dialled at once (auto modes: the agent's own callback).
   */
  private async offer(agentId: string, now: Date, ownedOnly: boolean): Promise<boolean> {
    for (let i = 0; i < 3; i++) {
      const [lead] = await this.d.leaser.lease(this.campaign, 1, this.d.workerId, now, { forAgent: agentId, ownedCallbacksOnly: ownedOnly });
      if (!lead) return false;
      this.leasing.add(lead.id);
      try {
        const r = await this.offerLead(lead, agentId, now);
        if (r !== 'next') return r;
      } finally {
        this.leasing.delete(lead.id);
      }
    }
    return false;
  }

  private async offerLead(lead: LeadEntity, agentId: string, now: Date): Promise<boolean | 'next'> {
    const cid = this.campaign.id;
    const v = (await this.d.gate.check([lead], this.campaign, now)).get(lead.id) ?? { allowed: false as const, reason: 'lead_not_dialable' as const };
    if (!v.allowed) {
      await this.d.leaser.releaseBlocked(lead, v.reason, now);
      return 'next';
    }
    const since = (await this.d.agents.get(agentId)).since;
    if (!(await this.d.agents.takeSpecific(cid, agentId))) {
      await this.d.leaser.releaseUntouched(lead, now); // the agent left Ready (or was taken for another call)
      return false;
    }
    const callId = await this.d.calls.createPreview(this.campaign, lead, agentId, now);
    if (!callId) {
      await this.d.agents.putBack(cid, agentId, since);
      await this.d.leaser.releaseUntouched(lead, now);
      return 'next';
    }
    await this.d.agents.transition(agentId, 'reserved', cid, { callId });
    const preview = this.campaign.dialMode === DialMode.Preview;
    this.d.events.publish('call.offered', { agentId, callId, campaignId: cid, leadId: lead.id, preview });
    if (!preview) {
      await this.d.calls.transition(callId, 'queued', { queued_at: now });
      await this.dialQueued();
    }
    return true;
  }

  /** Places the calls agents asked to dial (queued, for a reserved agent, not yet claimed by a worker). */
  async dialQueued(): Promise<void> {
    if (this.stopped || this.closed) return;
    const rows: { id: string; agent_id: string; lead_id: string }[] = await this.d.db.query(
      `UPDATE calls SET worker_id = $2, updated_at = now()
        WHERE campaign_id = $1 AND state = 'queued' AND agent_id IS NOT NULL AND worker_id IS NULL
       RETURNING id, agent_id, lead_id::text AS lead_id`,
      [this.campaign.id, this.d.workerId],
    );
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as typeof rows;
    for (const r of list) {
      const lead = await this.d.leaser.load(r.lead_id);
      if (lead) await this.dialReserved(r.id, lead, r.agent_id);
    }
  }

  /** The gate once more right before the INVITE, then the dial; the answer goes to this agent only. */
  private async dialReserved(callId: string, lead: LeadEntity, agentId: string): Promise<void> {
    const now = this.d.clock.now();
    const v = (await this.d.gate.check([lead], this.campaign, now)).get(lead.id) ?? { allowed: false as const, reason: 'lead_not_dialable' as const };
    if (!v.allowed) {
      await this.d.calls.transition(callId, 'failed', { end_at: now, outcome: 'blocked', sip_reason: v.reason, hangup_by: 'system' });
      await this.d.leaser.releaseBlocked(lead, v.reason, now);
      await this.d.agents.transition(agentId, 'ready', this.campaign.id); // (agent.state tells the desk)
      return;
    }
    await this.dial(lead, now, { callId, agentId });
  }

  /** A call placed for a reserved agent ended without reaching them (no answer, machine, failure): the agent is Ready. */
  private async releaseReserved(call: LiveCall, at: Date): Promise<void> {
    if (!call.reservedAgent || call.agentId) return;
    const cur = await this.d.agents.get(call.reservedAgent);
    if (cur.callId !== call.id) return;
    await this.d.agents.transition(call.reservedAgent, 'ready', this.campaign.id); // no wrap-up: nobody was reached
  }

  /**
   * The nailed-up agent leg (see TELEPHONY.md): up while the agent is logged in to the campaign, so joining an
   * answered call takes milliseconds; torn down at logout. A leg that drops pauses the agent.
   */
  private async syncAgentLegs(loggedIn: string[]): Promise<void> {
    const cid = this.campaign.id;
    for (const agentId of loggedIn) {
      if (this.legOwners.get(agentId) === cid) continue;
      // New here, or come from another campaign of this worker: the adapter keeps a leg that is up (idempotent).
      this.legOwners.set(agentId, cid);
      await this.d.telephony.ensureAgentLeg(agentId, {
        onAgentLegDown: (id) => {
          this.legOwners.delete(id); // whichever campaign holds it: the next sync sets it up again
          void this.d.agents.get(id).then((s) => {
            if (s.state === 'ready') return this.d.agents.transition(id, 'paused', s.campaignId, { reason: 'phone_disconnected' });
          }).catch(() => undefined);
        },
      }).catch((err) => {
        if (this.legOwners.get(agentId) === cid) this.legOwners.delete(agentId);
        this.logger.warn({ agentId, err: (err as Error).message }, 'agent leg not established');
      });
    }
    await this.releaseLegs(new Set(loggedIn));
  }

  /** Tears down the legs this campaign holds for agents not in `keep` (a leg another campaign took is left to it). */
  private async releaseLegs(keep: Set<string>): Promise<void> {
    for (const [agentId, owner] of [...this.legOwners]) {
      if (owner !== this.campaign.id || keep.has(agentId)) continue;
      this.legOwners.delete(agentId);
      await this.d.telephony.releaseAgentLeg(agentId).catch(() => undefined);
    }
  }

  private policy(): PacingPolicy {
    const p = (this.campaign.pacing ?? {}) as CampaignPacing;
    return {
      mode: this.campaign.dialMode,
      abandonTargetPct: Math.min(3, p.abandonTargetPct ?? this.campaign.abandonTarget ?? 3),
      maxLinesPerAgent: p.maxLinesPerAgent ?? this.campaign.maxLinesPerAgent ?? 3,
      warmupAnsweredCalls: p.warmupAnsweredCalls ?? 30,
      // The trunk's calls-per-second limit: a burst above it earns 503s (one decision per second).
      maxLaunchPerDecision: this.cpsLimit ?? undefined,
    };
  }

  private async decide(now: Date): Promise<DialDecision> {
    const agents = await this.d.agents.campaignAgents(this.campaign.id);
    await this.syncAgentLegs(agents.map((a) => a.agentId));
    const t = now.getTime();
    const state: PacingState = {
      readyAgents: 0,
      talkingElapsedMs: [],
      wrapUpElapsedMs: [],
      ringingElapsedMs: [],
      answeredWaiting: 0,
      humanAnswerRate: this.stats.humanAnswerRate,
      machineRate: this.stats.machineRate,
      observedAttempts: this.stats.observedAttempts,
      observedAnswers: this.stats.observedAnswers,
      observedTalks: this.stats.talk.count,
      answerDelay: this.stats.answerDelay.stats,
      talk: this.stats.talk.stats,
      wrapUp: this.wrapUp,
      abandons: this.windows,
    };
    for (const a of agents) {
      if (a.state === 'ready') state.readyAgents++;
      else if (a.state === 'on_call' || a.state === 'reserved' || a.state === 'on_hold') state.talkingElapsedMs.push(t - a.since);
      else if (a.state === 'wrap_up') state.wrapUpElapsedMs.push(t - a.since);
    }
    for (const c of this.live.values()) {
      if (c.answeredAt === undefined) state.ringingElapsedMs.push(t - c.launchedAt);
      else if (c.answerType === 'human' && !c.agentId && !c.abandoned) state.answeredWaiting++;
    }
    const decision = decideDials(state, this.policy());
    this.sample = { ringing: state.ringingElapsedMs.length, talking: agents.filter((a) => a.state === 'on_call').length };
    this.d.events.publish('campaign.tick', {
      campaignId: this.campaign.id,
      at: now.toISOString(),
      readyAgents: state.readyAgents,
      talkingAgents: state.talkingElapsedMs.length,
      wrapUpAgents: state.wrapUpElapsedMs.length,
      ringing: state.ringingElapsedMs.length,
      launched: decision.launch,
      dialLevel: decision.dialLevel,
      reason: decision.reason,
      answerRate: state.humanAnswerRate,
    });
    return decision;
  }

  private async launch(n: number, now: Date): Promise<number> {
    const leads = await this.d.leaser.lease(this.campaign, n, this.d.workerId, now);
    if (!leads.length) return 0;
    for (const l of leads) this.leasing.add(l.id);
    const dials: Promise<boolean>[] = [];
    const dialled = new Set<string>();
    try {
      // The gate again, at the moment of dialing: DNC lists and calling hours may have changed since selection.
      const verdicts = await this.d.gate.check(leads, this.campaign, now);
      const blocked: { lead: LeadEntity; reason: BlockReason }[] = [];
      // Every dial starts in this one synchronous pass, so the calls' records go to the database in one statement
      // (group commit). dial() frees its own lead when its call cannot be placed.
      for (const lead of leads) {
        const v = verdicts.get(lead.id) ?? { allowed: false as const, reason: 'lead_not_dialable' as const };
        if (!v.allowed) {
          blocked.push({ lead, reason: v.reason });
          continue;
        }
        dialled.add(lead.id);
        dials.push(this.dial(lead, now));
      }
      for (const { lead, reason } of blocked) {
        await this.d.leaser.releaseBlocked(lead, reason, now);
        this.leasing.delete(lead.id);
      }
    } catch (err) {
      // A store failed half-way: the leads not dialled go back now, not when their lease expires.
      const rest = leads.filter((l) => this.leasing.has(l.id) && !dialled.has(l.id));
      void retryWhileUnreachable(async () => {
        for (const l of rest) await this.d.leaser.releaseUntouched(l, now);
      }, this.logger, 'launch').catch((e) => this.logger.error({ err: (e as Error).message }, 'could not release undialled leads'))
        .finally(() => rest.forEach((l) => this.leasing.delete(l.id)));
      throw err;
    }
    return (await Promise.all(dials)).filter(Boolean).length;
  }

  /**
   * Places one call. Its record is opened (auto-dialled calls: by group commit, with the other calls of the launch)
   * while the adapter prepares the call (gateway, pacing slot, media offer), and the INVITE waits for the commit
   * (DialRequest.sendAfter): no call leaves for a record that did not commit, and none of its events is recorded
   * before its record exists. Resolves whether the call was placed; never rejects: a call that cannot be placed
   * frees its own lead.
   */
  private async dial(lead: LeadEntity, now: Date, reserved?: { callId: string; agentId: string }): Promise<boolean> {
    const callId = reserved?.callId ?? randomUUID();
    // The call's own launch time, not the tick's: a tick that launches hundreds of calls takes seconds, and a call
    // taken to have rung since the tick began looks less likely to be answered than it is (see forecast.ts).
    const call: LiveCall = { id: callId, lead, launchedAt: this.d.clock.now().getTime(), chain: Promise.resolve(), reservedAgent: reserved?.agentId };
    call.statsTicket = this.stats.launched(call.launchedAt);
    this.live.set(callId, call);
    // Submitted before the first await: the dials of one launch share a batch.
    const opening = reserved ? this.openReserved(callId, lead, now) : this.records.open({
      callId, campaignId: this.campaign.id, leadId: lead.id, phone: lead.phone, attempt: lead.attempts + 1,
      dialMode: this.campaign.dialMode ?? DialMode.Progressive, callerId: this.campaign.callerId, gatewayId: this.campaign.gatewayId,
      workerId: this.d.workerId, at: now,
    });
    const committed = opening.then((opened) => {
      if (!opened) throw new NumberAlreadyLive();
    });
    call.chain = committed
      .then(() => undefined, (err) => this.notOpened(call, err, now, !!reserved))
      .finally(() => this.leasing.delete(lead.id)); // the lead has its call record now, or is being freed
    const on = (fn: () => Promise<void>, retry = true) => {
      if (this.closed) return;
      this.recording.set(callId, (this.recording.get(callId) ?? 0) + 1);
      call.chain = call.chain.then(() => (call.notOpened ? undefined : retry ? retryWhileUnreachable(fn, this.logger, callId) : fn())).catch((err) => {
        this.logger.error({ callId, err: (err as Error).message }, 'call event failed');
        return this.giveUp(call);
      }).finally(() => {
        const n = (this.recording.get(callId) ?? 1) - 1;
        if (n > 0) this.recording.set(callId, n);
        else this.recording.delete(callId);
      });
    };
    try {
      const handle = await this.d.telephony.dial(
        {
          callId, campaignId: this.campaign.id, to: lead.phone, callerId: this.campaign.callerId, gatewayId: this.campaign.gatewayId,
          ringTimeoutMs: this.campaign.ringTimeoutS * 1000 * this.ringScale(), record: this.campaign.recordCalls, sendAfter: committed,
        },
        {
          onRinging: (at) => on(() => this.onRinging(call, at)),
          // Handled at once, not after the call's earlier events are recorded: a person who answered does not wait
          // for a slow store (the 2 s rule). Its records keep their place (onAnswered orders them after `prior`).
          onAnswered: (at, type) => {
            if (this.closed || call.notOpened) return;
            const prior = call.chain.catch(() => undefined);
            const handling = this.onAnswered(call, at, type, prior);
            handling.catch(() => undefined); // reported by the chain
            on(() => handling, false);
          },
          onFailed: (at, result, code, reason) => on(() => this.onFailed(call, at, result, code, reason)),
          onEnded: (at, by) => on(() => this.onEnded(call, at, by)),
          // A campaign that records its calls: the recording's reference goes on the call record.
          onRecording: (_at, path) => on(() => this.d.calls.setRecording(call.id, path)),
        },
      );
      call.providerCallId = handle.providerCallId || undefined;
    } catch (err) {
      this.logger.warn({ callId, err: (err as Error).message }, 'dial failed to start');
      on(() => this.onFailed(call, this.d.clock.now(), 'carrier_failure', null, 'dial error'));
    }
    return committed.then(() => true, () => false);
  }

  /** A call an agent asked for already has its record (queued): it moves to dialing, its attempt counted and logged. */
  private async openReserved(callId: string, lead: LeadEntity, now: Date): Promise<boolean> {
    // One transaction: an attempt is counted and logged only for a call that moved to dialing.
    await this.d.db.transaction(async (tx) => {
      await this.d.calls.countAttempt(lead.id, now, tx);
      // A callback leased for this lead is done once its call is placed.
      await tx.query(`UPDATE callbacks SET status = 'done', updated_at = now() WHERE lead_id = $1 AND status = 'leased'`, [lead.id]);
      await this.d.calls.complianceEvent({ type: 'attempt', campaignId: this.campaign.id, leadId: lead.id, callId, phone: lead.phone, at: now, details: { mode: this.campaign.dialMode } }, tx);
      await this.d.calls.transition(callId, 'dialing', { dial_at: now }, tx);
    });
    return true;
  }

  /**
   * The call's record did not commit (the number has a live call in another campaign, or the store failed): the
   * adapter sent nothing (sendAfter rejected) and the call's events are ignored. The lead goes back untouched; an
   * agent's call, whose record existed before, is closed as cancelled.
   */
  private notOpened(call: LiveCall, err: unknown, now: Date, reserved: boolean): void {
    call.notOpened = true;
    this.live.delete(call.id);
    this.resolveStats(call, 'void', this.d.clock.now().getTime()); // never placed: says nothing about the list
    if (!(err instanceof NumberAlreadyLive)) this.logger.warn({ callId: call.id, err: (err as Error)?.message }, 'call record not written: call not placed');
    void retryWhileUnreachable(async () => {
      if (reserved) await this.d.calls.transition(call.id, 'failed', { end_at: this.d.clock.now(), outcome: 'cancelled' });
      await this.d.leaser.releaseUntouched(call.lead, now);
      // The agent it was placed for is Ready again (the carrier's events for this call are ignored, see on()).
      if (reserved) await this.releaseReserved(call, this.d.clock.now());
    }, this.logger, call.id).catch((e) => this.logger.error({ callId: call.id, err: (e as Error).message }, 'could not free the lead of an undialled call'));
  }

  /** The simulated carrier may run on a shrunken time scale; the ring timeout shrinks with it. */
  private ringScale(): number {
    const s = Number(process.env.SIMULATED_TIME_SCALE ?? '1');
    return this.d.telephony.name === 'simulated' && s > 0 && s <= 1 ? s : 1;
  }

  private async onRinging(call: LiveCall, at: Date): Promise<void> {
    await this.d.calls.transition(call.id, 'ringing', { ring_at: at });
  }

  private async onAnswered(call: LiveCall, at: Date, type: 'human' | 'machine', prior: Promise<void> = Promise.resolve()): Promise<void> {
    call.answeredAt = at.getTime();
    call.answerType = type;
    if (type === 'machine') {
      this.resolveStats(call, 'machine', call.answeredAt);
      // Hung up at once; the answer is written by the closing update (one statement for the two, see closingAnswer).
      await this.d.telephony.hangup(call.id);
      return;
    }
    // Written while an agent is found: the person on the line does not wait for the database (a stall of
    // PostgreSQL would otherwise be silence past the 2 s limit). Records that follow it wait for it.
    const recorded = prior.then(() => retryWhileUnreachable(async () => {
      await this.records.answered({ callId: call.id, at, type });
      call.answerRecorded = true;
    }, this.logger, call.id));
    recorded.catch(() => undefined); // awaited below on every path
    this.resolveStats(call, 'human', call.answeredAt, call.answeredAt - call.launchedAt);
    this.bump('answered');
    // Dialled for one agent (preview, own callback): that agent is reserved and waiting, so no abandon.
    if (call.reservedAgent) return this.connect(call, call.reservedAgent, recorded); // connect waits for the record after the join
    // Longest-waiting Ready agent, or wait for one up to the 2 s limit, polling the shared Ready queue. Every step
    // is raced against the limit (47 CFR 64.1200(a)(7)(i)): an agent found after it (Redis stalled) goes back to
    // the head of the Ready queue and the person gets the message instead of late silence and a late agent.
    const deadline = call.answeredAt + ABANDON_AFTER_MS;
    for (;;) {
      const taken = await this.beforeDeadline(
        this.d.agents.takeLongestWaiting(this.campaign.id).catch((err) => {
          this.logger.warn({ callId: call.id, err: (err as Error).message }, 'could not look for a Ready agent');
          return null;
        }),
        deadline,
        (late) => late && this.giveBack(late),
      );
      if (taken === LATE) break;
      if (taken) return this.connect(call, taken, recorded, deadline);
      if (!this.live.has(call.id)) return recorded; // the person hung up while waiting
      if (this.d.clock.now().getTime() + AGENT_POLL_MS > deadline) break;
      await sleep(AGENT_POLL_MS);
    }
    await this.abandonWaiting(call, 'no_agent_within_2s', recorded);
  }

  /**
   * `work`, or LATE once the clock passes `deadline` first; `ifLate` gets what `work` brings afterwards (an agent
   * taken too late must be given back).
   */
  private async beforeDeadline<T>(work: Promise<T>, deadline: number, ifLate: (v: T) => unknown): Promise<T | typeof LATE> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof LATE>((r) => (timer = setTimeout(() => r(LATE), Math.max(0, deadline - this.d.clock.now().getTime()))));
    try {
      const r = await Promise.race([work, late]);
      if (r === LATE) {
        void work.then(ifLate).catch((err) => this.logger.warn({ err: (err as Error).message }, 'could not undo a step that came too late'));
      }
      return r;
    } finally {
      clearTimeout(timer);
    }
  }

  /** An agent taken from the Ready queue for a call that went without them: back at the head of the queue. */
  private async giveBack(agentId: string): Promise<void> {
    await retryWhileUnreachable(async () => {
      const cur = await this.d.agents.get(agentId);
      if (cur.state === 'ready') await this.d.agents.putBack(this.campaign.id, agentId, cur.since);
      else if (cur.state === 'reserved' && !cur.callId) await this.d.agents.transition(agentId, 'ready', this.campaign.id);
    }, this.logger, agentId);
  }

  private resolveStats(call: LiveCall, result: AttemptResult | 'void', at: number, answerDelayMs?: number): void {
    if (call.statsTicket !== undefined) this.stats.resolve(call.statsTicket, result, at, answerDelayMs);
  }

  /**
   * The person who answered got no agent in time: abandoned (the message played and hung up first, then recorded
   * and counted: a person is not kept in silence while a store is slow; the records follow when it answers).
   */
  private async abandonWaiting(
    call: LiveCall,
    reasonCode: 'no_agent_within_2s' | 'agent_join_failed' = 'no_agent_within_2s',
    recorded: Promise<void> = Promise.resolve(),
  ): Promise<void> {
    call.abandoned = true;
    const now = this.d.clock.now();
    this.bump('abandoned');
    try {
      await this.d.telephony.abandon(call.id);
    } catch (err) {
      this.logger.warn({ callId: call.id, err: (err as Error).message }, 'abandonment message not played');
    }
    await recorded;
    await retryWhileUnreachable(async () => {
      await this.d.calls.transition(call.id, 'abandoned', { abandon_at: now, outcome: 'abandoned' });
      const [logged] = await this.d.db.query(`SELECT 1 FROM compliance_events WHERE call_id = $1 AND type = 'abandon'`, [call.id]);
      if (logged) return; // written by an attempt whose answer was lost
      await this.d.calls.complianceEvent({
        type: 'abandon', reasonCode, campaignId: this.campaign.id, leadId: call.lead.id, callId: call.id, phone: call.lead.phone, at: now,
        details: { waitedMs: now.getTime() - (call.answeredAt ?? now.getTime()) },
      });
    }, this.logger, call.id);
  }

  /**
   * A call event could not be recorded even after retrying (see retryWhileUnreachable): the call is not left hanging
   * in the carrier with nobody following it. A person answered and waiting for an agent is abandoned (the answer is
   * recorded first); any other live call is hung up, and its end event closes the record. A record whose closing
   * event was the one lost is closed by the worker's orphan pass (DialerWorkerService.reconcileOwnOrphans).
   */
  private async giveUp(call: LiveCall): Promise<void> {
    if (this.closed || !this.live.has(call.id) || call.givenUp) return;
    call.givenUp = true;
    try {
      await retryWhileUnreachable(async () => {
        if (call.answerType === 'human' && !call.agentId && !call.abandoned) {
          await this.d.calls.transition(call.id, 'answered', { answer_at: new Date(call.answeredAt ?? this.d.clock.now().getTime()), answer_type: 'human' });
          await this.abandonWaiting(call);
        } else {
          await this.d.telephony.hangup(call.id);
        }
      }, this.logger, call.id);
    } catch (err) {
      this.logger.error({ callId: call.id, err: (err as Error).message }, 'could not end a call whose event failed');
      await this.d.telephony.hangup(call.id).catch(() => undefined);
    }
  }

  /**
   * Joins the answered call to the agent. With a deadline (a call of the pool, not one dialled for this agent): the
   * agent's move to reserved is raced against it, and past it the person gets the abandonment message and the
   * agent goes back to Ready (47 CFR 64.1200(a)(7)(i): connected within 2 s of the greeting, or abandoned).
   */
  private async connect(call: LiveCall, agentId: string, recorded: Promise<void>, deadline?: number): Promise<void> {
    const cid = this.campaign.id;
    // Only the live state (Redis) is raced: its event row is written after, off the person's clock.
    const reserving = this.d.agents.transition(agentId, 'reserved', cid, { callId: call.id, recordInBackground: true });
    if (deadline === undefined) await reserving;
    else {
      const r = await this.beforeDeadline(reserving, deadline, () => this.d.agents.transition(agentId, 'ready', cid));
      if (r === LATE) {
        this.logger.warn({ callId: call.id, agentId }, 'agent not reserved within the abandon limit: call abandoned');
        if (this.live.has(call.id)) await this.abandonWaiting(call, 'no_agent_within_2s', recorded);
        else await recorded;
        return;
      }
    }
    this.d.events.publish('call.offered', { agentId, callId: call.id, campaignId: cid, leadId: call.lead.id });
    try {
      await this.d.telephony.bridge(call.id, agentId);
    } catch (err) {
      if (!this.live.has(call.id) || call.abandoned) {
        // The person hung up in the instant between answer and join: the agent goes back to Ready.
        await this.d.agents.transition(agentId, 'ready', cid);
        return recorded;
      }
      // The join itself failed (the agent's phone refused it, the media server erred) with the person still on the
      // line: they are not left in silence (abandoned: message, hang-up, counted), and the agent is paused, since
      // their phone would fail the next call the same way.
      this.logger.warn({ callId: call.id, agentId, err: (err as Error).message }, 'could not join the answered call to the agent');
      await this.d.agents.transition(agentId, 'paused', cid, { reason: 'technical' });
      await this.abandonWaiting(call, 'agent_join_failed', recorded);
      return;
    }
    const now = this.d.clock.now();
    call.agentId = agentId;
    call.connectedAt = now.getTime();
    call.talkTicket = this.stats.talkStarted(call.connectedAt);
    // The person and the agent talk already; the records follow the answer's, however slow the stores are.
    await recorded;
    await retryWhileUnreachable(async () => {
      await this.d.calls.transition(call.id, 'connected', { connect_at: now, agent_id: agentId });
      await this.d.agents.transition(agentId, 'on_call', cid, { callId: call.id });
    }, this.logger, call.id);
    this.d.events.publish('call.connected', { agentId, callId: call.id, campaignId: cid, at: now.toISOString() });
  }

  private async onFailed(call: LiveCall, at: Date, result: Exclude<DialResult, 'answered'>, code: number | null, reason: string | null): Promise<void> {
    this.live.delete(call.id);
    this.resolveStats(call, result === 'cancelled' ? 'void' : 'other', at.getTime());
    await this.records.close({
      callId: call.id, to: 'failed', endAt: at, outcome: result, sipCode: code, sipReason: reason, hangupBy: 'carrier', providerCallId: call.providerCallId,
      answer: this.closingAnswer(call),
    });
    await this.settle(call, result, at);
    await this.releaseReserved(call, at);
  }

  private async onEnded(call: LiveCall, at: Date, by: 'customer' | 'agent' | 'system' | 'carrier'): Promise<void> {
    this.live.delete(call.id);
    if (call.agentId) {
      if (call.talkTicket !== undefined) this.stats.talkEnded(call.talkTicket, at.getTime(), at.getTime() - (call.connectedAt ?? at.getTime()));
      // The lead is settled provisionally (no redial before the agent's disposition decides) before wrap-up opens.
      await this.settle(call, 'no_answer', at, 'connected');
      await this.records.close({ callId: call.id, to: 'wrap_up', endAt: at, hangupBy: by, providerCallId: call.providerCallId });
      await this.d.agents.transition(call.agentId, 'wrap_up', this.campaign.id, { callId: call.id });
      this.d.events.publish('call.ended', { agentId: call.agentId, callId: call.id, campaignId: this.campaign.id, at: at.toISOString(), by });
      return;
    }
    await this.recordUnconnectedAnswer(call, at, 'ended_before_agent');
    const outcome: SystemOutcome = call.abandoned ? 'abandoned' : call.answerType === 'machine' ? 'machine' : 'worker_lost';
    await this.records.close({ callId: call.id, to: 'ended', endAt: at, hangupBy: by, outcome, providerCallId: call.providerCallId, answer: this.closingAnswer(call) });
    await this.settle(call, outcome, at);
    await this.releaseReserved(call, at);
  }

  /** An answer the record does not have yet (a machine's), for the closing update to write. */
  private closingAnswer(call: LiveCall): { at: Date; type: 'human' | 'machine' } | null {
    return call.answerType && call.answeredAt !== undefined && !call.answerRecorded ? { at: new Date(call.answeredAt), type: call.answerType } : null;
  }

  private async settle(call: LiveCall, outcome: SystemOutcome, at: Date, lastOutcome: string | null = outcome): Promise<void> {
    const rules = retryRules(this.campaign.retryRules, this.campaign);
    const [lead] = await this.d.db.query(`SELECT attempts FROM leads WHERE id = $1`, [call.lead.id]);
    await this.d.calls.settleLead(call.lead.id, nextAfterSystemOutcome(outcome, rules, lead?.attempts ?? 0, at), lastOutcome);
  }

  /** Closes a call this worker can no longer follow (shutdown with the carrier silent). */
  private async closeLost(call: LiveCall): Promise<void> {
    this.live.delete(call.id);
    const at = this.d.clock.now();
    if (call.agentId) {
      await this.settle(call, 'no_answer', at, 'connected');
      await this.d.calls.transition(call.id, 'wrap_up', { end_at: at, hangup_by: 'system' });
      await this.d.agents.transition(call.agentId, 'wrap_up', this.campaign.id, { callId: call.id });
      return;
    }
    await this.recordUnconnectedAnswer(call, at, 'worker_stopped_before_agent');
    const answer = this.closingAnswer(call);
    const done = (await this.d.calls.transition(call.id, 'failed', {
      end_at: at, outcome: 'worker_lost', hangup_by: 'system', ...(answer ? { answer_at: answer.at, answer_type: answer.type } : {}),
    }))
      || (await this.d.calls.transition(call.id, 'ended', { end_at: at, outcome: call.abandoned ? 'abandoned' : 'worker_lost', hangup_by: 'system' }));
    if (done) await this.settle(call, 'worker_lost', at);
    await this.releaseReserved(call, at);
  }

  /**
   * A person answered and the call ended before anyone put them through to an agent (the orchestrator stopped and hung
   * up, or the call ended while it waited): counted and logged as an abandoned call (47 CFR 64.1200(a)(7)), the safe
   * side, like an answered call of a dead worker (DialerWorkerService). Safe to repeat: the event is written once.
   */
  private async recordUnconnectedAnswer(call: LiveCall, at: Date, reasonCode: string): Promise<void> {
    if (call.agentId || call.answerType !== 'human' || call.abandoned) return;
    call.abandoned = true;
    await this.d.calls.transition(call.id, 'abandoned', { abandon_at: at, outcome: 'abandoned' });
    const [c] = await this.d.db.query(
      `SELECT outcome = 'abandoned' AS abandoned, EXISTS (SELECT 1 FROM compliance_events e WHERE e.call_id = $1 AND e.type = 'abandon') AS logged FROM calls WHERE id = $1`,
      [call.id],
    );
    if (!c?.abandoned || c.logged) return;
    await this.d.calls.complianceEvent({
      type: 'abandon', reasonCode, campaignId: this.campaign.id, leadId: call.lead.id, callId: call.id, phone: call.lead.phone, at,
      details: { waitedMs: at.getTime() - (call.answeredAt ?? at.getTime()) },
    });
    this.bump('abandoned');
  }

  private bump(kind: 'answered' | 'abandoned'): void {
    for (const w of [this.windows.lastHour, this.windows.last24h, this.windows.last30d]) w[kind]++;
  }

  private async reloadCampaign(now: Date): Promise<void> {
    const fresh = await this.d.db.getRepository(CampaignEntity).findOne({ where: { id: this.campaign.id } });
    this.campaignLoadedAt = now.getTime();
    if (!fresh || fresh.status !== CampaignStatus.Running || fresh.deletedAt) {
      this.draining = true;
      return;
    }
    this.campaign = fresh;
    await this.loadCpsLimit();
  }

  private async loadCpsLimit(): Promise<void> {
    if (!this.campaign.gatewayId) return void (this.cpsLimit = null);
    const [g] = await this.d.db.query(`SELECT cps_limit FROM sip_gateways WHERE id = $1`, [this.campaign.gatewayId]);
    this.cpsLimit = g ? Math.max(1, Math.floor((g.cps_limit * this.d.tickMs) / 1000)) : null;
  }

  /** The last hour every few seconds; the 24 h and 30 day windows (larger scans) once a minute. */
  private async loadWindows(now: Date): Promise<void> {
    const t = now.getTime();
    // A simulated carrier on a shrunken time scale shrinks the windows too: a simulated hour is an hour of calls.
    const k = this.ringScale();
    const count = async (windowMs: number) => {
      const sinceMs = windowMs * k;
      const [r] = await this.d.db.query(
        `SELECT count(*) FILTER (WHERE answer_type = 'human' AND answer_at > $2)::int AS answered,
                count(*) FILTER (WHERE abandon_at > $2)::int AS abandoned
           FROM calls WHERE campaign_id = $1 AND queued_at > $3`,
        [this.campaign.id, new Date(t - sinceMs), new Date(t - sinceMs - 3_600_000 * k)],
      );
      return { answered: r.answered as number, abandoned: r.abandoned as number };
    };
    this.windows.lastHour = await count(3_600_000);
    if (t - this.longWindowsLoadedAt >= 60_000) {
      this.windows.last24h = await count(86_400_000);
      this.windows.last30d = await count(30 * 86_400_000);
      this.longWindowsLoadedAt = t;
      // The latest wrap-ups by when they began, among those begun at least two minutes ago (one still open counts
      // what it has lasted so far): taken by when they ended, a young campaign would know only its short ones.
      const [w] = await this.d.db.query(
        `SELECT avg(ms) AS mean, stddev_samp(ms) AS sd FROM (
           SELECT extract(epoch FROM (coalesce(wrapup_end_at, $2) - end_at)) * 1000 AS ms FROM calls
            WHERE campaign_id = $1 AND state IN ('wrap_up', 'dispositioned') AND end_at IS NOT NULL AND connect_at IS NOT NULL
              AND end_at < $3 AND end_at > $4
            ORDER BY end_at DESC LIMIT 200) x`,
        [this.campaign.id, now, new Date(t - 120_000 * k), new Date(t - 3_600_000 * k)],
      );
      if (w?.mean) this.wrapUp = { meanMs: Number(w.mean), sdMs: Number(w.sd ?? w.mean) || Number(w.mean) / 2 };
    }
    this.windowsLoadedAt = t;
  }

  /** A new holder (takeover) starts from the campaign's recent history instead of from nothing. */
  private async seedStats(): Promise<void> {
    const rows: { answer_type: string | null; delay_ms: number | null; state: string }[] = await this.d.db.query(
      `SELECT answer_type, extract(epoch FROM (answer_at - dial_at)) * 1000 AS delay_ms, state FROM calls
        WHERE campaign_id = $1 AND end_at IS NOT NULL AND dial_at IS NOT NULL AND coalesce(outcome, '') NOT IN ('cancelled', 'worker_lost')
        ORDER BY queued_at DESC LIMIT 300`,
      [this.campaign.id],
    );
    for (const r of rows.reverse()) {
      if (r.answer_type === 'human') this.stats.recordResult('human', r.delay_ms === null ? undefined : Number(r.delay_ms));
      else this.stats.recordResult(r.answer_type === 'machine' ? 'machine' : 'other');
    }
    // Talks too, in the order they began, leaving out the last ten minutes' (their long ones are still going).
    const talks: { ms: number }[] = await this.d.db.query(
      `SELECT extract(epoch FROM (end_at - connect_at)) * 1000 AS ms FROM calls
        WHERE campaign_id = $1 AND connect_at IS NOT NULL AND end_at IS NOT NULL AND connect_at < $2
        ORDER BY connect_at DESC LIMIT 200`,
      [this.campaign.id, new Date(this.d.clock.now().getTime() - 600_000 * this.ringScale())],
    );
    for (const r of talks.reverse()) this.stats.talk.add(Number(r.ms));
  }
}

/** The one-live-dial-per-number index refused the call's record: another campaign is calling this number now. */
class NumberAlreadyLive extends Error {
  constructor() {
    super('the number already has a live call');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const LATE = Symbol('late');

/** Errors of a database or Redis that is down or restarting (not of the statement itself). */
const UNREACHABLE = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|terminating connection|the database system is|Connection is closed|not queryable|timeout exceeded when trying to connect|connection timeout|max retries per request|LOADING/i;
/**
 * PostgreSQL SQLSTATEs of the same kind: class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot
 * connect now: "the database system is starting up / not yet accepting connections / in recovery mode").
 */
const UNREACHABLE_SQLSTATE = /^(08\d{3}|57P0[123])$/;

export function isStoreUnreachable(err: unknown): boolean {
  const e = err as { message?: string; code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code ?? '';
  return UNREACHABLE_SQLSTATE.test(code) || UNREACHABLE.test(e?.message ?? '');
}

/**
 * A call event that fails because PostgreSQL or Redis is briefly unreachable is retried (in order, on the call's own
 * chain) for up to a minute instead of being dropped: a dropped 'ended' event would leave the call record open and
 * its lead leased for as long as this worker holds the campaign.
 */
async function retryWhileUnreachable(fn: () => Promise<void>, logger: { warn: (o: object, m: string) => void }, callId: string): Promise<void> {
  const until = Date.now() + 60_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const message = (err as Error).message ?? '';
      if (!isStoreUnreachable(err) || Date.now() > until) throw err;
      if (attempt === 0) logger.warn({ callId, err: message }, 'call event deferred: store unreachable, retrying');
      await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 2_000)));
    }
  }
}
