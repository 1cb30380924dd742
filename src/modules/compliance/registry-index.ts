/**
 * An in-memory copy of the national DNC registry: E.164 digits in a sorted Float64Array (15 digits fit exactly
 * below 2^53), 8 bytes a number (80 MB for 10M), looked up by binary search (~24 probes, well under a microsecond).
 */
export class RegistryIndex {
  private constructor(private readonly sorted: Float64Array) {}

  static empty(): RegistryIndex {
    return new RegistryIndex(new Float64Array(0));
  }

  /** Takes ownership of `numbers` (first `count` used): sorts it and drops duplicates in place. */
  static build(numbers: Float64Array, count = numbers.length): RegistryIndex {
    const view = numbers.subarray(0, count).sort();
    let w = 0;
    for (let r = 0; r < view.length; r++) if (r === 0 || view[r] !== view[w - 1]) view[w++] = view[r];
    return new RegistryIndex(view.subarray(0, w));
  }

  get size(): number {
    return this.sorted.length;
  }

  has(n: number): boolean {
    const a = this.sorted;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid];
      if (v === n) return true;
      if (v < n) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
