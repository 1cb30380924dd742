import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { CLOCK, Clock } from '../../../common/clock';
import { REDIS } from '../../../common/redis/redis.module';
import { AgentStateService } from '../../agents/agent-state.service';
import { DeskPresence } from '../../agents/desk-presence.service';
import { CALL_COMMANDS_CHANNEL, CallCommand, CallsService } from '../../calls/calls.service';
import { nextAfterSystemOutcome, retryRules } from '../../calls/retry-policy';
import { CampaignEntity, CampaignStatus } from '../../campaigns/campaign.entity';
import { Telephony, TELEPHONY } from '../../telephony/telephony.port';
import { DIAL_GATE, DialGate } from '../gate/dial-gate';
import { LiveEventBus } from '../live-events';
import { CallRecordWriter } from './call-record-writer';
import { CampaignLockService, WORKER_ALIVE_TTL_MS } from './campaign-lock.service';
import { CampaignRunner } from './campaign-runner';
import { BACK_TO_POOL_STATUS, LEASE_MS, LeadLeaser } from './lead-leaser.service';

/** How often each worker looks for running campaigns to take, renews its locks and heartbeats. */
export const DIALER_LOOP_MS = 1_000;
const RECONCILE_EVERY_MS = 3_000;
/** See reconcileDeadWorkers: a worker whose liveness key vanished with Redis has this long to set it again. */
const DEAD_GRACE_MS = 3_000;
/** See slow(). */
const SLOW_REDIS_MS = 2_000;
/** How often the campaigns' Ready agents are checked for a closed desk (see pauseAgentsWithoutDesk). */
const DESK_CHECK_EVERY_MS = 5_000;
/** See reconcileOwnOrphans. */
const ORPHAN_GRACE_S = 10;
/** See releaseStaleLeases: a launch takes milliseconds per lead; a lease this old with no call is abandoned. */
export const STALE_LEASE_MS = 20_000;

/**
 * The dialer side of a worker process: takes the lock of every running campaign no other live worker holds
 * (so exactly one orchestrator runs per campaign), renews it, hands a campaign over when it stops, and closes
 * calls left open by dead workers (their leads go back to the pool).
 */
@Injectable()
export class DialerWorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DialerWorkerService.name);
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly runners = new Map<string, CampaignRunner>();
  private loop?: NodeJS.Timeout;
  private beat?: NodeJS.Timeout;
  /** Workers seen without a liveness key (and without their "known" key), since when. */
  private readonly suspects = new Map<string, number>();
  private busy = false;
  private lastReconcile = 0;
  private lastDeskCheck = 0;
  /** Agent -> campaign holding its phone leg in this worker's adapter, shared by the runners (see RunnerDeps). */
  private readonly legOwners = new Map<string, string>();
  private sub?: Redis;
  private stopping = false;
  /** Campaigns whose lock this worker holds (renewed by beatAndRenew), and those it found taken by another worker. */
  private readonly held = new Set<string>();
  private readonly lost = new Set<string>();
  private beating = false;
  /** When this worker last set its liveness key. */
  private lastBeatAt = Date.now();
  /** Until then this worker judges no other worker dead and takes no campaign (see holdOff). */
  private judgeAfter = 0;
  /** Runners of campaigns lost to another worker, still letting their calls end. */
  private readonly stoppingRunners = new Set<{ runner: CampaignRunner; done: Promise<void> }>();
  /** Call records of all this worker's runners, group-committed together. */
  private readonly records: CallRecordWriter;

  constructor(
    private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TELEPHONY) private readonly telephony: Telephony,
    @Inject(DIAL_GATE) private readonly gate: DialGate,
    private readonly leaser: LeadLeaser,
    private readonly calls: CallsService,
    private readonly agents: AgentStateService,
    private readonly events: LiveEventBus,
    private readonly locks: CampaignLockService,
    private readonly presence: DeskPresence,
  ) {
    this.records = new CallRecordWriter(db);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.locks.heartbeat(this.workerId);
    this.lastBeatAt = Date.now();
    this.sub = this.redis.duplicate();
    this.sub.on('message', (_ch, raw: string) => this.handleCommand(raw));
    await this.sub.subscribe(`${this.redis.options.keyPrefix ?? ''}${CALL_COMMANDS_CHANNEL}`);
    this.startTimers();
    void this.round();
  }

  private startTimers(): void {
    this.loop = setInterval(() => void this.round(), DIALER_LOOP_MS);
    // The heartbeat and the campaign locks have their own timer, which touches Redis only: a round can be slow or
    // fail (the database down or restarting, a runner stopping), and a missed beat would make other workers take
    // this one for dead, a missed renewal would lose the campaign (and stopping its runner hangs up its calls).
    this.beat = setInterval(() => void this.beatAndRenew(), DIALER_LOOP_MS);
  }

  /**
   * Liveness, then every held campaign lock renewed. A lock found gone (it lapsed while Redis was unreachable, or
   * Redis restarted empty) is taken again with SET NX when nobody else took it meanwhile; only a lock another worker
   * now holds is lost (the round stops that runner).
   */
  async beatAndRenew(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      await this.locks.heartbeat(this.workerId);
      const now = Date.now();
      // A beat that came later than a liveness key lives: this worker was cut off from Redis (commands wait in
      // ioredis's offline queue), and so may the others have been; they need time to come back.
      if (now - this.lastBeatAt > WORKER_ALIVE_TTL_MS) this.holdOff('liveness key lapsed: back after a Redis outage');
      this.lastBeatAt = now;
      for (const id of [...this.held]) {
        if (await this.locks.renew(id, this.workerId)) continue;
        if (await this.locks.acquire(id, this.workerId)) {
          // Released by the round meanwhile (campaign stopped): not ours to keep.
          if (!this.held.has(id)) await this.locks.release(id, this.workerId);
          else this.logger.warn({ campaignId: id }, 'campaign lock had lapsed: taken again');
          continue;
        }
        if (this.held.delete(id)) this.lost.add(id);
      }
    } catch (err) {
      this.holdOff('heartbeat failed');
      this.logger.warn({ err: (err as Error).message }, 'heartbeat or lock renewal failed');
    } finally {
      this.beating = false;
    }
  }

  /**
   * After this worker's own Redis trouble, the other workers' liveness keys and locks may have lapsed just as its
   * own did, and they may reconnect a moment later: for a liveness TTL plus the dead grace, nobody is judged dead
   * (closing a live worker's calls frees numbers still ringing, logs false abandons) and no campaign is taken
   * (its holder would come back to find it gone). Its own locks are still taken back (beatAndRenew).
   */
  private holdOff(reason: string): void {
    const until = Date.now() + WORKER_ALIVE_TTL_MS + DEAD_GRACE_MS;
    if (until <= this.judgeAfter) return;
    if (this.judgeAfter < Date.now()) this.logger.warn({ reason, ms: until - Date.now() }, 'judging other workers and taking campaigns held off');
    this.judgeAfter = until;
  }

  private holdingOff(): boolean {
    return Date.now() < this.judgeAfter;
  }

  /** A Redis call that took longer than this was most likely queued through an outage (see holdOff). */
  private slow(startedAt: number): boolean {
    if (Date.now() - startedAt <= SLOW_REDIS_MS) return false;
    this.holdOff('a Redis call waited through an outage');
    return true;
  }

  /** A call command from the API (hangup, dial): never left as an unhandled rejection (Node would exit). */
  private handleCommand(raw: string): void {
    this.onCommand(raw).catch((err) => this.logger.warn({ err: (err as Error).message }, 'call command failed'));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.loop) clearInterval(this.loop);
    while (this.busy) await new Promise((r) => setTimeout(r, 20));
    // The beat goes on while the runners stop: this worker is alive and holds its campaigns until each is released.
    try {
      // All at once: each lets its connected calls end (up to STOP_DRAIN_MS), and the shutdown grace is one for all.
      // Settled, not all: one runner failing to stop (its database down) must not cut the others' drains short.
      await Promise.allSettled([
        ...[...this.runners].map(async ([id, runner]) => {
          await runner.stop();
          this.held.delete(id);
          await this.locks.release(id, this.workerId);
        }),
        ...[...this.stoppingRunners].map((p) => p.done),
      ]);
    } finally {
      if (this.beat) clearInterval(this.beat);
    }
    this.runners.clear();
    await this.locks.forget(this.workerId);
    await this.sub?.quit().catch(() => undefined);
  }

  /** Running runners and those still stopping (their calls ending). */
  private allRunners(): CampaignRunner[] {
    return [...this.runners.values(), ...[...this.stoppingRunners].map((s) => s.runner)];
  }

  runnerFor(campaignId: string): CampaignRunner | undefined {
    return this.runners.get(campaignId);
  }

  /**
   * One pass: reconcile dead workers' calls, desk and preview checks, drop campaigns stopped or lost, take free ones.
   * Each database phase fails on its own (logged, retried next round): the locks are renewed by beatAndRenew, so a
   * database outage stops nothing that runs.
   */
  async round(): Promise<void> {
    if (this.busy || this.stopping) return;
    this.busy = true;
    try {
      const now = this.clock.now().getTime();
      if (now - this.lastReconcile >= RECONCILE_EVERY_MS || [...this.suspects.values()].some((t) => Date.now() - t < DEAD_GRACE_MS + 2 * DIALER_LOOP_MS)) {
        await this.phase('reconcile', async () => {
          await this.reconcileDeadWorkers();
          await this.reconcileOwnOrphans();
          this.lastReconcile = now;
        });
        for (const [w, since] of this.suspects) if (Date.now() - since > 600_000) this.suspects.delete(w);
      }
      if (now - this.lastDeskCheck >= DESK_CHECK_EVERY_MS) {
        this.lastDeskCheck = now;
        for (const id of this.runners.keys()) await this.phase('desk check', () => this.pauseAgentsWithoutDesk(id));
      }
      if (this.runners.size) await this.phase('preview time limits', () => this.enforcePreviewTimeLimits([...this.runners.keys()]));
      for (const [id, runner] of this.runners) {
        const lost = this.lost.delete(id);
        if (!lost && !runner.finished) continue;
        this.runners.delete(id);
        this.held.delete(id);
        if (!lost) {
          await this.phase('stop', () => runner.stop());
          await this.phase('release', () => this.locks.release(id, this.workerId));
          this.logger.log({ campaignId: id, reason: 'campaign stopped' }, 'orchestrator stopped');
          continue;
        }
        // Another worker holds the campaign now: this one launches nothing more and lets its calls end (connected
        // ones up to STOP_DRAIN_MS) in the background; their calls stay followed here meanwhile.
        const stopping = {
          runner,
          done: this.phase('stop', () => runner.stop()).finally(() => this.stoppingRunners.delete(stopping)),
        };
        this.stoppingRunners.add(stopping);
        this.logger.log({ campaignId: id, reason: 'lock lost' }, 'orchestrator stopping: its connected calls end first');
      }
      await this.phase('take campaigns', () => this.takeFreeCampaigns());
    } finally {
      this.busy = false;
    }
  }

  private async phase(name: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.error({ phase: name, err: (err as Error).message }, 'dialer round failed');
    }
  }

  private async takeFreeCampaigns(): Promise<void> {
    const running: { id: string }[] = await this.db.query(
      `SELECT id FROM campaigns WHERE status = 'running' AND deleted_at IS NULL`,
    );
    for (const { id } of running) {
      if (this.runners.has(id) || this.stopping || this.holdingOff()) continue;
      const asked = Date.now();
      if (!(await this.locks.acquire(id, this.workerId))) continue;
      if (this.slow(asked) || this.holdingOff()) {
        await this.locks.release(id, this.workerId); // its holder may be reconnecting
        continue;
      }
      this.held.add(id);
      try {
        await this.reconcileDeadWorkers(id);
        const campaign = await this.db.getRepository(CampaignEntity).findOne({ where: { id } });
        if (!campaign || campaign.status !== CampaignStatus.Running) {
          this.held.delete(id);
          await this.locks.release(id, this.workerId);
          continue;
        }
        const runner = new CampaignRunner(campaign, {
          db: this.db, redis: this.redis, clock: this.clock, telephony: this.telephony, gate: this.gate, leaser: this.leaser,
          calls: this.calls, agents: this.agents, events: this.events, workerId: this.workerId, tickMs: DIALER_LOOP_MS,
          records: this.records, legOwners: this.legOwners,
        });
        await runner.start();
        this.runners.set(id, runner);
        this.logger.log({ campaignId: id, workerId: this.workerId }, 'orchestrator started');
      } catch (err) {
        // Not started (the store failed half-way): the lock goes, so this or another worker takes it cleanly.
        if (!this.runners.has(id)) {
          this.held.delete(id);
          await this.locks.release(id, this.workerId).catch(() => undefined);
        }
        throw err;
      }
    }
  }

  /**
   * Calls whose worker died (its liveness key expired) are closed: unanswered ones as failed 'worker_lost' with the
   * attempt refunded and the lead back in the pool; connected ones go to wrap-up so the agent can still record the
   * outcome. Runs on takeover and every few seconds in every worker. A worker is taken for dead only after its key has
   * been missing for DEAD_GRACE_MS: a Redis restart wipes every liveness key, and live workers set theirs again
   * within a second; closing a live worker's calls would free their numbers while they still ring.
   */
  async reconcileDeadWorkers(campaignId?: string): Promise<number> {
    const owners: { worker_id: string }[] = await this.db.query(
      `SELECT DISTINCT worker_id FROM calls WHERE end_at IS NULL AND worker_id IS NOT NULL AND worker_id <> $1 ${campaignId ? 'AND campaign_id = $2' : ''}`,
      campaignId ? [this.workerId, campaignId] : [this.workerId],
    );
    let closed = 0;
    for (const { worker_id: owner } of owners) {
      if (!(await this.confirmedDead(owner))) continue;
      closed += await this.closeOpenCalls(owner, null);
    }
    await this.releaseStaleLeases();
    return closed;
  }

  /**
   * This worker's own calls that the database still shows open but that no runner here follows (nor the carrier
   * adapter): their closing update was lost (a PostgreSQL crash can drop the last acknowledged commits when the
   * server runs with synchronous_commit off, a failover does the same, and a call event gives up after a minute of
   * outage). Left alone they stay 'ringing' forever, since this worker is alive and the dead-worker pass skips it.
   * Only rows untouched for ORPHAN_GRACE_S count, so a call being created right now is never taken.
   */
  async reconcileOwnOrphans(): Promise<number> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM calls WHERE worker_id = $1 AND end_at IS NULL AND state <> 'preview' AND updated_at < now() - make_interval(secs => $2)`,
      [this.workerId, ORPHAN_GRACE_S],
    );
    if (!rows.length) return 0;
    const followed = new Set<string>(this.telephony.liveCalls());
    for (const r of this.allRunners()) for (const id of r.liveCallIds) followed.add(id);
    const orphans = rows.map((r) => r.id).filter((id) => !followed.has(id));
    if (!orphans.length) return 0;
    const closed = await this.closeOpenCalls(this.workerId, orphans);
    if (closed) this.logger.warn({ closed }, 'closed own calls whose end was not recorded');
    return closed;
  }

  /** Closes the open calls of `owner` (all, or only `ids`) and settles their leads and agents. */
  private async closeOpenCalls(owner: string, ids: string[] | null): Promise<number> {
    const own = owner === this.workerId;
    const at = this.clock.now();
    const rows: { id: string; lead_id: string; agent_id: string | null; was: string; campaign_id: string; phone: string; answer_at: Date | null }[] = await this.db.query(
      // A person who answered and was never put through to an agent is an abandoned call (counted against the
      // cap and logged), whatever killed the worker; it becomes 'abandoned_orphan' below.
      `UPDATE calls c SET state = CASE WHEN c.state = 'connected' THEN 'wrap_up' WHEN c.state = 'abandoned' THEN 'ended'
                                       WHEN c.state = 'answered' AND c.answer_type = 'human' THEN 'ended' ELSE 'failed' END,
              outcome = CASE WHEN c.state IN ('connected', 'abandoned') THEN c.outcome
                             WHEN c.state = 'answered' AND c.answer_type = 'human' THEN 'abandoned' ELSE 'worker_lost' END,
              abandon_at = CASE WHEN c.state = 'answered' AND c.answer_type = 'human' THEN $2 ELSE c.abandon_at END,
              end_at = $2, hangup_by = 'system', updated_at = now()
         FROM calls old WHERE old.id = c.id AND c.worker_id = $1 AND c.end_at IS NULL AND c.state <> 'preview'
          AND ($3::uuid[] IS NULL OR c.id = ANY($3::uuid[]))
       RETURNING c.id, c.lead_id::text AS lead_id, c.agent_id, c.phone, old.answer_at,
                 CASE WHEN old.state = 'answered' AND old.answer_type = 'human' THEN 'abandoned_orphan' ELSE old.state::text END AS was, c.campaign_id`,
      [owner, at, ids],
    );
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as typeof rows;
    for (const r of list) {
      if (r.was === 'abandoned_orphan') {
        await this.calls.complianceEvent({
          type: 'abandon', reasonCode: 'worker_lost_after_answer', campaignId: r.campaign_id, leadId: r.lead_id, callId: r.id, phone: r.phone, at,
          details: { waitedMs: r.answer_at ? at.getTime() - new Date(r.answer_at).getTime() : null },
        });
      }
      await this.settleClosedCall(r, at);
      const agent = r.agent_id ? await this.agents.get(r.agent_id) : null;
      // A live worker's agent may have moved on already (only the call record's update was lost): left as is then.
      if (r.was === 'connected' && r.agent_id && (!own || agent?.callId === r.id)) {
        if (agent?.state !== 'wrap_up') await this.agents.transition(r.agent_id, 'wrap_up', r.campaign_id, { callId: r.id });
      }
      // A call dialled for a reserved agent (preview, own callback) that never reached them: the agent is Ready again.
      else if (r.agent_id && agent?.callId === r.id) await this.agents.transition(r.agent_id, 'ready', r.campaign_id);
    }
    if (list.length && !own) this.logger.warn({ deadWorker: owner, closed: list.length }, 'closed calls of a dead worker');
    return list.length;
  }

  /**
   * Agents of the campaign whose desk closed (browser shut, network gone) while they were Ready: paused
   * ('desk_closed'), or the dialer would hand them calls a person has answered and the person would hear silence.
   * A preview left on a closed desk goes back to the pool (no attempt) and the agent is paused too. Taking the agent
   * out of the Ready queue first (atomic) means an agent the pacer took for a call this instant is left alone.
   */
  async pauseAgentsWithoutDesk(campaignId: string): Promise<number> {
    const agents = (await this.agents.campaignAgents(campaignId)).filter((a) => a.state === 'ready' || (a.state === 'reserved' && a.callId));
    const gone = new Set(await this.presence.gone(agents.map((a) => a.agentId)));
    let paused = 0;
    for (const a of agents.filter((x) => gone.has(x.agentId))) {
      try {
        if (a.state === 'ready') {
          if (!(await this.agents.takeSpecific(campaignId, a.agentId))) continue;
          await this.agents.transition(a.agentId, 'paused', campaignId, { reason: 'desk_closed' });
        } else {
          const [call] = await this.db.query(`SELECT state FROM calls WHERE id = $1 AND agent_id = $2`, [a.callId, a.agentId]);
          if (call?.state !== 'preview') continue; // a call being placed for the agent: its own path ends it
          await this.calls.skipPreview(a.agentId, a.callId!, 'desk_closed');
        }
        paused++;
        this.logger.log({ agentId: a.agentId, campaignId }, 'agent paused: desk closed');
      } catch (err) {
        this.logger.warn({ agentId: a.agentId, campaignId, err: (err as Error).message }, 'could not pause an agent whose desk closed');
      }
    }
    return paused;
  }

  /**
   * Previews past their deadline (calls.preview_expires_at, fixed at the offer from the campaign's limit then, as the
   * desk's countdown shows it) get the action fixed with it: 'dial' (as if the agent clicked Dial) or 'skip' (back to the pool, agent paused
   * 'preview_timeout'). Run each round for the campaigns this worker holds; a Dial or Skip of the agent's at the same
   * instant, or another worker during a hand-over, meets the same conditional update on the call, so one wins.
   */
  async enforcePreviewTimeLimits(campaignIds: string[], at: Date = this.clock.now()): Promise<number> {
    const rows: { id: string; agent_id: string; campaign_id: string; action: 'dial' | 'skip' }[] = await this.db.query(
      `SELECT c.id, c.agent_id, c.campaign_id, c.preview_timeout_action AS action
         FROM calls c
        WHERE c.state = 'preview' AND c.preview_expires_at <= $2::timestamptz
          AND c.campaign_id = ANY($1::uuid[]) AND c.agent_id IS NOT NULL
        ORDER BY c.preview_expires_at LIMIT 500`,
      [campaignIds, at],
    );
    let acted = 0;
    for (const r of rows) {
      try {
        const result = await this.calls.expirePreview(r.agent_id, r.id, r.action);
        if (result !== 'gone') acted++;
        this.logger.log({ callId: r.id, agentId: r.agent_id, campaignId: r.campaign_id, action: r.action, result }, 'preview time limit reached');
      } catch (err) {
        this.logger.warn({ callId: r.id, campaignId: r.campaign_id, err: (err as Error).message }, 'could not apply the preview time limit');
      }
    }
    return acted;
  }

  /**
   * The lead of a call closeOpenCalls just closed gets its next status. A connected call is in wrap-up from the
   * moment that update commits, so its agent may already have saved an outcome: the provisional retry must not
   * overwrite it. The call's row is locked first, as the disposition does, so one waits for the other.
   */
  private async settleClosedCall(r: { id: string; lead_id: string; campaign_id: string; was: string }, at: Date): Promise<void> {
    const outcome = r.was === 'connected' ? 'no_answer' : r.was === 'abandoned' || r.was === 'abandoned_orphan' ? 'abandoned' : 'worker_lost';
    await this.db.transaction(async (tx) => {
      const [call] = await tx.query(`SELECT state FROM calls WHERE id = $1 FOR UPDATE`, [r.id]);
      if (call?.state === 'dispositioned') return; // the agent's outcome decided the lead's next step
      const [camp] = await tx.query(`SELECT retry_rules, max_attempts, max_attempts_per_day FROM campaigns WHERE id = $1`, [r.campaign_id]);
      const [lead] = await tx.query(`SELECT attempts FROM leads WHERE id = $1`, [r.lead_id]);
      const rules = retryRules(camp.retry_rules, { maxAttempts: camp.max_attempts, maxAttemptsPerDay: camp.max_attempts_per_day });
      await this.calls.settleLead(r.lead_id, nextAfterSystemOutcome(outcome, rules, lead.attempts, at), r.was === 'connected' ? 'connected' : outcome, tx);
    });
  }

  /**
   * A lead leased with no open call by a worker confirmed dead is held by nobody: it goes back to the pool now (the
   * maintenance job would wait for the lease to expire). This worker's own such leases go back once STALE_LEASE_MS
   * old (the update that settled them was lost, or a launch failed half-way): younger ones may be launching now.
   * A live other worker's leases (it frees its own) are left alone.
   */
  async releaseStaleLeases(): Promise<number> {
    const now = this.clock.now();
    const takenBefore = new Date(now.getTime() + LEASE_MS - STALE_LEASE_MS);
    const holders: { lease_owner: string }[] = await this.db.query(
      `SELECT DISTINCT lease_owner FROM leads l WHERE status = 'leased' AND lease_owner IS NOT NULL
          AND (lease_owner <> $2 OR lease_expires_at < $1)
          AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = l.id AND c.end_at IS NULL)`,
      [takenBefore, this.workerId],
    );
    const inFlight = this.allRunners().flatMap((r) => r.leadsInFlight);
    let released = 0;
    for (const { lease_owner: holder } of holders) {
      if (holder !== this.workerId && !(await this.confirmedDead(holder))) continue;
      const freed: { id: string }[] = await this.db.query(
        `UPDATE leads SET status = ${BACK_TO_POOL_STATUS},
                lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
          WHERE status = 'leased' AND lease_owner = $1 AND ($2::timestamptz IS NULL OR lease_expires_at < $2) AND NOT (id::text = ANY($3::text[]))
            AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = leads.id AND c.end_at IS NULL)
          RETURNING id::text AS id`,
        // A dead holder launches nothing more: all its call-less leases go, whatever their age.
        [holder, holder === this.workerId ? takenBefore : null, holder === this.workerId ? inFlight : []],
      );
      const ids = (Array.isArray(freed[0]) ? freed[0] : freed) as { id: string }[];
      // Their callbacks wait again (pending) for the next selection.
      if (ids.length) {
        await this.db.query(`UPDATE callbacks SET status = 'pending', updated_at = now() WHERE status = 'leased' AND lead_id = ANY($1::bigint[])`, [ids.map((r) => r.id)]);
        this.logger.warn({ holder: holder === this.workerId ? 'self' : holder, released: ids.length }, 'released stale lead leases');
      }
      released += ids.length;
    }
    return released;
  }

  /**
   * Dead = liveness key found missing, and still missing DEAD_GRACE_MS later (a worker reconnecting after a Redis
   * outage, or after Redis restarted empty, sets it again within a second), and never while this worker itself is
   * just back from an outage (see holdOff).
   */
  private async confirmedDead(owner: string): Promise<boolean> {
    const asked = Date.now();
    if (await this.locks.isAlive(owner)) {
      this.suspects.delete(owner);
      return false;
    }
    if (this.slow(asked) || this.holdingOff()) return false;
    const now = Date.now();
    const since = this.suspects.get(owner);
    if (since === undefined) {
      this.suspects.set(owner, now);
      return false;
    }
    return now - since >= DEAD_GRACE_MS;
  }

  private async onCommand(raw: string): Promise<void> {
    let cmd: CallCommand;
    try {
      cmd = JSON.parse(raw) as CallCommand;
    } catch {
      return;
    }
    if (cmd.type === 'hangup' && this.telephony.liveCalls().includes(cmd.callId)) await this.telephony.hangup(cmd.callId);
    // An agent clicked Dial on a previewed lead: the campaign's orchestrator (if here) places it now, not next tick.
    if (cmd.type === 'dial' && cmd.campaignId) await this.runners.get(cmd.campaignId)?.dialQueued().catch(() => undefined);
  }
}
