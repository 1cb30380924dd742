import { DateTime } from 'luxon';
import { CampaignSchedule, Weekday } from '../campaigns/campaign-settings';
import { BlockReason, DIALABLE_STATUSES } from '../compliance/dial-gate.types';

export type DialabilityCode = BlockReason | 'list_not_in_campaign' | 'list_deleted';

export interface DialabilityReason {
  code: DialabilityCode;
  detail: string;
}

export interface DialabilityInput {
  lead: {
    status: string;
    deletedAt: Date | null;
    attempts: number;
    attemptsToday: number;
    attemptsDay: string | null;
    nextAttemptAt: Date | null;
    timezone: string | null;
    tzCandidates: string[] | null;
  };
  listDeleted: boolean;
  campaign: {
    id: string;
    name: string;
    status: string;
    schedule: CampaignSchedule;
    maxAttempts: number;
    maxAttemptsPerDay: number;
    /** Whether the lead's list is attached (and active) in this campaign. */
    listActive: boolean;
  };
  /** Active DNC rows for the lead's number (not removed, not expired). */
  dnc: { scope: 'internal' | 'campaign' | 'registry'; campaignId: string | null }[];
  now: Date;
}

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * Why this lead would not be dialled by this campaign right now: every lead-side reason, not just the first (the
 * shared dial gate stops at the first). LeadsService.dialability puts the gate's own verdict next to this list, so
 * the answer "dialable or not" is always the dialer's; this function only explains.
 */
export function explainDialability(input: DialabilityInput): { dialable: boolean; reasons: DialabilityReason[] } {
  const { lead, campaign, now } = input;
  const reasons: DialabilityReason[] = [];
  if (input.listDeleted) reasons.push({ code: 'list_deleted', detail: 'the lead\'s list has been deleted' });
  if (lead.deletedAt) reasons.push({ code: 'lead_not_dialable', detail: 'the lead has been deleted' });
  if (!DIALABLE_STATUSES.includes(lead.status)) {
    reasons.push({ code: 'lead_not_dialable', detail: `status is ${lead.status} (dialable: ${DIALABLE_STATUSES.join(', ')})` });
  }
  if (campaign.status !== 'running') reasons.push({ code: 'campaign_not_running', detail: `campaign "${campaign.name}" is ${campaign.status}` });
  if (!campaign.listActive) reasons.push({ code: 'list_not_in_campaign', detail: `the lead's list is not an active list of campaign "${campaign.name}"` });
  for (const scope of ['internal', 'campaign', 'registry'] as const) {
    const hit = input.dnc.some((d) => d.scope === scope && (scope !== 'campaign' || d.campaignId === campaign.id));
    if (hit) reasons.push({ code: `dnc_${scope}`, detail: `the number is on the ${scope === 'campaign' ? 'campaign\'s' : scope} do-not-call list` });
  }
  if (lead.attempts >= campaign.maxAttempts && lead.status !== 'callback') {
    reasons.push({ code: 'attempts_exhausted', detail: `${lead.attempts} attempts made, campaign allows ${campaign.maxAttempts}` });
  }
  const zones = lead.tzCandidates?.length ? lead.tzCandidates : lead.timezone ? [lead.timezone] : [];
  const firstZone = zones[0] ?? 'UTC';
  const today = DateTime.fromJSDate(now, { zone: firstZone }).toISODate();
  if (lead.attemptsDay === today && lead.attemptsToday >= campaign.maxAttemptsPerDay) {
    reasons.push({ code: 'daily_attempts_exhausted', detail: `${lead.attemptsToday} attempts today, campaign allows ${campaign.maxAttemptsPerDay} a day` });
  }
  if (lead.nextAttemptAt && lead.nextAttemptAt.getTime() > now.getTime()) {
    reasons.push({ code: 'retry_not_due', detail: `next attempt not before ${lead.nextAttemptAt.toISOString()}` });
  }
  if (!zones.length) {
    reasons.push({ code: 'no_timezone', detail: 'the lead has no time zone, so its local calling hours are unknown' });
  } else {
    const closed = zones.filter((z) => !insideWindows(campaign.schedule, z, now));
    if (closed.length) {
      const local = closed.map((z) => `${DateTime.fromJSDate(now, { zone: z }).toFormat('ccc HH:mm')} in ${z}`).join(', ');
      const why = zones.length > 1 ? ` (time zone ambiguous: every candidate zone must be inside the window)` : '';
      reasons.push({ code: 'outside_hours', detail: `outside the campaign's calling windows: ${local}${why}` });
    }
  }
  return { dialable: reasons.length === 0, reasons };
}

function insideWindows(schedule: CampaignSchedule, zone: string, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone });
  if (!local.isValid) return false;
  if (schedule.blackoutDates?.includes(local.toISODate()!)) return false;
  const windows = schedule.windows?.[WEEKDAYS[local.weekday - 1]] ?? [];
  const hhmm = local.toFormat('HH:mm');
  return windows.some(([start, end]) => hhmm >= start && hhmm < end);
}
