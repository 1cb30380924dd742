import { dirname, join } from 'node:path';
import { Metadata } from 'libphonenumber-js/core';
import {
  CountryCode,
  isSupportedCountry,
  NumberType,
  parsePhoneNumberFromString,
  PhoneNumber,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import maxMetadata from 'libphonenumber-js/metadata.max.json';

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

/**
 * libphonenumber-js's helper `matchesEntirely(text, pattern)` compiles `new RegExp('^(?:' + pattern + ')$')` on every
 * call, and parse() calls it for every candidate numbering plan (for +1 it tries the NANP countries one by one, with
 * ~1 KB patterns): building those RegExps was a quarter of the CPU time of normalising a row (profile of the 1M-row
 * benchmark, bench/RESULTS.md). This swaps the helper for one that compiles each pattern once. The answer is the same
 * (same source, no flags, so `test` keeps no state); the cache holds at most one RegExp per pattern of the metadata.
 * The library calls its helpers through the module's `default` property at call time, so replacing it reaches every
 * caller. The helper is not a public export: it is found next to the library's own entry point, and if a future
 * version moves or changes it the swap is skipped and everything runs as before, only slower.
 */
export const libraryPatternsCached = cacheLibraryPatterns();

function cacheLibraryPatterns(): boolean {
  try {
    const path = join(dirname(require.resolve('libphonenumber-js/max')), '..', 'build', 'helpers', 'matchesEntirely.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const helper = require(path) as { default?: ((text: string, pattern: string) => boolean) & { cached?: true } };
    if (typeof helper.default !== 'function' || helper.default.length !== 2) return false;
    if (helper.default.cached) return true;
    const compiled = new Map<string, RegExp>();
    const matchesEntirely = (text: string, pattern: string): boolean => {
      let re = compiled.get(pattern);
      if (!re) {
        re = new RegExp('^(?:' + pattern + ')$');
        compiled.set(pattern, re);
      }
      return re.test(text || '');
    };
    helper.default = Object.assign(matchesEntirely, { cached: true as const });
    return true;
  } catch {
    return false;
  }
}

const E164 = /^\+[1-9][0-9]{6,14}$/;
const ALLOWED = /^[0-9+\s().\-/]+$/;

export function isCountryCode(code: string): code is CountryCode {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code as CountryCode);
}

/**
 * Parses a phone number as written in a file into E.164 (libphonenumber-js with the full 'max' metadata, which is
 * what makes the number type known). Numbers without a country prefix are read in the default country.
 * Valid means "has a type": with the 'max' metadata that is exactly libphonenumber-js's isValid().
 */
export function normalisePhone(raw: string, defaultCountry: CountryCode): PhoneResult {
  const text = raw.trim();
  if (!text) return { ok: false, reason: 'phone is empty' };
  if (/[A-Za-z]/.test(text)) return { ok: false, reason: 'phone contains letters' };
  if (!ALLOWED.test(text)) return { ok: false, reason: 'phone contains characters other than digits, spaces, + ( ) - . /' };
  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  if (!parsed) return { ok: false, reason: 'phone is not a phone number' };
  const type = numberType(parsed);
  if (!type) {
    const length = validatePhoneNumberLength(text, defaultCountry);
    const where = parsed.country ?? `+${parsed.countryCallingCode}`;
    if (length === 'TOO_SHORT') return { ok: false, reason: `phone is too short for ${where}` };
    if (length === 'TOO_LONG') return { ok: false, reason: `phone is too long for ${where}` };
    if (length === 'INVALID_COUNTRY') return { ok: false, reason: 'phone has an unknown country calling code' };
    return { ok: false, reason: `phone is not a valid number in ${where} (no such area code or number range)` };
  }
  const refused = NOT_DIALABLE[type];
  if (refused) return { ok: false, reason: refused };
  const e164 = parsed.number;
  if (!E164.test(e164)) return { ok: false, reason: 'phone cannot be written in E.164' };
  return { ok: true, e164, type: type.toLowerCase(), country: parsed.country ?? null, callingCode: parsed.countryCallingCode };
}

/**
 * The number's type, undefined when the number is not valid: the same answer as `parsed.getType()` (and
 * `type !== undefined` the same as `parsed.isValid()`, which with the 'max' metadata is defined as exactly that).
 *
 * Why not call them: libphonenumber-js builds a new RegExp from the metadata's pattern text on every check (the
 * NANP patterns are ~1 KB), and isValid() and getType() each run the whole type search, so they were a third of the
 * per-row cost of an import. This runs the library's own decision (helpers/getNumberType.js: national pattern,
 * then FIXED_LINE with the FIXED_LINE_OR_MOBILE rule, then the other types in the library's order, each gated by
 * its possible lengths) on the same metadata, with each pattern compiled once per numbering plan.
 * phone-normalizer.spec.ts checks it against getType() on numbers of every country.
 */
export function numberType(parsed: PhoneNumber): NumberType {
  const rules = planRules(parsed.country ?? parsed.countryCallingCode);
  if (!rules) return parsed.getType();
  const nn = parsed.nationalNumber;
  if (!rules.national.test(nn)) return undefined;
  if (matchesType(rules.fixedLine, nn)) {
    if (!rules.mobileDefined || rules.mobileEmpty || matchesType(rules.mobile, nn)) return 'FIXED_LINE_OR_MOBILE';
    return 'FIXED_LINE';
  }
  for (const [type, rule] of rules.others) if (matchesType(rule, nn)) return type;
  return undefined;
}

interface TypeRule {
  re: RegExp;
  lengths: number[] | undefined;
}
interface PlanRules {
  national: RegExp;
  fixedLine: TypeRule | null;
  mobile: TypeRule | null;
  /** metadata.type('MOBILE') exists / exists with an empty pattern: both make a fixed-line match FIXED_LINE_OR_MOBILE. */
  mobileDefined: boolean;
  mobileEmpty: boolean;
  others: [NonNullable<NumberType>, TypeRule][];
}

/** The order in which libphonenumber-js tries the types after FIXED_LINE (NON_FIXED_LINE_PHONE_TYPES). */
const OTHER_TYPES: NonNullable<NumberType>[] = ['MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

/** The parts of libphonenumber-js's Metadata (runtime API, not in its typings) that the type decision reads. */
interface RuntimeType {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface RuntimePlan {
  nationalNumberPattern(): string;
  hasTypes(): boolean;
  type(type: string): RuntimeType | undefined;
}

/** The same metadata object the 'max' functions above use (one copy in memory). */
const metadata = new Metadata(maxMetadata);
const plans = new Map<string, PlanRules | null>();
const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`);

function planRules(countryOrCallingCode: string): PlanRules | null {
  let rules = plans.get(countryOrCallingCode);
  if (rules === undefined) {
    rules = compilePlan(countryOrCallingCode);
    plans.set(countryOrCallingCode, rules);
  }
  return rules;
}

/** null: this metadata cannot be read that way (another library version); the caller then asks the library. */
function compilePlan(countryOrCallingCode: string): PlanRules | null {
  try {
    metadata.selectNumberingPlan(countryOrCallingCode as CountryCode);
    const plan = metadata.numberingPlan as unknown as RuntimePlan | undefined;
    if (!plan || typeof plan.type !== 'function' || typeof plan.nationalNumberPattern !== 'function' || !plan.hasTypes()) return null;
    const rule = (type: string): TypeRule | null => {
      const def = plan.type(type);
      // isNumberTypeEqualTo: no definition or an empty pattern never matches.
      if (!def || !def.pattern()) return null;
      return { re: whole(def.pattern()), lengths: def.possibleLengths() };
    };
    const mobileDef = plan.type('MOBILE');
    return {
      national: whole(plan.nationalNumberPattern()),
      fixedLine: rule('FIXED_LINE'),
      mobile: rule('MOBILE'),
      mobileDefined: !!mobileDef,
      mobileEmpty: !!mobileDef && mobileDef.pattern() === '',
      others: OTHER_TYPES.map((t) => [t, rule(t)] as [NonNullable<NumberType>, TypeRule | null]).filter((e): e is [NonNullable<NumberType>, TypeRule] => e[1] !== null),
    };
  } catch {
    return null;
  }
}

function matchesType(rule: TypeRule | null, nn: string): boolean {
  if (!rule) return false;
  if (rule.lengths && rule.lengths.indexOf(nn.length) < 0) return false;
  return rule.re.test(nn);
}
