import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lead list imports: one row per uploaded file and its per-row error report.
 * The rows themselves are staged in a temporary table inside the import's own transaction,
 * so a failed or cancelled import leaves nothing behind (not even a newly created list).
 */
export class LeadImports1764000100000 implements MigrationInterface {
  name = 'LeadImports1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE lead_imports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        list_id uuid REFERENCES lead_lists(id),
        new_list_name text,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        cancel_requested boolean NOT NULL DEFAULT false,
        file_path text NOT NULL,
        file_name text,
        file_size bigint NOT NULL DEFAULT 0,
        delimiter text NOT NULL,
        default_country char(2) NOT NULL,
        mapping jsonb NOT NULL,
        duplicate_policy text NOT NULL DEFAULT 'skip' CHECK (duplicate_policy IN ('skip', 'update')),
        dedupe_campaign_id uuid REFERENCES campaigns(id),
        rows_read integer NOT NULL DEFAULT 0,
        inserted integer NOT NULL DEFAULT 0,
        updated integer NOT NULL DEFAULT 0,
        rejected integer NOT NULL DEFAULT 0,
        duplicates integer NOT NULL DEFAULT 0,
        error text,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (list_id IS NOT NULL OR new_list_name IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX lead_imports_list_idx ON lead_imports (list_id, created_at)`);
    await q.query(`
      CREATE TABLE lead_import_errors (
        id bigserial PRIMARY KEY,
        import_id uuid NOT NULL REFERENCES lead_imports(id) ON DELETE CASCADE,
        line integer NOT NULL,
        column_name text,
        reason text NOT NULL,
        action text NOT NULL CHECK (action IN ('rejected', 'duplicate', 'ignored_value'))
      )`);
    await q.query(`CREATE INDEX lead_import_errors_import_line_idx ON lead_import_errors (import_id, line)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS lead_import_errors`);
    await q.query(`DROP TABLE IF EXISTS lead_imports`);
  }
}
