import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Preview dialing: a call row exists from the moment a lead is offered to an agent ('preview', agent_id set, no
 * INVITE yet) and ends 'skipped' when the agent passes on it. The open 'preview' row also holds the number (the
 * one-active-dial-per-phone index), so no other campaign dials it while the agent reads the lead.
 */
export class PreviewCallStates1764000800000 implements MigrationInterface {
  name = 'PreviewCallStates1764000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_state_check`);
    await q.query(`ALTER TABLE calls ADD CONSTRAINT calls_state_check CHECK (state IN
      ('preview', 'queued', 'dialing', 'ringing', 'answered', 'connected', 'abandoned', 'ended', 'wrap_up', 'dispositioned', 'failed', 'skipped'))`);
    await q.query(`CREATE INDEX IF NOT EXISTS calls_preview_agent_idx ON calls (agent_id) WHERE state IN ('preview', 'skipped')`);
    await q.query(`CREATE INDEX IF NOT EXISTS callbacks_lead_status_idx ON callbacks (lead_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS callbacks_lead_status_idx`);
    await q.query(`DROP INDEX IF EXISTS calls_preview_agent_idx`);
    await q.query(`UPDATE calls SET state = 'failed', outcome = coalesce(outcome, 'skipped'), end_at = coalesce(end_at, now()) WHERE state IN ('preview', 'skipped')`);
    await q.query(`ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_state_check`);
    await q.query(`ALTER TABLE calls ADD CONSTRAINT calls_state_check CHECK (state IN
      ('queued', 'dialing', 'ringing', 'answered', 'connected', 'abandoned', 'ended', 'wrap_up', 'dispositioned', 'failed'))`);
  }
}
