import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize, IsArray, IsEnum, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Length, Matches, MaxLength,
} from 'class-validator';
import { DuplicatePolicy, ImportStatus } from './lead-import.entity';

export class ColumnMappingDto {
  @ApiProperty({ description: 'CSV header of the main phone column', example: 'Phone' })
  @IsString() @IsNotEmpty() @MaxLength(200)
  phone: string;

  @ApiPropertyOptional({ type: [String], example: ['Mobile', 'Work phone'] })
  @IsOptional() @IsArray() @ArrayMaxSize(5) @IsString({ each: true })
  altPhones?: string[];

  @ApiPropertyOptional({ example: 'First Name' }) @IsOptional() @IsString() @MaxLength(200) firstName?: string;
  @ApiPropertyOptional({ example: 'Last Name' }) @IsOptional() @IsString() @MaxLength(200) lastName?: string;
  @ApiPropertyOptional({ example: 'ZIP' }) @IsOptional() @IsString() @MaxLength(200) postalCode?: string;
  @ApiPropertyOptional({ description: 'column holding an IANA zone name', example: 'TZ' }) @IsOptional() @IsString() @MaxLength(200) timezone?: string;

  @ApiPropertyOptional({ description: 'custom field name -> CSV header; kept in leads.custom_fields', example: { product: 'Product owned' } })
  @IsOptional() @IsObject()
  custom?: Record<string, string>;
}

/** The multipart form fields next to the file. */
export class CreateImportDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'the CSV file (UTF-8, with a header row)' })
  @IsOptional()
  file?: unknown;

  @ApiProperty({ description: 'JSON of ColumnMappingDto', example: '{"phone":"Phone","firstName":"First Name","custom":{"product":"Product"}}' })
  @IsString() @IsNotEmpty()
  mapping: string;

  @ApiPropertyOptional({ description: 'import into this existing list' })
  @IsOptional() @IsUUID()
  listId?: string;

  @ApiPropertyOptional({ description: 'or create a list of this name (created only if the import succeeds)' })
  @IsOptional() @IsString() @Length(1, 200)
  newListName?: string;

  @ApiPropertyOptional({ description: 'ISO country for numbers written without a country code; default: the list\'s, else US', example: 'US' })
  @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 country code (e.g. US)' })
  defaultCountry?: string;

  @ApiPropertyOptional({ enum: [',', ';', 'tab', '|'], description: 'default: detected from the file' })
  @IsOptional() @IsIn([',', ';', 'tab', '\t', '|'])
  delimiter?: string;

  @ApiPropertyOptional({ enum: DuplicatePolicy, description: 'a number already in the list: skip the row, or update the lead' })
  @IsOptional() @IsEnum(DuplicatePolicy, { message: 'must be one of: skip, update' })
  duplicatePolicy?: DuplicatePolicy;

  @ApiPropertyOptional({ description: 'also skip numbers already in any list of this campaign' })
  @IsOptional() @IsUUID()
  dedupeCampaignId?: string;
}

export class ImportResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ImportStatus }) status: ImportStatus;
  @ApiPropertyOptional() listId: string | null;
  @ApiPropertyOptional() newListName: string | null;
  @ApiPropertyOptional() fileName: string | null;
  @ApiProperty() delimiter: string;
  @ApiProperty() defaultCountry: string;
  @ApiProperty({ enum: DuplicatePolicy }) duplicatePolicy: DuplicatePolicy;
  @ApiPropertyOptional() dedupeCampaignId: string | null;
  @ApiProperty({ type: ColumnMappingDto }) mapping: ColumnMappingDto;
  @ApiProperty({ description: 'rows read so far (excluding the header)' }) rowsRead: number;
  @ApiProperty({ description: 'bytes of the file read so far' }) bytesRead: number;
  @ApiProperty({ description: 'size of the file in bytes' }) bytesTotal: number;
  @ApiProperty({ minimum: 0, maximum: 100, description: 'share of the file read, whole percent; 100 only once the import completed (it stays at 99 while the rows are merged)' })
  percent: number;
  @ApiProperty({ description: 'leads created' }) inserted: number;
  @ApiProperty({ description: 'existing leads updated (policy update)' }) updated: number;
  @ApiProperty({ description: 'rows refused (see the error report)' }) rejected: number;
  @ApiProperty({ description: 'rows skipped as duplicates' }) duplicates: number;
  @ApiProperty() cancelRequested: boolean;
  @ApiPropertyOptional() error: string | null;
  @ApiProperty() createdAt: Date;
  @ApiPropertyOptional() startedAt: Date | null;
  @ApiPropertyOptional() finishedAt: Date | null;
}

export class ListImportsQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() listId?: string;
}

