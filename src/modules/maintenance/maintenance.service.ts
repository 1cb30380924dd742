import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Housekeeping that keeps the dialer's invariants after crashes: no lead stays leased forever. */
@Injectable()
export class MaintenanceService {
  private readonly logger = new Logger(MaintenanceService.name);

  constructor(private readonly db: DataSource) {}

  /**
   * Leases carry an expiry; a lead whose holder died without releasing it returns to the pool
   * (as a retry, with its previous status kept in mind by the dialer when it is selected again).
   */
  async releaseExpiredLeases(now = new Date()): Promise<number> {
    const rows: unknown[] = await this.db.query(
      `UPDATE leads SET status = CASE WHEN attempts = 0 THEN 'new'::lead_status ELSE 'retry'::lead_status END,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE status = 'leased' AND lease_expires_at < $1
          AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = leads.id AND c.end_at IS NULL)
        RETURNING id`,
      [now],
    );
    const released = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
    if (released) this.logger.warn({ released }, 'released expired lead leases');
    return released;
  }
}
