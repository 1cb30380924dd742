import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { Roles } from '../../common/auth/roles.decorator';
import { invalid } from '../../common/errors/domain-error';
import { EditVersion, VersionEtagInterceptor } from '../../common/http/edit-version';
import { ApiEditVersion } from '../../common/http/edit-version.openapi';
import { Role } from '../users/user.entity';
import { ObjectionResponse, ObjectionStats, ObjectionsService, RenderedObjection } from './objections.service';
import { CreateObjectionDto, ObjectionPreviewDto, UpdateObjectionDto } from './scripts.dto';

const EDITORS = [Role.Admin, Role.Manager];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('objections')
@ApiBearerAuth()
@Controller('api/campaigns/:campaignId/objections')
export class ObjectionsController {
  constructor(private readonly objections: ObjectionsService) {}

  /** Roles: admin, manager, compliance (read-only). */
  @Get()
  @Roles(Role.Admin, Role.Manager, Role.Compliance)
  list(@Param('campaignId', ParseUUIDPipe) campaignId: string): Promise<ObjectionResponse[]> {
    return this.objections.list(campaignId);
  }

  /** Roles: admin, manager. Frequency, overcome rate and conversion after each objection; per script version too. */
  @Get('stats')
  @Roles(...EDITORS)
  @ApiQuery({ name: 'scriptVersionId', required: false, description: 'restrict the overall figures to calls that showed this script version' })
  stats(@Param('campaignId', ParseUUIDPipe) campaignId: string, @Query('scriptVersionId') scriptVersionId?: string): Promise<ObjectionStats> {
    if (scriptVersionId !== undefined && !UUID.test(scriptVersionId)) throw invalid('scriptVersionId', 'must be a UUID');
    return this.objections.stats(campaignId, scriptVersionId);
  }

  /** Roles: admin, manager. The rebuttal is a template like the script's and is checked the same way. */
  @Post()
  @Roles(...EDITORS)
  create(@Param('campaignId', ParseUUIDPipe) campaignId: string, @Body() dto: CreateObjectionDto): Promise<ObjectionResponse> {
    return this.objections.create(campaignId, dto);
  }

  /** Roles: admin, manager. Renders the active rebuttals for a real or sample lead. */
  @Post('preview')
  @HttpCode(200)
  @Roles(...EDITORS)
  preview(@Param('campaignId', ParseUUIDPipe) campaignId: string, @Body() dto: ObjectionPreviewDto, @CurrentUser() user: AuthUser): Promise<RenderedObjection[]> {
    return this.objections.preview(campaignId, dto, user);
  }

  /** Roles: admin, manager. If-Match / body version (from the list's `version`): 412 when changed since. */
  @Patch(':objectionId')
  @Roles(...EDITORS)
  @ApiEditVersion()
  @UseInterceptors(VersionEtagInterceptor)
  update(
    @Param('campaignId', ParseUUIDPipe) campaignId: string, @Param('objectionId', ParseUUIDPipe) objectionId: string, @Body() dto: UpdateObjectionDto,
    @EditVersion() expected: number | null,
  ): Promise<ObjectionResponse> {
    return this.objections.update(campaignId, objectionId, dto, expected);
  }

  /** Roles: admin, manager. Deactivates (objections recorded on calls are kept for the statistics). */
  @Delete(':objectionId')
  @HttpCode(204)
  @Roles(...EDITORS)
  remove(@Param('campaignId', ParseUUIDPipe) campaignId: string, @Param('objectionId', ParseUUIDPipe) objectionId: string): Promise<void> {
    return this.objections.deactivate(campaignId, objectionId);
  }
}
