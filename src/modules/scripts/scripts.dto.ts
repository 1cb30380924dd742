import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsNumberString, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength,
  Min, ValidateNested,
} from 'class-validator';
import { EDIT_VERSION_DOC } from '../../common/http/edit-version.openapi';
import { IsOptionalNotNull, NotNull } from '../../common/validation';

const SECTION_KEY = /^[a-z][a-z0-9_-]{0,39}$/;
const keyMessage = 'must be lower-case letters, digits, - or _ (max 40), starting with a letter';

export class ScriptBranchDto {
  @ApiProperty({ example: 'Interested' }) @IsString() @Length(1, 200) label: string;
  @ApiProperty({ example: 'pitch', description: 'key of the section this branch goes to' }) @Matches(SECTION_KEY, { message: keyMessage }) goto: string;
}

export class ScriptSectionDto {
  @ApiProperty({ example: 'greeting', description: 'greeting, qualify, pitch, objections, close, goodbye, or your own' })
  @Matches(SECTION_KEY, { message: keyMessage })
  key: string;

  @ApiProperty({ example: 'Greeting' }) @IsString() @Length(1, 200) title: string;

  @ApiProperty({ example: 'Hello {{lead.firstName}}, this is {{agent.name}} from {{campaign.name}}.' })
  @IsString() @MaxLength(20000)
  template: string;

  @ApiPropertyOptional({ type: [ScriptBranchDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => ScriptBranchDto)
  branches?: ScriptBranchDto[];
}

export class SaveScriptVersionDto {
  @ApiProperty({ type: [ScriptSectionDto] })
  @IsArray() @ArrayMinSize(1, { message: 'must have at least one section' }) @ArrayMaxSize(30)
  @ValidateNested({ each: true }) @Type(() => ScriptSectionDto)
  sections: ScriptSectionDto[];
}

export class CreateScriptDto extends SaveScriptVersionDto {
  @ApiProperty({ example: 'Renewal script' }) @NotNull() @IsString() @Length(1, 120) name: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
}

/** Either may be left out; null clears the description, never the name. */
export class UpdateScriptDto {
  @ApiPropertyOptional() @IsOptionalNotNull() @IsString() @Length(1, 120) name?: string;
  @ApiPropertyOptional({ nullable: true, description: 'null clears it' }) @IsOptional() @IsString() @MaxLength(2000) description?: string | null;
  @ApiPropertyOptional({ description: EDIT_VERSION_DOC, minimum: 1 }) @IsOptional() @IsInt() @Min(1) version?: number;
}

export class SampleLeadDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) firstName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) lastName?: string;
  @ApiPropertyOptional({ example: '+14155550123' }) @IsOptional() @IsString() @MaxLength(20) phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20) postalCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2) country?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) timezone?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { plan: 'Gold' } })
  @IsOptional() @IsObject()
  custom?: Record<string, string | number | boolean>;
}

export class PreviewDto {
  @ApiPropertyOptional({ description: 'leads.id of a real lead to render with' }) @IsOptional() @IsNumberString({ no_symbols: true }, { message: 'must be a lead id' }) leadId?: string;
  @ApiPropertyOptional({ type: SampleLeadDto, description: 'a sample lead (used when leadId is absent; a built-in sample otherwise)' })
  @IsOptional() @ValidateNested() @Type(() => SampleLeadDto)
  lead?: SampleLeadDto;
  @ApiPropertyOptional({ format: 'uuid', description: 'campaign whose name is shown; default: the first campaign using the script' })
  @IsOptional() @IsUUID('all', { message: 'must be a UUID' })
  campaignId?: string;
  @ApiPropertyOptional({ description: 'version to render; default: the current one' }) @IsOptional() @IsInt() @Min(1) @Max(1_000_000) version?: number;
}

export class CreateObjectionDto {
  @ApiProperty({ example: 'price' }) @NotNull() @IsString() @Length(1, 60) category: string;
  @ApiProperty({ example: 'Too expensive' }) @NotNull() @IsString() @Length(1, 200) label: string;
  @ApiProperty({ example: 'I understand, {{lead.firstName}}. Many customers felt the same until ...' })
  @NotNull() @IsString() @Length(1, 20000)
  rebuttalTemplate: string;
  @ApiPropertyOptional({ default: 0 }) @IsOptionalNotNull() @IsInt() @Min(0) @Max(10000) sortOrder?: number;
  @ApiPropertyOptional({ default: true }) @IsOptionalNotNull() @IsBoolean() active?: boolean;
}

/** Any field may be left out, none may be null (every objection column is NOT NULL). */
export class UpdateObjectionDto {
  @ApiPropertyOptional() @IsOptionalNotNull() @IsString() @Length(1, 60) category?: string;
  @ApiPropertyOptional() @IsOptionalNotNull() @IsString() @Length(1, 200) label?: string;
  @ApiPropertyOptional() @IsOptionalNotNull() @IsString() @Length(1, 20000) rebuttalTemplate?: string;
  @ApiPropertyOptional() @IsOptionalNotNull() @IsInt() @Min(0) @Max(10000) sortOrder?: number;
  @ApiPropertyOptional() @IsOptionalNotNull() @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ description: EDIT_VERSION_DOC, minimum: 1 }) @IsOptional() @IsInt() @Min(1) version?: number;
}

export class ObjectionPreviewDto {
  @ApiPropertyOptional() @IsOptional() @IsNumberString({ no_symbols: true }, { message: 'must be a lead id' }) leadId?: string;
  @ApiPropertyOptional({ type: SampleLeadDto }) @IsOptional() @ValidateNested() @Type(() => SampleLeadDto) lead?: SampleLeadDto;
}

export interface RenderedSection {
  key: string;
  title: string;
  html: string;
  branches: { label: string; goto: string }[];
}

export interface RenderedScript {
  scriptId: string;
  scriptVersionId: string;
  version: number;
  sections: RenderedSection[];
}

export interface ScriptVersionResponse {
  id: string;
  scriptId: string;
  version: number;
  sections: { key: string; title: string; template: string; branches: { label: string; goto: string }[] }[];
  createdBy: string | null;
  createdAt: Date;
}

export interface ScriptResponse {
  id: string;
  name: string;
  description: string | null;
  currentVersion: number;
  /** Campaigns that point at this script. */
  campaignIds: string[];
  current: ScriptVersionResponse | null;
  /** Edit version (If-Match / ETag): moved by a rename and by every new sections version. Not currentVersion. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}
