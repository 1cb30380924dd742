import { DateTime } from 'luxon';
import { CampaignSchedule, Weekday } from '../campaigns/campaign-settings';
import { LegalHoursRule } from './dial-gate.types';

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export type HoursVerdict = { ok: true } | { ok: false; reason: 'outside_hours' | 'holiday' | 'no_timezone'; detail: string };

/** "HH:MM" to minutes after local midnight; "24:00" is the end of the day. NaN when malformed. */
export function toMinutes(hhmm: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  if (!m) return NaN;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return v > 1440 ? NaN : v;
}

const inside = (minute: number, start: string, end: string) => {
  const s = toMinutes(start);
  const e = toMinutes(end);
  // Malformed windows never admit a call (fail closed); windows do not wrap past midnight.
  return s < e && minute >= s && minute < e;
};

/** The legal rule for a lead: its region (e.g. 'US-FL'), else its country, else the '*' fallback. */
export function findLegalRule(rules: LegalHoursRule[], country: string | null, region?: string | null): LegalHoursRule | undefined {
  const byRegion = new Map(rules.map((r) => [r.region.toUpperCase(), r]));
  const candidates = [region, country, '*'].filter((x): x is string => !!x).map((x) => x.toUpperCase());
  for (const c of candidates) {
    const rule = byRegion.get(c);
    if (rule) return rule;
  }
  return undefined;
}

/**
 * Is `at` inside the legal calling window of the lead's rule AND the campaign's own window, in EVERY candidate
 * time zone of the lead? Local wall-clock time comes from the IANA database (luxon), so DST days are handled:
 * on a spring-forward day 02:30 never occurs and on a fall-back day 01:30 occurs twice; either way the instant
 * maps to exactly one local time per zone.
 */
export function checkCallingHours(
  zones: string[],
  legal: LegalHoursRule | undefined,
  schedule: CampaignSchedule,
  at: Date,
): HoursVerdict {
  if (zones.length === 0) return { ok: false, reason: 'no_timezone', detail: 'lead has no time zone' };
  if (!legal) return { ok: false, reason: 'outside_hours', detail: 'no legal calling-hours rule for the lead' };
  for (const zone of zones) {
    const local = DateTime.fromJSDate(at, { zone });
    if (!local.isValid) return { ok: false, reason: 'no_timezone', detail: `unknown time zone ${zone}` };
    const date = local.toISODate() as string;
    const minute = local.hour * 60 + local.minute;
    if (legal.holidays?.some((h) => h === date || h === date.slice(5))) {
      return { ok: false, reason: 'holiday', detail: `${date} is a holiday under ${legal.region} in ${zone}` };
    }
    // Legal window, e.g. 47 CFR 64.1200(c)(1): no calls before 8 a.m. or after 9 p.m. at the called party's location.
    if (!legal.windows.some((w) => w.days.includes(local.weekday) && inside(minute, w.start, w.end))) {
      return { ok: false, reason: 'outside_hours', detail: `outside the ${legal.region} legal window in ${zone}` };
    }
    if (schedule.blackoutDates?.includes(date)) {
      return { ok: false, reason: 'outside_hours', detail: `${date} is a campaign blackout date in ${zone}` };
    }
    const windows = schedule.windows?.[WEEKDAYS[local.weekday - 1]] ?? [];
    if (!windows.some(([s, e]) => inside(minute, s, e))) {
      return { ok: false, reason: 'outside_hours', detail: `outside the campaign window in ${zone}` };
    }
  }
  return { ok: true };
}

/**
 * Calling hours when the lead's region is uncertain: legal under the rule of EVERY candidate region (or the
 * country's rule when no region is known), and inside the campaign window, in every candidate zone.
 */
export function checkCallingHoursForRegions(
  zones: string[],
  rules: LegalHoursRule[],
  country: string | null,
  regions: (string | null | undefined)[],
  schedule: CampaignSchedule,
  at: Date,
): HoursVerdict {
  const candidates = regions.filter((r): r is string => !!r);
  for (const region of candidates.length ? candidates : [null]) {
    const verdict = checkCallingHours(zones, findLegalRule(rules, country, region), schedule, at);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}

/** The lead-local calendar date of an instant ('YYYY-MM-DD'), in the first zone. */
export function localDate(at: Date, zone: string): string | null {
  const d = DateTime.fromJSDate(at, { zone });
  return d.isValid ? d.toISODate() : null;
}
