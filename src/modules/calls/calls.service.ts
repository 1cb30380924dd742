import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../../common/auth/auth-user';
import { CLOCK, Clock } from '../../common/clock';
import { DomainError, invalid, notFound } from '../../common/errors/domain-error';
import { REDIS } from '../../common/redis/redis.module';
import { AgentStateService } from '../agents/agent-state.service';
import { CampaignEntity, DialMode } from '../campaigns/campaign.entity';
import { ComplianceDialGate } from '../compliance/compliance-dial-gate';
import { CampaignAccessService } from '../compliance/campaign-access.service';
import { ComplianceEventsService } from '../compliance/compliance-events.service';
import { DncService } from '../compliance/dnc.service';
import { Role } from '../users/user.entity';
import { releaseBlockedLead } from '../dialer/orchestrator/lead-leaser.service';
import { LeadEntity } from '../leads/lead.entity';
import { CallState } from './call.entities';
import { fromStates } from './call-state-machine';
import {
  AwaitingOutcomeCall, AwaitingOutcomeResponse, CurrentCallResponse, DispositionDto, DispositionResponse, OnBehalfDispositionDto,
} from './calls.dto';
import { releasePreview } from './preview-release';
import { LeadNext, nextAfterDisposition, retryRules } from './retry-policy';

/** Redis channel (prefix added) on which API processes ask the worker that holds a call to act on it. */
export const CALL_COMMANDS_CHANNEL = 'call-commands';
export interface CallCommand {
  /** hangup: the worker holding the call hangs it up; dial: the campaign's orchestrator dials an agent's previewed call now. */
  type: 'hangup' | 'dial';
  callId: string;
  campaignId?: string;
}

type Columns = Partial<Record<
  'dial_at' | 'ring_at' | 'answer_at' | 'answer_type' | 'connect_at' | 'agent_id' | 'abandon_at' | 'end_at' | 'hangup_by' | 'outcome'
  | 'sip_code' | 'sip_reason' | 'sip_call_id' | 'wrapup_end_at' | 'disposition_at' | 'queued_at' | 'worker_id',
  unknown
>>;

/** A connection or a transaction's manager: the statements that must commit together take the caller's. */
export type Queryable = Pick<DataSource, 'query'>;

/**
 * The call record: every state change is a conditional UPDATE (see call-state-machine.ts) with its timestamp,
 * and the lead is settled (status, retry time, lease cleared) on every path out of a call.
 */
@Injectable()
export class CallsService {
  constructor(
    private readonly db: DataSource,
    private readonly agents: AgentStateService,
    private readonly dnc: DncService,
    private readonly gate: ComplianceDialGate,
    private readonly access: CampaignAccessService,
    private readonly complianceEvents: ComplianceEventsService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A queued call row; null when the number already has a live call (the partial unique index said no). */
  createQueued(campaign: CampaignEntity, lead: LeadEntity, workerId: string, at: Date): Promise<string | null> {
    return this.insertCall('queued', campaign, lead, at, { workerId, mode: DialMode.Progressive });
  }

  /** Applies a transition if the call is in a state it may come from. Returns whether it applied. */
  async transition(callId: string, to: CallState, set: Columns = {}, q: Queryable = this.db): Promise<boolean> {
    const cols = Object.keys(set);
    const assignments = cols.map((c, i) => `${c} = $${i + 4}`).join(', ');
    const rows: unknown[] = await q.query(
      `UPDATE calls SET state = $2, updated_at = now()${assignments ? `, ${assignments}` : ''}
        WHERE id = $1 AND state = ANY($3) RETURNING id`,
      [callId, to, fromStates(to), ...cols.map((c) => (set as Record<string, unknown>)[c])],
    );
    return (Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows).length > 0;
  }

  /** The call's recording (a file path, or the media server's reference): written once, whatever the call's state. */
  async setRecording(callId: string, path: string): Promise<void> {
    await this.db.query(`UPDATE calls SET recording_path = $2, updated_at = now() WHERE id = $1 AND recording_path IS NULL`, [callId, path]);
  }

  /** Counts the attempt on the lead (at launch). */
  async countAttempt(leadId: string, at: Date, q: Queryable = this.db): Promise<void> {
    await q.query(
      `UPDATE leads SET attempts = attempts + 1,
              attempts_today = CASE WHEN attempts_day = $2::date THEN attempts_today + 1 ELSE 1 END,
              attempts_day = $2::date, last_attempt_at = $2, updated_at = now()
        WHERE id = $1`,
      [leadId, at],
    );
  }

  /** Ends the lease: the lead gets its next status and retry time. */
  async settleLead(leadId: string, next: LeadNext, outcome: string | null, q: Queryable = this.db): Promise<void> {
    await q.query(
      `UPDATE leads SET status = $2::lead_status, next_attempt_at = $3, last_outcome = coalesce($4, last_outcome),
              attempts = GREATEST(0, attempts - $5), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE id = $1`,
      [leadId, next.status, next.nextAttemptAt, outcome, next.refundAttempt ? 1 : 0],
    );
  }

  async complianceEvent(
    e: { type: string; reasonCode?: string | null; campaignId: string; leadId: string; callId: string; phone: string; agentId?: string | null; at: Date; details?: Record<string, unknown> },
    q: Queryable = this.db,
  ): Promise<void> {
    await q.query(
      `INSERT INTO compliance_events (occurred_at, type, reason_code, actor, campaign_id, lead_id, call_id, agent_id, phone, details)
       VALUES ($1, $2, $3, 'dialer', $4, $5, $6, $7, $8, $9)`,
      [e.at, e.type, e.reasonCode ?? null, e.campaignId, e.leadId, e.callId, e.agentId ?? null, e.phone, e.details ?? {}],
    );
  }

  // ---- the agent's side -------------------------------------------------------------------------------------

  /** The agent's current (or just-ended, in wrap-up) call and its lead; nothing else. */
  async currentCall(agentId: string): Promise<CurrentCallResponse> {
    const [row] = await this.db.query(
      `SELECT c.id, c.campaign_id, c.state, c.dial_mode, c.answer_at, c.connect_at, c.end_at, c.queued_at,
              c.preview_expires_at, c.preview_timeout_action,
              l.id AS lead_id, l.phone, l.first_name, l.last_name, l.postal_code, l.timezone, l.custom_fields, l.attempts
         FROM calls c JOIN leads l ON l.id = c.lead_id
        WHERE c.agent_id = $1 AND c.state IN ('preview', 'queued', 'dialing', 'ringing', 'answered', 'connected', 'wrap_up')
        ORDER BY c.queued_at DESC LIMIT 1`,
      [agentId],
    );
    if (!row) return { call: null, lead: null };
    const preview = row.state === 'preview';
    // The preview's deadline was fixed at the offer (calls.preview_expires_at): a reloaded desk counts down to the same
    // point, and the dialer acts at it whatever the campaign's limit says now.
    const limited = preview && row.preview_expires_at !== null;
    return {
      call: {
        id: row.id, campaignId: row.campaign_id, state: row.state, preview, dialMode: row.dial_mode,
        answerAt: row.answer_at, connectAt: row.connect_at, endAt: row.end_at,
        offeredAt: preview ? row.queued_at : null,
        previewExpiresAt: limited ? row.preview_expires_at : null,
        previewTimeoutAction: limited ? row.preview_timeout_action : null,
      },
      lead: {
        id: String(row.lead_id), phone: row.phone, firstName: row.first_name, lastName: row.last_name, postalCode: row.postal_code,
        timezone: row.timezone, customFields: row.custom_fields, attempts: row.attempts,
      },
    };
  }

  /** The agent hangs up the customer; the worker holding the call does it (any process may receive the request). */
  async requestHangup(agentId: string, callId: string): Promise<{ callId: string; requested: true }> {
    const [call] = await this.db.query(`SELECT state FROM calls WHERE id = $1 AND agent_id = $2`, [callId, agentId]);
    if (!call) throw notFound('call');
    if (call.state !== 'connected') throw new DomainError('INVALID_STATE', `call is ${call.state}`, [{ field: 'id', reason: `call is ${call.state}, not connected` }]);
    const cmd: CallCommand = { type: 'hangup', callId };
    await this.redis.publish(`${this.redis.options.keyPrefix ?? ''}${CALL_COMMANDS_CHANNEL}`, JSON.stringify(cmd));
    return { callId, requested: true };
  }

  /** A lead offered to one agent (preview dialing, or a callback booked for that agent): no INVITE yet. */
  createPreview(campaign: CampaignEntity, lead: LeadEntity, agentId: string, at: Date): Promise<string | null> {
    return this.insertCall('preview', campaign, lead, at, { agentId, mode: DialMode.Preview });
  }

  /** Inserts a call row; null when the number already has a live call (the partial unique index said no). */
  private async insertCall(
    state: 'queued' | 'preview',
    campaign: CampaignEntity,
    lead: LeadEntity,
    at: Date,
    o: { workerId?: string; agentId?: string; mode: DialMode },
  ): Promise<string | null> {
    // A preview's deadline and action are the campaign's at the offer (null: no limit).
    const limit = state === 'preview' ? campaign.previewTimeLimitSeconds ?? null : null;
    try {
      const [row] = await this.db.query(
        `INSERT INTO calls (campaign_id, lead_id, phone, attempt, dial_mode, state, caller_id, gateway_id, worker_id, agent_id, queued_at,
                            preview_expires_at, preview_timeout_action)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
        [campaign.id, lead.id, lead.phone, lead.attempts + 1, campaign.dialMode ?? o.mode, state, campaign.callerId, campaign.gatewayId,
          o.workerId ?? null, o.agentId ?? null, at,
          limit === null ? null : new Date(at.getTime() + limit * 1000), limit === null ? null : campaign.previewTimeoutAction ?? 'skip'],
      );
      return row.id as string;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return null;
      throw err;
    }
  }

  private async previewedCall(agentId: string, callId: string): Promise<{ id: string; campaign_id: string; lead_id: string; state: string }> {
    const [call] = await this.db.query(`SELECT id, campaign_id, lead_id::text AS lead_id, state FROM calls WHERE id = $1 AND agent_id = $2`, [callId, agentId]);
    // Another agent's call (or none): not found, its existence is not disclosed.
    if (!call) throw notFound('call');
    if (call.state !== 'preview') throw new DomainError('INVALID_STATE', `call is ${call.state}`, [{ field: 'id', reason: `call is ${call.state}, not a preview` }]);
    return call;
  }

  /**
   * The agent clicks Dial on the previewed lead. The dial gate is asked again now (a number put on DNC, or a
   * calling window closed, while the agent read the lead is blocked: 'dial_blocked' event, 422 naming the reason,
   * lead released, agent Ready for the next offer). Otherwise the call is queued for the campaign's orchestrator,
   * which checks the gate once more right before the INVITE and connects the answer to this agent.
   */
  async requestDial(agentId: string, callId: string): Promise<CurrentCallResponse> {
    const call = await this.previewedCall(agentId, callId);
    const now = this.clock.now();
    const verdict = (await this.gate.check([{ id: call.lead_id }], { id: call.campaign_id }, now)).get(call.lead_id)
      ?? { allowed: false as const, reason: 'lead_not_dialable' as const };
    if (!verdict.allowed) {
      // Closed only while it is still the preview: a Dial of the agent's and the time limit's may both get here, and
      // the one that queued the call first must not see it failed, its lead released and its agent made Ready.
      const closed = (await this.db.query(
        `UPDATE calls SET state = 'failed', end_at = $2, outcome = 'blocked', sip_reason = $3, hangup_by = 'system', updated_at = now()
          WHERE id = $1 AND state = 'preview' RETURNING id`,
        [callId, now, verdict.reason],
      ))[0] as unknown[];
      if (!closed.length) {
        throw new DomainError('INVALID_STATE', 'call is no longer a preview', [{ field: 'id', reason: 'call is no longer a preview' }]);
      }
      await releaseBlockedLead(this.db, call.lead_id, verdict.reason, now);
      await this.agents.transition(agentId, 'ready', call.campaign_id);
      throw new DomainError('UNPROCESSABLE', `the dial gate blocked this call: ${verdict.reason}`, [{ field: 'id', reason: `blocked: ${verdict.reason}` }]);
    }
    if (!(await this.transition(callId, 'queued', { queued_at: now }))) {
      throw new DomainError('INVALID_STATE', 'call is no longer a preview', [{ field: 'id', reason: 'call is no longer a preview' }]);
    }
    const cmd: CallCommand = { type: 'dial', callId, campaignId: call.campaign_id };
    await this.redis.publish(`${this.redis.options.keyPrefix ?? ''}${CALL_COMMANDS_CHANNEL}`, JSON.stringify(cmd));
    return this.currentCall(agentId);
  }

  /** The agent passes on the previewed lead: it goes back to the pool without an attempt; the next one is offered. */
  async requestSkip(agentId: string, callId: string): Promise<{ callId: string; skipped: true; agentState: string }> {
    return this.skipPreview(agentId, callId, 'agent');
  }

  /**
   * Passes on a previewed lead: back to the pool without an attempt. By the agent (who is then offered the next), or
   * by the dialer: for an agent whose desk closed with the preview on screen ('desk_closed'), or whose preview reached
   * the campaign's time limit ('preview_timeout'); that agent is paused with the reason, so an absent agent does not
   * cycle through the list.
   */
  async skipPreview(
    agentId: string, callId: string, by: 'agent' | 'desk_closed' | 'preview_timeout',
  ): Promise<{ callId: string; skipped: true; agentState: string }> {
    const call = await this.previewedCall(agentId, callId);
    const outcome = by === 'preview_timeout' ? 'preview_timeout' : 'skipped';
    if (!(await releasePreview(this.db, callId, this.clock.now(), by === 'agent' ? 'agent' : 'system', outcome))) {
      throw new DomainError('INVALID_STATE', 'call is no longer a preview', [{ field: 'id', reason: 'call is no longer a preview' }]);
    }
    const st = by === 'agent'
      ? await this.agents.transition(agentId, 'ready', call.campaign_id)
      : await this.agents.transition(agentId, 'paused', call.campaign_id, { reason: by });
    return { callId, skipped: true, agentState: st.state };
  }

  /**
   * A preview reached its campaign's time limit: 'dial' goes through requestDial exactly as the agent's click does
   * (dial gate asked again; blocked: lead released, agent Ready), 'skip' through skipPreview ('preview_timeout').
   * 'gone' when the agent dialled or passed first (the preview's conditional update decides who wins).
   */
  async expirePreview(agentId: string, callId: string, action: 'dial' | 'skip'): Promise<'dialled' | 'blocked' | 'skipped' | 'gone'> {
    try {
      if (action === 'dial') {
        await this.requestDial(agentId, callId);
        return 'dialled';
      }
      await this.skipPreview(agentId, callId, 'preview_timeout');
      return 'skipped';
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'INVALID_STATE' || err.code === 'NOT_FOUND')) return 'gone';
      if (err instanceof DomainError && err.code === 'UNPROCESSABLE') return 'blocked';
      throw err;
    }
  }

  /** Wrap-up ends with the disposition: outcome, notes, callback, DNC; the lead is recycled; the agent is Ready. */
  async disposition(agentId: string, callId: string, dto: DispositionDto): Promise<DispositionResponse> {
    const now = this.clock.now();
    const result = await this.db.transaction(async (tx) => {
      // The agent is told the outcome is saved: it must survive a crash even on a server tuned with synchronous_commit off.
      await tx.query(`SET LOCAL synchronous_commit = on`);
      const [call] = await tx.query(`SELECT * FROM calls WHERE id = $1 AND agent_id = $2 FOR UPDATE`, [callId, agentId]);
      if (!call) throw notFound('call');
      assertInWrapUp(call.state);
      return this.recordOutcome(tx, call, dto, now, { agentId, agentCanTakeCalls: true });
    });
    const state = await this.agents.get(agentId);
    let agentState = state.state;
    if (state.state === 'wrap_up' && state.callId === callId) {
      agentState = (await this.agents.transition(agentId, 'ready', result.campaignId)).state;
    }
    return { callId, outcome: dto.outcome, leadStatus: result.next.status, nextAttemptAt: result.next.nextAttemptAt, agentState };
  }

  // ---- the supervisor's side: calls left in wrap-up ------------------------------------------------------------

  /** Calls in wrap-up without an outcome, oldest first, with their agent's account and dialer state. */
  async awaitingOutcome(user: AuthUser, campaignId?: string): Promise<AwaitingOutcomeResponse> {
    const visible = await this.access.visibleCampaignIds(user);
    if (campaignId && visible !== 'all' && !visible.includes(campaignId)) await this.access.assertCampaign(user, campaignId);
    const rows: {
      id: string; campaign_id: string; campaign_name: string; agent_id: string | null; agent_name: string | null; agent_active: boolean | null;
      agent_role: string | null; end_at: Date | null; connect_at: Date | null;
    }[] = await this.db.query(
      `SELECT c.id, c.campaign_id, k.name AS campaign_name, c.agent_id, u.display_name AS agent_name, u.active AS agent_active,
              u.role::text AS agent_role, c.end_at, c.connect_at
         FROM calls c JOIN campaigns k ON k.id = c.campaign_id LEFT JOIN users u ON u.id = c.agent_id
        WHERE c.state = 'wrap_up' AND ($1::uuid[] IS NULL OR c.campaign_id = ANY($1::uuid[])) AND ($2::uuid IS NULL OR c.campaign_id = $2)
        ORDER BY c.end_at NULLS FIRST, c.id LIMIT 500`,
      [visible === 'all' ? null : visible, campaignId ?? null],
    );
    const now = this.clock.now().getTime();
    const calls: AwaitingOutcomeCall[] = [];
    const lives = await Promise.all(rows.map((r) => (r.agent_id ? this.agents.get(r.agent_id) : null)));
    for (const [i, r] of rows.entries()) {
      const account = accountState(r.agent_active, r.agent_role);
      const live = lives[i];
      const waitingSeconds = Math.max(0, Math.floor((now - (r.end_at ?? r.connect_at ?? new Date(now)).getTime()) / 1000));
      calls.push({
        callId: r.id, campaignId: r.campaign_id, campaignName: r.campaign_name, agentId: r.agent_id, agentName: r.agent_name,
        agentAccount: account, agentState: live?.state ?? 'logged_out', waitingSince: r.end_at, waitingSeconds,
        actionable: onBehalfAllowed(account, live?.state ?? 'logged_out', waitingSeconds),
      });
    }
    const campaignIds = [...new Set(calls.map((c) => c.campaignId))];
    const outcomeRows: { campaign_id: string; code: string; label: string; is_final: boolean; is_dnc: boolean }[] = campaignIds.length
      ? await this.db.query(
        `SELECT campaign_id, code, label, is_final, is_dnc FROM campaign_outcomes WHERE campaign_id = ANY($1::uuid[]) ORDER BY sort_order, code`,
        [campaignIds],
      )
      : [];
    const outcomes: AwaitingOutcomeResponse['outcomes'] = {};
    for (const o of outcomeRows) (outcomes[o.campaign_id] ??= []).push({ code: o.code, label: o.label, isFinal: o.is_final, isDnc: o.is_dnc });
    return { minWaitSeconds: ON_BEHALF_AFTER_S, calls, outcomes };
  }

  /**
   * A manager or admin records the outcome of a call its agent left in wrap-up, with the same checks as the agent's
   * own disposition plus a reason. Allowed once the agent can no longer do it (account disabled or no longer an agent,
   * logged out of the dialer) or has not done it for ON_BEHALF_AFTER_S; before that 409, so the supervisor does not
   * race an agent who is typing the outcome. Recorded with who did it and why (dispositions.recorded_by/_reason, a
   * 'disposition_on_behalf' compliance event, the DNC entry's actor). The agent is then paused (present) or logged out
   * of the dialer (account disabled or moved), never made Ready by someone else.
   */
  async dispositionOnBehalf(user: AuthUser, callId: string, dto: OnBehalfDispositionDto): Promise<DispositionResponse> {
    const now = this.clock.now();
    const result = await this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL synchronous_commit = on`);
      const [call] = await tx.query(
        `SELECT c.*, u.active AS agent_active, u.role::text AS agent_role FROM calls c LEFT JOIN users u ON u.id = c.agent_id
          WHERE c.id = $1 FOR UPDATE OF c`,
        [callId],
      );
      if (!call) throw notFound('call');
      await this.access.assertCampaign(user, call.campaign_id, 'id');
      assertInWrapUp(call.state);
      if (!call.agent_id) throw new DomainError('INVALID_STATE', 'call has no agent', [{ field: 'id', reason: 'call has no agent' }]);
      const account = accountState(call.agent_active, call.agent_role);
      const live = await this.agents.get(call.agent_id);
      const waited = Math.floor((now.getTime() - new Date(call.end_at ?? call.connect_at ?? now).getTime()) / 1000);
      if (!onBehalfAllowed(account, live.state, waited)) {
        throw new DomainError('CONFLICT', `the agent may still record this outcome (in wrap-up for ${waited} s)`, [{
          field: 'id', reason: `the agent is active and in wrap-up for ${waited} s: possible after ${ON_BEHALF_AFTER_S} s, or once the agent is logged out or disabled`,
        }]);
      }
      const r = await this.recordOutcome(tx, call, dto, now, {
        agentId: call.agent_id, agentCanTakeCalls: account === 'active', supervisor: { userId: user.id, reason: dto.reason.trim() },
      });
      await this.complianceEvents.record({
        occurredAt: now, type: 'disposition_on_behalf', reasonCode: dto.outcome, actorUserId: user.id, actor: 'user', campaignId: call.campaign_id,
        leadId: String(call.lead_id), callId, agentId: call.agent_id, phone: call.phone,
        details: {
          outcome: dto.outcome, reason: dto.reason.trim(), actorRole: user.role, agentAccount: account, agentState: live.state, waitedSeconds: waited,
          callbackAt: dto.callbackAt ?? null, dnc: !!dto.dnc,
        },
      }, tx);
      return { ...r, account };
    });
    const agentId = result.agentId;
    const state = await this.agents.get(agentId);
    let agentState = state.state;
    if (result.account !== 'active' && (state.state === 'wrap_up' || state.state === 'paused')) {
      // The logout UsersService deferred while this call waited for its outcome.
      agentState = (await this.agents.transition(agentId, 'logged_out', null)).state;
    } else if (state.state === 'wrap_up' && state.callId === callId) {
      agentState = (await this.agents.transition(agentId, 'paused', result.campaignId, { reason: 'outcome_by_supervisor' })).state;
    }
    return { callId, outcome: dto.outcome, leadStatus: result.next.status, nextAttemptAt: result.next.nextAttemptAt, agentState };
  }

  /** The outcome's checks and records, shared by the agent's disposition and a supervisor's on their behalf. */
  private async recordOutcome(
    tx: EntityManager,
    call: { id: string; campaign_id: string; lead_id: string; phone: string },
    dto: DispositionDto,
    now: Date,
    by: { agentId: string; agentCanTakeCalls: boolean; supervisor?: { userId: string; reason: string } },
  ): Promise<{ campaignId: string; agentId: string; next: LeadNext }> {
    const callId = call.id;
    const agentId = by.agentId;
    const [outcome] = await tx.query(`SELECT * FROM campaign_outcomes WHERE campaign_id = $1 AND code = $2`, [call.campaign_id, dto.outcome]);
    if (!outcome) throw new DomainError('UNPROCESSABLE', `outcome ${dto.outcome} is not defined for this campaign`, [{ field: 'outcome', reason: 'unknown outcome code for this campaign' }]);
    const [campaign] = await tx.query(`SELECT retry_rules, max_attempts, max_attempts_per_day, callback_policy FROM campaigns WHERE id = $1`, [call.campaign_id]);
    const callbackAt = dto.callbackAt ?? null;
    if (callbackAt && callbackAt.getTime() <= now.getTime()) throw invalid('callbackAt', 'must be in the future');
    if (!callbackAt && dto.callbackScope) throw invalid('callbackScope', 'only with callbackAt');
    const scope = callbackAt ? (dto.callbackScope === 'anyone' ? 'anyone' : 'agent') : null;
    if (scope === 'agent' && campaign.callback_policy === 'anyone_only') throw invalid('callbackScope', 'this campaign books callbacks for anyone only');
    if (scope === 'anyone' && campaign.callback_policy === 'agent_only') throw invalid('callbackScope', 'this campaign books callbacks for the same agent only');
    // A callback kept for an agent who can no longer take calls would wait for them forever.
    if (scope === 'agent' && !by.agentCanTakeCalls) throw invalid('callbackScope', "the call's agent can no longer take calls: book the callback for anyone");
    if (dto.dnc && callbackAt) throw invalid('callbackAt', 'cannot book a callback on a do-not-call request');
    // A do-not-call or final outcome ends the lead: a callback booked with it would wait in the agent's list forever.
    if (outcome.is_dnc && callbackAt) throw invalid('callbackAt', 'cannot book a callback on a do-not-call outcome');
    if (outcome.is_final && callbackAt) throw invalid('callbackAt', `cannot book a callback on a final outcome (${outcome.code})`);
    const objections = dto.objections ?? [];
    if (objections.length) {
      const ids = [...new Set(objections.map((o) => o.objectionId))];
      const known: { id: string }[] = await tx.query(`SELECT id FROM objections WHERE id = ANY($1::uuid[]) AND campaign_id = $2`, [ids, call.campaign_id]);
      const errors = objections
        .map((o, i) => (known.some((k) => k.id === o.objectionId) ? null : { field: `objections[${i}].objectionId`, reason: "no objection with this id in this call's campaign" }))
        .filter((e): e is { field: string; reason: string } => !!e);
      if (errors.length) throw new DomainError('VALIDATION', errors.map((e) => `${e.field} ${e.reason}`).join('; '), errors);
      for (const o of objections) {
        await tx.query(
          `INSERT INTO call_objections (call_id, objection_id, overcome, agent_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (call_id, objection_id) DO UPDATE SET overcome = EXCLUDED.overcome, agent_id = EXCLUDED.agent_id`,
          [callId, o.objectionId, o.overcome, agentId],
        );
      }
    }

    await tx.query(
      `INSERT INTO dispositions (call_id, campaign_id, lead_id, agent_id, outcome, notes, callback_at, callback_scope, dnc_requested, created_at,
                                 recorded_by, recorded_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [callId, call.campaign_id, call.lead_id, agentId, dto.outcome, dto.notes ?? null, callbackAt, scope, !!dto.dnc, now,
        by.supervisor?.userId ?? null, by.supervisor?.reason ?? null],
    );
    await tx.query(
      `UPDATE calls SET state = 'dispositioned', outcome = $2, wrapup_end_at = $3, disposition_at = $3, updated_at = now() WHERE id = $1`,
      [callId, dto.outcome, now],
    );
    const [lead] = await tx.query(`SELECT attempts FROM leads WHERE id = $1`, [call.lead_id]);
    const rules = retryRules(campaign.retry_rules, { maxAttempts: campaign.max_attempts, maxAttemptsPerDay: campaign.max_attempts_per_day });
    const next = nextAfterDisposition(
      { isFinal: outcome.is_final, isDnc: outcome.is_dnc, retryAfterMinutes: outcome.retry_after_minutes },
      { callbackAt, dnc: !!dto.dnc },
      rules,
      lead.attempts,
      now,
    );
    await tx.query(
      `UPDATE leads SET status = $2::lead_status, next_attempt_at = $3, last_outcome = $4, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE id = $1`,
      [call.lead_id, next.status, next.nextAttemptAt, dto.outcome],
    );
    if (callbackAt) {
      await tx.query(
        `INSERT INTO callbacks (campaign_id, lead_id, call_id, owner_agent_id, scope, due_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [call.campaign_id, call.lead_id, callId, agentId, scope, callbackAt, by.supervisor?.userId ?? agentId],
      );
    }
    if (dto.dnc || outcome.is_dnc) {
      // "Never call me again": on the internal list at once, with its compliance event, in this transaction.
      await this.dnc.addInternalDnc(call.phone, {
        actorUserId: by.supervisor?.userId ?? agentId, agentId, campaignId: call.campaign_id, leadId: String(call.lead_id), callId,
        ...(by.supervisor ? { actor: 'supervisor_disposition' } : {}),
      }, tx);
    }
    return { campaignId: call.campaign_id, agentId, next };
  }
}

/** Past this wait in wrap-up, a supervisor may record the outcome of an active agent's call (ACW standard: under a minute). */
export const ON_BEHALF_AFTER_S = 60;

export type AgentAccountState = 'active' | 'disabled' | 'not_agent' | 'gone';

function accountState(active: boolean | null, role: string | null): AgentAccountState {
  if (active === null || role === null) return 'gone';
  if (!active) return 'disabled';
  return role === Role.Agent ? 'active' : 'not_agent';
}

/** Whether a supervisor may record this call's outcome now rather than race an agent who may be typing it. */
export function onBehalfAllowed(account: AgentAccountState, dialerState: string, waitedSeconds: number): boolean {
  return account !== 'active' || dialerState === 'logged_out' || waitedSeconds >= ON_BEHALF_AFTER_S;
}

function assertInWrapUp(state: string): void {
  if (state === 'connected') throw new DomainError('INVALID_STATE', 'hang up before the disposition', [{ field: 'id', reason: 'call is still connected' }]);
  if (state !== 'wrap_up') throw new DomainError('INVALID_STATE', `call is ${state}`, [{ field: 'id', reason: `call is ${state}, not in wrap-up` }]);
}
