import { CallHandler, createParamDecorator, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import { DomainError, invalid } from '../errors/domain-error';

/*
 * Optimistic concurrency for what managers and admins edit (campaigns, scripts, objections, SIP gateways): each row
 * has an integer `version`, moved by one by every change a user makes to it, answered as `version` and, on a single
 * resource, as `ETag: "<version>"`. An edit that names the version it was based on (`If-Match: "<version>"` or
 * `version` in the body) is applied only while the row is still at that version, checked under the row lock, so of
 * two edits based on the same version exactly one wins; the other gets 412 naming `version`, with `currentVersion`.
 * An edit that names no version is applied as before (older clients); clients should send it.
 */

const TAG = /^"(\d{1,9})"$|^(\d{1,9})$/;

/** The version an edit is based on: If-Match and/or body `version` (they must agree); null when neither is given or If-Match is `*`. */
export function expectedVersion(ifMatch: string | string[] | undefined, bodyVersion: unknown): number | null {
  let fromHeader: number | null = null;
  const header = (Array.isArray(ifMatch) ? ifMatch.join(',') : ifMatch)?.trim();
  if (header && header !== '*') {
    const tags = [...new Set(header.split(',').map((s) => s.trim()).filter(Boolean))];
    const m = tags.length === 1 ? TAG.exec(tags[0]) : null;
    if (!m) throw invalid('If-Match', 'must be one entity tag "<version>" as given in the ETag header');
    fromHeader = Number(m[1] ?? m[2]);
  }
  let fromBody: number | null = null;
  if (bodyVersion !== undefined && bodyVersion !== null) {
    if (typeof bodyVersion !== 'number' || !Number.isInteger(bodyVersion) || bodyVersion < 1) throw invalid('version', 'must be a positive integer');
    fromBody = bodyVersion;
  }
  if (fromHeader !== null && fromBody !== null && fromHeader !== fromBody) throw invalid('version', `is ${fromBody} but If-Match names ${fromHeader}`);
  return fromHeader ?? fromBody;
}

/** The version a PATCH/PUT is based on (If-Match header or body `version`), or null for an unconditional edit. */
export const EditVersion = createParamDecorator((_: unknown, ctx: ExecutionContext): number | null => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const body = req.body as Record<string, unknown> | undefined;
  return expectedVersion(req.headers['if-match'], body && typeof body === 'object' && !Array.isArray(body) ? body.version : undefined);
});

/** 412 when an edit based on `expected` finds the row at `current` (someone else changed it in between). */
export function assertVersion(what: string, expected: number | null, current: number): void {
  if (expected === null || expected === current) return;
  throw new DomainError(
    'PRECONDITION_FAILED',
    `the ${what} was changed by someone else since version ${expected} was loaded (now version ${current}): reload it to see the changes`,
    [{ field: 'version', reason: `is ${expected}, but the ${what} is now at version ${current}: it was changed since it was loaded` }],
    { currentVersion: current },
  );
}

/**
 * Sets `ETag: "<version>"` from the response body's `version` (single-resource GET, PATCH and PUT). That tag is the
 * edit version, for If-Match: it does not cover what changes without an edit (a campaign's status, a script's
 * campaigns), so If-None-Match is ignored here (Express would otherwise answer 304 with a stale status).
 */
@Injectable()
export class VersionEtagInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    delete ctx.switchToHttp().getRequest<Request>().headers['if-none-match'];
    return next.handle().pipe(tap((body) => {
      const version = (body as { version?: unknown } | null)?.version;
      if (Number.isInteger(version)) ctx.switchToHttp().getResponse<Response>().setHeader('ETag', `"${version}"`);
    }));
  }
}
