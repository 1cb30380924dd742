import { DataSource } from 'typeorm';
import { BACK_TO_POOL_STATUS } from '../dialer/orchestrator/lead-leaser.service';

/**
 * A previewed lead goes back to the pool without an attempt: the preview call ends 'skipped', the lead is dialable
 * again (a callback it carried waits again). False when the call is no longer a preview (the agent clicked Dial).
 * Shared by Skip (CallsService), pausing or logging out with a preview on screen (AgentStateService) and the
 * dialer's passes over closed desks and over previews past their campaign's time limit (outcome 'preview_timeout').
 * The conditional UPDATE is the lock: of a Skip, a Dial and the dialer acting at the same instant, one wins.
 */
export async function releasePreview(
  db: Pick<DataSource, 'query'>, callId: string, at: Date, by: 'agent' | 'system', outcome: 'skipped' | 'preview_timeout' = 'skipped',
): Promise<boolean> {
  const res = await db.query(
    `UPDATE calls SET state = 'skipped', end_at = $2, outcome = $4, hangup_by = $3, updated_at = now()
      WHERE id = $1 AND state = 'preview' RETURNING lead_id`,
    [callId, at, by, outcome],
  );
  const rows = (Array.isArray(res[0]) ? res[0] : res) as { lead_id: string }[];
  if (!rows.length) return false;
  const leadId = rows[0].lead_id;
  await db.query(
    `UPDATE leads SET status = ${BACK_TO_POOL_STATUS},
            lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = $1 AND status = 'leased'`,
    [leadId],
  );
  await db.query(`UPDATE callbacks SET status = 'pending', updated_at = now() WHERE lead_id = $1 AND status = 'leased'`, [leadId]);
  return true;
}
