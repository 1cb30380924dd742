import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser } from '../../common/auth/auth-user';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { Role } from '../users/user.entity';

/**
 * Which campaigns a user may act on in compliance screens: admins and compliance officers all of them, a manager
 * the campaigns they created (the core schema has no other campaign-to-manager link).
 */
@Injectable()
export class CampaignAccessService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** 'all', or the ids this manager owns. */
  async visibleCampaignIds(user: AuthUser): Promise<'all' | string[]> {
    if (user.role !== Role.Manager) return 'all';
    const rows: { id: string }[] = await this.db.query(`SELECT id FROM campaigns WHERE created_by = $1 AND deleted_at IS NULL`, [user.id]);
    return rows.map((r) => r.id);
  }

  async assertCampaign(user: AuthUser, campaignId: string, field = 'campaignId'): Promise<void> {
    const rows: { created_by: string | null }[] = await this.db.query(
      `SELECT created_by FROM campaigns WHERE id = $1 AND deleted_at IS NULL`,
      [campaignId],
    );
    if (rows.length === 0) throw Object.assign(notFound('campaign'), { errors: [{ field, reason: 'no such campaign' }] });
    if (user.role === Role.Manager && rows[0].created_by !== user.id) {
      throw new DomainError('FORBIDDEN', 'managers may act only on their own campaigns', [{ field, reason: 'not one of your campaigns' }]);
    }
  }
}
