import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { LeadStatus } from './lead.entity';

export class CreateListDto {
  @ApiProperty({ example: 'Spring 2026 renewals' }) @IsString() @Length(1, 200) name: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiPropertyOptional({ example: 'US' })
  @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 country code (e.g. US)' })
  defaultCountry?: string;
}

export class UpdateListDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiPropertyOptional()
  @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 country code (e.g. US)' })
  defaultCountry?: string;
}

export class ListResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional() description: string | null;
  @ApiProperty() defaultCountry: string;
  @ApiProperty({ type: [String] }) customFields: string[];
  @ApiProperty({ description: 'leads by status (deleted leads excluded)', example: { new: 120, done: 3 } }) counts: Record<string, number>;
  @ApiProperty() total: number;
  @ApiProperty() createdAt: Date;
}

export class PageLeadsQuery {
  @ApiPropertyOptional({ enum: LeadStatus }) @IsOptional() @IsEnum(LeadStatus, { message: `must be one of: ${Object.values(LeadStatus).join(', ')}` }) status?: LeadStatus;
  @ApiPropertyOptional({ description: 'only leads whose zone is ambiguous' }) @IsOptional() @IsIn(['true', 'false']) tzAmbiguous?: string;
  @ApiPropertyOptional({ description: 'name contains (case-insensitive)' }) @IsOptional() @IsString() @MaxLength(100) name?: string;
  @ApiPropertyOptional({ default: 1, maximum: 1_000_000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) page?: number;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
}

export class SearchLeadsQuery {
  @ApiProperty({ description: 'the number, in any usual format', example: '+1 415 555 0123' }) @IsString() @Length(3, 40) phone: string;
  @ApiPropertyOptional({ description: 'country for a number written without country code', example: 'US' })
  @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 country code (e.g. US)' })
  country?: string;
}

export class DialabilityQuery {
  @ApiPropertyOptional({ description: 'explain for this campaign only (default: every campaign that uses the lead\'s list)' })
  @IsOptional() @IsUUID() campaignId?: string;
}

export class UpdateLeadDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) firstName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) lastName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20) postalCode?: string;
  @ApiPropertyOptional({ description: 'IANA zone; clears the ambiguity' }) @IsOptional() @IsString() @MaxLength(64) timezone?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(-1000) @Max(1000) priority?: number;
  @ApiPropertyOptional({ enum: ['new', 'done', 'invalid'], description: 'managers may reset a lead to new or close it; dialer states are set by the dialer' })
  @IsOptional() @IsIn(['new', 'done', 'invalid'])
  status?: 'new' | 'done' | 'invalid';
  @ApiPropertyOptional({ description: 'merged into the lead\'s custom fields; null removes a key' }) @IsOptional() @IsObject() customFields?: Record<string, string | null>;
}

export class LeadResponse {
  @ApiProperty() id: string;
  @ApiProperty() listId: string;
  @ApiProperty({ description: 'E.164; masked (+1415***0123) for roles that may not see numbers' }) phone: string;
  @ApiPropertyOptional() phoneType: string | null;
  @ApiProperty({ type: [String] }) altPhones: string[];
  @ApiPropertyOptional() country: string | null;
  @ApiPropertyOptional() firstName: string | null;
  @ApiPropertyOptional() lastName: string | null;
  @ApiPropertyOptional() postalCode: string | null;
  @ApiPropertyOptional() timezone: string | null;
  @ApiProperty({ type: [String] }) tzCandidates: string[];
  @ApiProperty() tzAmbiguous: boolean;
  @ApiProperty() customFields: Record<string, unknown>;
  @ApiProperty({ enum: LeadStatus }) status: LeadStatus;
  @ApiProperty() priority: number;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional() nextAttemptAt: Date | null;
  @ApiPropertyOptional() lastOutcome: string | null;
  @ApiPropertyOptional() sourceLine: number | null;
  @ApiProperty() createdAt: Date;
}

export class LeadPage {
  @ApiProperty({ type: [LeadResponse] }) items: LeadResponse[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}

export class DialabilityResponse {
  @ApiProperty() leadId: string;
  @ApiProperty({
    description: 'one verdict per campaign: `gate` is the dial gate\'s own decision (its first blocking reason), `reasons` every reason found',
    example: [{ campaignId: '…', campaignName: 'Spring', dialable: false, gate: { allowed: false, reason: 'dnc_internal' }, reasons: [{ code: 'dnc_internal', detail: '…' }] }],
  })
  campaigns: {
    campaignId: string; campaignName: string; dialable: boolean;
    gate: { allowed: boolean; reason?: string; detail?: string };
    reasons: { code: string; detail: string }[];
  }[];
  @ApiProperty({ description: 'lead-side reasons when no campaign uses the list', type: [Object] }) reasons: { code: string; detail: string }[];
}
