import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { IANAZone } from 'luxon';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Why a weekday's list of calling windows is wrong, or null when it is fine. Pure, shared with unit specs. */
export function windowListProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'must be an array of ["HH:MM", "HH:MM"] windows';
  if (value.length > 6) return 'must have at most 6 windows';
  const spans: [number, number][] = [];
  for (let i = 0; i < value.length; i++) {
    const w = value[i];
    if (!Array.isArray(w) || w.length !== 2 || typeof w[0] !== 'string' || typeof w[1] !== 'string') {
      return `[${i}] must be a pair ["HH:MM", "HH:MM"]`;
    }
    if (!HHMM.test(w[0]) || !HHMM.test(w[1])) return `[${i}] times must be HH:MM between 00:00 and 24:00`;
    const [a, b] = [minutes(w[0]), minutes(w[1])];
    if (b <= a) return `[${i}] end ${w[1]} must be after start ${w[0]}`;
    spans.push([a, b]);
  }
  const sorted = [...spans].sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < sorted.length; i++) if (sorted[i][0] < sorted[i - 1][1]) return 'windows must not overlap';
  return null;
}

/** A list of daily calling windows: ["HH:MM", "HH:MM"] pairs, end exclusive, no overlaps. */
export function IsWindowList(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isWindowList', target: object.constructor, propertyName, options,
      validator: {
        validate: (v: unknown) => windowListProblem(v) === null,
        defaultMessage: (args: ValidationArguments) => windowListProblem(args.value) ?? 'invalid windows',
      },
    });
}

export const isIanaZone = (v: unknown): boolean => typeof v === 'string' && v.length <= 64 && IANAZone.isValidZone(v);

/** An IANA time zone name such as "America/New_York" or "Asia/Shanghai". */
export function IsIanaZone(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isIanaZone', target: object.constructor, propertyName, options,
      validator: { validate: isIanaZone, defaultMessage: () => 'must be an IANA time zone such as America/New_York' },
    });
}

/** A callable number in E.164 (+ and country code); libphonenumber-js checks it is a valid number for its country. */
export function isE164(v: unknown): boolean {
  if (typeof v !== 'string' || !/^\+[1-9]\d{6,14}$/.test(v)) return false;
  const p = parsePhoneNumberFromString(v);
  return !!p && p.isValid() && p.number === v;
}

export function IsE164(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isE164', target: object.constructor, propertyName, options,
      validator: { validate: isE164, defaultMessage: () => 'must be a valid phone number in E.164 format, e.g. +14155550123' },
    });
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(v: unknown): boolean {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}
