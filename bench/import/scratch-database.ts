import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';

const ADMIN = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

/** A throw-away database on the PostgreSQL of TEST_ADMIN_DATABASE_URL, with a TypeORM DataSource on it (not yet migrated). */
export async function createScratchDatabase(prefix: string): Promise<{ dbName: string; url: URL; admin: Client; ds: DataSource }> {
  const dbName = `${prefix}_${Date.now()}`;
  const admin = new Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(ADMIN);
  url.pathname = `/${dbName}`;
  const ds = await new DataSource(typeOrmOptions(url.toString())).initialize();
  return { dbName, url, admin, ds };
}
