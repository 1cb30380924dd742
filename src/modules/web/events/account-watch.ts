import { Injectable, MessageEvent, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { filter, from, interval, map, merge, mergeMap, Observable, Subject, take } from 'rxjs';
import { sessionAccount } from '../../../common/auth/auth.guard';
import { LiveEventBus } from '../../dialer/live-events';
import { Role } from '../../users/user.entity';

/** The backstop for a change the signal did not carry (a row edited by hand, Redis down at that moment). */
export const ACCOUNT_RECHECK_MS = 15_000;

/**
 * Why a stream was closed: the page goes to the login page (disabled; session_ended: the password was changed after
 * the stream's token was issued) or to the home page of the new role.
 */
export type SessionEndReason = 'account_disabled' | 'session_ended' | 'role_changed';

/**
 * The auth guard checks an event stream's account once, at connect; a stream then stays open for hours. This closes
 * the streams of a user an admin disabled, or whose new role the stream no longer allows, within a moment of the
 * change: UsersService publishes 'account.changed' on the live-event bus (Redis, so every API process hears it) and
 * each affected stream reads the account again. The same check runs every ACCOUNT_RECHECK_MS as a backstop.
 */
@Injectable()
export class AccountWatch implements OnModuleInit, OnModuleDestroy {
  private readonly changed$ = new Subject<string>();
  private unsubscribe?: () => void;

  constructor(
    private readonly bus: LiveEventBus,
    private readonly db: DataSource,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((e) => {
      if (e.name === 'account.changed') this.changed$.next((e.payload as { userId: string }).userId);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.changed$.complete();
  }

  /**
   * Emits one 'session.ended' event (then completes) once the user is disabled or their role is no longer one of
   * `roles`. A stream ends with it: `untilRevoked(stream, userId, roles)`.
   */
  revoked(userId: string, roles: Role[], recheckMs = ACCOUNT_RECHECK_MS, issuedAt?: number): Observable<MessageEvent> {
    const signal = this.changed$.pipe(filter((id) => id === userId));
    return merge(signal, interval(recheckMs)).pipe(
      mergeMap(() => from(this.verdict(userId, roles, issuedAt)).pipe(filter((r): r is SessionEndReason => r !== null))),
      take(1),
      map((reason) => ({ type: 'session.ended', data: { reason, at: new Date().toISOString() } })),
    );
  }

  /** The stream's events until the account loses it, then 'session.ended', then the end of the stream. */
  untilRevoked(stream: Observable<MessageEvent>, userId: string, roles: Role[], issuedAt?: number): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      const events = stream.subscribe({ next: (e) => subscriber.next(e), error: (err) => subscriber.error(err) });
      const ender = this.revoked(userId, roles, ACCOUNT_RECHECK_MS, issuedAt).subscribe((e) => {
        events.unsubscribe();
        subscriber.next(e);
        subscriber.complete();
      });
      return () => {
        events.unsubscribe();
        ender.unsubscribe();
      };
    });
  }

  private async verdict(userId: string, roles: Role[], issuedAt?: number): Promise<SessionEndReason | null> {
    // A failed read (database restarting) is not a verdict: the stream stays until the next check says so.
    const account = await sessionAccount(this.db, userId, issuedAt).catch(() => undefined);
    if (account === undefined) return null;
    if (account === 'disabled') return 'account_disabled';
    if (account === 'ended') return 'session_ended';
    return roles.includes(account.role) ? null : 'role_changed';
  }
}
