import { LeadImportRunner } from '../../src/modules/leads/import/lead-import.runner';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { isolateDatabase } from '../setup/isolated-db';

/** A file with one row of every bad-input class, plus good rows, duplicates and zone cases. */
function messyFile(): Buffer {
  const huge = 'x'.repeat(70 * 1024);
  return Buffer.concat([
    Buffer.from('\ufeffPhone;First Name;Last;ZIP;TZ;Mobile;Product\n'), // line 1: BOM + ';' delimiter (detected)
    Buffer.from('(415) 555-2671;Ann;Lee;94105;;;gold\n'), // 2 ok, ZIP -> Los Angeles
    Buffer.from('212-555-0188;"Smith; Bob";"O""Neil";;;+44 7911 123456;silver\n'), // 3 ok, quotes, alt phone
    Buffer.from('415.555.2671;Ann again;Lee;;;;\n'), // 4 duplicate of line 2
    Buffer.from(';Nobody;;;;;\n'), // 5 empty phone
    Buffer.from('call me maybe;X;;;;;\n'), // 6 letters in phone
    Buffer.from('3125550199;too;few\n'), // 7 wrong column count
    Buffer.concat([Buffer.from('3125550142;'), Buffer.from([0xc3, 0x28]), Buffer.from('bad;;;;;\n')]), // 8 bad UTF-8 in name
    Buffer.from(`3125550143;${huge};;;;;\n`), // 9 huge field
    Buffer.from('3125550144;Zed;;;Mars/Olympus;;\n'), // 10 bad zone
    Buffer.from('3125550145;Amy;;;Europe/Paris;not a phone;\n'), // 11 ok, explicit zone, alt phone ignored
    Buffer.from('2085550100;Ida;;;;;\n'), // 12 ok, ambiguous (Idaho 208 without ZIP)
    Buffer.from('\n'), // 13 blank line, skipped
    Buffer.from('+1 312 555 0146;Last;;60601;;;\n'), // 14 ok, no trailing newline next
  ]);
}

const mapping = { phone: 'Phone', firstName: 'First Name', lastName: 'Last', postalCode: 'ZIP', timezone: 'TZ', altPhones: ['Mobile'], custom: { product: 'Product' } };

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describe('lead import over HTTP (upload, job, progress, error report)', () => {
  let t: TestApp;
  let manager: string;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: true });
    manager = await t.tokenFor(Role.Manager);
  });
  afterAll(() => t.close());

  function upload(fields: Record<string, string>, file: Buffer = messyFile(), token = manager) {
    let req = t.http.post('/api/lead-imports').set('Authorization', `Bearer ${token}`);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', file, 'leads.csv');
  }

  async function waitDone(id: string) {
    for (let i = 0; i < 100; i++) {
      const res = await t.http.get(`/api/lead-imports/${id}`).set('Authorization', `Bearer ${manager}`).expect(200);
      if (['completed', 'failed', 'cancelled'].includes(res.body.status)) return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('import did not finish');
  }

  it('imports a messy file into a new list: good rows in, every bad row refused with its line, column and reason', async () => {
    const res = await upload({ newListName: `Messy ${Date.now()}`, mapping: JSON.stringify(mapping), defaultCountry: 'US' }).expect(201);
    expect(res.body.delimiter).toBe(';');
    const done = await waitDone(res.body.id);
    expect(done).toMatchObject({ status: 'completed', rowsRead: 12, inserted: 5, rejected: 6, duplicates: 1, updated: 0 });

    const report = await t.http.get(`/api/lead-imports/${res.body.id}/errors.csv`).set('Authorization', `Bearer ${manager}`).expect(200);
    expect(report.headers['content-type']).toContain('text/csv');
    const lines = report.text.trim().split('\n');
    expect(lines[0]).toBe('line,column,reason,action');
    const byLine = (n: number) => lines.find((l) => l.startsWith(`${n},`));
    expect(byLine(4)).toBe('4,Phone,duplicate: same phone number as line 2,duplicate');
    expect(byLine(5)).toBe('5,Phone,phone is empty,rejected');
    expect(byLine(6)).toBe('6,Phone,phone contains letters,rejected');
    expect(byLine(7)).toBe('7,,"wrong column count: expected 7, found 3",rejected');
    expect(byLine(8)).toContain('8,First Name,bytes that are not valid UTF-8');
    expect(byLine(9)).toContain('9,First Name,field longer than 65536 bytes');
    expect(byLine(10)).toContain('10,TZ,"""Mars/Olympus"" is not an IANA time zone');
    expect(byLine(11)).toContain('11,Mobile,alternate phone ignored: phone contains letters,ignored_value');
    expect(lines).toHaveLength(1 + 8);

    const leads = await t.db.query(`SELECT * FROM leads WHERE list_id = $1 ORDER BY source_line`, [done.listId]);
    expect(leads.map((l: { phone: string }) => l.phone)).toEqual(['+14155552671', '+12125550188', '+13125550145', '+12085550100', '+13125550146']);
    const [ann, bob, amy, ida, last] = leads;
    expect(ann).toMatchObject({ timezone: 'America/Los_Angeles', tz_ambiguous: false, first_name: 'Ann', custom_fields: { product: 'gold' }, source_line: 2 });
    expect(bob).toMatchObject({ first_name: 'Smith; Bob', last_name: 'O"Neil', alt_phones: ['+447911123456'], timezone: 'America/New_York' });
    // Number type kept where the metadata knows it (NANP does not tell mobile from fixed).
    expect(leads.map((l: { phone_type: string }) => l.phone_type)).toEqual(Array(5).fill('fixed_line_or_mobile'));
    expect(leads.map((l: { country: string }) => l.country)).toEqual(['US', 'US', 'US', 'US', 'US']);
    expect(amy).toMatchObject({ timezone: 'Europe/Paris', alt_phones: [] });
    expect(ida).toMatchObject({ timezone: null, tz_ambiguous: true, tz_candidates: ['America/Boise', 'America/Los_Angeles'] });
    expect(last).toMatchObject({ timezone: 'America/Chicago', postal_code: '60601' });
    const [list] = await t.db.query(`SELECT custom_fields FROM lead_lists WHERE id = $1`, [done.listId]);
    expect(list.custom_fields).toEqual(['product']);
  });

  it('reports progress as bytes read of the file\'s bytes and a whole percentage, 100 only when completed', async () => {
    // Ticks every 20 ms instead of 500, so a file of a couple of seconds shows several steps.
    const runner = t.app.get(LeadImportRunner);
    const interval = runner.progressIntervalMs;
    runner.progressIntervalMs = 20;
    try {
      const rows = Array.from({ length: 60_000 }, (_, i) => `+1212${String(6000000 + i)},Name ${i},Surname ${i},10001`);
      const file = Buffer.from(['Phone,First Name,Last,ZIP', ...rows].join('\n'));
      const res = await upload({ newListName: `Progress ${Date.now()}`, mapping: JSON.stringify({ phone: 'Phone', firstName: 'First Name', lastName: 'Last', postalCode: 'ZIP' }) }, file).expect(201);
      expect(res.body).toMatchObject({ bytesTotal: file.length });
      expect(res.body.percent).toBeLessThan(100);
      const seen: { status: string; bytesRead: number; bytesTotal: number; percent: number }[] = [];
      for (let i = 0; i < 1200; i++) {
        const { body } = await t.http.get(`/api/lead-imports/${res.body.id}`).set('Authorization', `Bearer ${manager}`).expect(200);
        seen.push(body);
        if (['completed', 'failed', 'cancelled'].includes(body.status)) break;
        await new Promise((r) => setTimeout(r, 15));
      }
      const last = seen[seen.length - 1];
      expect(last).toMatchObject({ status: 'completed', rowsRead: 60_000, inserted: 60_000, bytesRead: file.length, bytesTotal: file.length, percent: 100 });
      for (const s of seen) {
        expect(s.bytesTotal).toBe(file.length);
        if (s.status !== 'completed') expect(s.percent).toBe(Math.min(99, Math.floor((s.bytesRead * 100) / file.length)));
      }
      // Never goes backwards, and the file was seen part-read on the way.
      expect(seen.map((s) => s.percent)).toEqual([...seen.map((s) => s.percent)].sort((a, b) => a - b));
      expect(seen.some((s) => s.status === 'running' && s.percent > 0 && s.percent < 99)).toBe(true);
    } finally {
      runner.progressIntervalMs = interval;
    }
  });

  it('skips or updates numbers already in the list, per the import\'s policy', async () => {
    const list = await t.http.post('/api/lead-lists').set('Authorization', `Bearer ${manager}`).send({ name: `Policy ${Date.now()}` }).expect(201);
    const file1 = Buffer.from('phone,name\n4155552671,First\n');
    const first = await upload({ listId: list.body.id, mapping: JSON.stringify({ phone: 'phone', firstName: 'name' }) }, file1).expect(201);
    expect(await waitDone(first.body.id)).toMatchObject({ inserted: 1 });

    const file2 = Buffer.from('phone,name\n+1 415 555 2671,Second\n2125550188,New\n');
    const skip = await upload({ listId: list.body.id, mapping: JSON.stringify({ phone: 'phone', firstName: 'name' }) }, file2).expect(201);
    expect(await waitDone(skip.body.id)).toMatchObject({ inserted: 1, duplicates: 1, updated: 0 });
    const upd = await upload({ listId: list.body.id, duplicatePolicy: 'update', mapping: JSON.stringify({ phone: 'phone', firstName: 'name' }) }, file2).expect(201);
    expect(await waitDone(upd.body.id)).toMatchObject({ inserted: 0, updated: 2, duplicates: 0 });
    const rows = await t.db.query(`SELECT first_name FROM leads WHERE list_id = $1 AND deleted_at IS NULL ORDER BY phone`, [list.body.id]);
    expect(rows.map((r: { first_name: string }) => r.first_name)).toEqual(['New', 'Second']);
  });

  it("writes the error report formula-safe: a column header from the file such as =HYPERLINK(...) is not a formula in Excel", async () => {
    const header = '=HYPERLINK("https://evil.example/x","Fix import")';
    const file = Buffer.from(`"${header.replace(/"/g, '""')}",name\n,Nobody\n`);
    const res = await upload({ newListName: `Formula ${Date.now()}`, mapping: JSON.stringify({ phone: header, firstName: 'name' }), delimiter: ',' }, file).expect(201);
    expect(await waitDone(res.body.id)).toMatchObject({ rejected: 1 });
    const report = await t.http.get(`/api/lead-imports/${res.body.id}/errors.csv`).set('Authorization', `Bearer ${manager}`).expect(200);
    const row = report.text.trim().split('\n')[1];
    expect(row).toBe(`2,"'=HYPERLINK(""https://evil.example/x"",""Fix import"")",phone is empty,rejected`);
  });

  it('skips numbers already in another list of the same campaign when asked to', async () => {
    const a = await t.http.post('/api/lead-lists').set('Authorization', `Bearer ${manager}`).send({ name: `A ${Date.now()}` }).expect(201);
    const b = await t.http.post('/api/lead-lists').set('Authorization', `Bearer ${manager}`).send({ name: `B ${Date.now()}` }).expect(201);
    const [c] = await t.db.query(`INSERT INTO campaigns (name) VALUES ($1) RETURNING id`, [`Camp ${Date.now()}`]);
    await t.db.query(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES ($1, $2), ($1, $3)`, [c.id, a.body.id, b.body.id]);
    const m = JSON.stringify({ phone: 'phone' });
    expect(await waitDone((await upload({ listId: a.body.id, mapping: m }, Buffer.from('phone\n3125550100\n')).expect(201)).body.id)).toMatchObject({ inserted: 1 });
    const res = await upload({ listId: b.body.id, mapping: m, dedupeCampaignId: c.id, delimiter: ',' }, Buffer.from('phone\n3125550100\n3125550101\n')).expect(201);
    expect(await waitDone(res.body.id)).toMatchObject({ inserted: 1, duplicates: 1 });
    const report = await t.http.get(`/api/lead-imports/${res.body.id}/errors.csv`).set('Authorization', `Bearer ${manager}`).expect(200);
    expect(report.text).toContain(`2,phone,"duplicate: number already in list ""A `);
  });

  it('refuses a mapping that names a column the file lacks with 400 naming the mapping field, and creates nothing', async () => {
    const name = `Refused ${Date.now()}`;
    const res = await upload({ newListName: name, mapping: JSON.stringify({ ...mapping, lastName: 'Surname' }) }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'mapping.lastName', reason: expect.stringContaining('column "Surname" is not in the file header') }]);
    const bad = await upload({ newListName: name, mapping: JSON.stringify({ firstName: 'First Name', colour: 'x' }) }).expect(400);
    expect([...new Set(bad.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['mapping.colour', 'mapping.phone']);
    await upload({ newListName: name, mapping: 'not json' }).expect(400);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Phone\n4155552671\n', 'utf16le')]);
    const enc = await upload({ newListName: name, mapping: JSON.stringify({ phone: 'Phone' }) }, utf16).expect(400);
    expect(enc.body.errors).toEqual([{ field: 'file', reason: expect.stringContaining('UTF-16') }]);
    await upload({ mapping: JSON.stringify(mapping) }).expect(400);
    const [n] = await t.db.query(`SELECT count(*)::int AS n FROM lead_lists WHERE name = $1`, [name]);
    expect(n.n).toBe(0);
  });

  it.each([Role.Agent, Role.Compliance])('gives role %s 403 on every import endpoint', async (role) => {
    const token = await t.tokenFor(role);
    const id = '00000000-0000-4000-8000-000000000000';
    await upload({ newListName: 'x', mapping: JSON.stringify(mapping) }, messyFile(), token).expect(403);
    await t.http.get('/api/lead-imports').set('Authorization', `Bearer ${token}`).expect(403);
    await t.http.get(`/api/lead-imports/${id}`).set('Authorization', `Bearer ${token}`).expect(403);
    await t.http.post(`/api/lead-imports/${id}/cancel`).set('Authorization', `Bearer ${token}`).expect(403);
    await t.http.get(`/api/lead-imports/${id}/errors.csv`).set('Authorization', `Bearer ${token}`).expect(403);
  });
});
