/**
 * Paces call launches per gateway: a token bucket at the trunk's calls-per-second limit (launches wait for
 * their token in arrival order, a burst never exceeds `burst`), a channel counter for the concurrent-call
 * limit, and a back-off window opened by a 503 from the carrier.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token, reserving a future one when none is left; returns how long to wait (ms) before launching. */
  reserve(): number {
    const now = this.now();
    this.refill(now);
    this.tokens -= 1;
    // A token owed becomes due at the paced rate counted from the bucket's clock, which a back-off moves to its end:
    // launches reserved during a back-off leave one by one after it, not all at its last millisecond.
    const dueAt = this.tokens >= 0 ? now : Math.max(this.last, now) + (-this.tokens / this.ratePerSec) * 1000;
    const wait = Math.max(dueAt, this.pausedUntil) - now;
    // Under a millisecond (only at hundreds of calls per second and more) a timer would wait a whole tick or more:
    // the launch goes now, and the debt stays in the bucket, so the rate over time is unchanged.
    return wait < 1 ? 0 : Math.ceil(wait);
  }

  /** No launch before `until`; nothing refills meanwhile, so launches resume at the paced rate, not in a burst. */
  pause(until: number): void {
    this.refill(this.now());
    this.pausedUntil = Math.max(this.pausedUntil, until);
    this.last = Math.max(this.last, until);
  }

  /** The end of the current back-off (0 when none was ever opened). */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** A bucket at another rate for the same gateway keeps the back-off in force. */
  withRate(ratePerSec: number): TokenBucket {
    const b = new TokenBucket(ratePerSec, this.burst, this.now);
    if (this.pausedUntil > this.now()) b.pause(this.pausedUntil);
    return b;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
      this.last = now;
    }
  }
}

export class ChannelLimitReached extends Error {
  constructor(readonly gatewayId: string, readonly limit: number) {
    super(`gateway ${gatewayId} is at its channel limit (${limit})`);
  }
}

export interface PacedGateway {
  id: string;
  cpsLimit: number;
  channelLimit: number;
}

interface GatewayState {
  bucket: TokenBucket;
  channels: number;
  backoffMs: number;
}

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

export class GatewayPacer {
  private readonly state = new Map<string, GatewayState>();

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /**
   * Waits for the gateway's next launch slot and takes a channel; returns the function that gives it back.
   * Throws ChannelLimitReached at once when every channel is in use (the dialer retries later; no slot is spent).
   */
  async acquire(gw: PacedGateway): Promise<() => void> {
    const s = this.stateFor(gw);
    if (s.channels >= gw.channelLimit) throw new ChannelLimitReached(gw.id, gw.channelLimit);
    s.channels += 1;
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        s.channels -= 1;
      }
    };
    let wait = s.bucket.reserve();
    while (wait > 0) {
      await this.sleep(wait);
      // A 503 while this launch waited opened a back-off: it takes a paced slot after that instead.
      wait = s.bucket.pausedUntilMs > this.now() ? s.bucket.reserve() : 0;
    }
    return release;
  }

  /** A 503 from the carrier: stop launching on this gateway for a while, doubling on each consecutive 503. */
  backOff(gatewayId: string, retryAfterSec?: number | null): number {
    const s = this.state.get(gatewayId);
    if (!s) return 0;
    const ms = retryAfterSec && retryAfterSec > 0 ? Math.min(retryAfterSec * 1000, MAX_BACKOFF_MS) : s.backoffMs || FIRST_BACKOFF_MS;
    s.backoffMs = Math.min(MAX_BACKOFF_MS, (s.backoffMs || FIRST_BACKOFF_MS) * 2);
    s.bucket.pause(this.now() + ms);
    return ms;
  }

  /** The carrier took a call normally: the next 503 starts the back-off from the beginning again. */
  succeeded(gatewayId: string): void {
    const s = this.state.get(gatewayId);
    if (s) s.backoffMs = 0;
  }

  channelsInUse(gatewayId: string): number {
    return this.state.get(gatewayId)?.channels ?? 0;
  }

  private stateFor(gw: PacedGateway): GatewayState {
    let s = this.state.get(gw.id);
    if (!s) {
      s = { bucket: new TokenBucket(gw.cpsLimit, 1, this.now), channels: 0, backoffMs: 0 };
      this.state.set(gw.id, s);
    } else if (s.bucket.ratePerSec !== gw.cpsLimit) {
      // An admin changed the limit: a new bucket, the same state (the calls up now give their channels back to it).
      s.bucket = s.bucket.withRate(gw.cpsLimit);
    }
    return s;
  }
}
