import { MessageEvent } from '@nestjs/common';
import { firstValueFrom, Subject, toArray } from 'rxjs';
import { DataSource } from 'typeorm';
import { LiveEvent, LiveEventBus } from '../../dialer/live-events';
import { Role } from '../../users/user.entity';
import { AccountWatch } from './account-watch';

function setup(account: { role: Role; active: boolean } | null) {
  const listeners: ((e: LiveEvent) => void)[] = [];
  const bus = { subscribe: (l: (e: LiveEvent) => void) => (listeners.push(l), () => undefined) } as unknown as LiveEventBus;
  const row = { current: account };
  const db = { query: async () => (row.current ? [{ role: row.current.role, display_name: 'x', active: row.current.active }] : []) } as unknown as DataSource;
  const watch = new AccountWatch(bus, db);
  watch.onModuleInit();
  const signal = (userId: string) => listeners.forEach((l) => l({ name: 'account.changed', payload: { userId, at: '' } }));
  return { watch, row, signal };
}

describe('AccountWatch', () => {
  it('ends the stream on the signal for its user once the account is disabled, not on a signal for someone else', async () => {
    const { watch, row, signal } = setup({ role: Role.Agent, active: true });
    const source = new Subject<MessageEvent>();
    const done = firstValueFrom(watch.untilRevoked(source, 'u1', [Role.Agent]).pipe(toArray()));
    source.next({ type: 'agent.state', data: { n: 1 } });
    row.current = { role: Role.Agent, active: false };
    signal('u2');
    await new Promise((r) => setTimeout(r, 20));
    source.next({ type: 'agent.state', data: { n: 2 } }); // still open: the signal was another user's
    signal('u1');
    const got = await done;
    expect(got.map((e) => e.type)).toEqual(['agent.state', 'agent.state', 'session.ended']);
    expect((got[2].data as { reason: string }).reason).toBe('account_disabled');
  });

  it('notices a role change without any signal (the periodic re-check, e.g. a row edited by hand)', async () => {
    const { watch, row } = setup({ role: Role.Agent, active: true });
    const ended = firstValueFrom(watch.revoked('u1', [Role.Agent], 20));
    row.current = { role: Role.Compliance, active: true };
    expect((await ended).data).toMatchObject({ reason: 'role_changed' });
  });

  it('keeps the stream when the read fails (database restarting): no verdict is not a revocation', async () => {
    const { watch } = setup({ role: Role.Agent, active: true });
    (watch as unknown as { db: { query: () => Promise<never> } }).db.query = () => Promise.reject(new Error('down'));
    const got: unknown[] = [];
    const sub = watch.revoked('u1', [Role.Agent], 10).subscribe((e) => got.push(e));
    await new Promise((r) => setTimeout(r, 60));
    sub.unsubscribe();
    expect(got).toEqual([]);
  });
});
