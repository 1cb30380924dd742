import { Controller, Delete, HttpCode, Post, Req, Res } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { extractToken } from '../../common/auth/auth.guard';
import { Public, Roles } from '../../common/auth/roles.decorator';
import { ALL_ROLES, Role } from '../users/user.entity';
import { homeFor } from './html/layout';

export const SESSION_COOKIE = 'dialer_token';

export class SessionResponse {
  @ApiProperty({ description: 'the page this role starts on', example: '/agent' }) home: string;
  @ApiProperty({ enum: Role }) role: Role;
  @ApiProperty() displayName: string;
}

/**
 * The browser keeps its token in an HttpOnly, SameSite=Strict cookie: page scripts never hold it after login,
 * and another site cannot make the browser send it.
 */
@ApiTags('auth')
@Controller('api/auth/session')
export class SessionController {
  constructor(private readonly jwt: JwtService) {}

  /** Roles: all. Turns the bearer token of this request into the session cookie. */
  @Post()
  @Roles(...ALL_ROLES)
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOkResponse({ type: SessionResponse })
  create(@Req() req: Request, @Res({ passthrough: true }) res: Response, @CurrentUser() user: AuthUser): SessionResponse {
    const token = extractToken(req as never)!;
    const { exp } = this.jwt.decode(token) as { exp: number };
    const maxAge = Math.max(0, exp * 1000 - Date.now());
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge });
    return { home: homeFor(user.role), role: user.role, displayName: user.displayName };
  }

  /** Roles: public (logging out must work with an expired token too). Clears the session cookie. */
  @Delete()
  @Public()
  @HttpCode(204)
  @ApiNoContentResponse()
  clear(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
  }
}
