import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { Roles } from '../../common/auth/roles.decorator';
import { Role } from '../users/user.entity';
import { AwaitingOutcomeQueryDto, AwaitingOutcomeResponse, DispositionResponse, OnBehalfDispositionDto } from './calls.dto';
import { CallsService } from './calls.service';

/**
 * Calls left in wrap-up (their agent disabled, gone, or silent) for managers and admins: the list, and the outcome
 * recorded on the agent's behalf. A manager sees and acts on the campaigns they created only (CampaignAccessService).
 */
@ApiTags('supervision')
@ApiBearerAuth()
@Controller('api/wrap-ups')
export class WrapUpsController {
  constructor(private readonly calls: CallsService) {}

  /** Roles: admin, manager. Calls waiting for an outcome, oldest first: campaign, agent, since when, the agent's account. */
  @Get()
  @Roles(Role.Admin, Role.Manager)
  @ApiOperation({ summary: 'Calls in wrap-up without an outcome' })
  list(@CurrentUser() user: AuthUser, @Query() q: AwaitingOutcomeQueryDto): Promise<AwaitingOutcomeResponse> {
    return this.calls.awaitingOutcome(user, q.campaignId);
  }

  /**
   * Roles: admin, manager. Records the outcome on the agent's behalf, with a reason: once the agent is disabled, no
   * longer an agent or logged out, or after 60 s in wrap-up (before: 409).
   */
  @Post(':id/disposition')
  @HttpCode(200)
  @Roles(Role.Admin, Role.Manager)
  @ApiOperation({ summary: "Record a call's outcome on its agent's behalf" })
  disposition(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: OnBehalfDispositionDto): Promise<DispositionResponse> {
    return this.calls.dispositionOnBehalf(user, id, dto);
  }
}
