/**
 * The pacing engine's contract. Pure data: no Nest, no I/O, no clock of its own. Durations are in milliseconds.
 */

export type PacingMode = 'preview' | 'progressive' | 'predictive';

/** A duration distribution summarised by its mean and standard deviation (modelled as log-normal). */
export interface DurationStats {
  meanMs: number;
  sdMs: number;
}

export interface AbandonWindow {
  /** Abandoned calls in the window. */
  abandoned: number;
  /** Human-answered calls in the window (the denominator of the legal abandon rate). */
  answered: number;
}

export interface PacingState {
  /** Agents Ready now (waiting for a call). */
  readyAgents: number;
  /** Agents talking: elapsed talk time of each. */
  talkingElapsedMs: number[];
  /** Agents in wrap-up: elapsed wrap-up time of each. */
  wrapUpElapsedMs: number[];
  /** Calls launched and not yet answered or failed: elapsed time since launch of each. */
  ringingElapsedMs: number[];
  /** Human-answered calls waiting for an agent right now (inside their 2 s grace). */
  answeredWaiting: number;
  /** Observed share of attempts answered by a person, smoothed (EWMA), and how many attempts it rests on. */
  humanAnswerRate: number;
  machineRate: number;
  /** Attempts with a known result the estimate rests on. */
  observedAttempts: number;
  /** Human-answered calls observed so far (warm-up counter). */
  observedAnswers: number;
  /**
   * Talks the talk estimate has learned from (counted in the order they began). Below MIN_TALKS_OBSERVED the
   * forecast counts no agent freeing up from a talk: the estimate is still mostly its prior, and agents who all began
   * talking within the last minutes free up far more slowly than a wide prior says. Left out: enough.
   */
  observedTalks?: number;
  /** Launch-to-answer time of human-answered calls. */
  answerDelay: DurationStats;
  talk: DurationStats;
  wrapUp: DurationStats;
  abandons: { lastHour: AbandonWindow; last24h: AbandonWindow; last30d: AbandonWindow };
}

export interface PacingPolicy {
  mode: PacingMode;
  /** Legal/campaign cap in percent of human-answered calls (<= 3). */
  abandonTargetPct: number;
  /**
   * Fraction of the cap under which the predictive pacer spends its abandon budget at full risk (default 2/3); above
   * it the allowed risk per call falls off, and it stops dialing ahead when one more abandon could break the cap.
   */
  aimFraction?: number;
  /** Max lines in flight per logged-in agent. */
  maxLinesPerAgent: number;
  /** Answered calls to observe before predictive leaves its cautious progressive start. */
  warmupAnsweredCalls: number;
  /** Grace an answered call may wait for an agent before it is abandoned (2 s by rule). */
  abandonGraceMs?: number;
  /** Attempts the answer-rate estimate averages over (its EWMA span), to weigh the estimate's own error. */
  answerRateSpan?: number;
  /** Upper bound for one decision (launch bursts are spread over the following ticks). */
  maxLaunchPerDecision?: number;
}

export type DialReason =
  | 'preview_mode'
  | 'no_agents'
  | 'progressive'
  | 'warming_up'
  | 'abandon_cap_guard'
  | 'predictive'
  | 'line_cap';

export interface DialDecision {
  /** Calls to launch now. */
  launch: number;
  reason: DialReason;
  /** Human-readable explanation, safe for logs (no personal data). */
  detail: string;
  /** Lines in flight after the launch divided by agents that are ready or will be within the horizon. */
  dialLevel: number;
  /** Forecast: expected human answers in the horizon and agents free to take them. */
  expectedAnswers: number;
  expectedFreeAgents: number;
  /** Marginal abandon risk of the last call launched (its chance, once answered, of finding no agent in time); 0 outside predictive. */
  predictedAbandonRate: number;
  /** Marginal risk the pacer allowed itself this tick, from the abandon budget of the 1 h / 24 h / 30 d windows. */
  allowedAbandonRate: number;
}
