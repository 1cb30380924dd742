import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Role } from '../../modules/users/user.entity';

export interface AuthUser {
  id: string;
  role: Role;
  displayName: string;
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user);

/** When the request's token was issued (JWT iat, seconds), as the guard read it: long-lived streams re-check it. */
export const TokenIssuedAt = createParamDecorator((_: unknown, ctx: ExecutionContext): number | undefined => ctx.switchToHttp().getRequest().tokenIssuedAt);
