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

/** Ring timeout: default 25 s (about 6 rings); never below 15 s (about 4 rings). Mirrors campaigns.ring_timeout_s. */
export const DEFAULT_RING_TIMEOUT_S = 25;
export const MIN_RING_TIMEOUT_S = 15;
export const MAX_RING_TIMEOUT_S = 120;
/** Legal abandon cap in percent of human-answered calls (47 CFR 64.1200(a)(7); Ofcom persistent misuse policy). */
export const MAX_ABANDON_TARGET_PCT = 3;

/** Preview time limit, seconds (null = none): at least 10 s to read a lead, at most an hour. */
export const MIN_PREVIEW_TIME_LIMIT_S = 10;
export const MAX_PREVIEW_TIME_LIMIT_S = 3600;
export const PREVIEW_TIMEOUT_ACTIONS = ['dial', 'skip'] as const;

/** Who may take a callback booked by an agent. Mirrors campaigns.callback_policy. */
export type CallbackPolicy = 'agent_only' | 'anyone_only' | 'agent_or_anyone';

/** Pacing with every default filled in, as the dialer reads it from CampaignsService. */
export interface ResolvedPacing {
  abandonTargetPct: number;
  maxLinesPerAgent: number;
  warmupAnsweredCalls: number;
  ringTimeoutS: number;
}

export interface CampaignListLink {
  listId: string;
  /** Higher priority lists are drained first. */
  priority: number;
  /** Within one priority, lists share the dials in proportion to their weight (the "mix"). */
  weight: number;
  active: boolean;
}

export interface CampaignOutcomeView {
  code: string;
  label: string;
  isFinal: boolean;
  isSuccess: boolean;
  isDnc: boolean;
  /** Non-final outcomes only: retry after this many minutes instead of the retry rules. */
  retryAfterMinutes: number | null;
  sortOrder: number;
}

/** A campaign with all its settings resolved: what CampaignsService.getWithSettings returns to the dialer. */
export interface CampaignView {
  id: string;
  name: string;
  description: string | null;
  status: 'draft' | 'scheduled' | 'running' | 'paused' | 'completed';
  dialMode: 'preview' | 'progressive' | 'predictive';
  /** The campaign's own time zone: startsAt/endsAt are shown in it; calling windows are in the lead's zone. */
  timezone: string;
  startsAt: Date | null;
  endsAt: Date | null;
  schedule: CampaignSchedule;
  pacing: ResolvedPacing;
  retryRules: CampaignRetryRules;
  callerId: string | null;
  gatewayId: string | null;
  scriptId: string | null;
  recordCalls: boolean;
  callbackPolicy: CallbackPolicy;
  /** Preview mode: seconds a lead stays offered before the dialer dials or skips it; null = no limit. */
  previewTimeLimitSeconds: number | null;
  previewTimeoutAction: 'dial' | 'skip';
  lists: CampaignListLink[];
  outcomes: CampaignOutcomeView[];
  /** Edit version: send it back as If-Match (or body `version`) when editing; moved by settings edits, not by status changes. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}
