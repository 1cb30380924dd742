import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Response } from 'express';
import { join } from 'node:path';
import { Public } from '../../common/auth/roles.decorator';

/** Source tree (ts-node, jest) and build (dist/src/modules/web/public, copied by nest-cli) alike. */
export const PUBLIC_DIR = join(__dirname, 'public');
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Static scripts and styles of the pages; they hold no data, so they are public. */
@ApiExcludeController()
@Controller('assets')
export class AssetsController {
  @Get('*path')
  @Public()
  asset(@Param('path') path: string | string[], @Res() res: Response): void {
    const segments = Array.isArray(path) ? path : String(path).split('/');
    if (!segments.length || !segments.every((s) => SEGMENT.test(s))) throw new NotFoundException('no such asset');
    res.sendFile(segments.join('/'), {
      root: PUBLIC_DIR,
      dotfiles: 'deny',
      headers: { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' },
    }, (err) => {
      if (err && !res.headersSent) res.status(404).json({ statusCode: 404, error: 'NOT_FOUND', message: 'no such asset' });
    });
  }
}
