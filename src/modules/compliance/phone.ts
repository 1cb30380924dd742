import { CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';

/** A number in E.164 ('+12125550123') or null when it is not a valid number for that default country. */
export function normalisePhone(input: string, defaultCountry = 'US'): string | null {
  const country = defaultCountry.toUpperCase();
  if (!isSupportedCountry(country)) return null;
  const parsed = parsePhoneNumberFromString(input.trim(), country as CountryCode);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** E.164 digits as a JS number: exact, because 15 digits stay below 2^53. */
export function e164ToNumber(e164: string): number {
  return Number(e164.slice(1));
}

export function numberToE164(n: number): string {
  return `+${n}`;
}

const NANP = /^[2-9]\d{2}[2-9]\d{6}$/;

/**
 * One line of a registry file to E.164 digits. Registry files hold millions of lines, so the common shapes take a
 * fast path (the US National DNC Registry lists ten-digit numbers; '+' forms are E.164 already); anything else
 * goes through libphonenumber-js with the import's country. Null when the line holds no valid number.
 */
export function registryLineToNumber(line: string, country: string): number | null {
  const first = line.split(/[,;\t]/, 1)[0].trim();
  if (first === '') return null;
  const digits = first.replace(/[\s().-]/g, '');
  if (country === 'US' || country === 'CA') {
    if (NANP.test(digits)) return Number(`1${digits}`);
    if (/^\+?1/.test(digits) && NANP.test(digits.replace(/^\+?1/, ''))) return Number(`1${digits.replace(/^\+?1/, '')}`);
  }
  if (!/\d/.test(digits)) return null;
  const e164 = normalisePhone(first, country);
  return e164 ? e164ToNumber(e164) : null;
}
