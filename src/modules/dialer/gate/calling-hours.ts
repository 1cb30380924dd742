import { DateTime } from 'luxon';
import { CampaignSchedule, Weekday } from '../../campaigns/campaign-settings';

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** 47 CFR 64.1200(c)(1): no telephone solicitation before 8 a.m. or after 9 p.m. at the called party's location. */
const LEGAL_START = '08:00';
const LEGAL_END = '21:00';

/**
 * Pure: may a lead in these zones be called at this instant? Every candidate zone must allow it (an ambiguous
 * time zone is judged by the strictest). The campaign's windows apply when it defines any; the legal window always.
 */
export function withinCallingHours(zones: string[], schedule: Partial<CampaignSchedule> | null | undefined, at: Date): boolean {
  if (!zones.length) return false;
  return zones.every((zone) => {
    const local = DateTime.fromJSDate(at, { zone });
    if (!local.isValid) return false;
    const hhmm = local.toFormat('HH:mm');
    if (hhmm < LEGAL_START || hhmm >= LEGAL_END) return false;
    if (schedule?.blackoutDates?.includes(local.toFormat('yyyy-MM-dd'))) return false;
    if (!schedule?.windows) return true;
    const windows = schedule.windows[WEEKDAYS[local.weekday - 1]] ?? [];
    return windows.some(([start, end]) => hhmm >= start && hhmm < end);
  });
}
