import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { ADMIN_DATABASE_URL, databaseUrlFor, TEST_REDIS_URL } from './test-env';

/** Creates this run's own database (migrated) and Redis prefix; the test workers inherit them through the environment. */
export default async function globalSetup(): Promise<void> {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `dialer_test_${run}`;
  const template = `${dbName}_tpl`;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);

  // Migrate a template once; the run's database and any isolated ones (test/setup/isolated-db.ts) are clones.
  const ds = new DataSource(typeOrmOptions(databaseUrlFor(template)));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  await admin.query(`CREATE DATABASE ${dbName} TEMPLATE ${template}`);
  await admin.end();
  const url = databaseUrlFor(dbName);

  Object.assign(process.env, {
    NODE_ENV: 'test',
    TEST_DB_NAME: dbName,
    TEST_TEMPLATE_DB: template,
    DATABASE_URL: url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `test_${run}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TELEPHONY: 'simulated',
  });
}
