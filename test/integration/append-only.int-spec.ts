import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';

describe('append-only records in the database', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = await new DataSource(typeOrmOptions(process.env.DATABASE_URL!)).initialize();
  });
  afterAll(() => db.destroy());

  it('stores a compliance event and refuses to UPDATE, DELETE or TRUNCATE it', async () => {
    const [ev] = await db.query(
      `INSERT INTO compliance_events (type, reason_code, phone, details) VALUES ('dial_blocked', 'dnc_internal', '+14155550123', '{}') RETURNING id`,
    );
    await expect(db.query(`UPDATE compliance_events SET reason_code = 'none' WHERE id = $1`, [ev.id])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.query(`DELETE FROM compliance_events WHERE id = $1`, [ev.id])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.query(`TRUNCATE compliance_events`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    const [row] = await db.query(`SELECT reason_code FROM compliance_events WHERE id = $1`, [ev.id]);
    expect(row.reason_code).toBe('dnc_internal');
  });

  it('refuses to edit a script version once written', async () => {
    const [s] = await db.query(`INSERT INTO scripts (name) VALUES ('s') RETURNING id`);
    const [v] = await db.query(`INSERT INTO script_versions (script_id, version, sections) VALUES ($1, 1, '[]') RETURNING id`, [s.id]);
    await expect(db.query(`UPDATE script_versions SET sections = '[{"key":"x"}]' WHERE id = $1`, [v.id])).rejects.toThrow(/append-only/);
  });

  it('never lets one number have two active dials', async () => {
    const [list] = await db.query(`INSERT INTO lead_lists (name) VALUES ('l') RETURNING id`);
    const [c] = await db.query(`INSERT INTO campaigns (name) VALUES ('active-dial-${Date.now()}') RETURNING id`);
    const [a] = await db.query(`INSERT INTO leads (list_id, phone) VALUES ($1, '+14155550999') RETURNING id`, [list.id]);
    const insert = () =>
      db.query(`INSERT INTO calls (campaign_id, lead_id, phone, dial_mode) VALUES ($1, $2, '+14155550999', 'progressive') RETURNING id`, [c.id, a.id]);
    const [first] = await insert();
    await expect(insert()).rejects.toThrow(/calls_one_active_dial_per_phone_uq/);
    await db.query(`UPDATE calls SET end_at = now(), state = 'ended' WHERE id = $1`, [first.id]);
    await expect(insert()).resolves.toBeDefined();
  });

  it('rejects a lead phone that is not E.164', async () => {
    const [list] = await db.query(`INSERT INTO lead_lists (name) VALUES ('l2') RETURNING id`);
    await expect(db.query(`INSERT INTO leads (list_id, phone) VALUES ($1, '4155550123')`, [list.id])).rejects.toThrow(/check constraint/);
  });

  it('migrates down and up again cleanly', async () => {
    const before = await db.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
    // Run on a scratch database so the shared one stays intact for the other tests.
    const name = `${process.env.TEST_DB_NAME}_mig`;
    await db.query(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const scratch = await new DataSource(typeOrmOptions(url.toString())).initialize();
    try {
      await scratch.runMigrations();
      const migrations = scratch.migrations.length;
      for (let i = 0; i < migrations; i++) await scratch.undoLastMigration();
      const [{ n }] = await scratch.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`);
      expect(n).toBe(0);
      await scratch.runMigrations();
      const after = await scratch.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
      expect(after[0].n).toBe(before[0].n);
    } finally {
      await scratch.destroy();
      await db.query(`DROP DATABASE ${name} WITH (FORCE)`);
    }
  });
});
