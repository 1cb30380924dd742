import { GroupCommit } from './group-commit';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('GroupCommit', () => {
  it('writes a lone row at once, and rows arriving during a write together in the next one', async () => {
    const writes: number[][] = [];
    const pending: Array<ReturnType<typeof deferred>> = [];
    const gc = new GroupCommit<number>((items) => {
      writes.push(items);
      const d = deferred();
      pending.push(d);
      return d.promise;
    });
    const first = gc.submit(1);
    await Promise.resolve();
    expect(writes).toEqual([[1]]);
    const later = [gc.submit(2), gc.submit(3), gc.submit(4)];
    await Promise.resolve();
    expect(writes).toHaveLength(1); // one write in flight at a time
    pending[0].resolve();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([[1], [2, 3, 4]]);
    pending[1].resolve();
    await Promise.all(later);
    expect(gc.stats()).toEqual({ batches: 2, rows: 4 });
  });

  it('settles a submitter only when its own write committed, and fails every row of a failed write', async () => {
    const pending: Array<ReturnType<typeof deferred>> = [];
    const gc = new GroupCommit<string>(() => {
      const d = deferred();
      pending.push(d);
      return d.promise;
    });
    let settled = false;
    const a = gc.submit('a').then(() => (settled = true));
    await Promise.resolve();
    const b = gc.submit('b');
    const c = gc.submit('c');
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    pending[0].resolve();
    await a;
    await new Promise((r) => setImmediate(r));
    pending[1].reject(new Error('disk full'));
    await expect(b).rejects.toThrow('disk full');
    await expect(c).rejects.toThrow('disk full');
    // and the writer goes on after a failure
    const d = gc.submit('d');
    await new Promise((r) => setImmediate(r));
    pending[2].resolve();
    await expect(d).resolves.toBeUndefined();
  });

  it('caps a batch at maxBatch rows', async () => {
    const writes: number[][] = [];
    const gc = new GroupCommit<number>(async (items) => void writes.push(items), 2);
    await Promise.all([1, 2, 3, 4, 5].map((i) => gc.submit(i)));
    expect(writes.map((w) => w.length).every((n) => n <= 2)).toBe(true);
    expect(writes.flat().sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
