import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compliance: national DNC registry copies, the extensible legal calling-hours rule table, compliance settings (the
 * per-number frequency cap), and the indexes the dial gate's frequency cap and the reports need.
 * - dnc_registry_imports: one row per imported registry file (source, file date, progress). The newest completed
 *   import of a source is its current copy; older copies of that source are purged after the new one completes.
 * - dnc_registry_numbers: the numbers, compact (E.164 digits as bigint), no foreign key so COPY stays fast.
 */
export class ComplianceRegistryAndRules1764000200000 implements MigrationInterface {
  name = 'ComplianceRegistryAndRules1764000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dnc_registry_imports (
        id bigserial PRIMARY KEY,
        source text NOT NULL,
        country char(2) NOT NULL,
        file_date date NOT NULL,
        file_name text,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed', 'superseded')),
        lines_read bigint NOT NULL DEFAULT 0,
        imported bigint NOT NULL DEFAULT 0,
        rejected bigint NOT NULL DEFAULT 0,
        total_bytes bigint,
        bytes_read bigint NOT NULL DEFAULT 0,
        error text,
        job_id text,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX dnc_registry_imports_source_idx ON dnc_registry_imports (source, status, file_date DESC)`);
    await q.query(`
      CREATE TABLE dnc_registry_numbers (
        import_id bigint NOT NULL,
        phone bigint NOT NULL CHECK (phone BETWEEN 1000000 AND 999999999999999)
      )`);
    await q.query(`CREATE INDEX dnc_registry_numbers_phone_idx ON dnc_registry_numbers (phone, import_id)`);
    await q.query(`CREATE INDEX dnc_registry_numbers_import_idx ON dnc_registry_numbers (import_id)`);

    await q.query(`
      CREATE TABLE calling_hours_rules (
        region text PRIMARY KEY CHECK (region ~ '^(\\*|[A-Z]{2}(-[A-Z0-9]{1,3})?)$'),
        windows jsonb NOT NULL,
        holidays jsonb NOT NULL DEFAULT '[]'::jsonb,
        citation text,
        updated_by uuid REFERENCES users(id),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    const all = '[1,2,3,4,5,6,7]';
    const rows: [string, string, string, string][] = [
      ['US', `[{"days":${all},"start":"08:00","end":"21:00"}]`, '[]', '47 CFR 64.1200(c)(1)'],
      ['US-FL', `[{"days":${all},"start":"08:00","end":"20:00"}]`, '[]', 'Fla. Stat. 501.616(6)(a)'],
      ['US-OK', `[{"days":${all},"start":"08:00","end":"20:00"}]`, '[]', 'Okla. Stat. tit. 15 775C.4'],
      ['US-MD', `[{"days":${all},"start":"08:00","end":"20:00"}]`, '[]', 'Md. Com. Law 14-4503'],
      ['US-MA', `[{"days":${all},"start":"08:00","end":"20:00"}]`, '["01-01","07-04","11-11","12-25"]', '940 CMR 18.04'],
      ['GB', `[{"days":${all},"start":"08:00","end":"21:00"}]`, '[]', 'Ofcom persistent misuse policy / DMA code'],
      ['CA', '[{"days":[1,2,3,4,5],"start":"09:00","end":"21:30"},{"days":[6,7],"start":"10:00","end":"18:00"}]', '[]',
        'CRTC Unsolicited Telecommunications Rules, Part III s.6'],
      ['*', `[{"days":${all},"start":"09:00","end":"20:00"}]`, '[]', 'conservative fallback for countries without a rule'],
    ];
    for (const [region, windows, holidays, citation] of rows) {
      await q.query(`INSERT INTO calling_hours_rules (region, windows, holidays, citation) VALUES ($1, $2::jsonb, $3::jsonb, $4)`, [
        region, windows, holidays, citation,
      ]);
    }

    // Compliance settings the admin tunes: the per-number frequency cap (dials to one number across all campaigns).
    await q.query(`
      CREATE TABLE compliance_settings (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_by uuid REFERENCES users(id),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO compliance_settings (key, value) VALUES ('frequency_cap', '{"maxDials":3,"windowHours":24}'::jsonb)`);

    // Frequency cap and outside-hours report: dials to one number in a time window.
    await q.query(`CREATE INDEX calls_phone_dial_at_idx ON calls (phone, dial_at) WHERE dial_at IS NOT NULL`);
    await q.query(`CREATE INDEX calls_dial_at_idx ON calls (dial_at) WHERE dial_at IS NOT NULL`);
    await q.query(`CREATE INDEX compliance_events_time_idx ON compliance_events (occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS compliance_events_time_idx`);
    await q.query(`DROP INDEX IF EXISTS calls_dial_at_idx`);
    await q.query(`DROP INDEX IF EXISTS calls_phone_dial_at_idx`);
    await q.query(`DROP TABLE IF EXISTS compliance_settings`);
    await q.query(`DROP TABLE IF EXISTS calling_hours_rules`);
    await q.query(`DROP TABLE IF EXISTS dnc_registry_numbers`);
    await q.query(`DROP TABLE IF EXISTS dnc_registry_imports`);
  }
}
