import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tokens issued before this moment are refused: set when the account's password changes, so a leaked token (or a
 * session left open elsewhere) ends with the password reset, not up to JWT_EXPIRES_IN later.
 */
export class SessionsValidAfter1764500000000 implements MigrationInterface {
  name = 'SessionsValidAfter1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN sessions_valid_after timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN IF EXISTS sessions_valid_after`);
  }
}
