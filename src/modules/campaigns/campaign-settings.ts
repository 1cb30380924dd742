/**
 * The shapes stored in campaigns.schedule, campaigns.pacing and campaigns.retry_rules (jsonb).
 * The campaigns module validates them on write; the dialer and the compliance gate read them.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** A daily window in the lead's local time, "HH:MM"-"HH:MM", end exclusive. */
export type TimeWindow = [start: string, end: string];

export interface CampaignSchedule {
  /** Calling windows per weekday, evaluated in the lead's own time zone. A missing day means no calls that day. */
  windows: Partial<Record<Weekday, TimeWindow[]>>;
  /** Dates (YYYY-MM-DD, lead-local) on which this campaign does not call. */
  blackoutDates?: string[];
}

export interface CampaignPacing {
  /** Abandon target in percent of human-answered calls; default 3, never above 3. Mirrors campaigns.abandon_target. */
  abandonTargetPct?: number;
  /** Max simultaneous customer lines per Ready agent (predictive). */
  maxLinesPerAgent?: number;
  /** Observations (answered calls) before predictive leaves its cautious progressive start. */
  warmupAnsweredCalls?: number;
}

export interface CampaignRetryRules {
  busyRetryMinutes: number; // default 15
  noAnswerRetryHours: number; // default 4
  /** Machine: try again the next day at a different time of day (shift by this many hours). */
  machineRetryShiftHours: number; // default 3
  carrierFailureRetryMinutes: number; // default 30
  maxAttempts: number; // mirrors campaigns.max_attempts
  maxAttemptsPerDay: number; // mirrors campaigns.max_attempts_per_day
}

export const DEFAULT_RETRY_RULES: CampaignRetryRules = {
  busyRetryMinutes: 15,
  noAnswerRetryHours: 4,
  machineRetryShiftHours: 3,
  carrierFailureRetryMinutes: 30,
  maxAttempts: 5,
  maxAttemptsPerDay: 3,
};
