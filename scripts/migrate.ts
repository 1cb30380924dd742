import 'reflect-metadata';
import dataSource from '../src/database/data-source';

/** Runs pending migrations (npm start and npm test do this for you). */
async function main(): Promise<void> {
  await dataSource.initialize();
  const ran = await dataSource.runMigrations({ transaction: 'each' });
  process.stdout.write(`migrations: ${ran.length} applied${ran.length ? ` (${ran.map((m) => m.name).join(', ')})` : ''}\n`);
  await dataSource.destroy();
}

main().catch((e) => {
  process.stderr.write(`migration failed: ${(e as Error).message}\n`);
  process.exit(1);
});
