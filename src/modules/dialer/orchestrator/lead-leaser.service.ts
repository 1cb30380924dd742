import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CampaignEntity } from '../../campaigns/campaign.entity';
import { BlockReason } from '../../compliance/dial-gate.types';
import { LeadEntity } from '../../leads/lead.entity';

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
   */
  async lease(campaign: CampaignEntity, n: number, owner: string, now: Date): Promise<LeadEntity[]> {
    if (n <= 0) return [];
    const rows: LeadEntity[] = await this.db.query(
      `WITH picked AS (
         SELECT l.id, l.status AS prev_status FROM leads l
           JOIN campaign_lists cl ON cl.list_id = l.list_id AND cl.campaign_id = $1 AND cl.active
          WHERE l.deleted_at IS NULL AND l.status IN ('new', 'retry', 'callback')
            AND (l.next_attempt_at IS NULL OR l.next_attempt_at <= $2)
            AND l.attempts < $3
            AND (l.attempts_day IS DISTINCT FROM $2::date OR l.attempts_today < $4)
            AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.phone = l.phone AND c.end_at IS NULL)
          ORDER BY (l.status = 'callback') DESC, cl.priority DESC, l.priority DESC, l.next_attempt_at NULLS FIRST, l.id
          LIMIT $5
          FOR UPDATE OF l SKIP LOCKED)
       UPDATE leads l SET status = 'leased', lease_owner = $6, lease_expires_at = $7, updated_at = now()
         FROM picked WHERE l.id = picked.id
       RETURNING ${LEAD_COLUMNS}`,
      [campaign.id, now, campaign.maxAttempts, campaign.maxAttemptsPerDay, n, owner, new Date(now.getTime() + LEASE_MS)],
    );
    const out = (Array.isArray(rows[0]) ? rows[0] : rows) as LeadEntity[];
    return out.map((r) => ({ ...r, id: String(r.id) }) as LeadEntity);
  }

  /** Returns a lead the gate refused: DNC is final, hours are re-checked later, anything else goes back as it was. */
  async releaseBlocked(lead: LeadEntity, reason: BlockReason, now: Date): Promise<void> {
    const status =
      reason === 'dnc_internal' || reason === 'dnc_campaign' || reason === 'dnc_registry' ? 'dnc'
        : reason === 'attempts_exhausted' ? 'done'
          : lead.attempts === 0 ? 'new' : 'retry';
    const recheck = reason === 'outside_hours' || reason === 'no_timezone' || reason === 'holiday' || reason === 'daily_attempts_exhausted';
    await this.db.query(
      `UPDATE leads SET status = $2::lead_status, next_attempt_at = CASE WHEN $3::timestamptz IS NULL THEN next_attempt_at ELSE $3 END,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'leased'`,
      [lead.id, status, recheck ? new Date(now.getTime() + HOURS_BLOCK_RECHECK_MS) : null],
    );
  }

  /** Returns a lead untouched (its number turned out to have a live call elsewhere); looked at again in a minute. */
  async releaseUntouched(lead: LeadEntity, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE leads SET status = $2::lead_status, next_attempt_at = $3, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'leased'`,
      [lead.id, lead.attempts === 0 ? 'new' : 'retry', new Date(now.getTime() + 60_000)],
    );
  }
}
