import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';
import { EDIT_VERSION_DOC } from '../../../common/http/edit-version.openapi';
import { IsOptionalNotNull } from '../../../common/validation';
import { CallerIdRules, GatewayTransport, NumberFormat } from './gateway-config';

const TRANSPORTS: GatewayTransport[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];
const FORMATS: NumberFormat[] = ['e164', 'national', 'e164_no_plus'];
const E164 = /^\+[1-9]\d{6,14}$/;

export class CallerIdRulesDto implements CallerIdRules {
  @ApiPropertyOptional({ description: 'Caller ID in the From user part (default true; false presents anonymous)' })
  @IsOptional() @IsBoolean()
  from?: boolean;

  @ApiPropertyOptional({ description: 'Add P-Asserted-Identity with the caller ID' })
  @IsOptional() @IsBoolean()
  pAssertedIdentity?: boolean;

  @ApiPropertyOptional({ description: 'Add a Diversion header with this E.164 number', example: '+12025550199', nullable: true })
  @IsOptional() @Matches(E164, { message: 'must be an E.164 number such as +12025550199' })
  diversion?: string | null;

  @ApiPropertyOptional({ description: 'Add Privacy: id' })
  @IsOptional() @IsBoolean()
  privacy?: boolean;

  @ApiPropertyOptional({ enum: FORMATS, description: 'Format of the caller ID; default: the gateway number format' })
  @IsOptional() @IsIn(FORMATS, { message: `must be one of: ${FORMATS.join(', ')}` })
  format?: NumberFormat;
}

export class CreateGatewayDto {
  @ApiProperty({ example: 'carrier-a' })
  @IsString() @Length(1, 80)
  name: string;

  @ApiProperty({ example: 'sip.carrier-a.example', description: 'host name or IP address of the trunk' })
  @IsString() @Matches(/^(\[[0-9a-fA-F:]+\]|[0-9a-fA-F:]*:[0-9a-fA-F:]+|[A-Za-z0-9.-]{1,253})$/, { message: 'must be a host name or an IP address' })
  host: string;

  @ApiPropertyOptional({ default: 5060 })
  @IsOptionalNotNull() @IsInt() @Min(1) @Max(65535)
  port?: number;

  @ApiPropertyOptional({ enum: TRANSPORTS, default: 'udp' })
  @IsOptionalNotNull() @IsIn(TRANSPORTS, { message: `must be one of: ${TRANSPORTS.join(', ')}` })
  transport?: GatewayTransport;

  @ApiPropertyOptional({ description: 'digest user name for the trunk', nullable: true })
  @IsOptional() @IsString() @Length(1, 120)
  username?: string | null;

  @ApiPropertyOptional({ description: 'digest password (write only: never returned)', nullable: true, writeOnly: true })
  @IsOptional() @IsString() @Length(1, 200)
  password?: string | null;

  @ApiPropertyOptional({ enum: FORMATS, default: 'e164' })
  @IsOptionalNotNull() @IsIn(FORMATS, { message: `must be one of: ${FORMATS.join(', ')}` })
  numberFormat?: NumberFormat;

  @ApiPropertyOptional({ description: 'tech prefix put before the dialled number', example: '1234#', default: '' })
  @IsOptionalNotNull() @IsString() @MaxLength(20) @Matches(/^[0-9*#+]*$/, { message: 'may hold only digits, *, # and +' })
  prefix?: string;

  @ApiPropertyOptional({ type: CallerIdRulesDto })
  @IsOptionalNotNull() @ValidateNested() @Type(() => CallerIdRulesDto)
  callerIdRules?: CallerIdRulesDto;

  @ApiPropertyOptional({ description: 'calls per second the trunk accepts', default: 10 })
  @IsOptionalNotNull() @IsInt() @Min(1) @Max(10000)
  cpsLimit?: number;

  @ApiPropertyOptional({ description: 'concurrent calls the trunk accepts', default: 100 })
  @IsOptionalNotNull() @IsInt() @Min(1) @Max(100000)
  channelLimit?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull() @IsBoolean()
  active?: boolean;
}

/** Every field may be left out; null only where it clears a value (username, password): the others are NOT NULL. */
export class UpdateGatewayDto extends PartialType(CreateGatewayDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({ description: EDIT_VERSION_DOC, minimum: 1 }) @IsOptional() @IsInt() @Min(1) version?: number;
}

export class GatewayResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() host: string;
  @ApiProperty() port: number;
  @ApiProperty({ enum: TRANSPORTS }) transport: GatewayTransport;
  @ApiPropertyOptional({ nullable: true }) username: string | null;
  @ApiProperty({ description: 'whether a digest password is stored (the password itself is never returned)' }) hasPassword: boolean;
  @ApiProperty({ enum: FORMATS }) numberFormat: NumberFormat;
  @ApiProperty() prefix: string;
  @ApiProperty({ type: CallerIdRulesDto }) callerIdRules: CallerIdRules;
  @ApiProperty() cpsLimit: number;
  @ApiProperty() channelLimit: number;
  @ApiProperty() active: boolean;
  @ApiProperty({ description: 'edit version: send it back as If-Match (or body version) when editing' }) version: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

/** What a manager sees: enough to pick a gateway for a campaign. */
export class GatewaySummary {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() active: boolean;
}
