import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength,
  ValidateNested,
} from 'class-validator';

const COUNTRY = /^[A-Za-z]{2}$/;
const toBool = ({ value }: { value: unknown }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value);

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000, default: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  page = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  pageSize = 50;
}

export class AddDncDto {
  @ApiProperty({ example: '+12125550123', description: 'any common format; normalised to E.164 with `country`' })
  @IsString() @MinLength(3) @MaxLength(40)
  phone: string;

  @ApiProperty({ enum: ['internal', 'campaign'] })
  @IsIn(['internal', 'campaign'])
  scope: 'internal' | 'campaign';

  @ApiPropertyOptional({ description: 'required for scope campaign' })
  @IsOptional() @IsUUID()
  campaignId?: string;

  @ApiProperty({ example: 'customer asked by e-mail' })
  @IsString() @MinLength(3) @MaxLength(500)
  reason: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant after which the entry no longer applies' })
  @IsOptional() @IsISO8601({ strict: true })
  expiresAt?: string;

  @ApiPropertyOptional({ example: 'US', description: 'default country for numbers without a country code' })
  @IsOptional() @Matches(COUNTRY, { message: 'must be a two-letter country code' })
  country?: string;
}

export class RemoveDncDto {
  @ApiProperty({ example: 'added in error' })
  @IsString() @MinLength(3) @MaxLength(500)
  reason: string;
}

export class ListDncQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ example: 'US' }) @IsOptional() @Matches(COUNTRY, { message: 'must be a two-letter country code' })
  country?: string;

  @ApiPropertyOptional({ enum: ['internal', 'campaign', 'registry'] }) @IsOptional() @IsIn(['internal', 'campaign', 'registry'])
  scope?: 'internal' | 'campaign' | 'registry';

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ default: false }) @IsOptional() @Transform(toBool) @IsBoolean()
  includeRemoved?: boolean;
}

export class LogQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'number in any format (normalised with `country`)' }) @IsOptional() @IsString() @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ example: 'US' }) @IsOptional() @Matches(COUNTRY, { message: 'must be a two-letter country code' })
  country?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, inclusive' }) @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, exclusive' }) @IsOptional() @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ description: 'agent on the call or user who acted' }) @IsOptional() @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ description: 'reason code: a block reason, or the DNC scope for DNC changes' })
  @IsOptional() @Matches(/^[a-z0-9_]{1,40}$/, { message: 'must be a reason code (e.g. dnc_internal, outside_hours, internal, abandon_rates)' })
  reason?: string;
}

export const EVENT_TYPES = ['dnc_add', 'dnc_added', 'dnc_remove', 'dial_blocked', 'abandon', 'attempt', 'export', 'data_access', 'registry_import', 'rule_change', 'disposition_on_behalf'] as const;

export class EventLogQuery extends LogQuery {
  @ApiProperty({ enum: EVENT_TYPES, description: 'event type' })
  @IsIn(EVENT_TYPES)
  type: (typeof EVENT_TYPES)[number];
}

export class DncLogQuery extends LogQuery {
  @ApiPropertyOptional({ enum: ['add', 'remove'] }) @IsOptional() @IsIn(['add', 'remove'])
  action?: 'add' | 'remove';
}

export class AbandonQuery {
  @ApiPropertyOptional({ description: 'end of the windows (ISO 8601); default now' }) @IsOptional() @IsISO8601({ strict: true })
  at?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  campaignId?: string;
}

export class OutsideHoursQuery extends PageQuery {
  @ApiProperty({ description: 'ISO 8601, inclusive' }) @IsISO8601({ strict: true })
  from: string;

  @ApiProperty({ description: 'ISO 8601, exclusive' }) @IsISO8601({ strict: true })
  to: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  campaignId?: string;
}

export class RegistryImportDto {
  @ApiProperty({ example: 'us-national-dnc', description: 'which registry; a new file replaces the older copy of the same source' })
  @Matches(/^[a-z0-9][a-z0-9_.-]{0,39}$/, { message: 'lowercase letters, digits, _ . - (max 40)' })
  source: string;

  @ApiProperty({ example: 'US', description: 'country of the numbers (default for national formats)' })
  @Matches(COUNTRY, { message: 'must be a two-letter country code' })
  country: string;

  @ApiProperty({ example: '2026-11-20', description: 'date the registry file was issued' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' }) @IsISO8601({ strict: true })
  fileDate: string;

  @ApiPropertyOptional({
    default: false,
    description: 'true: the file may hold fewer than half the numbers of the copy in force (the registry really shrank). '
      + 'Without it such a file fails as probably truncated, and the copy in force stays.',
  })
  @IsOptional() @Transform(toBool) @IsBoolean({ message: 'must be true or false' })
  allowShrink?: boolean;
}

export class LegalWindowDto {
  @ApiProperty({ example: [1, 2, 3, 4, 5], description: 'ISO weekdays, 1 = Monday' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(7) @IsInt({ each: true }) @Min(1, { each: true }) @Max(7, { each: true })
  days: number[];

  @ApiProperty({ example: '08:00' }) @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be HH:MM' })
  start: string;

  @ApiProperty({ example: '21:00' }) @Matches(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: 'must be HH:MM (up to 24:00)' })
  end: string;
}

export class CallingHoursRuleDto {
  @ApiProperty({ type: [LegalWindowDto] })
  @IsArray() @ArrayMaxSize(14) @ValidateNested({ each: true }) @Type(() => LegalWindowDto)
  windows: LegalWindowDto[];

  @ApiPropertyOptional({ example: ['12-25', '2026-11-26'], description: "'MM-DD' every year or 'YYYY-MM-DD'" })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @Matches(/^(\d{4}-)?\d{2}-\d{2}$/, { each: true, message: 'each holiday must be MM-DD or YYYY-MM-DD' })
  holidays?: string[];

  @ApiPropertyOptional({ example: 'Fla. Stat. 501.616(6)(a)' }) @IsOptional() @IsString() @MaxLength(200)
  citation?: string;
}

export class GateCheckDto {
  @ApiProperty() @IsUUID()
  campaignId: string;

  @ApiProperty({ example: ['1', '2'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @Matches(/^\d{1,18}$/, { each: true, message: 'each lead id must be a number' })
  leadIds: string[];

  @ApiPropertyOptional({ description: 'instant to check (ISO 8601); default now' }) @IsOptional() @IsISO8601({ strict: true })
  at?: string;
}

export class DncLookupQuery {
  @ApiProperty({ example: '(212) 555-0123' }) @IsString() @MinLength(3) @MaxLength(40)
  phone: string;

  @ApiPropertyOptional({ example: 'US' }) @IsOptional() @Matches(COUNTRY, { message: 'must be a two-letter country code' })
  country?: string;
}

export class FrequencyCapDto {
  @ApiProperty({ example: 3, description: 'most dials to one number (all campaigns) within the window' })
  @IsInt() @Min(1) @Max(20)
  maxDials: number;

  @ApiProperty({ example: 24, description: 'rolling window in hours' })
  @IsInt() @Min(1) @Max(24 * 31)
  windowHours: number;
}
