import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the campaigns/scripts/objections queries: objection statistics (by objection and by script
 * version), "which campaigns use this script" (variable checks on save), and campaign_lists by list.
 */
export class CampaignsScriptsIndexes1764000300000 implements MigrationInterface {
  name = 'CampaignsScriptsIndexes1764000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS call_objections_objection_idx ON call_objections (objection_id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS calls_script_version_idx ON calls (script_version_id) WHERE script_version_id IS NOT NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS campaigns_script_idx ON campaigns (script_id) WHERE script_id IS NOT NULL AND deleted_at IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS campaign_lists_list_idx ON campaign_lists (list_id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS campaign_status_events_campaign_idx ON campaign_status_events (campaign_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const idx of ['campaign_status_events_campaign_idx', 'campaign_lists_list_idx', 'campaigns_script_idx', 'calls_script_version_idx', 'call_objections_objection_idx']) {
      await q.query(`DROP INDEX IF EXISTS ${idx}`);
    }
  }
}
