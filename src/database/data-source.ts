import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnvFile } from '../config/load-env-file';
import { typeOrmOptions } from './typeorm-options';

/** Used by the TypeORM CLI (npm run migration:*) and scripts/migrate.ts. */
loadEnvFile();
export default new DataSource(typeOrmOptions(process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/dialer'));
