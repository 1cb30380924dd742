import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { Roles } from '../../common/auth/roles.decorator';
import { DomainError } from '../../common/errors/domain-error';
import { Role } from '../users/user.entity';
import { AgentLiveState, AgentStateService } from './agent-state.service';
import { AgentStateResponse, SetAgentStateDto } from './agents.dto';
import { DeskPresence } from './desk-presence.service';

const toResponse = (s: AgentLiveState): AgentStateResponse => ({
  agentId: s.agentId, state: s.state, campaignId: s.campaignId, reason: s.reason, callId: s.callId,
  since: s.since ? new Date(s.since).toISOString() : null,
});

@ApiTags('agent')
@ApiBearerAuth()
@Controller('api/agent')
export class AgentsController {
  constructor(
    private readonly agents: AgentStateService,
    private readonly db: DataSource,
    private readonly presence: DeskPresence,
  ) {}

  /** Roles: agent. Go Ready (for a running campaign), pause with a reason, or log out. */
  @Post('state')
  @HttpCode(200)
  @Roles(Role.Agent)
  @ApiOkResponse({ type: AgentStateResponse })
  async setState(@CurrentUser() user: AuthUser, @Body() dto: SetAgentStateDto): Promise<AgentStateResponse> {
    if (dto.state === 'ready' && dto.campaignId) {
      const [c] = await this.db.query(`SELECT status FROM campaigns WHERE id = $1 AND deleted_at IS NULL`, [dto.campaignId]);
      if (!c) throw new DomainError('NOT_FOUND', 'campaign not found', [{ field: 'campaignId', reason: 'no such campaign' }]);
      if (c.status !== 'running') throw new DomainError('INVALID_STATE', 'campaign is not running', [{ field: 'campaignId', reason: `campaign is ${c.status}` }]);
    }
    return toResponse(await this.agents.setByAgent(user.id, dto.state, dto.campaignId ?? null, dto.state === 'paused' ? (dto.reason ?? null) : null));
  }

  /** Roles: agent. The agent's own live state. */
  @Get('state')
  @Roles(Role.Agent)
  @ApiOkResponse({ type: AgentStateResponse })
  async getState(@CurrentUser() user: AuthUser): Promise<AgentStateResponse> {
    return toResponse(await this.agents.get(user.id));
  }

  /**
   * Roles: agent. The agent page is still open: it answers each ping of its event stream with this. A desk that stops
   * beating counts as closed after 45 s and the dialer pauses its Ready agent ('desk_closed'), so nobody is handed
   * an answered call on a seat whose browser vanished (see DeskPresence).
   */
  @Post('desk/beat')
  @HttpCode(204)
  @Roles(Role.Agent)
  @ApiNoContentResponse({ description: 'the desk counts as open for another 45 s' })
  async deskBeat(@CurrentUser() user: AuthUser): Promise<void> {
    await this.presence.beat(user.id);
  }
}
