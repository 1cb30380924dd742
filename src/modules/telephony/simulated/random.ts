/** Seeded pseudo-random numbers (mulberry32): the same seed replays the same shift. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** A log-normal sample with the given mean and standard deviation. */
  lognormal(mean: number, sd: number): number {
    if (sd <= 0) return mean;
    const sigma2 = Math.log(1 + (sd / mean) ** 2);
    return Math.exp(Math.log(mean) - sigma2 / 2 + Math.sqrt(sigma2) * this.normal());
  }
}

export interface Distribution {
  meanMs: number;
  sdMs: number;
}
