import { CountryCode, isSupportedCountry, NumberType, parsePhoneNumberFromString, validatePhoneNumberLength } from 'libphonenumber-js/max';

export type PhoneResult =
  | { ok: true; e164: string; type: string | null; country: string | null; callingCode: string }
  | { ok: false; reason: string };

/** Number types a telemarketing dialer must not call: they cost the callee or reach no person. */
const NOT_DIALABLE: Partial<Record<NonNullable<NumberType>, string>> = {
  PREMIUM_RATE: 'premium-rate number: not dialable',
  SHARED_COST: 'shared-cost number: not dialable',
  VOICEMAIL: 'voicemail access number: not dialable',
  PAGER: 'pager number: not dialable',
};

const E164 = /^\+[1-9][0-9]{6,14}$/;
const ALLOWED = /^[0-9+\s().\-/]+$/;

export function isCountryCode(code: string): code is CountryCode {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code as CountryCode);
}

/**
 * Parses a phone number as written in a file into E.164 (libphonenumber-js with the full 'max' metadata, which is
 * what makes the number type known). Numbers without a country prefix are read in the default country.
 */
export function normalisePhone(raw: string, defaultCountry: CountryCode): PhoneResult {
  const text = raw.trim();
  if (!text) return { ok: false, reason: 'phone is empty' };
  if (/[A-Za-z]/.test(text)) return { ok: false, reason: 'phone contains letters' };
  if (!ALLOWED.test(text)) return { ok: false, reason: 'phone contains characters other than digits, spaces, + ( ) - . /' };
  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  if (!parsed) return { ok: false, reason: 'phone is not a phone number' };
  if (!parsed.isValid()) {
    const length = validatePhoneNumberLength(text, defaultCountry);
    const where = parsed.country ?? `+${parsed.countryCallingCode}`;
    if (length === 'TOO_SHORT') return { ok: false, reason: `phone is too short for ${where}` };
    if (length === 'TOO_LONG') return { ok: false, reason: `phone is too long for ${where}` };
    if (length === 'INVALID_COUNTRY') return { ok: false, reason: 'phone has an unknown country calling code' };
    return { ok: false, reason: `phone is not a valid number in ${where} (no such area code or number range)` };
  }
  const type = parsed.getType();
  const refused = type ? NOT_DIALABLE[type] : undefined;
  if (refused) return { ok: false, reason: refused };
  const e164 = parsed.number;
  if (!E164.test(e164)) return { ok: false, reason: 'phone cannot be written in E.164' };
  return { ok: true, e164, type: type ? type.toLowerCase() : null, country: parsed.country ?? null, callingCode: parsed.countryCallingCode };
}
