import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';

export const PAUSE_REASONS = ['break', 'lunch', 'meeting', 'training', 'not_ready', 'technical'] as const;

export class SetAgentStateDto {
  @ApiProperty({ enum: ['ready', 'paused', 'logged_out'] })
  @IsIn(['ready', 'paused', 'logged_out'])
  state: 'ready' | 'paused' | 'logged_out';

  @ApiPropertyOptional({ description: 'The running campaign to take calls from (required the first time the agent goes ready)' })
  @IsOptional() @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ enum: PAUSE_REASONS, description: 'Required when pausing' })
  @ValidateIf((o: SetAgentStateDto) => o.state === 'paused')
  @IsString() @Length(1, 40) @IsIn(PAUSE_REASONS as unknown as string[])
  reason?: string;
}

export class AgentStateResponse {
  @ApiProperty() agentId: string;
  @ApiProperty({ enum: ['logged_out', 'ready', 'reserved', 'on_call', 'on_hold', 'wrap_up', 'paused'] }) state: string;
  @ApiPropertyOptional({ nullable: true }) campaignId: string | null;
  @ApiPropertyOptional({ nullable: true }) reason: string | null;
  @ApiPropertyOptional({ nullable: true }) callId: string | null;
  @ApiPropertyOptional({
    nullable: true, format: 'date-time', example: '2025-01-15T09:30:00.000Z',
    description: 'when the agent entered this state (ISO 8601, UTC): the desk counts its state and wrap-up timers from it; null when logged out',
  })
  since: string | null;
}
