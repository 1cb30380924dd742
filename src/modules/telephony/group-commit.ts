/**
 * Group commit for per-call writes: rows submitted while a write is in flight are written together by the next
 * one (one statement, one transaction, one WAL flush for the lot), and each submitter's promise settles only when
 * the write that carried its row has committed. Under load, N concurrent calls cost about one round trip instead of
 * N, and nothing is acknowledged before it is durable; when idle, a row is written at once (no timer, no delay).
 * A write may answer each row (e.g. whether a conditional UPDATE applied to it): it then returns one result per
 * item, in the items' order, and each submitter's promise resolves with its own.
 */
export class GroupCommit<T, R = void> {
  private queue: Array<{ item: T; resolve: (result: R) => void; reject: (err: unknown) => void }> = [];
  private inFlight = 0;
  private batches = 0;
  private rows = 0;

  /**
   * @param write writes one batch (e.g. one multi-row INSERT or UPDATE ... FROM unnest(...)); must be atomic; may
   * return one result per item
   * @param maxBatch largest batch one write carries
   * @param concurrency writes in flight at once (each on its own connection)
   */
  constructor(
    private readonly write: (items: T[]) => Promise<R[] | void>,
    private readonly maxBatch = 500,
    private readonly concurrency = 1,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // Rows submitted in the same tick go together; the first of an idle period is not held back for company.
      if (this.inFlight < this.concurrency && this.queue.length === 1) queueMicrotask(() => this.pump());
    });
  }

  /** Batches written and rows carried so far (rows / batches = the average batch). */
  stats(): { batches: number; rows: number } {
    return { batches: this.batches, rows: this.rows };
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      this.batches += 1;
      this.rows += batch.length;
      this.write(batch.map((b) => b.item)).then(
        (results) => batch.forEach((b, i) => b.resolve((results ? results[i] : undefined) as R)),
        (err) => batch.forEach((b) => b.reject(err)),
      ).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }
}
