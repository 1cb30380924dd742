import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { DatabaseTimeouts, poolTimeoutOptions, UNTIMED } from './pg-timeouts';

/** Compiled JS runs migrations from dist/, ts-node and jest from the sources. */
const migrationsGlob = join(__dirname, '..', '..', 'migrations', `*.${__filename.endsWith('.ts') ? 'ts' : 'js'}`);

/** timeouts: the service passes its own (serviceTimeouts); the CLI, migrations and tests' data sources run untimed. */
export function typeOrmOptions(databaseUrl: string, timeouts: DatabaseTimeouts = UNTIMED): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: [migrationsGlob],
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: 20, application_name: 'outbound-dialer', ...poolTimeoutOptions(timeouts) },
  };
}
