import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsDate, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, ValidateNested,
} from 'class-validator';

export class CallObjectionDto {
  @ApiProperty({ format: 'uuid', description: "An objection of the call's campaign" })
  @IsUUID('all', { message: 'must be a UUID' })
  objectionId: string;

  @ApiProperty({ description: 'Whether the agent overcame it' })
  @IsBoolean()
  overcome: boolean;
}

export class DispositionDto {
  @ApiProperty({ description: 'An outcome code of the campaign (campaign_outcomes.code)', example: 'sale' })
  @IsString() @Length(1, 64)
  outcome: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional() @IsString() @MaxLength(4000)
  notes?: string;

  @ApiPropertyOptional({ description: 'Book a callback at this time (ISO 8601, in the future); not with a final or do-not-call outcome, nor with dnc', example: '2026-11-24T18:30:00Z' })
  @IsOptional() @Type(() => Date) @IsDate({ message: 'must be an ISO 8601 date-time' })
  callbackAt?: Date;

  @ApiPropertyOptional({ enum: ['own', 'anyone'], description: 'Who takes the callback: this agent, or any agent' })
  @IsOptional() @IsIn(['own', 'anyone'])
  callbackScope?: 'own' | 'anyone';

  @ApiPropertyOptional({ description: 'The person asked never to be called again: adds the number to the internal DNC list' })
  @IsOptional() @IsBoolean()
  dnc?: boolean;

  @ApiPropertyOptional({ type: [CallObjectionDto], description: 'Objections raised on the call and whether each was overcome (recorded with the disposition)' })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => CallObjectionDto)
  objections?: CallObjectionDto[];
}

/** A manager's or admin's outcome for a call its agent left in wrap-up: the agent's fields plus why. */
export class OnBehalfDispositionDto extends DispositionDto {
  @ApiProperty({ minLength: 3, maxLength: 500, description: 'Why the outcome is recorded on the agent’s behalf (kept in the compliance record)', example: 'agent left the shift; customer said no on the call' })
  @IsString() @Matches(/\S/, { message: 'must not be blank' }) @Length(3, 500)
  reason: string;
}

export class AwaitingOutcomeQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this campaign' })
  @IsOptional() @IsUUID('all', { message: 'must be a UUID' })
  campaignId?: string;
}

export class AwaitingOutcomeCall {
  @ApiProperty() callId: string;
  @ApiProperty() campaignId: string;
  @ApiProperty() campaignName: string;
  @ApiPropertyOptional({ nullable: true }) agentId: string | null;
  @ApiPropertyOptional({ nullable: true }) agentName: string | null;
  @ApiProperty({ enum: ['active', 'disabled', 'not_agent', 'gone'], description: "the agent's account: disabled, or no longer an agent" }) agentAccount: string;
  @ApiProperty({ description: "the agent's dialer state now (wrap_up, paused, logged_out, ...)" }) agentState: string;
  @ApiPropertyOptional({ nullable: true, format: 'date-time', description: 'when the customer call ended (wrap-up began)' }) waitingSince: Date | null;
  @ApiProperty() waitingSeconds: number;
  @ApiProperty({ description: 'whether a supervisor may record the outcome now (else 409 until minWaitSeconds, unless the agent is disabled or logged out)' }) actionable: boolean;
}

export class AwaitingOutcomeResponse {
  @ApiProperty() minWaitSeconds: number;
  @ApiProperty({ type: [AwaitingOutcomeCall] }) calls: AwaitingOutcomeCall[];
  @ApiProperty({ description: 'the outcome codes of each listed campaign' })
  outcomes: Record<string, { code: string; label: string; isFinal: boolean; isDnc: boolean }[]>;
}

export class CurrentCallResponse {
  @ApiPropertyOptional({ nullable: true }) call: {
    id: string;
    campaignId: string;
    state: string;
    /** True while the lead is offered to the agent (preview): Dial or Skip. */
    preview: boolean;
    dialMode: string;
    answerAt: Date | null;
    connectAt: Date | null;
    endAt: Date | null;
    /** Preview: when the lead was offered to the agent (the time limit counts from it); null otherwise. */
    offeredAt: Date | null;
    /** Preview in a campaign with a preview time limit: when the dialer applies previewTimeoutAction; null otherwise. */
    previewExpiresAt: Date | null;
    previewTimeoutAction: 'dial' | 'skip' | null;
  } | null;
  @ApiPropertyOptional({ nullable: true }) lead: {
    id: string;
    phone: string;
    firstName: string | null;
    lastName: string | null;
    postalCode: string | null;
    timezone: string | null;
    customFields: Record<string, unknown>;
    attempts: number;
  } | null;
}

export class DispositionResponse {
  @ApiProperty() callId: string;
  @ApiProperty() outcome: string;
  @ApiProperty({ enum: ['retry', 'done', 'invalid', 'dnc', 'callback', 'new'] }) leadStatus: string;
  @ApiPropertyOptional({ nullable: true }) nextAttemptAt: Date | null;
  @ApiProperty() agentState: string;
}
