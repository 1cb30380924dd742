import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { ImportRefused, LeadImportRunner } from '../../src/modules/leads/import/lead-import.runner';

/** The runner on the real PostgreSQL: all-or-nothing, idempotent, cancellable. */
describe('LeadImportRunner', () => {
  let db: DataSource;
  let runner: LeadImportRunner;
  beforeAll(async () => {
    db = await new DataSource(typeOrmOptions(process.env.DATABASE_URL!)).initialize();
    runner = new LeadImportRunner(db);
  });
  afterAll(() => db.destroy());

  function file(content: string): string {
    const path = join(tmpdir(), `leads-int-${randomUUID()}.csv`);
    writeFileSync(path, content);
    return path;
  }

  async function newImport(fields: { path: string; listId?: string; newListName?: string; mapping?: object }): Promise<string> {
    const [row] = await db.query(
      `INSERT INTO lead_imports (list_id, new_list_name, file_path, delimiter, default_country, mapping)
       VALUES ($1, $2, $3, ',', 'US', $4) RETURNING id`,
      [fields.listId ?? null, fields.newListName ?? null, fields.path, JSON.stringify(fields.mapping ?? { phone: 'phone', firstName: 'name' })],
    );
    return row.id;
  }

  const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `312555${String(1000 + from + i).padStart(4, '0')},Name ${i}`).join('\n');

  it('runs a completed import a second time without adding a row', async () => {
    const id = await newImport({ path: file(`phone,name\n${rows(50)}\n`), newListName: `Rerun ${Date.now()}` });
    const first = await runner.run(id);
    expect(first).toMatchObject({ status: 'completed', inserted: 50, rowsRead: 50 });
    const again = await runner.run(id);
    expect(again).toMatchObject({ status: 'completed', inserted: 50, listId: first.listId });
    const [n] = await db.query(`SELECT count(*)::int AS n FROM leads WHERE list_id = $1`, [first.listId]);
    expect(n.n).toBe(50);
    const [lists] = await db.query(`SELECT count(*)::int AS n FROM lead_lists WHERE id = $1`, [first.listId]);
    expect(lists.n).toBe(1);
  });

  it('lets two concurrent runs of one import (a stalled job picked up twice) add the rows once', async () => {
    const id = await newImport({ path: file(`phone,name\n${rows(2000)}\n`), newListName: `Twice ${Date.now()}` });
    const [a, b] = await Promise.all([runner.run(id), new LeadImportRunner(db).run(id)]);
    expect(a.status).toBe('completed');
    expect(b.status).toBe('completed');
    expect(b.listId).toBe(a.listId);
    const [n] = await db.query(`SELECT count(*)::int AS n FROM leads WHERE import_job_id = $1`, [id]);
    expect(n.n).toBe(2000);
    const [lists] = await db.query(`SELECT count(*)::int AS n FROM lead_lists WHERE name LIKE 'Twice %' AND id = $1`, [a.listId]);
    expect(lists.n).toBe(1);
    const [imp] = await db.query(`SELECT status, inserted FROM lead_imports WHERE id = $1`, [id]);
    expect(imp).toEqual({ status: 'completed', inserted: 2000 });
  });

  it('shows its progress in lead_imports while it runs, then the final counts', async () => {
    // 40,000 rows: several read chunks, so progress is written between them.
    const many = Array.from({ length: 40000 }, (_, i) => `312${2000000 + i},Name`).join('\n');
    const id = await newImport({ path: file(`phone,name\n${many}\nnot a phone,x\n`), newListName: `Progress ${Date.now()}` });
    runner.progressIntervalMs = 10;
    // What another connection (the API) reads each time the runner reports progress.
    const seen: { rows_read: number; status: string }[] = [];
    const run = runner.run(id, async () => {
      const [s] = await db.query(`SELECT status, rows_read FROM lead_imports WHERE id = $1`, [id]);
      seen.push(s);
    });
    await run.finally(() => (runner.progressIntervalMs = 500));
    expect(await run).toMatchObject({ status: 'completed', rowsRead: 40001, inserted: 40000, rejected: 1 });
    // Some reading was observed part-way: running, with a row count between nothing and everything.
    expect(seen.some((s) => s.status === 'running' && s.rows_read > 0 && s.rows_read < 40001)).toBe(true);
    expect(seen[seen.length - 1]).toEqual({ status: 'completed', rows_read: 40001 });
  });

  it('gives the same leads, errors and counts whether rows are normalised on worker threads or inline', async () => {
    const body = ['phone,name', ...Array.from({ length: 3000 }, (_, i) => `312${2100000 + (i % 2900)},N${i}`), 'abc,x', ',y', '12,z'].join('\n');
    const inline = await newImport({ path: file(body), newListName: `Inline ${Date.now()}` });
    const pooled = await newImport({ path: file(body), newListName: `Pooled ${Date.now()}` });
    const a = await runner.run(inline);
    const poolRunner = new LeadImportRunner(db);
    poolRunner.poolMinBytes = 0;
    poolRunner.threads = 2;
    const b = await poolRunner.run(pooled);
    expect(a).toMatchObject({ status: 'completed', rowsRead: 3003, inserted: 2900, duplicates: 100, rejected: 3 });
    expect({ ...b, importId: a.importId, listId: a.listId, timings: a.timings }).toEqual(a);
    const leads = (listId: string) => db.query(`SELECT phone, first_name, source_line, timezone FROM leads WHERE list_id = $1 ORDER BY phone`, [listId]);
    expect(await leads(b.listId!)).toEqual(await leads(a.listId!));
    const errors = (id: string) => db.query(`SELECT line, column_name, reason, action FROM lead_import_errors WHERE import_id = $1 ORDER BY line`, [id]);
    expect(await errors(pooled)).toEqual(await errors(inline));
  });

  it('gives the same leads, errors and counts when the file is merged in many chunks while it is read', async () => {
    // 12,000 rows (several 64 KB reads): every number comes back 5,000 rows later (duplicates in a later chunk than
    // their first row), 13 rows are refused, and the list already holds 100 of the numbers.
    const body = ['phone,name', ...Array.from({ length: 12000 }, (_, i) => (i % 997 === 5 ? `bad${i},x` : `312${3100000 + (i % 5000)},Name number ${i}`))].join('\n');
    const leads = (listId: string) =>
      db.query(`SELECT phone, first_name, source_line, import_job_id IS NOT NULL AS imported FROM leads WHERE list_id = $1 ORDER BY phone`, [listId]);
    const errors = (id: string) => db.query(`SELECT line, column_name, reason, action FROM lead_import_errors WHERE import_id = $1 ORDER BY line, reason`, [id]);
    for (const policy of ['skip', 'update']) {
      const runs = [];
      // One chunk; a chunk per 64 KB read; the same on worker threads (whose batches finish out of order).
      for (const [chunkBytes, threads] of [[64 * 1024 * 1024, 0], [1, 0], [1, 2]]) {
        const [list] = await db.query(`INSERT INTO lead_lists (name) VALUES ($1) RETURNING id`, [`Chunks ${policy} ${chunkBytes} ${threads} ${Date.now()}`]);
        await db.query(`INSERT INTO leads (list_id, phone, first_name) SELECT $1, '+1312' || (3100000 + g * 37)::text, 'Before' FROM generate_series(0, 99) g`, [list.id]);
        const id = await newImport({ path: file(body), listId: list.id });
        await db.query(`UPDATE lead_imports SET duplicate_policy = $2 WHERE id = $1`, [id, policy]);
        const chunked = new LeadImportRunner(db);
        chunked.mergeChunkBytes = chunkBytes;
        chunked.threads = threads;
        chunked.poolMinBytes = 0;
        const summary = await chunked.run(id);
        runs.push({ summary, chunks: summary.timings!.chunks, leads: await leads(list.id), errors: await errors(id) });
      }
      const [one, many, pooled] = runs;
      expect(one.chunks).toBe(1);
      expect(many.chunks).toBeGreaterThan(3);
      expect(pooled.chunks).toBeGreaterThan(3);
      const { importId: _a, listId: _b, timings: _c, ...counts } = one.summary;
      expect(counts).toEqual(
        policy === 'skip'
          ? { status: 'completed', rowsRead: 12000, inserted: 4900, updated: 0, rejected: 13, duplicates: 6987 + 100 }
          : { status: 'completed', rowsRead: 12000, inserted: 4900, updated: 100, rejected: 13, duplicates: 6987 },
      );
      for (const other of [many, pooled]) {
        expect(other.summary).toMatchObject(counts);
        expect(other.leads).toEqual(one.leads);
        expect(other.errors).toEqual(one.errors);
      }
      // A number's later rows name its first row, also from a later chunk.
      expect(one.errors).toContainEqual({ line: 10002, column_name: 'phone', reason: 'duplicate: same phone number as line 2', action: 'duplicate' });
    }
  });

  it('rolls back every chunk already merged into leads when cancelled, and leaves its connection usable', async () => {
    const name = `Cancelled chunks ${Date.now()}`;
    // 100,000 rows of ~27 bytes: 64 KB reads, ~100 KB chunks, so a COPY is usually open when the cancel lands.
    const many = Array.from({ length: 100000 }, (_, i) => `312${4000000 + i},Name ${i}`).join('\n');
    const id = await newImport({ path: file(`phone,name\n${many}\n`), newListName: name });
    const chunked = new LeadImportRunner(db);
    chunked.mergeChunkBytes = 100_000;
    chunked.progressIntervalMs = 10;
    let merged = false;
    let lastRowsRead = 0;
    const run = chunked.run(id, async (p) => {
      // Cancel once some chunks are in leads (visible to this transaction only) and more are still being read.
      lastRowsRead = p.rowsRead;
      if (!merged && p.rowsRead > 8000) {
        merged = true;
        await db.query(`UPDATE lead_imports SET cancel_requested = true WHERE id = $1`, [id]);
      }
    });
    const result = await run;
    expect(merged).toBe(true);
    expect(result.status).toBe('cancelled');
    // A progress tick reads the request and stops the reading (not only the final check before COMMIT).
    expect(lastRowsRead).toBeLessThan(50000);
    const [lists] = await db.query(`SELECT count(*)::int AS n FROM lead_lists WHERE name = $1`, [name]);
    expect(lists.n).toBe(0);
    const [leads] = await db.query(`SELECT count(*)::int AS n FROM leads WHERE import_job_id = $1`, [id]);
    expect(leads.n).toBe(0);
    const [errors] = await db.query(`SELECT count(*)::int AS n FROM lead_import_errors WHERE import_id = $1`, [id]);
    expect(errors.n).toBe(0);
    // The pool's connections still work, the cancelled run's among them (the pool hands out the last one released).
    for (const k of [1, 2, 3]) {
      const after = await chunked.run(await newImport({ path: file(`phone,name\n${rows(20, 100 * k)}\n`), newListName: `After ${k} ${Date.now()}` }));
      expect(after).toMatchObject({ status: 'completed', inserted: 20 });
    }
  });

  it('leaves no list and no lead behind when an import into a new list fails', async () => {
    const name = `Doomed ${Date.now()}`;
    const id = await newImport({ path: join(tmpdir(), `missing-${randomUUID()}.csv`), newListName: name });
    await expect(runner.run(id)).rejects.toThrow();
    const [imp] = await db.query(`SELECT status, error, list_id FROM lead_imports WHERE id = $1`, [id]);
    expect(imp).toMatchObject({ status: 'failed', list_id: null });
    expect(imp.error).toContain('can be run again');
    const [lists] = await db.query(`SELECT count(*)::int AS n FROM lead_lists WHERE name = $1`, [name]);
    expect(lists.n).toBe(0);
    const [leads] = await db.query(`SELECT count(*)::int AS n FROM leads WHERE import_job_id = $1`, [id]);
    expect(leads.n).toBe(0);
  });

  it('leaves an existing list unchanged when the file no longer matches the mapping', async () => {
    const [list] = await db.query(`INSERT INTO lead_lists (name) VALUES ($1) RETURNING id`, [`Existing ${Date.now()}`]);
    const ok = await newImport({ path: file(`phone,name\n${rows(3)}\n`), listId: list.id });
    await runner.run(ok);
    const bad = await newImport({ path: file(`tel,name\n${rows(3, 100)}\n`), listId: list.id });
    await expect(runner.run(bad)).rejects.toBeInstanceOf(ImportRefused);
    const [imp] = await db.query(`SELECT status, error FROM lead_imports WHERE id = $1`, [bad]);
    expect(imp.status).toBe('failed');
    expect(imp.error).toContain('mapping.phone: column "phone" is not in the file header');
    const [n] = await db.query(`SELECT count(*)::int AS n FROM leads WHERE list_id = $1`, [list.id]);
    expect(n.n).toBe(3);
  });

  it('rolls back when cancelled while running and reports the import cancelled', async () => {
    const name = `Cancelled ${Date.now()}`;
    const id = await newImport({ path: file(`phone,name\n${rows(9000)}\n`), newListName: name });
    const run = runner.run(id);
    // Cancel once it is running (the API does the same: it only sets the flag the runner reads).
    for (;;) {
      const [s] = await db.query(`SELECT status FROM lead_imports WHERE id = $1`, [id]);
      if (s.status !== 'queued') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await db.query(`UPDATE lead_imports SET cancel_requested = true WHERE id = $1`, [id]);
    const result = await run;
    expect(result.status).toBe('cancelled');
    const [lists] = await db.query(`SELECT count(*)::int AS n FROM lead_lists WHERE name = $1`, [name]);
    expect(lists.n).toBe(0);
    const [leads] = await db.query(`SELECT count(*)::int AS n FROM leads WHERE import_job_id = $1`, [id]);
    expect(leads.n).toBe(0);
  });
});
