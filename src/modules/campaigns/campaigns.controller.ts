import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { Roles } from '../../common/auth/roles.decorator';
import { invalid } from '../../common/errors/domain-error';
import { EditVersion, VersionEtagInterceptor } from '../../common/http/edit-version';
import { ApiEditVersion } from '../../common/http/edit-version.openapi';
import { Role } from '../users/user.entity';
import { CampaignStatus } from './campaign.entity';
import { CampaignView } from './campaign-settings';
import {
  CampaignStatusEventResponse, CreateCampaignDto, SetCampaignListsDto, SetCampaignOutcomesDto, TransitionCampaignDto, UpdateCampaignDto,
} from './campaigns.dto';
import { CampaignsService } from './campaigns.service';

const READERS = [Role.Admin, Role.Manager, Role.Compliance];
const EDITORS = [Role.Admin, Role.Manager];

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api/campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  /** Roles: admin, manager. Creates a draft with default outcomes, schedule, pacing and retry rules. */
  @Post()
  @Roles(...EDITORS)
  create(@Body() dto: CreateCampaignDto, @CurrentUser() user: AuthUser): Promise<CampaignView> {
    return this.campaigns.create(dto, user.id);
  }

  /** Roles: admin, manager, compliance (read-only). */
  @Get()
  @Roles(...READERS)
  @ApiQuery({ name: 'status', required: false, enum: CampaignStatus })
  list(@Query('status') status?: string): Promise<CampaignView[]> {
    if (status !== undefined && !Object.values(CampaignStatus).includes(status as CampaignStatus)) {
      throw invalid('status', `must be one of: ${Object.values(CampaignStatus).join(', ')}`);
    }
    return this.campaigns.list(status as CampaignStatus | undefined);
  }

  /** Roles: admin, manager, compliance (read-only). ETag: "<version>". */
  @Get(':id')
  @Roles(...READERS)
  @UseInterceptors(VersionEtagInterceptor)
  get(@Param('id', ParseUUIDPipe) id: string): Promise<CampaignView> {
    return this.campaigns.getWithSettings(id);
  }

  /**
   * Roles: admin, manager. Lists and outcomes given here replace the current sets. Send the version the edit is
   * based on (If-Match: "<version>" or body `version`): 412 naming `version` when the campaign changed since.
   */
  @Patch(':id')
  @Roles(...EDITORS)
  @ApiEditVersion()
  @UseInterceptors(VersionEtagInterceptor)
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateCampaignDto, @EditVersion() expected: number | null): Promise<CampaignView> {
    return this.campaigns.update(id, dto, expected);
  }

  /** Roles: admin, manager. Only drafts can be deleted. */
  @Delete(':id')
  @HttpCode(204)
  @Roles(...EDITORS)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.campaigns.remove(id);
  }

  /** Roles: admin, manager. Lifecycle: draft -> scheduled|running; scheduled -> draft|running|completed; running <-> paused; running|paused -> completed. */
  @Post(':id/status')
  @HttpCode(200)
  @Roles(...EDITORS)
  transition(@Param('id', ParseUUIDPipe) id: string, @Body() dto: TransitionCampaignDto, @CurrentUser() user: AuthUser): Promise<CampaignView> {
    return this.campaigns.transition(id, dto.status, user.id, dto.reason ?? null);
  }

  /** Roles: admin, manager, compliance. Who changed the status, when and why. */
  @Get(':id/status-events')
  @Roles(...READERS)
  statusEvents(@Param('id', ParseUUIDPipe) id: string): Promise<CampaignStatusEventResponse[]> {
    return this.campaigns.statusEvents(id);
  }

  /** Roles: admin, manager. Replaces the attached lead lists (priority and weight = the mix). */
  @Put(':id/lists')
  @Roles(...EDITORS)
  @ApiEditVersion()
  @UseInterceptors(VersionEtagInterceptor)
  setLists(@Param('id', ParseUUIDPipe) id: string, @Body() dto: SetCampaignListsDto, @EditVersion() expected: number | null): Promise<CampaignView> {
    return this.campaigns.setLists(id, dto.lists, expected);
  }

  /** Roles: admin, manager. Replaces the outcome (disposition) set. */
  @Put(':id/outcomes')
  @Roles(...EDITORS)
  @ApiEditVersion()
  @UseInterceptors(VersionEtagInterceptor)
  setOutcomes(@Param('id', ParseUUIDPipe) id: string, @Body() dto: SetCampaignOutcomesDto, @EditVersion() expected: number | null): Promise<CampaignView> {
    return this.campaigns.setOutcomes(id, dto.outcomes, expected);
  }
}
