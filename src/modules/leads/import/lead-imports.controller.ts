/// <reference types="multer" />
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { AuthUser, CurrentUser } from '../../../common/auth/auth-user';
import { Roles } from '../../../common/auth/roles.decorator';
import { Role } from '../../users/user.entity';
import { CreateImportDto, ImportResponse, ListImportsQuery } from './lead-import.dto';
import { LeadImportsService } from './lead-imports.service';

@ApiTags('lead imports')
@ApiBearerAuth()
@Controller('api/lead-imports')
export class LeadImportsController {
  constructor(private readonly imports: LeadImportsService) {}

  /**
   * Roles: admin, manager. Multipart upload, streamed to disk (never held in memory); the form fields are
   * validated here (not by the global pipe) so that a refused upload's file is removed.
   */
  @Post()
  @Roles(Role.Admin, Role.Manager)
  @UseInterceptors(FileInterceptor('file'))
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: CreateImportDto })
  @ApiOkResponse({ type: ImportResponse })
  create(@UploadedFile() file: Express.Multer.File | undefined, @Body() body: Record<string, unknown>, @CurrentUser() user: AuthUser): Promise<ImportResponse> {
    return this.imports.create(file, body, user);
  }

  /** Roles: admin, manager. */
  @Get()
  @Roles(Role.Admin, Role.Manager)
  @ApiOkResponse({ type: [ImportResponse] })
  list(@Query() q: ListImportsQuery): Promise<ImportResponse[]> {
    return this.imports.list(q.listId);
  }

  /** Roles: admin, manager. Status and counts, updated while the job runs. */
  @Get(':id')
  @Roles(Role.Admin, Role.Manager)
  @ApiOkResponse({ type: ImportResponse })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<ImportResponse> {
    return this.imports.find(id);
  }

  /** Roles: admin, manager. */
  @Post(':id/cancel')
  @HttpCode(200)
  @Roles(Role.Admin, Role.Manager)
  @ApiOkResponse({ type: ImportResponse })
  cancel(@Param('id', ParseUUIDPipe) id: string): Promise<ImportResponse> {
    return this.imports.cancel(id);
  }

  /** Roles: admin, manager. The per-row report: line, column, reason, action. */
  @Get(':id/errors.csv')
  @Roles(Role.Admin, Role.Manager)
  @ApiProduces('text/csv')
  async errors(@Param('id', ParseUUIDPipe) id: string, @Res() res: Response): Promise<void> {
    await this.imports.get(id);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="import-${id}-errors.csv"`);
    await this.imports.writeErrorReport(id, res);
  }
}
