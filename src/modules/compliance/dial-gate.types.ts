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
  status: string;
  attempts: number;
  attemptsToday: number;
  nextAttemptAt: Date | null;
  /** Active DNC hits for this number (internal, this campaign's, registry). */
  dnc: { internal: boolean; campaign: boolean; registry: boolean };
  /** Times this number was dialled within the frequency window (any campaign). */
  recentDialsToNumber: number;
}

export interface CampaignView {
  campaignId: string;
  running: boolean;
  schedule: CampaignSchedule;
  maxAttempts: number;
  maxAttemptsPerDay: number;
}

export interface LegalHoursRule {
  /** 'US', 'US-FL', 'GB', ... most specific wins. */
  region: string;
  windows: { days: number[]; start: string; end: string }[];
  holidays?: string[];
}

export interface ComplianceRules {
  legalHours: LegalHoursRule[];
  /** Max dials to one number in frequencyWindowHours (e.g. 3 per 24 h). */
  frequencyCap: { maxDials: number; windowHours: number };
}
