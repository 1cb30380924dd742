import { CallState } from './call.entities';

/**
 * The call state machine. A transition is only applied from the listed states (the UPDATE is conditional), so a
 * late or duplicate event never moves a call backwards.
 *   queued -> dialing -> ringing -> answered -> connected -> wrap_up -> dispositioned
 *                                          \-> abandoned -> ended        (no agent within 2 s)
 *                                          \-> ended                     (machine)
 *   queued | dialing | ringing -> failed (busy, no answer, invalid, carrier failure, cancelled, worker lost)
 *   preview -> queued (the agent clicked Dial) | skipped (the agent passed) | failed (blocked by the gate at Dial)
 */
export const TRANSITIONS: Record<CallState, CallState[]> = {
  preview: ['queued', 'skipped', 'failed'],
  skipped: [],
  queued: ['dialing', 'failed'],
  dialing: ['ringing', 'answered', 'failed'],
  ringing: ['answered', 'failed'],
  answered: ['connected', 'abandoned', 'ended', 'failed'],
  connected: ['wrap_up', 'ended'],
  abandoned: ['ended'],
  wrap_up: ['dispositioned'],
  ended: [],
  dispositioned: [],
  failed: [],
};

/** States a transition to `to` may start from. */
export function fromStates(to: CallState): CallState[] {
  return (Object.keys(TRANSITIONS) as CallState[]).filter((s) => TRANSITIONS[s].includes(to));
}

/** States in which the call leg is still up (end_at not yet set). */
export const OPEN_STATES: CallState[] = ['preview', 'queued', 'dialing', 'ringing', 'answered', 'connected', 'abandoned'];
