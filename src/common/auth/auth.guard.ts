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
    const [account]: { role: Role; display_name: string; active: boolean }[] = await this.db.query(
      `SELECT role::text AS role, display_name, active FROM users WHERE id = $1`,
      [payload.sub],
    );
    if (!account || !account.active) throw new UnauthorizedException('this account is disabled or no longer exists');
    const user: AuthUser = { id: payload.sub, role: account.role, displayName: account.display_name };
    req.user = user;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || !roles.includes(user.role)) throw new ForbiddenException(`role ${user.role} may not call this endpoint`);
    return true;
  }
}

export function extractToken(req: { headers: Record<string, string | string[] | undefined>; query?: Record<string, unknown> }): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7);
  const cookie = req.headers.cookie;
  if (typeof cookie === 'string') {
    const m = /(?:^|;\s*)dialer_token=([^;]+)/.exec(cookie);
    if (m) return decodeURIComponent(m[1]);
  }
  return undefined;
}
