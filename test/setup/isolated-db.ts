import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ADMIN_DATABASE_URL, databaseUrlFor } from './test-env';

/**
 * Gives the calling test file a database and Redis prefix of its own, cloned from the run's migrated template.
 * Use it in every file that boots a dialer worker: a worker closes calls left open by workers it cannot see
 * alive, so two suites' workers on one database would tear down each other's calls.
 * Call at the top of the file, before other hooks: it swaps DATABASE_URL and QUEUE_PREFIX for this file.
 */
export function isolateDatabase(): void {
  let name: string | undefined;
  beforeAll(async () => {
    const template = process.env.TEST_TEMPLATE_DB;
    if (!template) throw new Error('TEST_TEMPLATE_DB is not set: run through jest.config.js (global setup)');
    const suffix = randomBytes(3).toString('hex');
    name = `${process.env.TEST_DB_NAME}_iso_${suffix}`;
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      // Cloning waits for no one: the template is never connected to after the global setup.
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    } finally {
      await admin.end();
    }
    process.env.DATABASE_URL = databaseUrlFor(name);
    process.env.QUEUE_PREFIX = `${process.env.QUEUE_PREFIX}_iso_${suffix}`;
  });
  afterAll(async () => {
    if (!name || process.env.KEEP_TEST_DB) return;
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => admin.end());
  });
}
