import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Role } from '../../modules/users/user.entity';

export interface AuthUser {
  id: string;
  role: Role;
  displayName: string;
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user);
