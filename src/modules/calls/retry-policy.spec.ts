import { DEFAULT_RETRY_RULES } from '../campaigns/campaign-settings';
import { nextAfterDisposition, nextAfterSystemOutcome, retryRules } from './retry-policy';

const now = new Date('2026-03-02T15:00:00Z');
const mins = (d: Date | null) => (d ? (d.getTime() - now.getTime()) / 60_000 : null);

describe('retry policy', () => {
  it('retries busy in minutes, no answer in hours, machine the next day at another time of day', () => {
    expect(mins(nextAfterSystemOutcome('busy', DEFAULT_RETRY_RULES, 1, now).nextAttemptAt)).toBe(15);
    expect(mins(nextAfterSystemOutcome('no_answer', DEFAULT_RETRY_RULES, 1, now).nextAttemptAt)).toBe(240);
    expect(mins(nextAfterSystemOutcome('machine', DEFAULT_RETRY_RULES, 1, now).nextAttemptAt)).toBe(27 * 60);
  });

  it('does not repeat an abandoned call within 72 hours', () => {
    expect(mins(nextAfterSystemOutcome('abandoned', DEFAULT_RETRY_RULES, 1, now).nextAttemptAt)).toBe(72 * 60);
  });

  it('ends an invalid number; gives the attempt back on carrier trouble', () => {
    expect(nextAfterSystemOutcome('invalid_number', DEFAULT_RETRY_RULES, 1, now)).toEqual({ status: 'invalid', nextAttemptAt: null });
    expect(nextAfterSystemOutcome('carrier_failure', DEFAULT_RETRY_RULES, 5, now)).toMatchObject({ status: 'retry', refundAttempt: true });
  });

  it('stops at the attempt limit', () => {
    expect(nextAfterSystemOutcome('no_answer', DEFAULT_RETRY_RULES, 5, now).status).toBe('done');
  });

  it('takes campaign rules over the defaults and the campaign columns over both', () => {
    const r = retryRules({ busyRetryMinutes: 5, maxAttempts: 9 }, { maxAttempts: 2, maxAttemptsPerDay: 1 });
    expect(r).toMatchObject({ busyRetryMinutes: 5, noAnswerRetryHours: 4, maxAttempts: 2, maxAttemptsPerDay: 1 });
  });

  it('after a disposition: DNC and final outcomes end the lead, a callback books its time, others retry by the outcome', () => {
    const o = { isFinal: false, isDnc: false, retryAfterMinutes: 90 };
    const cb = new Date(now.getTime() + 3_600_000);
    expect(nextAfterDisposition(o, { callbackAt: null, dnc: true }, DEFAULT_RETRY_RULES, 1, now).status).toBe('dnc');
    expect(nextAfterDisposition({ ...o, isFinal: true }, { callbackAt: null, dnc: false }, DEFAULT_RETRY_RULES, 1, now).status).toBe('done');
    expect(nextAfterDisposition(o, { callbackAt: cb, dnc: false }, DEFAULT_RETRY_RULES, 1, now)).toEqual({ status: 'callback', nextAttemptAt: cb });
    expect(mins(nextAfterDisposition(o, { callbackAt: null, dnc: false }, DEFAULT_RETRY_RULES, 1, now).nextAttemptAt)).toBe(90);
  });
});
