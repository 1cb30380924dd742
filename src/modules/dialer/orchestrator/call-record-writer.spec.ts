import { CallOpening, CallRecordWriter, SqlRunner } from './call-record-writer';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const settle = () => new Promise((r) => setImmediate(r));

/** A database whose statements stay pending until the test answers them. */
class PendingDb implements SqlRunner {
  readonly statements: { sql: string; params: unknown[]; answer: ReturnType<typeof deferred<unknown>> }[] = [];
  query(sql: string, params: unknown[] = []): Promise<unknown> {
    const answer = deferred<unknown>();
    this.statements.push({ sql, params, answer });
    return answer.promise;
  }
  /** Ids the statement carried (its first parameter). */
  ids(i: number): string[] {
    return this.statements[i].params[0] as string[];
  }
}

const opening = (callId: string): CallOpening => ({
  callId, campaignId: 'c0ffee00-0000-4000-8000-000000000001', leadId: '7', phone: '+12025550143', attempt: 1, dialMode: 'progressive',
  callerId: '+12025550100', gatewayId: null, workerId: 'w1', at: new Date('2026-11-23T12:00:00Z'),
});

describe('CallRecordWriter', () => {
  it('opens the records of calls launched together with one statement, and answers each caller for its own row', async () => {
    const db = new PendingDb();
    const writer = new CallRecordWriter(db, { concurrency: 1 });
    const first = writer.open(opening('a'));
    await settle();
    expect(db.ids(0)).toEqual(['a']); // an idle writer does not wait for company
    const later = ['b', 'c', 'd'].map((id) => writer.open(opening(id)));
    await settle();
    expect(db.statements).toHaveLength(1); // one statement in flight: b, c, d wait for the next
    db.statements[0].answer.resolve([{ id: 'a' }]);
    await expect(first).resolves.toBe(true);
    await settle();
    expect(db.statements).toHaveLength(2);
    expect(db.ids(1)).toEqual(['b', 'c', 'd']);
    expect(db.statements[1].sql).toMatch(/INSERT INTO calls[\s\S]*ON CONFLICT DO NOTHING/);
    expect(db.statements[1].sql).toMatch(/INSERT INTO compliance_events[\s\S]*'attempt'/);
    // c's number already had a live call: the statement skipped its row (no record, no attempt), the others committed.
    db.statements[1].answer.resolve([{ id: 'b' }, { id: 'd' }]);
    await expect(Promise.all(later)).resolves.toEqual([true, false, true]);
    expect(writer.stats().opens).toEqual({ batches: 2, rows: 4 });
  });

  it('fails every caller of a failed statement (nothing reported persisted) and goes on with the next batch', async () => {
    const db = new PendingDb();
    const writer = new CallRecordWriter(db, { concurrency: 1 });
    const a = writer.open(opening('a'));
    await settle();
    const b = writer.open(opening('b'));
    const c = writer.open(opening('c'));
    await settle();
    db.statements[0].answer.resolve([{ id: 'a' }]);
    await expect(a).resolves.toBe(true);
    await settle();
    db.statements[1].answer.reject(new Error('could not extend file: No space left on device'));
    await expect(b).rejects.toThrow('No space left');
    await expect(c).rejects.toThrow('No space left');
    const d = writer.open(opening('d'));
    await settle();
    db.statements[2].answer.resolve([{ id: 'd' }]);
    await expect(d).resolves.toBe(true);
  });

  it('closes records together, from the states each may close from, and says which applied', async () => {
    const db = new PendingDb();
    const writer = new CallRecordWriter(db, { concurrency: 1 });
    const at = new Date('2026-11-23T12:01:00Z');
    const blocker = writer.close({ callId: 'x', to: 'failed', endAt: at, hangupBy: 'carrier', outcome: 'busy', sipCode: 486 });
    await settle();
    const failed = writer.close({ callId: 'a', to: 'failed', endAt: at, hangupBy: 'carrier', outcome: 'no_answer', sipCode: 487, providerCallId: 'sip-1' });
    const ended = writer.close({ callId: 'b', to: 'ended', endAt: at, hangupBy: 'customer', outcome: 'machine' });
    const wrap = writer.close({ callId: 'c', to: 'wrap_up', endAt: at, hangupBy: 'agent' });
    await settle();
    db.statements[0].answer.resolve([[{ id: 'x' }], 1]);
    await blocker;
    await settle();
    const [ids, states, from, , hangupBy, outcome, code, , sipCallId] = db.statements[1].params as unknown[][];
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(states).toEqual(['failed', 'ended', 'wrap_up']);
    expect(from).toEqual(['preview,queued,dialing,ringing,answered', 'answered,connected,abandoned', 'connected']);
    expect(hangupBy).toEqual(['carrier', 'customer', 'agent']);
    expect(outcome).toEqual(['no_answer', 'machine', null]); // null keeps the record's outcome (coalesce)
    expect(code).toEqual([487, null, null]);
    expect(sipCallId).toEqual(['sip-1', null, null]);
    // b had already been closed by someone else (not in a state it may close from): only a and c applied.
    db.statements[1].answer.resolve([[{ id: 'a' }, { id: 'c' }], 2]); // TypeORM's answer to UPDATE ... RETURNING
    await expect(Promise.all([failed, ended, wrap])).resolves.toEqual([true, false, true]);
  });

  it('reads the rows of a pg Pool result too', async () => {
    const writer = new CallRecordWriter({ query: async () => ({ rows: [{ id: 'a' }] }) });
    await expect(Promise.all([writer.open(opening('a')), writer.open(opening('b'))])).resolves.toEqual([true, false]);
  });
});
