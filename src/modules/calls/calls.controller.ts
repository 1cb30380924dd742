import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { Roles } from '../../common/auth/roles.decorator';
import { Role } from '../users/user.entity';
import { CurrentCallResponse, DispositionDto, DispositionResponse } from './calls.dto';
import { CallsService } from './calls.service';

/** The agent's own calls only: another agent's call answers 404 (its existence is not disclosed). */
@ApiTags('agent')
@ApiBearerAuth()
@Controller('api/agent')
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  /** Roles: agent. The current call's lead (screen pop); call and lead are null between calls. */
  @Get('current-call')
  @Roles(Role.Agent)
  current(@CurrentUser() user: AuthUser): Promise<CurrentCallResponse> {
    return this.calls.currentCall(user.id);
  }

  /** Roles: agent. Hang up the customer (the agent's own leg stays up). */
  @Post('calls/:id/hangup')
  @HttpCode(202)
  @Roles(Role.Agent)
  hangup(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<{ callId: string; requested: true }> {
    return this.calls.requestHangup(user.id, id);
  }

  /** Roles: agent. Dial the lead offered in preview (the dial gate is asked again; 422 when it blocks). */
  @Post('calls/:id/dial')
  @HttpCode(202)
  @Roles(Role.Agent)
  dial(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<CurrentCallResponse> {
    return this.calls.requestDial(user.id, id);
  }

  /** Roles: agent. Pass on the lead offered in preview: it goes back to the pool (no attempt) and the next is offered. */
  @Post('calls/:id/skip')
  @HttpCode(200)
  @Roles(Role.Agent)
  skip(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<{ callId: string; skipped: true; agentState: string }> {
    return this.calls.requestSkip(user.id, id);
  }

  /** Roles: agent. Outcome, notes, callback, DNC request; ends wrap-up and makes the agent Ready. */
  @Post('calls/:id/disposition')
  @HttpCode(200)
  @Roles(Role.Agent)
  disposition(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: DispositionDto): Promise<DispositionResponse> {
    return this.calls.disposition(user.id, id, dto);
  }
}
