import { CountryCode } from 'libphonenumber-js/max';
import { FieldError } from '../../../common/errors/domain-error';
import { CsvRecord } from './csv-reader';
import { ColumnMapping } from './lead-import.entity';
import { normalisePhone } from './phone-normalizer';
import { canonicalZone, resolveTimezone } from './timezone-resolver';

/** The longest value kept from a mapped column; longer values reject the row (custom fields get more room). */
export const MAX_VALUE_CHARS = 200;
export const MAX_CUSTOM_VALUE_CHARS = 2000;

export interface ResolvedMapping {
  header: string[];
  phone: number;
  altPhones: number[];
  firstName: number | null;
  lastName: number | null;
  postalCode: number | null;
  timezone: number | null;
  custom: [name: string, index: number][];
  /** Every column index the mapping reads. */
  used: Set<number>;
}

export interface NormalisedLead {
  line: number;
  phone: string;
  phoneType: string | null;
  altPhones: string[];
  country: string | null;
  firstName: string | null;
  lastName: string | null;
  postalCode: string | null;
  timezone: string | null;
  tzCandidates: string[];
  tzAmbiguous: boolean;
  custom: Record<string, string>;
}

export type IssueAction = 'rejected' | 'duplicate' | 'ignored_value';
export interface RowIssue {
  line: number;
  column: string | null;
  reason: string;
  action: IssueAction;
}

/**
 * Matches the mapping's column names against the file's header (exact, then case-insensitive).
 * Returns the errors naming each mapping field whose column is not in the file.
 */
export function resolveMapping(header: string[], mapping: ColumnMapping): { mapping: ResolvedMapping; errors: FieldError[] } {
  const names = header.map((h) => h.trim());
  const errors: FieldError[] = [];
  const used = new Set<number>();
  const find = (field: string, column: string | undefined): number | null => {
    if (column === undefined || column === null) return null;
    let i = names.indexOf(column.trim());
    if (i < 0) i = names.findIndex((n) => n.toLowerCase() === column.trim().toLowerCase());
    if (i < 0) {
      const list = names.slice(0, 30).map((n) => JSON.stringify(n)).join(', ');
      errors.push({ field: `mapping.${field}`, reason: `column ${JSON.stringify(column)} is not in the file header (columns: ${list})` });
      return null;
    }
    used.add(i);
    return i;
  };
  const phone = find('phone', mapping.phone);
  const altPhones = (mapping.altPhones ?? []).map((c, k) => find(`altPhones[${k}]`, c)).filter((i): i is number => i !== null);
  const resolved: ResolvedMapping = {
    header: names,
    phone: phone ?? -1,
    altPhones,
    firstName: find('firstName', mapping.firstName),
    lastName: find('lastName', mapping.lastName),
    postalCode: find('postalCode', mapping.postalCode),
    timezone: find('timezone', mapping.timezone),
    custom: Object.entries(mapping.custom ?? {})
      .map(([name, column]) => [name, find(`custom.${name}`, column)] as [string, number | null])
      .filter((e): e is [string, number] => e[1] !== null),
    used,
  };
  return { mapping: resolved, errors };
}

function columnName(m: ResolvedMapping, index: number | null): string | null {
  if (index === null) return null;
  return m.header[index] ?? `column ${index + 1}`;
}

const clean = (v: string | undefined): string | null => {
  if (v === undefined) return null;
  const t = (v.indexOf('\u0000') < 0 ? v : v.replace(/\u0000/g, '')).trim();
  return t === '' ? null : t;
};

/** Each mapped column with the longest value it may hold (custom fields get more room), worked out once per mapping. */
const limitsByMapping = new WeakMap<ResolvedMapping, [index: number, max: number][]>();
function valueLimits(m: ResolvedMapping): [number, number][] {
  let limits = limitsByMapping.get(m);
  if (!limits) {
    limits = [...m.used].map((i) => [i, m.custom.some(([, idx]) => idx === i) ? MAX_CUSTOM_VALUE_CHARS : MAX_VALUE_CHARS]);
    limitsByMapping.set(m, limits);
  }
  return limits;
}

/**
 * One CSV record to one lead, or to the reasons it is refused. Pure: the same record always gives the same result.
 * Checks run from the structure of the record to its content, and the first failure is the reason given.
 */
export function normaliseRecord(rec: CsvRecord, m: ResolvedMapping, defaultCountry: CountryCode): { lead: NormalisedLead | null; issues: RowIssue[] } {
  const reject = (column: string | null, reason: string) => ({ lead: null, issues: [{ line: rec.line, column, reason, action: 'rejected' as const }] });
  const f = rec.fields;
  if (rec.problem) return reject(columnName(m, rec.problemField), rec.problem);
  if (f.length !== m.header.length) return reject(null, `wrong column count: expected ${m.header.length}, found ${f.length}`);
  if (rec.badUtf8) {
    const bad = rec.badUtf8.find((i) => m.used.has(i));
    if (bad !== undefined) return reject(columnName(m, bad), 'bytes that are not valid UTF-8 (save the file as UTF-8)');
  }
  for (const [i, max] of valueLimits(m)) {
    if (f[i].length > max) return reject(columnName(m, i), `value is ${f[i].length} characters long (at most ${max})`);
  }

  const phone = normalisePhone(f[m.phone], defaultCountry);
  if (!phone.ok) return reject(columnName(m, m.phone), phone.reason);

  let explicit: string | null = null;
  if (m.timezone !== null) {
    const raw = clean(f[m.timezone]);
    if (raw) {
      explicit = canonicalZone(raw);
      if (!explicit) return reject(columnName(m, m.timezone), `${JSON.stringify(raw)} is not an IANA time zone (e.g. America/New_York)`);
    }
  }

  const issues: RowIssue[] = [];
  const altPhones: string[] = [];
  for (const i of m.altPhones) {
    const raw = clean(f[i]);
    if (!raw) continue;
    const alt = normalisePhone(raw, defaultCountry);
    if (!alt.ok) issues.push({ line: rec.line, column: columnName(m, i), reason: `alternate phone ignored: ${alt.reason}`, action: 'ignored_value' });
    else if (alt.e164 !== phone.e164 && !altPhones.includes(alt.e164)) altPhones.push(alt.e164);
  }

  const postalCode = m.postalCode === null ? null : clean(f[m.postalCode]);
  const tz = resolveTimezone({ explicit, postalCode, e164: phone.e164, country: phone.country ?? defaultCountry, callingCode: phone.callingCode });
  const custom: Record<string, string> = {};
  for (const [name, i] of m.custom) {
    const v = clean(f[i]);
    if (v !== null) custom[name] = v;
  }
  return {
    lead: {
      line: rec.line,
      phone: phone.e164,
      phoneType: phone.type,
      altPhones,
      country: phone.country,
      firstName: m.firstName === null ? null : clean(f[m.firstName]),
      lastName: m.lastName === null ? null : clean(f[m.lastName]),
      postalCode,
      timezone: tz.timezone,
      tzCandidates: tz.candidates,
      tzAmbiguous: tz.ambiguous,
      custom,
    },
    issues,
  };
}

/** PostgreSQL COPY text format: backslash escapes for the four characters that would break a row. */
export function copyText(v: string | null): string {
  if (v === null) return '\\N';
  if (!/[\\\t\n\r]/.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Staging row layout; must match STAGE_COLUMNS in the runner. */
export function stageLeadLine(l: NormalisedLead): string {
  return [
    'l',
    String(l.line),
    copyText(l.phone),
    copyText(l.phoneType),
    copyText(JSON.stringify(l.altPhones)),
    copyText(l.country),
    copyText(l.firstName),
    copyText(l.lastName),
    copyText(l.postalCode),
    copyText(l.timezone),
    l.tzCandidates.length ? copyText(`{${l.tzCandidates.join(',')}}`) : '\\N',
    l.tzAmbiguous ? 't' : 'f',
    copyText(JSON.stringify(l.custom)),
    '\\N',
    '\\N',
    '\\N',
  ].join('\t') + '\n';
}

export function stageIssueLine(i: RowIssue): string {
  return ['e', String(i.line), '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', copyText(i.column), copyText(i.reason), i.action].join('\t') + '\n';
}
