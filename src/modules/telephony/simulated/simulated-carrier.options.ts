import { CarrierProfile, DEFAULT_CARRIER_PROFILE, scaleProfile } from './simulated-carrier';

/**
 * Options of the simulated carrier in the running service. SIMULATED_TIME_SCALE (e.g. 0.01) shrinks every ring,
 * talk and message time so integration tests run a campaign in seconds; SIMULATED_ANSWER_RATE sets the share of
 * calls a person answers. Both are optional and only read when TELEPHONY=simulated.
 */
export const SIMULATED_CARRIER_PROFILE = Symbol('SIMULATED_CARRIER_PROFILE');

export function simulatedProfileFromEnv(env: NodeJS.ProcessEnv = process.env): CarrierProfile {
  const scale = Number(env.SIMULATED_TIME_SCALE ?? '1');
  const answer = Number(env.SIMULATED_ANSWER_RATE ?? String(DEFAULT_CARRIER_PROFILE.humanAnswerRate));
  const base = { ...DEFAULT_CARRIER_PROFILE, humanAnswerRate: answer > 0 && answer <= 1 ? answer : DEFAULT_CARRIER_PROFILE.humanAnswerRate };
  return scale > 0 && scale <= 1 ? scaleProfile(base, scale) : base;
}
