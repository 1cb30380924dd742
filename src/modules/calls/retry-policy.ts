import { CampaignRetryRules, DEFAULT_RETRY_RULES } from '../campaigns/campaign-settings';

/*
 * Retries are scheduled on the lead itself (status 'retry' or 'callback' + next_attempt_at), not as BullMQ delayed
 * jobs: the lead selection query already orders by next_attempt_at, so the database is the one schedule. Nothing
 * is lost if Redis is flushed, nothing can fire twice, and a DNC or final outcome recorded later simply changes the
 * row (a queued job would have to be found and removed).
 */

/** Outcomes the system reaches without an agent. */
export type SystemOutcome = 'busy' | 'no_answer' | 'invalid_number' | 'carrier_failure' | 'cancelled' | 'machine' | 'abandoned' | 'worker_lost';

export interface LeadNext {
  status: 'retry' | 'done' | 'invalid' | 'dnc' | 'callback' | 'new';
  nextAttemptAt: Date | null;
  /** Give the attempt back (carrier trouble is not the lead's fault). */
  refundAttempt?: boolean;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Ofcom persistent-misuse policy: an abandoned call is not repeated within 72 hours without a guaranteed agent. */
const ABANDON_RETRY_MS = 72 * HOUR;

export function retryRules(raw: Record<string, unknown> | null | undefined, campaign: { maxAttempts: number; maxAttemptsPerDay: number }): CampaignRetryRules {
  const r = { ...DEFAULT_RETRY_RULES, ...(raw ?? {}) } as CampaignRetryRules;
  return { ...r, maxAttempts: campaign.maxAttempts ?? r.maxAttempts, maxAttemptsPerDay: campaign.maxAttemptsPerDay ?? r.maxAttemptsPerDay };
}

/** Pure: what happens to a lead after a call that ended without an agent's disposition. */
export function nextAfterSystemOutcome(outcome: SystemOutcome, rules: CampaignRetryRules, attempts: number, now: Date): LeadNext {
  const at = (ms: number) => new Date(now.getTime() + ms);
  if (outcome === 'invalid_number') return { status: 'invalid', nextAttemptAt: null };
  if (outcome === 'carrier_failure' || outcome === 'worker_lost' || outcome === 'cancelled') {
    return { status: 'retry', nextAttemptAt: at(rules.carrierFailureRetryMinutes * MIN), refundAttempt: true };
  }
  if (attempts >= rules.maxAttempts) return { status: 'done', nextAttemptAt: null };
  switch (outcome) {
    case 'busy':
      return { status: 'retry', nextAttemptAt: at(rules.busyRetryMinutes * MIN) };
    case 'no_answer':
      return { status: 'retry', nextAttemptAt: at(rules.noAnswerRetryHours * HOUR) };
    case 'machine':
      return { status: 'retry', nextAttemptAt: at(24 * HOUR + rules.machineRetryShiftHours * HOUR) };
    case 'abandoned':
      return { status: 'retry', nextAttemptAt: at(ABANDON_RETRY_MS) };
  }
}

/** Pure: what happens to a lead after the agent's disposition. */
export function nextAfterDisposition(
  outcome: { isFinal: boolean; isDnc: boolean; retryAfterMinutes: number | null },
  opts: { callbackAt: Date | null; dnc: boolean },
  rules: CampaignRetryRules,
  attempts: number,
  now: Date,
): LeadNext {
  if (opts.dnc || outcome.isDnc) return { status: 'dnc', nextAttemptAt: null };
  if (opts.callbackAt) return { status: 'callback', nextAttemptAt: opts.callbackAt };
  if (outcome.isFinal || attempts >= rules.maxAttempts) return { status: 'done', nextAttemptAt: null };
  const minutes = outcome.retryAfterMinutes ?? rules.noAnswerRetryHours * 60;
  return { status: 'retry', nextAttemptAt: new Date(now.getTime() + minutes * MIN) };
}
