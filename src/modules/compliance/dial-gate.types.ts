import { CampaignSchedule } from '../campaigns/campaign-settings';

/**
 * The contract of the one dial gate every call passes (auto, preview, callbacks), at lead selection and
 * again just before the INVITE. The decision function is pure: no I/O, no clock of its own.
 */

export type BlockReason =
  | 'dnc_internal'
  | 'dnc_campaign'
  | 'dnc_registry'
  | 'outside_hours' // outside the legal window or the campaign's window in the lead's time zone(s)
  | 'holiday'
  | 'attempts_exhausted'
  | 'daily_attempts_exhausted'
  | 'frequency_cap' // too many calls to this number in the rolling window
  | 'retry_not_due'
  | 'lead_not_dialable' // status final / deleted
  | 'no_timezone'
  | 'campaign_not_running';

export const BLOCK_REASONS: readonly BlockReason[] = [
  'dnc_internal', 'dnc_campaign', 'dnc_registry', 'outside_hours', 'holiday', 'attempts_exhausted',
  'daily_attempts_exhausted', 'frequency_cap', 'retry_not_due', 'lead_not_dialable', 'no_timezone', 'campaign_not_running',
];

export interface Allowed {
  allowed: true;
}
export interface Blocked {
  allowed: false;
  reason: BlockReason;
  detail?: string;
}
export type DialDecision = Allowed | Blocked;

/** What the gate needs to know about the lead and its number at that instant (loaded by the caller). */
export interface LeadView {
  leadId: string;
  phone: string;
  country: string | null;
  /** IANA zone; when ambiguous, every candidate zone (the call must be legal in all of them). */
  timezones: string[];
  /** Region code for stricter state/province rules, e.g. 'US-FL', when known. */
  region?: string | null;
  /**
   * Every region the lead may be in (e.g. the state given in the lead's data and the one its ZIP code says); the
   * call must be legal under the rule of each. When set, it is used instead of `region`.
   */
  regions?: string[];
  status: string;
  attempts: number;
  /** Attempts on the lead-local day of the check (the loader resets it when attempts_day is another day). */
  attemptsToday: number;
  nextAttemptAt: Date | null;
  /** Active DNC hits for this number (internal, this campaign's, registry). */
  dnc: { internal: boolean; campaign: boolean; registry: boolean };
  /** Times this number was dialled within the frequency window (any campaign). */
  recentDialsToNumber: number;
  /** True when the lead is soft-deleted. */
  deleted?: boolean;
  /**
   * A callback is booked for the lead (pending or being placed): the person asked to be called at that hour, so
   * the campaign's lifetime attempt limit does not stop it (the daily limit, hours and DNC still do).
   */
  callbackBooked?: boolean;
}

export interface CampaignView {
  campaignId: string;
  running: boolean;
  schedule: CampaignSchedule;
  maxAttempts: number;
  maxAttemptsPerDay: number;
}

export interface LegalHoursRule {
  /** 'US', 'US-FL', 'GB', ... most specific wins; '*' is the fallback for countries without a rule. */
  region: string;
  /** Days are ISO weekdays (1 = Monday ... 7 = Sunday); start/end "HH:MM" local, end exclusive. */
  windows: { days: number[]; start: string; end: string }[];
  /** Lead-local dates without calls: 'YYYY-MM-DD' (that date) or 'MM-DD' (every year). */
  holidays?: string[];
  /** Where the rule comes from (statute or guidance), shown in reports. */
  citation?: string;
}

export interface ComplianceRules {
  legalHours: LegalHoursRule[];
  /** Max dials to one number in frequencyWindowHours (e.g. 3 per 24 h). */
  frequencyCap: { maxDials: number; windowHours: number };
}

/** Lead statuses the gate lets through: 'leased' because the final check runs after the dialer leased the lead. */
export const DIALABLE_STATUSES: readonly string[] = ['new', 'retry', 'callback', 'leased'];
