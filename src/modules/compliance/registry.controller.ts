import { ArgumentsHost, Body, Catch, Controller, Get, Param, Post, Put, UploadedFile, UseFilters, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { diskStorage } from 'multer';
import { mkdirSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { Roles } from '../../common/auth/roles.decorator';
import { invalid } from '../../common/errors/domain-error';
import { AllExceptionsFilter } from '../../common/errors/http-exception.filter';
import { Role } from '../users/user.entity';
import { CallingHoursRuleDto, FrequencyCapDto, RegistryImportDto } from './compliance.dto';
import { ComplianceRulesService } from './compliance-rules.service';
import { RegistryImportService } from './registry-import.service';

/** Uploaded registry files wait here for the import job (a worker on the same host or a shared volume). */
export const REGISTRY_UPLOAD_DIR = join(tmpdir(), 'dialer-dnc-imports');

const upload = FileInterceptor('file', {
  storage: diskStorage({
    destination: (_req, _file, cb) => {
      mkdirSync(REGISTRY_UPLOAD_DIR, { recursive: true });
      cb(null, REGISTRY_UPLOAD_DIR);
    },
    filename: (_req, _file, cb) => cb(null, `${randomUUID()}.txt`),
  }),
  limits: { fileSize: 4 * 1024 ** 3, files: 1 },
});

/** A refused upload (bad fields, wrong role after upload) leaves no file behind; the error body is the usual one. */
@Catch()
class DiscardUploadOnError extends AllExceptionsFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const file = host.switchToHttp().getRequest<{ file?: { path?: string } }>().file;
    if (file?.path) void fs.unlink(file.path).catch(() => undefined);
    super.catch(exception, host);
  }
}

@ApiTags('compliance')
@ApiBearerAuth()
@Controller('api/compliance')
export class RegistryController {
  constructor(
    private readonly imports: RegistryImportService,
    private readonly rules: ComplianceRulesService,
  ) {}

  @Post('registry/imports')
  @Roles(Role.Admin)
  @UseInterceptors(upload)
  @UseFilters(new DiscardUploadOnError())
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'source', 'country', 'fileDate'],
      properties: {
        file: { type: 'string', format: 'binary' }, source: { type: 'string' }, country: { type: 'string' }, fileDate: { type: 'string', format: 'date' },
        allowShrink: {
          type: 'boolean', default: false,
          description: 'accept a file with fewer than half the numbers of the copy in force (else it fails as probably truncated)',
        },
      },
    },
  })
  @ApiOperation({
    summary: 'Upload a national registry file (one number per line) and import it as a job (roles: admin)',
    description: 'The import fails, leaving the copy in force, when the file gives no number, or fewer than half the numbers of the copy in force without allowShrink=true.',
  })
  async upload(@UploadedFile() file: Express.Multer.File | undefined, @Body() dto: RegistryImportDto, @CurrentUser() user: AuthUser) {
    if (!file) throw invalid('file', 'is required (multipart field "file")');
    if (new Date(`${dto.fileDate}T00:00:00Z`).getTime() > Date.now() + 86400_000) throw invalid('fileDate', 'must not be in the future');
    return this.imports.enqueue({ path: file.path, originalName: file.originalname, size: file.size }, dto, user.id);
  }

  @Get('registry/imports')
  @Roles(Role.Admin, Role.Compliance)
  @ApiOperation({ summary: 'Registry imports with progress, newest first (roles: admin, compliance)' })
  async list() {
    const [items, status] = await Promise.all([this.imports.list(), this.imports.status(new Date())]);
    return { items, registryWarning: status.warning };
  }

  @Get('registry/imports/:id')
  @Roles(Role.Admin, Role.Compliance)
  @ApiOperation({ summary: 'One registry import and its progress (roles: admin, compliance)' })
  get(@Param('id') id: string) {
    if (!/^\d{1,18}$/.test(id)) throw invalid('id', 'must be an import id');
    return this.imports.get(id);
  }

  @Get('registry/status')
  @Roles(Role.Admin, Role.Compliance, Role.Manager)
  @ApiOperation({ summary: 'Current registry copies and a warning when one is older than 31 days (roles: admin, compliance, manager)' })
  status() {
    return this.imports.status(new Date());
  }

  @Get('rules/calling-hours')
  @Roles(Role.Admin, Role.Compliance, Role.Manager)
  @ApiOperation({ summary: 'Legal calling-hours rules per country/region (roles: admin, compliance, manager)' })
  listRules() {
    return this.rules.list();
  }

  @Get('rules/frequency-cap')
  @Roles(Role.Admin, Role.Compliance, Role.Manager)
  @ApiOperation({ summary: 'Per-number frequency cap across campaigns (roles: admin, compliance, manager)' })
  frequencyCap() {
    return this.rules.frequencyCap();
  }

  @Put('rules/frequency-cap')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Set the per-number frequency cap, e.g. 3 dials per 24 h (roles: admin)' })
  setFrequencyCap(@Body() dto: FrequencyCapDto, @CurrentUser() user: AuthUser) {
    return this.rules.setFrequencyCap(dto, user.id);
  }

  @Put('rules/calling-hours/:region')
  @Roles(Role.Admin)
  @ApiOperation({ summary: "Add or replace a region's legal calling window, e.g. US-FL (roles: admin)" })
  upsertRule(@Param('region') region: string, @Body() dto: CallingHoursRuleDto, @CurrentUser() user: AuthUser) {
    const r = region.toUpperCase();
    if (!/^(\*|[A-Z]{2}(-[A-Z0-9]{1,3})?)$/.test(r)) throw invalid('region', "must be a country code, country-region (US-FL) or '*'");
    return this.rules.upsert({ region: r, windows: dto.windows, holidays: dto.holidays ?? [], citation: dto.citation }, user.id);
  }
}
