/**
 * Writes a messy lead file of N rows (default 1,000,000): a UTF-8 BOM, CRLF line ends, phone numbers in every
 * usual format (and some invalid ones: letters, too short, empty, premium rate), quoted names with commas, quotes
 * and line breaks, accents, missing ZIP codes, explicit and bogus time zones, alternate phones, ~3% duplicate
 * numbers. Column count and encoding stay valid so that the reference `psql \copy` can load the same file.
 *
 *   npx ts-node --transpile-only bench/import/generate-messy-csv.ts /tmp/leads-1m.csv 1000000
 */
import { createWriteStream } from 'node:fs';

const AREA = ['201', '202', '205', '206', '208', '212', '213', '214', '303', '305', '312', '313', '404', '415', '469', '503', '512', '602',
  '612', '617', '702', '713', '718', '720', '786', '801', '808', '907', '913', '971'];
const FIRST = ['Ann', 'Bob', 'José', 'Zoë', 'Li', 'Mary-Jane', 'O\'Brien', 'Ángel', 'Søren', 'Chloé'];
const LAST = ['Smith', 'García', 'Nguyen', 'Müller', 'Lee, Jr.', 'Doe "JD"', 'Brown', 'Ødegaard'];
const ZIPS = ['94105', '10001', '60601', '2134', '85001', '67735', '99501', '96813', '', '', ''];
const TZ = ['', '', '', '', '', '', 'America/New_York', 'Europe/London', 'Mars/Base', 'US/Pacific'];

let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function phone(i: number): string {
  const r = rnd();
  if (r < 0.006) return '';
  if (r < 0.012) return 'call after 5';
  if (r < 0.018) return `555-${String(i % 10000).padStart(4, '0')}`; // no area code: too short
  if (r < 0.02) return '+44 909 879 0000'; // premium rate
  if (r < 0.05) return `+44 7${String(400000000 + (i % 99999999)).slice(0, 9)}`;
  const a = pick(AREA);
  const ex = String(200 + Math.floor(rnd() * 799));
  const sub = String(i % 10000).padStart(4, '0');
  const n = (i * 7919) % 5;
  if (n === 0) return `(${a}) ${ex}-${sub}`;
  if (n === 1) return `${a}.${ex}.${sub}`;
  if (n === 2) return `+1 ${a} ${ex} ${sub}`;
  if (n === 3) return `1-${a}-${ex}-${sub}`;
  return `${a}${ex}${sub}`;
}

async function main(): Promise<void> {
  const path = process.argv[2] ?? '/tmp/leads-1m.csv';
  const rows = Number(process.argv[3] ?? 1_000_000);
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('\ufeffPhone,First Name,Last Name,ZIP,Time Zone,Mobile,Product,Notes\r\n');
  const recent: string[] = [];
  let buf = '';
  for (let i = 0; i < rows; i++) {
    // ~3% repeat a number from earlier in the file, written differently.
    const p = recent.length && rnd() < 0.03 ? pick(recent) : phone(i);
    if (recent.length < 1000) recent.push(p);
    else if (rnd() < 0.01) recent[Math.floor(rnd() * 1000)] = p;
    const notes = rnd() < 0.01 ? `called before,\nsaid "maybe"` : rnd() < 0.001 ? 'n'.repeat(1500) : '';
    buf += [q(p), q(pick(FIRST)), q(pick(LAST)), pick(ZIPS), pick(TZ), rnd() < 0.2 ? q(phone(i + 7)) : '', pick(['gold', 'silver', '']), q(notes)].join(',') + '\r\n';
    if (buf.length > 1 << 16) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((r) => out.end(r));
  process.stdout.write(`wrote ${rows} rows to ${path}\n`);
}

void main();
