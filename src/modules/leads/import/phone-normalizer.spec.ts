import { dirname, join } from 'node:path';
import fc from 'fast-check';
import {
  CountryCode,
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { libraryPatternsCached, normalisePhone, numberType, PhoneResult } from './phone-normalizer';

describe('normalisePhone', () => {
  it.each([
    ['(415) 555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['+44 7911 123456', 'US', '+447911123456'],
    ['07911 123456', 'GB', '+447911123456'],
    ['011 33 6 12 34 56 78', 'US', '+33612345678'],
  ])('%s in %s -> %s', (raw, country, e164) => {
    const r = normalisePhone(raw, country as never);
    expect(r).toMatchObject({ ok: true, e164 });
  });

  it('keeps the number type where the metadata knows it', () => {
    expect(normalisePhone('+44 7911 123456', 'US')).toMatchObject({ ok: true, type: 'mobile', callingCode: '44' });
    expect(normalisePhone('+49 30 1234567', 'US')).toMatchObject({ ok: true, type: 'fixed_line', country: 'DE' });
  });

  it.each([
    ['', 'phone is empty'],
    ['   ', 'phone is empty'],
    ['call me', 'phone contains letters'],
    ['1-800-FLOWERS', 'phone contains letters'],
    ['415#555', 'phone contains characters other than digits'],
    ['12', 'phone is too short'],
    ['++--', 'phone is not a phone number'],
    ['415 555', 'too short'],
    ['(099) 555-2671', 'not a valid number'],
    ['+44 909 879 0000', 'premium-rate number: not dialable'],
  ])('refuses %j with a reason', (raw, reason) => {
    const r = normalisePhone(raw, 'US');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

/**
 * numberType() decides validity and type from the library's metadata with its patterns compiled once; it must give
 * exactly what the plain library calls give. Compared on generated numbers of every country and every
 * non-geographic calling code (random digits around real number prefixes, in the formats files use).
 */
describe('numberType and normalisePhone agree with the plain libphonenumber-js calls', () => {
  /** The normaliser as it was, with isValid() and getType() (the reference). */
  function reference(raw: string, defaultCountry: CountryCode): PhoneResult {
    const text = raw.trim();
    if (!text) return { ok: false, reason: 'phone is empty' };
    if (/[A-Za-z]/.test(text)) return { ok: false, reason: 'phone contains letters' };
    if (!/^[0-9+\s().\-/]+$/.test(text)) return { ok: false, reason: 'phone contains characters other than digits, spaces, + ( ) - . /' };
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
    const refused = type ? NOT_DIALABLE_REFERENCE[type] : undefined;
    if (refused) return { ok: false, reason: refused };
    const e164 = parsed.number;
    if (!/^\+[1-9][0-9]{6,14}$/.test(e164)) return { ok: false, reason: 'phone cannot be written in E.164' };
    return { ok: true, e164, type: type ? type.toLowerCase() : null, country: parsed.country ?? null, callingCode: parsed.countryCallingCode };
  }
  const NOT_DIALABLE_REFERENCE: Partial<Record<string, string>> = {
    PREMIUM_RATE: 'premium-rate number: not dialable',
    SHARED_COST: 'shared-cost number: not dialable',
    VOICEMAIL: 'voicemail access number: not dialable',
    PAGER: 'pager number: not dialable',
  };

  const countries = getCountries();
  const nonGeographic = ['800', '808', '870', '878', '881', '882', '883', '888', '979'];
  const digits = (n: number) => fc.stringOf(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n });
  /**
   * A calling code and a national number of that country: a prefix of a real number (the library's example mobile
   * number, cut after 0..all of its digits) then random digits, so number ranges of every type get reached.
   */
  const number = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...countries).chain((c) => {
      const seed = getExampleNumber(c, examples)?.nationalNumber ?? '';
      return fc.tuple(fc.nat(seed.length), fc.integer({ min: 0, max: 8 })).chain(([keep, extra]) =>
        digits(extra).map((tail) => [getCountryCallingCode(c) as string, seed.slice(0, keep) + tail, c] as const));
    }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...nonGeographic), fc.integer({ min: 1, max: 12 }).chain(digits), fc.constant<CountryCode>('US')) },
  ).filter(([, nn]) => nn.length > 0);

  it('numberType(parsed) === parsed.getType() and its truth === parsed.isValid(), on +CC numbers', () => {
    let valid = 0;
    const types = new Set<string>();
    fc.assert(
      fc.property(number, ([cc, nn]) => {
        const parsed = parsePhoneNumberFromString(`+${cc}${nn}`);
        if (!parsed) return;
        const type = numberType(parsed);
        expect(type).toBe(parsed.getType());
        expect(type !== undefined).toBe(parsed.isValid());
        if (type) {
          valid++;
          types.add(type);
        }
      }),
      { numRuns: 10_000, seed: 20261123 },
    );
    // The generator reaches valid numbers of many types, not only invalid ones.
    expect(valid).toBeGreaterThan(500);
    expect([...types]).toEqual(expect.arrayContaining(['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'PREMIUM_RATE']));
  });

  it('normalisePhone gives the reference result for numbers written the way files write them', () => {
    const format = fc.constantFrom(
      (cc: string, nn: string) => `+${cc} ${nn}`,
      (cc: string, nn: string) => `+${cc}-${nn.slice(0, 3)}-${nn.slice(3)}`,
      (cc: string, nn: string) => `00${cc} ${nn}`,
      (cc: string, nn: string) => `011 ${cc} ${nn}`,
      (cc: string, nn: string) => `${cc}${nn}`,
      (cc: string, nn: string) => `${cc}-${nn.slice(0, 3)}-${nn.slice(3, 6)}-${nn.slice(6)}`,
      (_cc: string, nn: string) => nn,
      (_cc: string, nn: string) => `0${nn}`,
      (_cc: string, nn: string) => `(${nn.slice(0, 3)}) ${nn.slice(3, 6)}-${nn.slice(6)}`,
      (_cc: string, nn: string) => `${nn.slice(0, 3)}.${nn.slice(3, 6)}.${nn.slice(6)}`,
      (_cc: string, nn: string) => `${nn.slice(0, 2)}/${nn.slice(2)}`,
    );
    // The default country: mostly the number's own (national formats then mean something), else any.
    const other = fc.constantFrom<CountryCode>(...countries);
    let ok = 0;
    fc.assert(
      fc.property(format, number, fc.boolean(), other, (fmt, [cc, nn, own], useOwn, any) => {
        const country = useOwn ? own : any;
        const text = fmt(cc, nn);
        const got = normalisePhone(text, country);
        expect(got).toEqual(reference(text, country));
        if (got.ok) ok++;
      }),
      { numRuns: 10_000, seed: 42 },
    );
    expect(ok).toBeGreaterThan(300);
  });

  it("compiles each of libphonenumber-js's patterns once, with the same answers as compiling it every time", () => {
    // If a library upgrade moves the helper, this says so (the import still works, only slower).
    expect(libraryPatternsCached).toBe(true);
    const path = join(dirname(require.resolve('libphonenumber-js/max')), '..', 'build', 'helpers', 'matchesEntirely.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const helper = (require(path) as { default: ((text: string, pattern: string) => boolean) & { cached?: true } }).default;
    expect(helper.cached).toBe(true);
    const patterns = ['[2-9]\\d{9}|3\\d{6}', '7(?:[1-57-9]\\d{8})', '(?:\\d{3})?', ''];
    fc.assert(
      fc.property(fc.constantFrom(...patterns), fc.stringMatching(/^[0-9]{0,12}$/), (pattern, text) => {
        // Twice: a cached RegExp must not carry state from one test to the next.
        const expected = new RegExp('^(?:' + pattern + ')$').test(text);
        expect(helper(text, pattern)).toBe(expected);
        expect(helper(text, pattern)).toBe(expected);
      }),
      { numRuns: 2000, seed: 7 },
    );
    expect(helper(undefined as unknown as string, '')).toBe(true);
  });
});
