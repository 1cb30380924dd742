import { Distribution, Rng } from './random';
import { Timers } from './timers';

/** What a simulated agent does at the desk: record an outcome (which ends wrap-up and makes them Ready). */
export interface AgentDesk {
  disposition(agentId: string, callId: string, outcome: string): Promise<void>;
}

/**
 * Agents for demos and tests: when their customer call ends they wrap up for a random time, pick an outcome and
 * are Ready again. (Talk time is the simulated carrier's business: the customer hangs up.)
 */
export class SimulatedAgents {
  private pending = 0;
  constructor(
    private readonly timers: Timers,
    private readonly rng: Rng,
    private readonly wrapUp: Distribution,
    private readonly outcomes: string[],
    private readonly desk: AgentDesk,
  ) {}

  callEnded(agentId: string, callId: string): void {
    this.pending++;
    const outcome = this.outcomes[Math.floor(this.rng.next() * this.outcomes.length)];
    this.timers.setTimeout(() => {
      this.desk
        .disposition(agentId, callId, outcome)
        .catch(() => undefined)
        .finally(() => this.pending--);
    }, this.rng.lognormal(this.wrapUp.meanMs, this.wrapUp.sdMs));
  }

  get wrapping(): number {
    return this.pending;
  }
}
