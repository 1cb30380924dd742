import { AgentLegEvents, CallHandle, DialEvents, DialRequest, Telephony, TelephonyStatsBase } from '../telephony.port';
import { Distribution, Rng } from './random';
import { Timers } from './timers';

/**
 * What the simulated network does with a dial. Probabilities are shares of attempts; the rest ring out
 * (no answer). humanAnswerRate may change over time (drift scenarios): it is read at each dial.
 */
export interface CarrierProfile {
  humanAnswerRate: number | ((nowMs: number) => number);
  machineRate: number;
  busyRate: number;
  invalidRate: number;
  carrierFailureRate: number;
  /** Launch to 200 OK for answered calls (human or machine). */
  answerDelay: Distribution;
  /** Launch to 486/404/503 for quick failures. */
  quickFailMs: number;
  /** Launch to 180 Ringing. */
  ringingAfterMs: number;
  /** How long a person stays on the line once joined to an agent. */
  talk: Distribution;
  /** Length of the recorded abandonment message before hang-up. */
  abandonMessageMs: number;
}

export const DEFAULT_CARRIER_PROFILE: CarrierProfile = {
  humanAnswerRate: 0.25,
  machineRate: 0.15,
  busyRate: 0.08,
  invalidRate: 0.03,
  carrierFailureRate: 0.01,
  answerDelay: { meanMs: 9_000, sdMs: 4_000 },
  quickFailMs: 2_500,
  ringingAfterMs: 800,
  talk: { meanMs: 180_000, sdMs: 90_000 },
  abandonMessageMs: 6_000,
};

/** Scales every duration of a profile (integration tests run a campaign in seconds). */
export function scaleProfile(p: CarrierProfile, factor: number): CarrierProfile {
  const d = (x: Distribution) => ({ meanMs: x.meanMs * factor, sdMs: x.sdMs * factor });
  return {
    ...p,
    answerDelay: d(p.answerDelay),
    talk: d(p.talk),
    quickFailMs: p.quickFailMs * factor,
    ringingAfterMs: p.ringingAfterMs * factor,
    abandonMessageMs: p.abandonMessageMs * factor,
  };
}

type Fate = 'human' | 'machine' | 'busy' | 'invalid_number' | 'carrier_failure' | 'no_answer';

export interface SimulatedCarrierStats extends TelephonyStatsBase {
  /** Agents whose (simulated) leg is up. */
  agentLegs: number;
}

interface SimCall {
  req: DialRequest;
  events: DialEvents;
  fate: Fate;
  answered: boolean;
  done: boolean;
  timers: ReturnType<Timers['setTimeout']>[];
  agentId?: string;
}

/** SIP codes the simulated network answers with, as a real trunk would. */
const FAIL_CODES = { busy: 486, invalid_number: 404, carrier_failure: 503, no_answer: 487 } as const;

/** A carrier in a box: implements the telephony port with random but reproducible call fates. */
export class SimulatedCarrier implements Telephony {
  readonly name = 'simulated' as const;
  private readonly calls = new Map<string, SimCall>();
  private readonly agentLegs = new Map<string, AgentLegEvents>();
  private seq = 0;

  constructor(
    private readonly timers: Timers,
    private readonly rng: Rng,
    private readonly profile: CarrierProfile = DEFAULT_CARRIER_PROFILE,
  ) {}

  async dial(req: DialRequest, events: DialEvents): Promise<CallHandle> {
    const call: SimCall = { req, events, fate: this.fate(), answered: false, done: false, timers: [] };
    this.calls.set(req.callId, call);
    if (req.sendAfter) {
      // Nothing is "sent" before the caller's condition (e.g. its record committed); a hang-up meanwhile cancels.
      const sent = await req.sendAfter.then(() => true, () => false);
      if (call.done) return { callId: req.callId, providerCallId: '' };
      if (!sent) {
        this.fail(call, 'cancelled');
        return { callId: req.callId, providerCallId: '' };
      }
    }
    const p = this.profile;
    const at = () => new Date(this.timers.now());
    const later = (ms: number, fn: () => void) => call.timers.push(this.timers.setTimeout(() => !call.done && fn(), ms));

    if (call.fate === 'busy' || call.fate === 'invalid_number' || call.fate === 'carrier_failure') {
      later(p.quickFailMs * (0.5 + this.rng.next()), () => this.fail(call, call.fate as 'busy'));
    } else {
      later(p.ringingAfterMs, () => events.onRinging(at()));
      const answerIn = this.rng.lognormal(p.answerDelay.meanMs, p.answerDelay.sdMs);
      if ((call.fate === 'human' || call.fate === 'machine') && answerIn < req.ringTimeoutMs) {
        later(answerIn, () => {
          call.answered = true;
          events.onAnswered(at(), call.fate as 'human' | 'machine');
          // A recorded call gets a reference, as a media server without a shared recording folder gives (no file).
          if (req.record) events.onRecording?.(at(), `simulated:${req.callId}`);
        });
      } else {
        later(req.ringTimeoutMs, () => this.fail(call, 'no_answer'));
      }
    }
    return { callId: req.callId, providerCallId: `sim-${++this.seq}` };
  }

  async bridge(callId: string, agentId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || call.done || !call.answered) throw new Error('call is not answered or already ended');
    call.agentId = agentId;
    const talk = this.rng.lognormal(this.profile.talk.meanMs, this.profile.talk.sdMs);
    call.timers.push(this.timers.setTimeout(() => this.end(call, 'customer'), talk));
  }

  async abandon(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || call.done) return;
    call.timers.push(this.timers.setTimeout(() => this.end(call, 'system'), this.profile.abandonMessageMs));
  }

  async hangup(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || call.done) return;
    if (call.answered) this.end(call, call.agentId ? 'agent' : 'system');
    else this.fail(call, 'cancelled');
  }

  async ensureAgentLeg(agentId: string, events: AgentLegEvents): Promise<void> {
    this.agentLegs.set(agentId, events);
  }

  async releaseAgentLeg(agentId: string): Promise<void> {
    this.agentLegs.delete(agentId);
  }

  hasAgentLeg(agentId: string): boolean {
    return this.agentLegs.has(agentId);
  }

  liveCalls(): string[] {
    return [...this.calls.values()].filter((c) => !c.done).map((c) => c.req.callId);
  }

  stats(): SimulatedCarrierStats {
    return { liveCalls: this.liveCalls().length, agentLegs: this.agentLegs.size, connected: true };
  }

  /** Drops every live call without telling anyone (a crashed process). */
  dropAll(): void {
    for (const c of this.calls.values()) this.finish(c);
    this.calls.clear();
  }

  private fate(): Fate {
    const p = this.profile;
    const human = typeof p.humanAnswerRate === 'function' ? p.humanAnswerRate(this.timers.now()) : p.humanAnswerRate;
    let r = this.rng.next();
    for (const [fate, share] of [
      ['human', human], ['machine', p.machineRate], ['busy', p.busyRate], ['invalid_number', p.invalidRate], ['carrier_failure', p.carrierFailureRate],
    ] as [Fate, number][]) {
      if (r < share) return fate;
      r -= share;
    }
    return 'no_answer';
  }

  private fail(call: SimCall, result: 'busy' | 'invalid_number' | 'carrier_failure' | 'no_answer' | 'cancelled'): void {
    this.finish(call);
    const code = result === 'cancelled' ? 487 : FAIL_CODES[result];
    call.events.onFailed(new Date(this.timers.now()), result, code, result === 'no_answer' ? 'ring timeout' : null);
  }

  private end(call: SimCall, by: 'customer' | 'agent' | 'system' | 'carrier'): void {
    if (call.done) return;
    this.finish(call);
    call.events.onEnded(new Date(this.timers.now()), by);
  }

  private finish(call: SimCall): void {
    call.done = true;
    for (const t of call.timers) this.timers.clearTimeout(t);
    this.calls.delete(call.req.callId);
  }
}
