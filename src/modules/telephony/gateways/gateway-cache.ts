import { GatewayConfig, GatewayDirectory } from './gateway-config';

/** How long a worker keeps a gateway's configuration before reading it again (changes made elsewhere show by then). */
export const GATEWAY_CACHE_TTL_MS = 5_000;

/**
 * Caches the gateway looked up for each dial (one database query per gateway every few seconds instead of one per
 * call attempt). Concurrent look-ups of the same gateway share one query; a failed query is not cached. Changes made
 * through this process call invalidate() and show at once; changes made by another process show within the TTL.
 */
export class GatewayCache implements GatewayDirectory {
  private readonly entries = new Map<string, { at: number; value: Promise<GatewayConfig | null> }>();

  constructor(
    private readonly load: (gatewayId: string | null) => Promise<GatewayConfig | null>,
    private readonly ttlMs = GATEWAY_CACHE_TTL_MS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  forDial(gatewayId: string | null): Promise<GatewayConfig | null> {
    const key = gatewayId ?? '';
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const entry = { at: this.now(), value: this.load(gatewayId) };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  invalidate(): void {
    this.entries.clear();
  }
}
