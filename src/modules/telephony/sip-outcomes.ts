import { DialResult } from './telephony.port';

/** Why we sent a CANCEL, if we did: it decides what a 487 (or a 200 that crossed our CANCEL) means. */
export type CancelReason = 'ring_timeout' | 'hangup' | null;

export type FailedResult = Exclude<DialResult, 'answered'>;

/**
 * The one table from SIP final response to call outcome. Anything not listed falls back by class:
 * other 4xx and 5xx are the carrier's or our fault (retry elsewhere or later, the lead's attempt is not burned
 * like a no-answer), other 6xx mean the callee refused everywhere.
 */
export const SIP_OUTCOMES: Readonly<Record<number, DialResult>> = Object.freeze({
  200: 'answered',
  486: 'busy', // Busy Here
  600: 'busy', // Busy Everywhere
  603: 'busy', // Decline: the callee rejected the call
  480: 'no_answer', // Temporarily Unavailable
  408: 'no_answer', // Request Timeout (the far end gave up ringing)
  404: 'invalid_number', // Not Found
  484: 'invalid_number', // Address Incomplete
  410: 'invalid_number', // Gone
  604: 'invalid_number', // Does Not Exist Anywhere
  403: 'carrier_failure', // Forbidden: trunk refuses us (credentials, caller ID, balance)
  503: 'carrier_failure', // Service Unavailable: also the carrier's "slow down"
});

export interface MappedOutcome {
  result: DialResult;
  /** The carrier asked us to slow down (503): the gateway's pacer backs off. */
  backOff: boolean;
}

/**
 * Maps a final response (null: no response at all, i.e. transport or transaction timeout) to an outcome.
 * A 487 is only a no-answer when we cancelled for ring timeout; when we cancelled to hang up it is 'cancelled';
 * a 487 we never asked for is the carrier's failure.
 */
export function outcomeForFinalResponse(status: number | null, cancelled: CancelReason): MappedOutcome {
  if (status === null) return { result: 'carrier_failure', backOff: false };
  if (status === 487) {
    if (cancelled === 'ring_timeout') return { result: 'no_answer', backOff: false };
    if (cancelled === 'hangup') return { result: 'cancelled', backOff: false };
    return { result: 'carrier_failure', backOff: false };
  }
  const listed = SIP_OUTCOMES[status];
  if (listed) return { result: listed, backOff: status === 503 };
  if (status >= 200 && status < 300) return { result: 'answered', backOff: false };
  if (status >= 600) return { result: 'busy', backOff: false };
  return { result: 'carrier_failure', backOff: false };
}

/**
 * A 200 OK that crossed our CANCEL: we ACK and BYE it at once. The outcome is what the CANCEL meant,
 * not an answer (nobody was connected).
 */
export function outcomeForCancelRace(cancelled: Exclude<CancelReason, null>): FailedResult {
  return cancelled === 'ring_timeout' ? 'no_answer' : 'cancelled';
}
