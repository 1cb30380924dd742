// Checks that PostgreSQL and Redis answer. Usage: node scripts/check-services.js [postgres|redis|createdb NAME]
// Exit 0 when reachable; 1 otherwise, with the reason on stderr.
const { Client } = require('pg');
const Redis = require('ioredis');

const pgUrl = process.env.PG_ADMIN_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

async function postgres() {
  const c = new Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  await c.connect();
  await c.query('SELECT 1');
  await c.end();
}

async function redis() {
  const r = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await r.connect();
  await r.ping();
  r.disconnect();
}

async function createdb(name) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const c = new Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  await c.connect();
  const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!rowCount) await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  console.log(rowCount ? `database ${name} exists` : `database ${name} created`);
}

const [what, arg] = process.argv.slice(2);
const run = { postgres, redis, createdb: () => createdb(arg) }[what];
if (!run) {
  console.error('usage: check-services.js postgres|redis|createdb NAME');
  process.exit(2);
}
run().then(
  () => process.exit(0),
  (e) => {
    console.error(`${what}: ${e.message}`);
    process.exit(1);
  },
);
