import { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

/** Spreadsheet formula injection: text that starts like a formula gets a leading quote (numbers like +1212... stay). */
export function csvSafe(v: string): string {
  if (/^[=@\t\r]/.test(v) || (/^[+-]/.test(v) && !/^[+-]?[\d.]+$/.test(v))) return `'${v}`;
  return v;
}

/** Streams rows as a CSV download: one row in memory at a time, header first. */
export async function streamCsv<T>(
  res: Response,
  filename: string,
  columns: { key: string; header: string; value: (row: T) => unknown }[],
  rows: AsyncIterable<T>,
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  async function* records() {
    for await (const row of rows) {
      yield Object.fromEntries(columns.map((c) => {
        const v = c.value(row);
        return [c.key, typeof v === 'boolean' ? String(v) : v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : typeof v === 'object' ? csvSafe(JSON.stringify(v)) : typeof v === 'string' ? csvSafe(v) : v];
      }));
    }
  }
  await pipeline(Readable.from(records()), stringify({ header: true, columns: columns.map((c) => ({ key: c.key, header: c.header })) }), res);
}
