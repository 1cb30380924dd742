import { Controller, Headers, HttpException, Req, HttpStatus, MessageEvent, NotAcceptableException, OnModuleDestroy, Param, ParseUUIDPipe, ServiceUnavailableException, Sse } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { IsNull, Repository } from 'typeorm';
import { defer, finalize, interval, map, merge, Observable, ReplaySubject, takeUntil } from 'rxjs';
import { AuthUser, CurrentUser, TokenIssuedAt } from '../../../common/auth/auth-user';
import { Roles } from '../../../common/auth/roles.decorator';
import { notFound } from '../../../common/errors/domain-error';
import { DeskPresence } from '../../agents/desk-presence.service';
import { CampaignEntity } from '../../campaigns/campaign.entity';
import { Role } from '../../users/user.entity';
import { AccountWatch } from './account-watch';
import { WebEvents } from './web-events';

/**
 * Keeps proxies from closing an idle stream and lets the page notice a dead one; the agent page answers each ping with
 * a beat (POST /api/agent/desk/beat), which is what keeps its desk present.
 */
const HEARTBEAT_MS = 15_000;
/** An event stream never ends; a client that did not ask for one (no text/event-stream in Accept) gets 406 at once. */
function assertWantsStream(accept: string | undefined): void {
  if (!(accept ?? '').includes('text/event-stream')) throw new NotAcceptableException('this endpoint is a server-sent event stream: send Accept: text/event-stream');
}

/**
 * Open event streams one user may hold in one API process (an agent's desk needs one, a manager one per dashboard tab).
 * Each costs a socket, a subscription and timers: a script opening thousands would exhaust the process.
 */
export const MAX_STREAMS_PER_USER = 10;

const heartbeat = (): Observable<MessageEvent> => interval(HEARTBEAT_MS).pipe(map(() => ({ type: 'ping', data: { at: new Date().toISOString() } })));

@ApiTags('events')
@Controller('api/events')
export class EventsController implements OnModuleDestroy {
  /** Ends every open stream when the application shuts down, so the HTTP server can close (the pages reconnect elsewhere). */
  private readonly shutdown$ = new ReplaySubject<void>(1);

  constructor(
    private readonly events: WebEvents,
    @InjectRepository(CampaignEntity) private readonly campaigns: Repository<CampaignEntity>,
    private readonly presence: DeskPresence,
    private readonly accounts: AccountWatch,
  ) {}

  /**
   * Roles: agent. Server-sent events about the calling agent only: state, call offered/connected (lead + rendered
   * script), ended. The stream and the page's answers to its pings (POST /api/agent/desk/beat) are the desk's
   * presence: when the stream closes, or the beats stop (a browser gone without closing the connection), a Ready agent
   * is paused by the dialer ('desk_closed') instead of being handed answered calls (see DeskPresence). The server's own
   * timer never beats: its socket may outlive the browser by many minutes. A stream whose user is disabled, or no
   * longer an agent, gets 'session.ended' ({ reason }) and is closed (AccountWatch).
   */
  @Sse('agent')
  @Roles(Role.Agent)
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'SSE stream of the calling agent’s own events' })
  agent(@CurrentUser() user: AuthUser, @TokenIssuedAt() issuedAt: number | undefined, @Req() req: Request, @Headers('accept') accept?: string): Observable<MessageEvent> {
    assertWantsStream(accept);
    const release = this.reserveStream(user.id, req);
    const own = this.events.forAgent(user.id).pipe(map((e) => ({ type: e.type, data: { at: e.at, ...e.data } })));
    const stream = defer(() => {
      void this.presence.opened(user.id).catch(() => undefined);
      return merge(own, heartbeat());
    }).pipe(finalize(() => void this.presence.closed(user.id, !this.shuttingDown).catch(() => undefined)));
    return this.counted(this.accounts.untilRevoked(stream, user.id, [Role.Agent], issuedAt), release);
  }

  /** Roles: manager, admin. Server-sent live stats ticks of one campaign; closed ('session.ended') like the agent's. */
  @Sse('campaigns/:id')
  @Roles(Role.Manager, Role.Admin)
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'SSE stream of one campaign’s live stats' })
  async campaign(
    @CurrentUser() user: AuthUser,
    @TokenIssuedAt() issuedAt: number | undefined,
    @Req() req: Request,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Headers('accept') accept?: string,
  ): Promise<Observable<MessageEvent>> {
    assertWantsStream(accept);
    const release = this.reserveStream(user.id, req);
    const exists = await this.campaigns.exists({ where: { id, deletedAt: IsNull() } }).catch((err) => {
      release();
      throw err;
    });
    if (!exists) {
      release();
      throw notFound('campaign');
    }
    const ticks = this.events.forCampaign(id).pipe(map((e) => ({ type: e.type, data: { at: e.at, ...e.data } })));
    return this.counted(this.accounts.untilRevoked(merge(ticks, heartbeat()), user.id, [Role.Manager, Role.Admin], issuedAt), release);
  }

  private readonly open = new Map<string, number>();
  private shuttingDown = false;

  onModuleDestroy(): void {
    this.shuttingDown = true;
    this.shutdown$.next();
    this.shutdown$.complete();
  }

  /**
   * Takes one of the user's stream slots at once (before any await: requests arriving together cannot all pass under
   * the cap) and returns its release, which runs once: when the stream ends, when the request fails before it, or
   * when the client's connection closes.
   */
  private reserveStream(userId: string, req: Request): () => void {
    if (this.shuttingDown) throw new ServiceUnavailableException('the server is shutting down: reconnect in a moment');
    if ((this.open.get(userId) ?? 0) >= MAX_STREAMS_PER_USER) {
      throw new HttpException(`too many open event streams for this user (at most ${MAX_STREAMS_PER_USER}): close other tabs`, HttpStatus.TOO_MANY_REQUESTS);
    }
    this.open.set(userId, (this.open.get(userId) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = (this.open.get(userId) ?? 1) - 1;
      if (n > 0) this.open.set(userId, n);
      else this.open.delete(userId);
    };
    // A client gone before the stream began (Nest then never subscribes it, so its finalize never runs) frees it too.
    req.once('close', release);
    return release;
  }

  /** The stream, holding its slot until it ends; ended when the application shuts down. */
  private counted(stream: Observable<MessageEvent>, release: () => void): Observable<MessageEvent> {
    return stream.pipe(takeUntil(this.shutdown$), finalize(release));
  }
}
