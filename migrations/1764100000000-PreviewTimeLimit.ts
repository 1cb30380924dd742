import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Preview time limit (VICIdial's "preview time limit"): a lead offered to an agent in preview mode is dialled or
 * skipped by the dialer once it has been on screen this many seconds. NULL (every existing campaign) = no limit.
 * The partial index serves the worker's once-a-second look for previews past their limit.
 */
export class PreviewTimeLimit1764100000000 implements MigrationInterface {
  name = 'PreviewTimeLimit1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaigns ADD COLUMN preview_time_limit_s int NULL
      CONSTRAINT campaigns_preview_time_limit_check CHECK (preview_time_limit_s BETWEEN 10 AND 3600)`);
    await q.query(`ALTER TABLE campaigns ADD COLUMN preview_timeout_action text NOT NULL DEFAULT 'skip'
      CONSTRAINT campaigns_preview_timeout_action_check CHECK (preview_timeout_action IN ('dial', 'skip'))`);
    await q.query(`CREATE INDEX IF NOT EXISTS calls_open_preview_idx ON calls (campaign_id, queued_at) WHERE state = 'preview'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS calls_open_preview_idx`);
    await q.query(`ALTER TABLE campaigns DROP COLUMN IF EXISTS preview_timeout_action`);
    await q.query(`ALTER TABLE campaigns DROP COLUMN IF EXISTS preview_time_limit_s`);
  }
}
