import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A preview's deadline and its action are fixed when it is offered and kept on the call: the desk counts down to that
 * deadline, and the dialer acts at it, even if a manager changes the campaign's limit meanwhile (before: the dialer
 * read the campaign's current limit, so a limit turned on mid-shift dialled previews at once that the desk showed
 * without a countdown). Open previews of campaigns with a limit get their deadline from their offer.
 */
export class PreviewDeadlineOnCall1764700000000 implements MigrationInterface {
  name = 'PreviewDeadlineOnCall1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE calls ADD COLUMN preview_expires_at timestamptz NULL,
      ADD COLUMN preview_timeout_action text NULL CONSTRAINT calls_preview_timeout_action_check CHECK (preview_timeout_action IN ('dial', 'skip'))`);
    await q.query(`UPDATE calls c SET preview_expires_at = c.queued_at + make_interval(secs => cp.preview_time_limit_s),
                          preview_timeout_action = cp.preview_timeout_action
                     FROM campaigns cp
                    WHERE cp.id = c.campaign_id AND c.state = 'preview' AND cp.preview_time_limit_s IS NOT NULL`);
    await q.query(`DROP INDEX IF EXISTS calls_open_preview_idx`);
    await q.query(`CREATE INDEX IF NOT EXISTS calls_preview_deadline_idx ON calls (preview_expires_at) WHERE state = 'preview' AND preview_expires_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS calls_preview_deadline_idx`);
    await q.query(`CREATE INDEX IF NOT EXISTS calls_open_preview_idx ON calls (campaign_id, queued_at) WHERE state = 'preview'`);
    await q.query(`ALTER TABLE calls DROP COLUMN IF EXISTS preview_timeout_action, DROP COLUMN IF EXISTS preview_expires_at`);
  }
}
