import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { Role } from '../../modules/users/user.entity';
import { AuthUser } from './auth-user';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

/**
 * One guard for every request: a valid bearer token (or the session cookie the web pages use), then the role.
 * Fails closed: an endpoint that declares no roles and is not public is refused to everyone.
 * The account is read on every request (one primary-key lookup): a deactivated user is refused at once, and a
 * changed role applies at once, not when the token (up to JWT_EXPIRES_IN) runs out.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(JwtService) private readonly jwt: JwtService,
    private readonly db: DataSource,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest();
    const token = extractToken(req);
    if (!token) throw new UnauthorizedException('missing bearer token');
    let payload: { sub: string; role: Role; name: string; iat?: number };
    try {
      payload = await this.jwt.verifyAsync(token);
    } catch {
      throw new UnauthorizedException('invalid or expired token');
    }
    const user = await sessionAccount(this.db, payload.sub, payload.iat);
    if (user === 'disabled') throw new UnauthorizedException('this account is disabled or no longer exists');
    if (user === 'ended') throw new UnauthorizedException('this session has ended (the password was changed): log in again');
    req.user = user;
    req.tokenIssuedAt = payload.iat;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || !roles.includes(user.role)) throw new ForbiddenException(`role ${user.role} may not call this endpoint`);
    return true;
  }
}

/**
 * The account a token names, as it is now (its current role); 'disabled' when it is disabled or gone; 'ended' when
 * the token was issued (iat, seconds) before the account's sessions were cut (a password change).
 */
export async function sessionAccount(db: Pick<DataSource, 'query'>, userId: string, issuedAt?: number): Promise<AuthUser | 'disabled' | 'ended'> {
  const [account]: { role: Role; display_name: string; active: boolean; valid_after: string | null }[] = await db.query(
    `SELECT role::text AS role, display_name, active, extract(epoch FROM sessions_valid_after)::bigint::text AS valid_after FROM users WHERE id = $1`,
    [userId],
  );
  if (!account?.active) return 'disabled';
  if (account.valid_after !== null && issuedAt !== undefined && issuedAt < Number(account.valid_after)) return 'ended';
  return { id: userId, role: account.role, displayName: account.display_name };
}

/** The account a token names, as it is now, or null when it is disabled, gone, or the token's session has ended. */
export async function activeAccount(db: Pick<DataSource, 'query'>, userId: string, issuedAt?: number): Promise<AuthUser | null> {
  const a = await sessionAccount(db, userId, issuedAt);
  return typeof a === 'string' ? null : a;
}

export function extractToken(req: { headers: Record<string, string | string[] | undefined>; query?: Record<string, unknown> }): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7);
  const cookie = req.headers.cookie;
  if (typeof cookie === 'string') {
    const m = /(?:^|;\s*)dialer_token=([^;]+)/.exec(cookie);
    if (m) {
      try {
        return decodeURIComponent(m[1]);
      } catch {
        return undefined; // not valid percent-encoding: no token (401), not a 500
      }
    }
  }
  return undefined;
}
