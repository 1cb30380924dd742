import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { Role } from '../../src/modules/users/user.entity';
import { isolateDatabase } from '../setup/isolated-db';
import { createTestApp, TestApp } from '../setup/test-app';

/**
 * Fuzzing the two free-form inputs the DTO fuzz (fuzz-api.e2e-spec.ts) cannot reach: the CSV lead file (multipart
 * upload, parsed by the import job) and the Handlebars script templates. Generated junk must never cause a 5xx or a
 * crash, and every refusal must name the problem: per-row line/column/reason for CSV, a 400 with line and column
 * for templates.
 */
jest.setTimeout(120_000);

const HEADER = ['Phone', 'First', 'Last', 'ZIP', 'TZ', 'Mobile'];
const mapping = { phone: 'Phone', firstName: 'First', lastName: 'Last', postalCode: 'ZIP', timezone: 'TZ', altPhones: ['Mobile'] };

/** A cell: plausible phone numbers, zones and ZIPs mixed with delimiters, quotes, newlines, control and astral characters. */
const cell = fc.oneof(
  fc.constantFrom('4155552671', '+1 (212) 555-0188', '+44 7911 123456', '', ' ', '0', '+', '999999999999999999999', 'America/New_York', 'Mars/Olympus', '94105', '00000'),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.stringMatching(/^[\d\s()+.,;"\t\r\n-]{0,25}$/),
);
const row = fc.array(cell, { minLength: 0, maxLength: 8 });
const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** A whole file: a header (sometimes damaged), rows of junk cells, sometimes raw bytes, a BOM, CRLF or no final newline. */
const csvFile = fc.record({
  header: fc.oneof(fc.constant(HEADER), fc.shuffledSubarray(HEADER, { minLength: 1 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 7 })),
  rows: fc.array(row, { maxLength: 25 }),
  raw: fc.option(fc.uint8Array({ maxLength: 200 }), { freq: 3 }),
  bom: fc.boolean(),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  finalEol: fc.boolean(),
}).map(({ header, rows, raw, bom, eol, finalEol }) => {
  const text = [header, ...rows].map((r) => r.map(quote).join(',')).join(eol) + (finalEol ? eol : '');
  return Buffer.concat([Buffer.from(bom ? '\ufeff' : ''), Buffer.from(text, 'utf8'), Buffer.from(raw ?? [])]);
});

/** Template junk: Handlebars tokens, known and unknown variables, helpers and partials glued with random text. */
const token = fc.oneof(
  fc.constantFrom(
    '{{', '}}', '{{{', '}}}', '{{&', '{{>', '{{!', '{{!--', '--}}', '{{#if', '{{/if}}', '{{#each', '{{/each}}', '{{else}}', '{{^',
    '{{lead.firstName}}', '{{lead.lastName}}', '{{lead.custom.plan}}', '{{agent.firstName}}', '{{campaign.name}}', '{{lead.nope}}',
    '{{lookup lead "x"}}', '{{toString lead.firstName}}', '{{lead.custom.constructor}}', '{{formatDate lead.custom.plan format="yyyy" tz="Mars/X"}}', '{{mask lead.phone keep=99}}', '{{formatMoney lead.custom.plan currency="XXX"}}', '{{upper (lower lead.firstName)}}', '{{../secret}}', '{{this}}', '{{@root}}', '{{constructor.constructor}}', '{{__proto__}}', ' ', '\n', '\t', '"', "'", '=',
  ),
  fc.string({ maxLength: 12 }),
);
const template = fc.array(token, { maxLength: 30 }).map((t) => t.join(''));

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describe('fuzz: CSV lead files and script templates', () => {
  let t: TestApp;
  let manager: string;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: true });
    manager = await t.tokenFor(Role.Manager);
  });
  afterAll(() => t.close());
  const auth = () => ({ Authorization: `Bearer ${manager}` });

  async function waitDone(id: string) {
    for (let i = 0; i < 200; i++) {
      const res = await t.http.get(`/api/lead-imports/${id}`).set(auth());
      expect(res.status).toBe(200);
      if (['completed', 'failed', 'cancelled'].includes(res.body.status)) return res.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`import ${id} did not finish`);
  }

  it('junk CSV files: upload answers 201 or a 4xx with a message; the job ends; every refused row has its line and reason', async () => {
    let seen = 0;
    const outcomes = { refused: 0, failed: 0, completed: 0, rejectedRows: 0 };
    await fc.assert(
      fc.asyncProperty(csvFile, fc.constantFrom('US', 'GB', 'FR'), async (file, country) => {
        const res = await t.http.post('/api/lead-imports').set(auth())
          .field('newListName', `fuzz ${Date.now()} ${++seen}`).field('mapping', JSON.stringify(mapping)).field('defaultCountry', country)
          .attach('file', file, 'junk.csv');
        expect(res.status).toBeLessThan(500);
        if (res.status !== 201) {
          outcomes.refused++;
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(typeof res.body.message).toBe('string');
          expect(res.body.message.length).toBeGreaterThan(0);
          return;
        }
        const done = await waitDone(res.body.id);
        if (done.status === 'failed') {
          outcomes.failed++;
          // A whole-file problem (no phone column, not a CSV...): said in words.
          expect(done.error).toEqual(expect.any(String));
          expect(done.error.length).toBeGreaterThan(3);
          return;
        }
        expect(done.status).toBe('completed');
        outcomes.completed++;
        outcomes.rejectedRows += done.rejected;
        const report = await t.http.get(`/api/lead-imports/${res.body.id}/errors.csv`).set(auth());
        expect(report.status).toBe(200);
        const rows = parse(report.text, { columns: true, relax_column_count: true }) as { line: string; column: string; reason: string; action: string }[];
        for (const r of rows) {
          expect(Number(r.line)).toBeGreaterThanOrEqual(1);
          expect(r.reason.length).toBeGreaterThan(3);
        }
        // Every row read is accounted for: inserted, updated, duplicate or refused with its reason in the report.
        expect(done.inserted + done.updated + done.duplicates + done.rejected).toBe(done.rowsRead);
        expect(rows.filter((r) => r.action === 'rejected')).toHaveLength(done.rejected);
        expect(new Set(rows.filter((r) => r.action === 'rejected').map((r) => r.line)).size).toBe(done.rejected);
      }),
      { numRuns: 100, seed: 4242 },
    );
    // The generator reaches the row-level checks, not only the upload's refusals.
    expect(outcomes.completed).toBeGreaterThanOrEqual(5);
    expect(outcomes.rejectedRows).toBeGreaterThan(0);
    // The app survived: it still answers.
    await t.http.get('/health').expect(200);
  });

  it('junk templates: 201, or 400 naming section, line and column; a saved one always previews without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(template, template, async (a, b) => {
        const sections = [{ key: 'greeting', title: 'Greeting', template: a }, { key: 'pitch', title: 'Pitch', template: b }];
        const res = await t.http.post('/api/scripts').set(auth()).send({ name: `fuzz ${Date.now()} ${Math.random()}`, sections });
        expect(res.status).toBeLessThan(500);
        if (res.status === 400) {
          expect(res.body.errors.length).toBeGreaterThan(0);
          for (const e of res.body.errors) {
            expect(e.field).toMatch(/^sections\[[01]\]\.template$|^name$|^sections/);
            expect(e.reason.length).toBeGreaterThan(3);
            if (/\.template$/.test(e.field)) {
              expect(['greeting', 'pitch']).toContain(e.section);
              expect(e.line).toBeGreaterThanOrEqual(1);
              expect(e.column).toBeGreaterThanOrEqual(1);
            }
          }
          // The draft preview (the editor's live check) says the same, never a 5xx.
          const draft = await t.http.post('/api/web/script-preview').set(auth()).send({ sections });
          expect(draft.status).toBeLessThan(500);
          return;
        }
        expect(res.status).toBe(201);
        const preview = await t.http.post(`/api/scripts/${res.body.id}/preview`).set(auth()).send({ lead: { firstName: '<b>x</b>', custom: { plan: '{{x}}' } } });
        expect(preview.status).toBeLessThan(500);
        if (preview.status === 200) expect(preview.body.sections).toHaveLength(2);
      }),
      // The first example was a 500 (prototype lookup in the template checker), the second passed the check.
      { numRuns: 150, seed: 777, examples: [['{{constructor.constructor}}', '{{toString lead.firstName}}']] },
    );
    await t.http.get('/health').expect(200);
  });
});
