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
    const waitForToken = this.tokens >= 0 ? 0 : (-this.tokens / this.ratePerSec) * 1000;
    const waitForPause = Math.max(0, this.pausedUntil - now);
    const wait = Math.max(waitForToken, waitForPause);
    // Under a millisecond (only at hundreds of calls per second and more) a timer would wait a whole tick or more:
    // the launch goes now, and the debt stays in the bucket, so the rate over time is unchanged.
    return wait < 1 ? 0 : Math.ceil(wait);
  }

  /** No launch before `until`; the bucket is emptied so launches resume at the paced rate, not in a burst. */
  pause(until: number): void {
    this.refill(this.now());
    this.pausedUntil = Math.max(this.pausedUntil, until);
    this.tokens = Math.min(this.tokens, 0);
    this.last = Math.max(this.last, until);
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
    const wait = s.bucket.reserve();
    if (wait > 0) await this.sleep(wait);
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
    if (!s || s.bucket.ratePerSec !== gw.cpsLimit) {
      s = { bucket: new TokenBucket(gw.cpsLimit, 1, this.now), channels: s?.channels ?? 0, backoffMs: s?.backoffMs ?? 0 };
      this.state.set(gw.id, s);
    }
    return s;
  }
}
