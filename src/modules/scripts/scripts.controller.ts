import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Patch, Post, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { Roles } from '../../common/auth/roles.decorator';
import { EditVersion, VersionEtagInterceptor } from '../../common/http/edit-version';
import { ApiEditVersion } from '../../common/http/edit-version.openapi';
import { Role } from '../users/user.entity';
import { CreateScriptDto, PreviewDto, RenderedScript, SaveScriptVersionDto, ScriptResponse, ScriptVersionResponse, UpdateScriptDto } from './scripts.dto';
import { ScriptsService } from './scripts.service';

const EDITORS = [Role.Admin, Role.Manager];
/** Compliance reviews what agents are told to say (disclosures), read-only. */
const READERS = [Role.Admin, Role.Manager, Role.Compliance];

@ApiTags('scripts')
@ApiBearerAuth()
@Controller('api/scripts')
export class ScriptsController {
  constructor(private readonly scripts: ScriptsService) {}

  /** Roles: admin, manager. Creates the script and its version 1. Template problems come back as 400 with section, line, column. */
  @Post()
  @Roles(...EDITORS)
  create(@Body() dto: CreateScriptDto, @CurrentUser() user: AuthUser): Promise<ScriptResponse> {
    return this.scripts.create(dto, user.id);
  }

  /** Roles: admin, manager, compliance. */
  @Get()
  @Roles(...READERS)
  list() {
    return this.scripts.list();
  }

  /** Roles: admin, manager, compliance. The script with its current version. ETag: "<version>" (the edit version). */
  @Get(':id')
  @Roles(...READERS)
  @UseInterceptors(VersionEtagInterceptor)
  get(@Param('id', ParseUUIDPipe) id: string): Promise<ScriptResponse> {
    return this.scripts.get(id);
  }

  /** Roles: admin, manager. Name and description only; sections change through a new version. If-Match / body version: 412 when stale. */
  @Patch(':id')
  @Roles(...EDITORS)
  @ApiEditVersion()
  @UseInterceptors(VersionEtagInterceptor)
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateScriptDto, @EditVersion() expected: number | null): Promise<ScriptResponse> {
    return this.scripts.update(id, dto, expected);
  }

  /** Roles: admin, manager. Saves the sections as a new immutable version N+1. If-Match (the script's edit version): 412 when stale. */
  @Post(':id/versions')
  @Roles(...EDITORS)
  @ApiEditVersion()
  @UseInterceptors(VersionEtagInterceptor)
  saveVersion(
    @Param('id', ParseUUIDPipe) id: string, @Body() dto: SaveScriptVersionDto, @CurrentUser() user: AuthUser, @EditVersion() expected: number | null,
  ): Promise<ScriptResponse> {
    return this.scripts.saveVersion(id, dto, user.id, expected);
  }

  /** Roles: admin, manager, compliance. Every version, oldest first. */
  @Get(':id/versions')
  @Roles(...READERS)
  versions(@Param('id', ParseUUIDPipe) id: string): Promise<ScriptVersionResponse[]> {
    return this.scripts.listVersions(id);
  }

  /** Roles: admin, manager, compliance. */
  @Get(':id/versions/:version')
  @Roles(...READERS)
  version(@Param('id', ParseUUIDPipe) id: string, @Param('version', ParseIntPipe) version: number): Promise<ScriptVersionResponse> {
    return this.scripts.getVersion(id, version);
  }

  /** Roles: admin, manager. Renders a version with a real lead (leadId) or a sample lead; the caller plays the agent. */
  @Post(':id/preview')
  @HttpCode(200)
  @Roles(...EDITORS)
  preview(@Param('id', ParseUUIDPipe) id: string, @Body() dto: PreviewDto, @CurrentUser() user: AuthUser): Promise<RenderedScript> {
    return this.scripts.preview(id, dto, user);
  }
}
