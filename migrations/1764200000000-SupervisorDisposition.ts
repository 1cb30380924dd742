import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A manager or admin may record the outcome of a call left in wrap-up (its agent disabled, gone, or silent for over
 * a minute) on the agent's behalf. The disposition says who recorded it and why; an agent's own has neither.
 * The partial index serves the console's list of calls waiting for an outcome.
 */
export class SupervisorDisposition1764200000000 implements MigrationInterface {
  name = 'SupervisorDisposition1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispositions ADD COLUMN recorded_by uuid REFERENCES users(id)`);
    await q.query(`ALTER TABLE dispositions ADD COLUMN recorded_reason text`);
    await q.query(`ALTER TABLE dispositions ADD CONSTRAINT dispositions_recorded_by_reason_check
      CHECK ((recorded_by IS NULL) = (recorded_reason IS NULL) AND (recorded_reason IS NULL OR length(btrim(recorded_reason)) > 0))`);
    await q.query(`CREATE INDEX IF NOT EXISTS calls_wrap_up_idx ON calls (end_at) WHERE state = 'wrap_up'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS calls_wrap_up_idx`);
    await q.query(`ALTER TABLE dispositions DROP CONSTRAINT IF EXISTS dispositions_recorded_by_reason_check`);
    await q.query(`ALTER TABLE dispositions DROP COLUMN IF EXISTS recorded_reason`);
    await q.query(`ALTER TABLE dispositions DROP COLUMN IF EXISTS recorded_by`);
  }
}
