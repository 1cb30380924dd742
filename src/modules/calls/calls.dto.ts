import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsDate, IsIn, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateNested,
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
