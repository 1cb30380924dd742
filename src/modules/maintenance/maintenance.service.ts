import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BACK_TO_POOL_STATUS } from '../dialer/orchestrator/lead-leaser.service';

/** Housekeeping that keeps the dialer's invariants after crashes: no lead stays leased forever. */
@Injectable()
export class MaintenanceService {
  private readonly logger = new Logger(MaintenanceService.name);

  constructor(private readonly db: DataSource) {}

  /**
   * Leases carry an expiry; a lead whose holder died without releasing it returns to the pool: a booked callback
   * it was leased for waits again (lead 'callback', callback 'pending'), as on the dialer's own release paths;
   * otherwise 'new' or 'retry'. One transaction, so a lead is never back without its callback.
   */
  async releaseExpiredLeases(now = new Date()): Promise<number> {
    const ids = await this.db.transaction(async (m) => {
      const res = await m.query(
        `UPDATE leads SET status = ${BACK_TO_POOL_STATUS},
                lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
          WHERE status = 'leased' AND lease_expires_at < $1
            AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = leads.id AND c.end_at IS NULL)
          RETURNING id`,
        [now],
      );
      const rows = (Array.isArray(res[0]) ? res[0] : res) as { id: string }[];
      if (rows.length) {
        await m.query(`UPDATE callbacks SET status = 'pending', updated_at = now() WHERE status = 'leased' AND lead_id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      }
      return rows;
    });
    if (ids.length) this.logger.warn({ released: ids.length }, 'released expired lead leases');
    return ids.length;
  }
}
