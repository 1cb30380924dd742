import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { Request, Response } from 'express';
import { AuthUser } from '../../common/auth/auth-user';
import { DomainError } from '../../common/errors/domain-error';
import { homeFor, layout } from './html/layout';
import { errorBody } from './html/pages';
import { pickLang } from './i18n/messages';
import { PAGE_HEADERS } from './page-headers';

/**
 * Page routes answer people: not logged in -> redirect to /login (back here afterwards) when a browser asks;
 * logged in with the wrong role -> a 403 page in the user's language. The refusal itself is the AuthGuard's.
 */
@Catch()
export class PageExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const status =
      exception instanceof HttpException ? exception.getStatus() : exception instanceof DomainError && exception.code === 'FORBIDDEN' ? 403 : 500;
    if (status === 401 && (req.headers.accept ?? '').includes('text/html')) {
      res.redirect(302, `/login?next=${encodeURIComponent(req.path)}`);
      return;
    }
    if (status === 401) {
      // A program (no text/html in Accept) gets the plain answer the API gives.
      res.status(401).json({ statusCode: 401, error: 'UNAUTHORIZED', message: 'missing bearer token' });
      return;
    }
    const lang = pickLang(req.headers.cookie, req.headers['accept-language']);
    const user = req.user;
    res.status(status).set(PAGE_HEADERS);
    res.send(layout({ lang, title: status === 403 ? 'error.403.title' : 'error.other.title', user, body: errorBody(lang, status, user ? homeFor(user.role) : null) }));
  }
}
