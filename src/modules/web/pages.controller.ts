import { Controller, Get, Inject, Query, Req, Res, UseFilters } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiExcludeController } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { DataSource } from 'typeorm';
import { activeAccount, extractToken } from '../../common/auth/auth.guard';
import { Public, Roles } from '../../common/auth/roles.decorator';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Role } from '../users/user.entity';
import { SafeHtml } from './html/html';
import { homeFor, layout, PAGE_ROLES, PageName } from './html/layout';
import { agentBody, complianceBody, loginBody, managerBody } from './html/pages';
import { Lang, MessageKey, pickLang } from './i18n/messages';
import { PageExceptionFilter } from './page-exception.filter';
import { PAGE_HEADERS } from './page-headers';

/** Only same-site paths are accepted as the place to return to after login. */
const safeNext = (next: unknown): string => (typeof next === 'string' && /^\/[a-z]+$/.test(next) ? next : '');

/**
 * The three role pages and the login page. Each page declares its roles exactly like an API endpoint, so the
 * AuthGuard refuses a page to a role that may not see it before any markup is produced.
 */
@ApiExcludeController()
@Controller()
@UseFilters(PageExceptionFilter)
export class PagesController {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DataSource,
  ) {}

  @Get()
  @Public()
  async root(@Req() req: Request, @Res() res: Response): Promise<void> {
    const user = await this.userFromCookie(req);
    res.redirect(302, user ? homeFor(user.role) : '/login');
  }

  @Get('login')
  @Public()
  async login(@Req() req: Request, @Res() res: Response, @Query('next') next?: string): Promise<void> {
    const user = await this.userFromCookie(req);
    if (user) {
      res.redirect(302, homeFor(user.role));
      return;
    }
    const lang = this.lang(req);
    this.send(res, layout({ lang, title: 'login.title', script: 'login.js', body: loginBody(lang, safeNext(next)) }));
  }

  @Get('agent')
  @Roles(...PAGE_ROLES.agent)
  agent(@Req() req: Request, @Res() res: Response, @CurrentUser() user: AuthUser): void {
    const softphone = this.config.TELEPHONY === 'drachtio';
    this.page(req, res, user, 'agent', 'agent.title', (lang) => agentBody(lang, { softphone }));
  }

  @Get('manager')
  @Roles(...PAGE_ROLES.manager)
  manager(@Req() req: Request, @Res() res: Response, @CurrentUser() user: AuthUser): void {
    this.page(req, res, user, 'manager', 'mgr.title', managerBody);
  }

  @Get('compliance')
  @Roles(...PAGE_ROLES.compliance)
  compliance(@Req() req: Request, @Res() res: Response, @CurrentUser() user: AuthUser): void {
    this.page(req, res, user, 'compliance', 'cmp.title', complianceBody);
  }

  private page(req: Request, res: Response, user: AuthUser, name: PageName, title: MessageKey, body: (lang: Lang) => SafeHtml): void {
    const lang = this.lang(req);
    this.send(res, layout({ lang, title, script: `${name}.js`, user, active: name, body: body(lang) }));
  }

  private lang(req: Request): Lang {
    return pickLang(req.headers.cookie, req.headers['accept-language']);
  }

  private send(res: Response, markup: string): void {
    res.status(200).set(PAGE_HEADERS).send(markup);
  }

  /**
   * The signed-in user of the session cookie, as the guard would see them: a disabled or deleted account is nobody
   * (else /login would send them to a page the guard refuses, and back: a redirect loop).
   */
  private async userFromCookie(req: Request): Promise<{ role: Role } | null> {
    const token = extractToken(req as never);
    if (!token) return null;
    const payload = await this.jwt.verifyAsync<{ sub: string; iat?: number }>(token).catch(() => null);
    return payload ? activeAccount(this.db, payload.sub, payload.iat) : null;
  }
}


