/**
 * Time as a port for the simulated carrier: real timers for the demo and integration tests, a virtual
 * event queue for the simulator (an 8-hour shift runs in well under a second of wall time).
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export class RealTimers implements Timers {
  private seq = 0;
  private readonly live = new Map<number, NodeJS.Timeout>();
  now(): number {
    return Date.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    const t = setTimeout(() => {
      this.live.delete(id);
      fn();
    }, Math.max(0, ms));
    t.unref?.();
    this.live.set(id, t);
    return { id };
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    clearTimeout(this.live.get(handle.id));
    this.live.delete(handle.id);
  }
  /** Cancels every pending timer (module shutdown). */
  clearAll(): void {
    for (const t of this.live.values()) clearTimeout(t);
    this.live.clear();
  }
}

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
}

/** A discrete-event clock: timers fire in time order when run() advances virtual time. */
export class VirtualTimers implements Timers {
  private t: number;
  private seq = 0;
  private readonly heap: Entry[] = [];
  private readonly cancelled = new Set<number>();

  constructor(startMs = 0) {
    this.t = startMs;
  }
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const e = { at: this.t + Math.max(0, ms), seq: ++this.seq, fn };
    this.push(e);
    return { id: e.seq };
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.cancelled.add(handle.id);
  }
  /** Runs every event due up to `untilMs` (inclusive), then sets the clock there. */
  runUntil(untilMs: number): void {
    while (this.heap.length && this.heap[0].at <= untilMs) {
      const e = this.pop();
      if (this.cancelled.delete(e.seq)) continue;
      this.t = e.at;
      e.fn();
    }
    this.t = Math.max(this.t, untilMs);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p], h[i])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  private pop(): Entry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Entry;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
