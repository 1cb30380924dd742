import { SetMetadata } from '@nestjs/common';
import { Role } from '../../modules/users/user.entity';

export const ROLES_KEY = 'roles';
export const PUBLIC_KEY = 'public';

/** Which roles may call this endpoint. Every endpoint says so: one without it is refused to all. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** An endpoint anyone may call without a token (login, health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
