import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lead import progress by bytes: how much of the uploaded file the running import has read, out of how much.
 * Rows cannot give a percentage (the row count is known only at the end); bytes can.
 */
export class LeadImportBytes1764001000000 implements MigrationInterface {
  name = 'LeadImportBytes1764001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lead_imports ADD COLUMN bytes_read bigint NOT NULL DEFAULT 0, ADD COLUMN bytes_total bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE lead_imports ADD CONSTRAINT lead_imports_bytes_check CHECK (bytes_read >= 0 AND bytes_total >= 0)`);
    // Imports recorded before: their upload size is the total; a completed one has read all of it.
    await q.query(`UPDATE lead_imports SET bytes_total = file_size, bytes_read = CASE WHEN status = 'completed' THEN file_size ELSE 0 END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lead_imports DROP CONSTRAINT IF EXISTS lead_imports_bytes_check`);
    await q.query(`ALTER TABLE lead_imports DROP COLUMN IF EXISTS bytes_total, DROP COLUMN IF EXISTS bytes_read`);
  }
}
