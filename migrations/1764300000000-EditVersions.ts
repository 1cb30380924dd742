import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['campaigns', 'scripts', 'objections', 'sip_gateways'];

/**
 * Edit versions (optimistic concurrency): a counter each user-visible edit of a campaign's settings, a script, an
 * objection or a SIP gateway moves by one. An edit based on an older version is refused (412) instead of silently
 * writing over changes its author never saw. Existing rows start at 1.
 */
export class EditVersions1764300000000 implements MigrationInterface {
  name = 'EditVersions1764300000000';

  async up(q: QueryRunner): Promise<void> {
    for (const t of TABLES) {
      await q.query(`ALTER TABLE ${t} ADD COLUMN version integer NOT NULL DEFAULT 1 CONSTRAINT ${t}_version_check CHECK (version >= 1)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of TABLES) await q.query(`ALTER TABLE ${t} DROP COLUMN IF EXISTS version`);
  }
}
