import { CarrierProfile, DEFAULT_CARRIER_PROFILE, SimulatedCarrier } from '../../telephony/simulated/simulated-carrier';
import { Distribution, Rng } from '../../telephony/simulated/random';
import { VirtualTimers } from '../../telephony/simulated/timers';
import { decideDials } from '../pacing/pacing-engine';
import { AbandonLedger, PacingStats } from '../pacing/pacing-stats';
import { DialReason, PacingMode, PacingPolicy, PacingState } from '../pacing/pacing.types';

/**
 * A whole shift in virtual time: the pure pacing engine deciding once a second, the simulated carrier placing
 * calls, simulated agents talking and wrapping up. No database, no real clock: 8 hours of 200 agents run in
 * about a second. Used by `npm run simulate`, the pacing benchmark and the scenario specs.
 */
export interface ShiftConfig {
  agents: number;
  hours: number;
  mode: PacingMode;
  seed: number;
  /** Human answer rate; a function of the shift fraction (0..1) for drift scenarios. */
  answerRate: number | ((shiftFraction: number) => number);
  carrier?: Partial<CarrierProfile>;
  wrapUp?: Distribution;
  ringTimeoutMs?: number;
  policy?: Partial<PacingPolicy>;
  /** Agents log in over this many ms at the start (all at once is the harshest warm-up). */
  loginSpreadMs?: number;
  /**
   * Benchmarks only (bench/pacing/oracle-bound.ts): a pacer that is told what the product's engine cannot know, called
   * instead of the engine once a second. With it, each agent's wrap-up is drawn when the talk starts (from a stream
   * of its own, so the shift is a different draw of the same model than without it) and the view carries the exact
   * moment each busy agent becomes Ready and each ringing call's drawn answer delay. Never set by the product.
   */
  oracle?: OraclePacer;
}

/** What an oracle pacer sees (benchmarks only): truth the product cannot know, but not whether a call will be answered. */
export interface OracleView {
  now: number;
  readyAgents: number;
  /** Absolute time (ms) at which each talking or wrapping-up agent becomes Ready (talk end + wrap-up, both known). */
  busyFreeAt: number[];
  /**
   * Calls in flight. answerInMs: the launch-to-answer delay the carrier drew for this call (drawn for every call
   * that rings, whatever its fate: it answers then if its fate is a person or a machine and the delay is under the
   * ring timeout, else it rings out); undefined for quick failures (busy, invalid number, carrier failure).
   */
  ringing: { launchedAt: number; answerInMs?: number }[];
  answeredWaiting: number;
  /** The true human answer rate now, and the carrier's profile. */
  humanAnswerRate: number;
  profile: CarrierProfile;
  ringTimeoutMs: number;
  /** Agents logged in (ready + talking + wrap-up). */
  staffed: number;
  maxLinesPerAgent: number;
  lastHour: { abandoned: number; answered: number };
}
export type OraclePacer = (view: OracleView) => number;

/** Records the last log-normal draw (oracle runs only); the stream is unchanged. */
class RecordingRng extends Rng {
  last = NaN;
  lognormal(mean: number, sd: number): number {
    this.last = super.lognormal(mean, sd);
    return this.last;
  }
}

export interface ShiftSample {
  minute: number;
  dialLevel: number;
  readyAgents: number;
  ringing: number;
  abandonRate1h: number;
  answerRateEstimate: number;
}

export interface ShiftResult {
  config: { agents: number; hours: number; mode: PacingMode; seed: number };
  attempts: number;
  humanAnswered: number;
  abandoned: number;
  talkMinutes: number;
  wrapMinutes: number;
  /** (talk + wrap-up) / logged-in time. */
  occupancy: number;
  talkMinutesPerAgentHour: number;
  attemptsPerAgentHour: number;
  abandonRateShift: number;
  /** Highest abandon rate of any rolling 60-minute window inside the shift (checked every 10 s). */
  worstHourAbandonRate: number;
  /** talk / (talk + wrap-up) x 60 with the configured means: what agents could talk if they never waited. */
  ceilingTalkMinutesPerAgentHour: number;
  samples: ShiftSample[];
  decisions: number;
  /** How many decisions gave each reason (e.g. how long the abandon guard held predictive back). */
  reasons: Partial<Record<DialReason, number>>;
}

type AgentState = 'offline' | 'ready' | 'talking' | 'wrap_up';
interface SimAgent {
  id: string;
  state: AgentState;
  since: number;
  /** Oracle runs only: when the agent becomes Ready again, and the wrap-up drawn for the current talk. */
  freeAt?: number;
  nextWrapMs?: number;
}
interface LiveCall {
  id: string;
  launchedAt: number;
  answerInMs?: number;
  answeredAt?: number;
  graceTimer?: ReturnType<VirtualTimers['setTimeout']>;
  talkTicket?: number;
}

const HOUR = 3_600_000;
const DEFAULT_WRAP: Distribution = { meanMs: 30_000, sdMs: 10_000 };

export function simulateShift(cfg: ShiftConfig): ShiftResult {
  const timers = new VirtualTimers(0);
  const rng = cfg.oracle ? new RecordingRng(cfg.seed) : new Rng(cfg.seed);
  const recorded = (): number | undefined => {
    if (!(rng instanceof RecordingRng) || Number.isNaN(rng.last)) return undefined;
    const v = rng.last;
    rng.last = NaN;
    return v;
  };
  const oracleWrapRng = new Rng((cfg.seed ^ 0x5eed) >>> 0);
  const shiftMs = cfg.hours * HOUR;
  const rate = cfg.answerRate;
  const profile: CarrierProfile = {
    ...DEFAULT_CARRIER_PROFILE,
    ...cfg.carrier,
    humanAnswerRate: typeof rate === 'function' ? (now: number) => rate(Math.min(1, now / shiftMs)) : rate,
  };
  const carrier = new SimulatedCarrier(timers, rng, profile);
  const wrapDist = cfg.wrapUp ?? DEFAULT_WRAP;
  const ringTimeoutMs = cfg.ringTimeoutMs ?? 25_000;
  const policy: PacingPolicy = {
    mode: cfg.mode,
    abandonTargetPct: 3,
    maxLinesPerAgent: 3,
    warmupAnsweredCalls: 30,
    ...cfg.policy,
  };
  const stats = new PacingStats();
  const ledger = new AbandonLedger();
  const agents: SimAgent[] = Array.from({ length: cfg.agents }, (_, i) => ({ id: `a${i}`, state: 'offline', since: 0 }));
  const ringing = new Map<string, LiveCall>();
  const waiting: LiveCall[] = [];
  let callSeq = 0;
  let attempts = 0;
  let talkMs = 0;
  let wrapMs = 0;
  let loggedInMs = 0;
  let worst = 0;
  let decisions = 0;
  const samples: ShiftSample[] = [];
  const reasons: Partial<Record<DialReason, number>> = {};

  const setState = (a: SimAgent, s: AgentState) => {
    const now = timers.now();
    if (a.state === 'talking') talkMs += now - a.since;
    if (a.state === 'wrap_up') wrapMs += now - a.since;
    if (a.state !== 'offline') loggedInMs += now - a.since;
    a.state = s;
    a.since = now;
  };

  const longestWaitingReady = (): SimAgent | undefined => {
    let best: SimAgent | undefined;
    for (const a of agents) if (a.state === 'ready' && (!best || a.since < best.since)) best = a;
    return best;
  };

  const connect = (call: LiveCall, agent: SimAgent) => {
    setState(agent, 'talking');
    call.talkTicket = stats.talkStarted(timers.now());
    recorded();
    void carrier.bridge(call.id, agent.id);
    if (cfg.oracle) {
      const talk = recorded() ?? 0;
      agent.nextWrapMs = oracleWrapRng.lognormal(wrapDist.meanMs, wrapDist.sdMs);
      agent.freeAt = timers.now() + talk + agent.nextWrapMs;
    }
    agentOf.set(call.id, agent);
  };
  const agentOf = new Map<string, SimAgent>();

  const agentReady = (a: SimAgent) => {
    setState(a, 'ready');
    const call = waiting.shift();
    if (call) {
      timers.clearTimeout(call.graceTimer);
      connect(call, a);
    }
  };

  for (const a of agents) {
    timers.setTimeout(() => agentReady(a), rng.next() * (cfg.loginSpreadMs ?? 30_000));
  }

  const launch = () => {
    const id = `c${++callSeq}`;
    const call: LiveCall = { id, launchedAt: timers.now() };
    const ticket = stats.launched(call.launchedAt);
    ringing.set(id, call);
    attempts++;
    recorded();
    void carrier.dial(
      { callId: id, campaignId: 'sim', to: '+15550000000', callerId: null, gatewayId: null, ringTimeoutMs },
      {
        onRinging: () => undefined,
        onFailed: () => {
          ringing.delete(id);
          stats.resolve(ticket, 'other', timers.now());
        },
        onAnswered: (at, type) => {
          ringing.delete(id);
          const now = at.getTime();
          call.answeredAt = now;
          if (type === 'machine') {
            stats.resolve(ticket, 'machine', now);
            void carrier.hangup(id);
            return;
          }
          stats.resolve(ticket, 'human', now, now - call.launchedAt);
          ledger.answered(now);
          const agent = longestWaitingReady();
          if (agent) return connect(call, agent);
          waiting.push(call);
          call.graceTimer = timers.setTimeout(() => {
            const i = waiting.indexOf(call);
            if (i < 0) return;
            waiting.splice(i, 1);
            ledger.abandoned(timers.now());
            void carrier.abandon(id);
          }, 2_000);
        },
        onEnded: (at) => {
          const agent = agentOf.get(id);
          if (!agent) return;
          agentOf.delete(id);
          stats.talkEnded(call.talkTicket!, at.getTime(), at.getTime() - agent.since);
          setState(agent, 'wrap_up');
          const wrapTicket = stats.wrapUpStarted(timers.now());
          const wrap = cfg.oracle ? agent.nextWrapMs! : rng.lognormal(wrapDist.meanMs, wrapDist.sdMs);
          timers.setTimeout(() => {
            stats.wrapUpEnded(wrapTicket, timers.now(), timers.now() - agent.since);
            agentReady(agent);
          }, wrap);
        },
      },
    );
    call.answerInMs = recorded();
  };

  let lastDialLevel = 0;
  const tick = () => {
    const now = timers.now();
    const state: PacingState = {
      readyAgents: 0,
      talkingElapsedMs: [],
      wrapUpElapsedMs: [],
      ringingElapsedMs: [...ringing.values()].map((c) => now - c.launchedAt),
      answeredWaiting: waiting.length,
      humanAnswerRate: stats.humanAnswerRate,
      machineRate: stats.machineRate,
      observedAttempts: stats.observedAttempts,
      observedAnswers: stats.observedAnswers,
      observedTalks: stats.talk.count,
      answerDelay: stats.answerDelay.stats,
      talk: stats.talk.stats,
      wrapUp: stats.wrapUp.stats,
      abandons: { lastHour: ledger.window(now, HOUR), last24h: ledger.window(now, 24 * HOUR), last30d: ledger.totals },
    };
    for (const a of agents) {
      if (a.state === 'ready') state.readyAgents++;
      else if (a.state === 'talking') state.talkingElapsedMs.push(now - a.since);
      else if (a.state === 'wrap_up') state.wrapUpElapsedMs.push(now - a.since);
    }
    let toLaunch: number;
    if (cfg.oracle) {
      const busyFreeAt: number[] = [];
      for (const a of agents) if (a.state === 'talking' || a.state === 'wrap_up') busyFreeAt.push(a.freeAt!);
      toLaunch = cfg.oracle({
        now,
        readyAgents: state.readyAgents,
        busyFreeAt,
        ringing: [...ringing.values()].map((c) => ({ launchedAt: c.launchedAt, answerInMs: c.answerInMs })),
        answeredWaiting: waiting.length,
        humanAnswerRate: typeof profile.humanAnswerRate === 'function' ? profile.humanAnswerRate(now) : profile.humanAnswerRate,
        profile,
        ringTimeoutMs,
        staffed: busyFreeAt.length + state.readyAgents,
        maxLinesPerAgent: policy.maxLinesPerAgent,
        lastHour: state.abandons.lastHour,
      });
      reasons.predictive = (reasons.predictive ?? 0) + 1;
      lastDialLevel = state.readyAgents > 0 ? (ringing.size + toLaunch) / state.readyAgents : 0;
    } else {
      const d = decideDials(state, policy);
      reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
      lastDialLevel = d.dialLevel;
      toLaunch = d.launch;
    }
    decisions++;
    for (let i = 0; i < toLaunch; i++) launch();
    if (now % 10_000 === 0 && now >= HOUR) {
      const w = state.abandons.lastHour;
      if (w.answered > 0) worst = Math.max(worst, w.abandoned / w.answered);
    }
    if (now % 60_000 === 0) {
      const w = state.abandons.lastHour;
      samples.push({
        minute: now / 60_000,
        dialLevel: lastDialLevel,
        readyAgents: state.readyAgents,
        ringing: ringing.size,
        abandonRate1h: w.answered ? w.abandoned / w.answered : 0,
        answerRateEstimate: stats.humanAnswerRate,
      });
    }
  };

  for (let t = 0; t <= shiftMs; t += 1_000) {
    timers.runUntil(t);
    if (t < shiftMs) tick();
  }
  for (const a of agents) setState(a, 'offline');
  const totals = ledger.totals;
  if (shiftMs < HOUR && totals.answered) worst = totals.abandoned / totals.answered;
  const talkMean = profile.talk.meanMs;
  return {
    config: { agents: cfg.agents, hours: cfg.hours, mode: cfg.mode, seed: cfg.seed },
    attempts,
    humanAnswered: totals.answered,
    abandoned: totals.abandoned,
    talkMinutes: talkMs / 60_000,
    wrapMinutes: wrapMs / 60_000,
    occupancy: loggedInMs ? (talkMs + wrapMs) / loggedInMs : 0,
    talkMinutesPerAgentHour: talkMs / 60_000 / (cfg.agents * cfg.hours),
    attemptsPerAgentHour: attempts / (cfg.agents * cfg.hours),
    abandonRateShift: totals.answered ? totals.abandoned / totals.answered : 0,
    worstHourAbandonRate: worst,
    ceilingTalkMinutesPerAgentHour: (talkMean / (talkMean + wrapDist.meanMs)) * 60,
    samples,
    decisions,
    reasons,
  };
}
