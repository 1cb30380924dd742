import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsEnum, IsIn, IsInt, IsISO8601, IsNumber, IsOptional, IsString, IsUUID,
  Length, Matches, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';
import { CampaignStatus, DialMode } from './campaign.entity';
import {
  MAX_ABANDON_TARGET_PCT, MAX_PREVIEW_TIME_LIMIT_S, MAX_RING_TIMEOUT_S, MIN_PREVIEW_TIME_LIMIT_S, MIN_RING_TIMEOUT_S, PREVIEW_TIMEOUT_ACTIONS,
  TimeWindow,
} from './campaign-settings';
import { EDIT_VERSION_DOC } from '../../common/http/edit-version.openapi';
import { IsOptionalNotNull, NotNull } from '../../common/validation';
import { IsE164, IsIanaZone, IsWindowList } from './campaign-validators';

const windowsDoc = { type: 'array', items: { type: 'array', items: { type: 'string' } }, example: [['09:00', '12:00'], ['13:00', '20:00']] } as const;

export class WeeklyWindowsDto {
  @ApiPropertyOptional(windowsDoc) @IsOptional() @IsWindowList() mon?: TimeWindow[];
  @ApiPropertyOptional(windowsDoc) @IsOptional() @IsWindowList() tue?: TimeWindow[];
  @ApiPropertyOptional(windowsDoc) @IsOptional() @IsWindowList() wed?: TimeWindow[];
  @ApiPropertyOptional(windowsDoc) @IsOptional() @IsWindowList() thu?: TimeWindow[];
  @ApiPropertyOptional(windowsDoc) @IsOptional() @IsWindowList() fri?: TimeWindow[];
  @ApiPropertyOptional(windowsDoc) @IsOptional() @IsWindowList() sat?: TimeWindow[];
  @ApiPropertyOptional(windowsDoc) @IsOptional() @IsWindowList() sun?: TimeWindow[];
}

export class ScheduleDto {
  @ApiProperty({ type: WeeklyWindowsDto, description: 'Calling windows per weekday in the lead\'s local time ("HH:MM", end exclusive). A missing day means no calls.' })
  @NotNull() @ValidateNested() @Type(() => WeeklyWindowsDto)
  windows: WeeklyWindowsDto;

  @ApiPropertyOptional({ type: [String], example: ['2026-12-25'], description: 'Lead-local dates (YYYY-MM-DD) without calls' })
  @IsOptional() @IsArray() @ArrayMaxSize(366) @ArrayUnique()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { each: true, message: 'each date must be YYYY-MM-DD' })
  blackoutDates?: string[];
}

export class PacingDto {
  @ApiPropertyOptional({ minimum: 0.1, maximum: MAX_ABANDON_TARGET_PCT, default: 3, description: 'Abandon target, % of human-answered calls' })
  @IsOptionalNotNull() @IsNumber({ maxDecimalPlaces: 2 }) @Min(0.1)
  @Max(MAX_ABANDON_TARGET_PCT, { message: `must not exceed ${MAX_ABANDON_TARGET_PCT} (the legal abandon cap, in percent)` })
  abandonTargetPct?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 3 })
  @IsOptionalNotNull() @IsNumber({ maxDecimalPlaces: 2 }) @Min(1) @Max(10)
  maxLinesPerAgent?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000, default: 20 })
  @IsOptionalNotNull() @IsInt() @Min(0) @Max(10000)
  warmupAnsweredCalls?: number;

  @ApiPropertyOptional({ minimum: MIN_RING_TIMEOUT_S, maximum: MAX_RING_TIMEOUT_S, default: 25, description: 'Seconds a call may ring before release' })
  @IsOptionalNotNull() @IsInt()
  @Min(MIN_RING_TIMEOUT_S, { message: `must be at least ${MIN_RING_TIMEOUT_S} seconds (about 4 rings)` })
  @Max(MAX_RING_TIMEOUT_S, { message: `must be at most ${MAX_RING_TIMEOUT_S} seconds` })
  ringTimeoutS?: number;
}

export class RetryRulesDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1440, default: 15 }) @IsOptionalNotNull() @IsInt() @Min(1) @Max(1440) busyRetryMinutes?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 168, default: 4 }) @IsOptionalNotNull() @IsInt() @Min(1) @Max(168) noAnswerRetryHours?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 23, default: 3, description: 'Machine: retry next day, shifted by this many hours' })
  @IsOptionalNotNull() @IsInt() @Min(1, { message: 'must be 1 to 23 hours so the retry falls at another time of day' })
  @Max(23, { message: 'must be 1 to 23 hours so the retry falls at another time of day' })
  machineRetryShiftHours?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 1440, default: 30 }) @IsOptionalNotNull() @IsInt() @Min(1) @Max(1440) carrierFailureRetryMinutes?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 5 }) @IsOptionalNotNull() @IsInt() @Min(1) @Max(50) maxAttempts?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 20, default: 3 }) @IsOptionalNotNull() @IsInt() @Min(1) @Max(20) maxAttemptsPerDay?: number;
}

export class CampaignListDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all', { message: 'must be a UUID' }) listId: string;
  @ApiPropertyOptional({ default: 1, description: 'Higher first' }) @IsOptionalNotNull() @IsInt() @Min(0) @Max(1000) priority?: number;
  @ApiPropertyOptional({ default: 1, description: 'Share of dials among lists of equal priority' }) @IsOptionalNotNull() @IsInt() @Min(1) @Max(1000) weight?: number;
  @ApiPropertyOptional({ default: true }) @IsOptionalNotNull() @IsBoolean() active?: boolean;
}

export class SetCampaignListsDto {
  @ApiProperty({ type: [CampaignListDto] })
  @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => CampaignListDto)
  lists: CampaignListDto[];

  @ApiPropertyOptional({ description: EDIT_VERSION_DOC, minimum: 1 }) @IsOptional() @IsInt() @Min(1) version?: number;
}

export class CampaignOutcomeDto {
  @ApiProperty({ example: 'sale' }) @Matches(/^[a-z][a-z0-9_]{0,39}$/, { message: 'must be lower-case letters, digits or _ (max 40), starting with a letter' }) code: string;
  @ApiProperty({ example: 'Sale' }) @IsString() @Length(1, 80) label: string;
  @ApiPropertyOptional({ default: false }) @IsOptionalNotNull() @IsBoolean() isFinal?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptionalNotNull() @IsBoolean() isSuccess?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptionalNotNull() @IsBoolean() isDnc?: boolean;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(43200) retryAfterMinutes?: number | null;
}

export class SetCampaignOutcomesDto {
  @ApiProperty({ type: [CampaignOutcomeDto] })
  @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => CampaignOutcomeDto)
  outcomes: CampaignOutcomeDto[];

  @ApiPropertyOptional({ description: EDIT_VERSION_DOC, minimum: 1 }) @IsOptional() @IsInt() @Min(1) version?: number;
}

export const CALLBACK_POLICIES = ['agent_only', 'anyone_only', 'agent_or_anyone'] as const;

export class CreateCampaignDto {
  @ApiProperty({ example: 'Spring renewals' }) @NotNull() @IsString() @Length(1, 120) name: string;
  @ApiPropertyOptional({ nullable: true, description: 'null clears it' }) @IsOptional() @IsString() @MaxLength(2000) description?: string | null;

  @ApiPropertyOptional({ enum: DialMode, default: DialMode.Progressive })
  @IsOptionalNotNull() @IsEnum(DialMode, { message: `must be one of: ${Object.values(DialMode).join(', ')}` })
  dialMode?: DialMode;

  @ApiPropertyOptional({ example: 'America/New_York', default: 'UTC' }) @IsOptionalNotNull() @IsIanaZone() timezone?: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, description: 'Scheduled start (a campaign moved to "scheduled" starts then); null clears it' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  startsAt?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, description: 'Scheduled stop (the campaign is completed then); null clears it' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  endsAt?: string | null;

  @ApiPropertyOptional({ type: ScheduleDto }) @IsOptionalNotNull() @ValidateNested() @Type(() => ScheduleDto) schedule?: ScheduleDto;
  @ApiPropertyOptional({ type: PacingDto }) @IsOptionalNotNull() @ValidateNested() @Type(() => PacingDto) pacing?: PacingDto;
  @ApiPropertyOptional({ type: RetryRulesDto }) @IsOptionalNotNull() @ValidateNested() @Type(() => RetryRulesDto) retryRules?: RetryRulesDto;

  @ApiPropertyOptional({ example: '+14155550123', nullable: true, description: 'Caller ID shown to the called person (E.164, must be callable back); null clears it' })
  @IsOptional() @IsE164() callerId?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'sip_gateways.id; null clears it' }) @IsOptional() @IsUUID('all', { message: 'must be a UUID' }) gatewayId?: string | null;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'scripts.id; null clears it' }) @IsOptional() @IsUUID('all', { message: 'must be a UUID' }) scriptId?: string | null;
  @ApiPropertyOptional({ default: false }) @IsOptionalNotNull() @IsBoolean() recordCalls?: boolean;

  @ApiPropertyOptional({ enum: CALLBACK_POLICIES, default: 'agent_or_anyone' })
  @IsOptionalNotNull() @IsIn(CALLBACK_POLICIES, { message: `must be one of: ${CALLBACK_POLICIES.join(', ')}` })
  callbackPolicy?: (typeof CALLBACK_POLICIES)[number];

  @ApiPropertyOptional({
    nullable: true, minimum: MIN_PREVIEW_TIME_LIMIT_S, maximum: MAX_PREVIEW_TIME_LIMIT_S, default: null,
    description: 'Preview mode: seconds a lead may stay on the agent\'s screen, counted from the offer, before the dialer applies previewTimeoutAction; null = no limit',
  })
  @IsOptional() @IsInt({ message: 'must be a whole number of seconds, or null for no limit' })
  @Min(MIN_PREVIEW_TIME_LIMIT_S, { message: `must be at least ${MIN_PREVIEW_TIME_LIMIT_S} seconds (or null for no limit)` })
  @Max(MAX_PREVIEW_TIME_LIMIT_S, { message: `must be at most ${MAX_PREVIEW_TIME_LIMIT_S} seconds (or null for no limit)` })
  previewTimeLimitSeconds?: number | null;

  @ApiPropertyOptional({
    enum: PREVIEW_TIMEOUT_ACTIONS, default: 'skip',
    description: 'dial: placed as if the agent clicked Dial (the dial gate is asked again); skip: the lead goes back to the pool without an attempt and the agent is paused (reason preview_timeout)',
  })
  @IsOptionalNotNull() @IsIn(PREVIEW_TIMEOUT_ACTIONS, { message: `must be one of: ${PREVIEW_TIMEOUT_ACTIONS.join(', ')}` })
  previewTimeoutAction?: (typeof PREVIEW_TIMEOUT_ACTIONS)[number];

  @ApiPropertyOptional({ type: [CampaignListDto], description: 'Lead lists to attach (replaces the set on update)' })
  @IsOptionalNotNull() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => CampaignListDto)
  lists?: CampaignListDto[];

  @ApiPropertyOptional({ type: [CampaignOutcomeDto], description: 'Outcome set; defaults are created when omitted' })
  @IsOptionalNotNull() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => CampaignOutcomeDto)
  outcomes?: CampaignOutcomeDto[];
}

/**
 * Every field may be left out, but null only where it clears a setting (those keep @IsOptional()): PartialType's
 * default @IsOptional() on every field would let null through to columns that cannot hold it.
 */
export class UpdateCampaignDto extends PartialType(CreateCampaignDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({ description: EDIT_VERSION_DOC, minimum: 1 }) @IsOptional() @IsInt() @Min(1) version?: number;
}

export class TransitionCampaignDto {
  @ApiProperty({ enum: CampaignStatus })
  @IsEnum(CampaignStatus, { message: `must be one of: ${Object.values(CampaignStatus).join(', ')}` })
  status: CampaignStatus;

  @ApiPropertyOptional({ example: 'agents in training until 10:00' }) @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class CampaignStatusEventResponse {
  @ApiProperty() id: string;
  @ApiPropertyOptional({ enum: CampaignStatus, nullable: true }) fromStatus: CampaignStatus | null;
  @ApiProperty({ enum: CampaignStatus }) toStatus: CampaignStatus;
  @ApiPropertyOptional({ nullable: true }) reason: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'null when the scheduler did it' }) actorUserId: string | null;
  @ApiProperty() at: Date;
}
