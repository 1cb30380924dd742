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
    let payload: { sub: string; role: Role; name: string };
    try {
      payload = await this.jwt.verifyAsync(token);
    } catch {
      throw new UnauthorizedException('invalid or expired token');
    }
    const user = await activeAccount(this.db, payload.sub);
    if (!user) throw new UnauthorizedException('this account is disabled or no longer exists');
    req.user = user;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || !roles.includes(user.role)) throw new ForbiddenException(`role ${user.role} may not call this endpoint`);
    return true;
  }
}

/** The account a token names, as it is now (its current role), or null when it is disabled or gone. */
export async function activeAccount(db: Pick<DataSource, 'query'>, userId: string): Promise<AuthUser | null> {
  const [account]: { role: Role; display_name: string; active: boolean }[] = await db.query(
    `SELECT role::text AS role, display_name, active FROM users WHERE id = $1`,
    [userId],
  );
  return account?.active ? { id: userId, role: account.role, displayName: account.display_name } : null;
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
