import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Request } from 'express';
import { AuthUser, CurrentUser } from '../../../common/auth/auth-user';
import { Roles } from '../../../common/auth/roles.decorator';
import { Role } from '../../users/user.entity';
import { pickLang } from '../i18n/messages';
import { AgentCallback, AgentCampaign, AgentDeskResponse, RecordObjectionsDto } from './agent-desk.dto';
import { AgentDeskService } from './agent-desk.service';

/** The agent desktop's reads and objection clicks. Every route works on the calling agent's own data only. */
@ApiTags('agent')
@ApiBearerAuth()
@Controller('api/web/agent')
export class AgentDeskController {
  constructor(private readonly desk: AgentDeskService) {}

  /** Roles: agent. The current call with its lead, rendered script and rebuttals, outcomes and raised objections. */
  @Get('desk')
  @Roles(Role.Agent)
  @ApiOkResponse({ type: AgentDeskResponse })
  get(@CurrentUser() user: AuthUser, @Req() req: Request): Promise<AgentDeskResponse> {
    return this.desk.desk(user, pickLang(req.headers.cookie, req.headers['accept-language']));
  }

  /** Roles: agent. Records objections raised on the agent's own call (again with overcome=true when answered). */
  @Post('calls/:id/objections')
  @HttpCode(200)
  @Roles(Role.Agent)
  record(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: RecordObjectionsDto) {
    return this.desk.recordObjections(user.id, id, dto.objections);
  }

  /** Roles: agent. Running campaigns the agent can take calls from. */
  @Get('campaigns')
  @Roles(Role.Agent)
  @ApiOkResponse({ type: [AgentCampaign] })
  campaigns(): Promise<AgentCampaign[]> {
    return this.desk.campaignsForAgent();
  }

  /** Roles: agent. The agent's own pending callbacks. */
  @Get('callbacks')
  @Roles(Role.Agent)
  @ApiOkResponse({ type: [AgentCallback] })
  callbacks(@CurrentUser() user: AuthUser): Promise<AgentCallback[]> {
    return this.desk.callbacks(user.id);
  }
}
