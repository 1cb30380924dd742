import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CampaignEntity } from '../../campaigns/campaign.entity';
import { BlockReason } from '../../compliance/dial-gate.types';
import { LeadEntity } from '../../leads/lead.entity';

/**
 * The status a leased lead goes back to when nothing was decided about it (no attempt made, or the holder died):
 * 'callback' while it carries a leased callback (which goes back to 'pending' with it), else 'new' or 'retry'.
 * An SQL expression over the `leads` row being updated.
 */
export const BACK_TO_POOL_STATUS = `CASE WHEN EXISTS (SELECT 1 FROM callbacks cb WHERE cb.lead_id = leads.id AND cb.status = 'leased') THEN 'callback'::lead_status
  WHEN attempts = 0 THEN 'new'::lead_status ELSE 'retry'::lead_status END`;

/** A lease lasts this long unless a call holds it (the maintenance job frees expired leases without open calls). */
export const LEASE_MS = 120_000;
/** A lead blocked for hours (or a missing zone) is not looked at again for this long. */
const HOURS_BLOCK_RECHECK_MS = 15 * 60_000;

const LEAD_COLUMNS = `l.id::text AS "id", l.list_id AS "listId", l.phone, l.country, l.timezone, l.tz_candidates AS "tzCandidates",
  l.status, l.priority, l.attempts, l.attempts_today AS "attemptsToday", l.next_attempt_at AS "nextAttemptAt"`;

@Injectable()
export class LeadLeaser {
  constructor(private readonly db: DataSource) {}

  /**
   * Leases up to n dialable leads of the campaign: callbacks first, then priority, then the oldest retry time;
   * rows other workers hold are skipped (FOR UPDATE SKIP LOCKED), and numbers with a live call are left alone.
   * Callbacks (the callbacks table): a pending callback booked for one agent (scope 'agent') is leased only for
   * that agent (`forAgent`), never for the pacer's anonymous dials; `ownedCallbacksOnly` leases nothing else.
   * A lead `forAgent` skipped in the last 30 minutes is not offered to that agent again (a preview the dialer skipped at
   * its time limit does not count: the agent never decided, and a callback booked for them must come back to them).
   * Leased callbacks move
   * pending -> leased. A callback belongs to the campaign that booked it: another campaign sharing the lead's list
   * leaves the lead alone while it is pending (else it would dial the person at the hour they gave the first one,
   * with any agent, and the booked callback would never happen).
   */
  async lease(
    campaign: CampaignEntity, n: number, owner: string, now: Date,
    opts: { forAgent?: string | null; ownedCallbacksOnly?: boolean } = {},
  ): Promise<LeadEntity[]> {
    if (n <= 0) return [];
    const agent = opts.forAgent ?? null;
    const rows: LeadEntity[] = await this.db.query(
      `WITH picked AS (
         SELECT l.id, l.status AS prev_status FROM leads l
           JOIN campaign_lists cl ON cl.list_id = l.list_id AND cl.campaign_id = $1 AND cl.active
          WHERE l.deleted_at IS NULL AND l.status IN ('new', 'retry', 'callback')
            AND (l.next_attempt_at IS NULL OR l.next_attempt_at <= $2)
            AND (l.attempts < $3 OR l.status = 'callback') -- a booked callback is kept past the lifetime limit
            AND (l.attempts_day IS DISTINCT FROM $2::date OR l.attempts_today < $4)
            AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.phone = l.phone AND c.end_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM callbacks cb WHERE cb.lead_id = l.id AND cb.status IN ('pending', 'leased')
                              AND (cb.campaign_id <> $1 OR (cb.status = 'pending' AND cb.scope = 'agent' AND cb.owner_agent_id IS DISTINCT FROM $8::uuid)))
            AND ($8::uuid IS NULL OR NOT EXISTS (SELECT 1 FROM calls s WHERE s.lead_id = l.id AND s.agent_id = $8::uuid
                              AND s.state = 'skipped' AND s.outcome IS DISTINCT FROM 'preview_timeout'
                              AND s.end_at > $2::timestamptz - interval '30 minutes'))
            AND (NOT $9::boolean OR EXISTS (SELECT 1 FROM callbacks cb WHERE cb.lead_id = l.id AND cb.campaign_id = $1
                              AND cb.status = 'pending' AND cb.scope = 'agent' AND cb.owner_agent_id = $8::uuid AND cb.due_at <= $2))
          ORDER BY (l.status = 'callback') DESC, cl.priority DESC, l.priority DESC, l.next_attempt_at NULLS FIRST, l.id
          LIMIT $5
          FOR UPDATE OF l SKIP LOCKED)
       UPDATE leads l SET status = 'leased', lease_owner = $6, lease_expires_at = $7, updated_at = now()
         FROM picked WHERE l.id = picked.id
       RETURNING ${LEAD_COLUMNS}`,
      [campaign.id, now, campaign.maxAttempts, campaign.maxAttemptsPerDay, n, owner, new Date(now.getTime() + LEASE_MS), agent, !!opts.ownedCallbacksOnly],
    );
    const out = ((Array.isArray(rows[0]) ? rows[0] : rows) as LeadEntity[]).map((r) => ({ ...r, id: String(r.id) }) as LeadEntity);
    if (out.length) {
      await this.db.query(
        `UPDATE callbacks SET status = 'leased', updated_at = now()
          WHERE lead_id = ANY($1::bigint[]) AND campaign_id = $2 AND status = 'pending' AND due_at <= $3`,
        [out.map((l) => l.id), campaign.id, now],
      );
    }
    return out;
  }

  /**
   * Returns a lead the gate refused: DNC is final, hours are re-checked later, anything else goes back as it was.
   * Its leased callback is cancelled on DNC, expires when the lead is no longer dialable, else waits (pending).
   */
  async releaseBlocked(lead: LeadEntity, reason: BlockReason, now: Date): Promise<void> {
    await releaseBlockedLead(this.db, lead.id, reason, now);
  }

  /** One lead by id, in the shape lease() returns. */
  async load(leadId: string): Promise<LeadEntity | null> {
    const [r] = await this.db.query(`SELECT ${LEAD_COLUMNS} FROM leads l WHERE l.id = $1`, [leadId]);
    return r ? ({ ...r, id: String(r.id) } as LeadEntity) : null;
  }

  /** Returns a lead untouched (its number turned out to have a live call elsewhere); looked at again in a minute. */
  async releaseUntouched(lead: LeadEntity, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE leads SET status = ${BACK_TO_POOL_STATUS},
              next_attempt_at = $2, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'leased'`,
      [lead.id, new Date(now.getTime() + 60_000)],
    );
    await this.db.query(`UPDATE callbacks SET status = 'pending', updated_at = now() WHERE lead_id = $1 AND status = 'leased'`, [lead.id]);
  }
}

const DNC_REASONS: readonly BlockReason[] = ['dnc_internal', 'dnc_campaign', 'dnc_registry'];
const RECHECK_REASONS: readonly BlockReason[] = ['outside_hours', 'no_timezone', 'holiday', 'daily_attempts_exhausted'];

/** The lead (leased) goes back after a gate block; shared by the orchestrator and the agent's Dial (calls module). */
export async function releaseBlockedLead(db: DataSource, leadId: string, reason: BlockReason, now: Date): Promise<void> {
  const dnc = DNC_REASONS.includes(reason);
  const final = reason === 'attempts_exhausted' || reason === 'lead_not_dialable';
  const recheck = RECHECK_REASONS.includes(reason);
  await db.query(
    `UPDATE leads SET status = CASE
              WHEN $2::boolean THEN 'dnc'::lead_status
              WHEN $4::text = 'attempts_exhausted' THEN 'done'::lead_status
              WHEN EXISTS (SELECT 1 FROM callbacks cb WHERE cb.lead_id = leads.id AND cb.status = 'leased') THEN 'callback'::lead_status
              WHEN attempts = 0 THEN 'new'::lead_status ELSE 'retry'::lead_status END,
            next_attempt_at = CASE WHEN $3::timestamptz IS NULL THEN next_attempt_at ELSE $3 END,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = $1 AND status = 'leased'`,
    [leadId, dnc, recheck ? new Date(now.getTime() + HOURS_BLOCK_RECHECK_MS) : null, reason],
  );
  await db.query(
    `UPDATE callbacks SET status = CASE WHEN $2::boolean THEN 'cancelled' WHEN $3::boolean THEN 'expired' ELSE 'pending' END, updated_at = now()
      WHERE lead_id = $1 AND status = 'leased'`,
    [leadId, dnc, final],
  );
}
