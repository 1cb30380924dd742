import fc from 'fast-check';
import { RegistryIndex } from './registry-index';

describe('RegistryIndex', () => {
  it('answers membership exactly like a Set, duplicates and 15-digit numbers included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1_000_000, max: 999_999_999_999_999 }), { maxLength: 300 }),
        fc.array(fc.integer({ min: 1_000_000, max: 999_999_999_999_999 }), { maxLength: 50 }),
        (listed, probes) => {
          const idx = RegistryIndex.build(Float64Array.from([...listed, ...listed.slice(0, 10)]));
          const set = new Set(listed);
          expect(idx.size).toBe(set.size);
          for (const n of [...listed, ...probes]) expect(idx.has(n)).toBe(set.has(n));
        },
      ),
    );
    expect(RegistryIndex.empty().has(12125550123)).toBe(false);
    expect(RegistryIndex.build(Float64Array.from([999999999999999, 999999999999998])).has(999999999999999)).toBe(true);
  });
});
