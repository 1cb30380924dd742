import { Controller, Get, NotFoundException, Param, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Response } from 'express';
import { dirname, join } from 'node:path';
import { Public, Roles } from '../../../common/auth/roles.decorator';
import { Role } from '../../users/user.entity';
import { PageExceptionFilter } from '../../web/page-exception.filter';
import { PAGE_HEADERS } from '../../web/page-headers';

/** The page and its script: source tree (ts-node, jest) and build (copied by nest-cli) alike. */
export const SOFTPHONE_PUBLIC_DIR = join(__dirname, 'public');
/** SIP.js (npm `sip.js`): plain ES modules with no dependencies, served as they are to the browser. */
export const SIPJS_LIB_DIR = join(dirname(require.resolve('sip.js')));
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** The page may open WebSockets (SIP over WS to drachtio-server) besides its own origin; nothing inline. */
export const SOFTPHONE_HEADERS: Record<string, string> = {
  ...PAGE_HEADERS,
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob: mediastream:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
};
const STATIC_HEADERS = { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };

/**
 * The agent's browser softphone: registers with drachtio-server over SIP/WebSocket with the agent's SIP account
 * (users.sip_username / sip_password), answers the dialer's agent leg and its re-INVITEs on its own, and plays the
 * call. Media is DTLS-SRTP with ICE to rtpengine (the adapter offers browser legs with rtpengine's WebRTC profile).
 */
@ApiExcludeController()
@Controller('softphone')
export class SoftphoneController {
  /** Roles: agent. The page holds no data; the SIP account is typed in by the agent. Not logged in: to /login and back. */
  @Get()
  @Roles(Role.Agent)
  @UseFilters(PageExceptionFilter)
  page(@Res() res: Response): void {
    res.set(SOFTPHONE_HEADERS).sendFile('softphone.html', { root: SOFTPHONE_PUBLIC_DIR });
  }

  /** Public: the page's script and SIP.js hold no data (like /assets). */
  @Get('app.js')
  @Public()
  script(@Res() res: Response): void {
    res.set(STATIC_HEADERS).type('text/javascript').sendFile('softphone.js', { root: SOFTPHONE_PUBLIC_DIR });
  }

  @Get('softphone.css')
  @Public()
  style(@Res() res: Response): void {
    res.set(STATIC_HEADERS).type('text/css').sendFile('softphone.css', { root: SOFTPHONE_PUBLIC_DIR });
  }

  @Get('sip.js/*path')
  @Public()
  sipjs(@Param('path') path: string | string[], @Res() res: Response): void {
    const segments = Array.isArray(path) ? path : String(path).split('/');
    if (!segments.length || !segments.every((s) => SEGMENT.test(s)) || !segments[segments.length - 1].endsWith('.js')) {
      throw new NotFoundException('no such module');
    }
    res.set(STATIC_HEADERS).type('text/javascript').sendFile(segments.join('/'), { root: SIPJS_LIB_DIR, dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) res.status(404).json({ statusCode: 404, error: 'NOT_FOUND', message: 'no such module' });
    });
  }
}
