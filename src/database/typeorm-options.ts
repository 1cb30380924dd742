import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';

/** Compiled JS runs migrations from dist/, ts-node and jest from the sources. */
const migrationsGlob = join(__dirname, '..', '..', 'migrations', `*.${__filename.endsWith('.ts') ? 'ts' : 'js'}`);

export function typeOrmOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: [migrationsGlob],
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: 20, application_name: 'outbound-dialer' },
  };
}
