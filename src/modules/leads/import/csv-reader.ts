import { isUtf8 } from 'node:buffer';
import { Transform, TransformCallback } from 'node:stream';

/** One CSV record as read from the file, before any mapping. */
export interface CsvRecord {
  /** 1-based line of the file on which the record starts. */
  line: number;
  fields: string[];
  /** Indexes of fields whose bytes are not valid UTF-8. */
  badUtf8: number[] | null;
  /** A structural problem of this record (huge field, stray quote, unterminated quote) and the field it was in. */
  problem: string | null;
  problemField: number | null;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * A byte-level CSV reader (RFC 4180 plus the mess real exports contain) that never loses its place:
 * quoted fields may span lines, "" is an escaped quote, CRLF or LF ends a record, a UTF-8 BOM is skipped.
 * Unlike csv-parse's skip_records_with_error (which drops the records that follow a bad one), a bad record is
 * reported on the record itself and reading goes on at the next record. Fields are capped at maxFieldBytes:
 * bytes beyond the cap are not kept, so a runaway quote cannot grow memory.
 */
export class CsvReader {
  private readonly delim: number;
  private line = 1;
  private recordLine = 1;
  private inQuotes = false;
  private afterQuote = false;
  private quoted = false;
  private parts: Buffer[] = [];
  private fieldBytes = 0;
  private tooLong = false;
  private fields: string[] = [];
  private badUtf8: number[] | null = null;
  private problem: string | null = null;
  private problemField: number | null = null;
  private started = false;
  private out: CsvRecord[] = [];

  constructor(delimiter: string, private readonly maxFieldBytes = 64 * 1024) {
    if (Buffer.byteLength(delimiter) !== 1) throw new Error('delimiter must be a single byte character');
    this.delim = delimiter.charCodeAt(0);
  }

  write(chunk: Buffer): CsvRecord[] {
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    let seg = i;
    const len = chunk.length;
    const delim = this.delim;
    for (; i < len; i++) {
      const b = chunk[i];
      if (this.inQuotes) {
        if (b === QUOTE) {
          this.append(chunk, seg, i);
          this.inQuotes = false;
          this.afterQuote = true;
          seg = i + 1;
        } else if (b === LF) {
          this.line++;
        }
        continue;
      }
      if (this.afterQuote) {
        this.afterQuote = false;
        if (b === QUOTE) {
          // "" inside a quoted field: keep one quote, stay quoted.
          this.inQuotes = true;
          seg = i;
          continue;
        }
        if (b === CR) {
          seg = i + 1;
          continue;
        }
        if (b !== delim && b !== LF) {
          this.flag('unexpected character after a closing quote');
          seg = i;
          continue;
        }
      }
      if (b === delim) {
        this.append(chunk, seg, i);
        this.endField();
        seg = i + 1;
      } else if (b === LF) {
        this.append(chunk, seg, i > seg && chunk[i - 1] === CR ? i - 1 : i);
        this.trimTrailingCr();
        this.endField();
        this.endRecord();
        this.line++;
        this.recordLine = this.line;
        seg = i + 1;
      } else if (b === QUOTE && seg === i && this.parts.length === 0 && this.fieldBytes === 0 && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
        seg = i + 1;
      }
    }
    this.append(chunk, seg, len);
    const out = this.out;
    this.out = [];
    return out;
  }

  end(): CsvRecord[] {
    if (this.inQuotes) this.flag('unterminated quoted field');
    this.trimTrailingCr();
    if (this.fields.length > 0 || this.fieldBytes > 0 || this.quoted || this.problem) {
      this.endField();
      this.endRecord();
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private append(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.fieldBytes += end - start;
    if (this.fieldBytes > this.maxFieldBytes) {
      if (!this.tooLong) {
        this.tooLong = true;
        this.parts = [];
        this.flag(`field longer than ${this.maxFieldBytes} bytes (a huge value or a quote that is never closed)`);
      }
      return;
    }
    this.parts.push(chunk.subarray(start, end));
  }

  private trimTrailingCr(): void {
    const last = this.parts[this.parts.length - 1];
    if (!this.quoted && last && last.length && last[last.length - 1] === CR) {
      this.parts[this.parts.length - 1] = last.subarray(0, last.length - 1);
    }
  }

  private flag(problem: string): void {
    if (this.problem) return;
    this.problem = problem;
    this.problemField = this.fields.length;
  }

  private endField(): void {
    let value = '';
    if (!this.tooLong && this.parts.length) {
      const buf = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
      if (!isUtf8(buf)) (this.badUtf8 ??= []).push(this.fields.length);
      value = buf.toString('utf8');
    }
    this.fields.push(value);
    this.parts = [];
    this.fieldBytes = 0;
    this.tooLong = false;
    this.quoted = false;
  }

  private endRecord(): void {
    const blank = this.fields.length === 1 && this.fields[0] === '' && !this.problem;
    if (!blank) {
      this.out.push({ line: this.recordLine, fields: this.fields, badUtf8: this.badUtf8, problem: this.problem, problemField: this.problemField });
    }
    this.fields = [];
    this.badUtf8 = null;
    this.problem = null;
    this.problemField = null;
  }
}

/** The reader as a stream: bytes in, arrays of records out (one array per input chunk, to keep per-object overhead low). */
export class CsvRecordStream extends Transform {
  private readonly reader: CsvReader;

  constructor(delimiter: string, maxFieldBytes?: number) {
    super({ readableObjectMode: true, readableHighWaterMark: 4 });
    this.reader = new CsvReader(delimiter, maxFieldBytes);
  }

  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const records = this.reader.write(chunk);
    if (records.length) this.push(records);
    cb();
  }

  _flush(cb: TransformCallback): void {
    const records = this.reader.end();
    if (records.length) this.push(records);
    cb();
  }
}

export const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

/**
 * Picks the delimiter whose field count is the same on most of the sample's records (and more than one field).
 * Returns null when none of the candidates splits the header into more than one column.
 */
export function detectDelimiter(sample: Buffer): string | null {
  let best: { d: string; score: number; fields: number } | null = null;
  for (const d of DELIMITER_CANDIDATES) {
    const reader = new CsvReader(d);
    // The sample may end mid-record: drop the last record.
    const records = reader.write(sample).slice(0, 200);
    if (!records.length) continue;
    const counts = new Map<number, number>();
    for (const r of records) counts.set(r.fields.length, (counts.get(r.fields.length) ?? 0) + 1);
    const header = records[0].fields.length;
    if (header < 2) continue;
    const score = (counts.get(header) ?? 0) / records.length;
    if (!best || score > best.score || (score === best.score && header > best.fields)) best = { d, score, fields: header };
  }
  return best?.d ?? null;
}
