import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsEnum, IsIn, IsOptional, IsString, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { IsOptionalNotNull, NotNull } from '../../common/validation';
import { Role } from './user.entity';

export class CreateUserDto {
  @ApiProperty({ example: 'agent7@example.com' })
  @NotNull() @IsEmail({}, { message: 'must be an e-mail address' }) @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Agent Seven' })
  @NotNull() @IsString() @Length(1, 120)
  displayName: string;

  @ApiProperty({ minLength: 10 })
  @NotNull() @IsString() @MinLength(10, { message: 'must be at least 10 characters' }) @MaxLength(200)
  password: string;

  @ApiProperty({ enum: Role })
  @NotNull() @IsEnum(Role, { message: `must be one of: ${Object.values(Role).join(', ')}` })
  role: Role;

  @ApiPropertyOptional({ description: 'SIP URI the dialer calls for this agent\'s leg; null clears it', example: 'sip:agent7@10.0.0.5', nullable: true })
  @IsOptional() @Matches(/^sips?:[^\s]+$/, { message: 'must be a sip: or sips: URI' })
  sipUri?: string;

  @ApiPropertyOptional({ enum: ['en', 'zh-CN'] })
  @IsOptionalNotNull() @IsIn(['en', 'zh-CN'])
  locale?: string;
}

/**
 * Every field may be left out, but only sipUri may be null (it clears the SIP URI): PartialType's default
 * @IsOptional() would let null through to NOT NULL columns, hence skipNullProperties: false.
 */
export class UpdateUserDto extends PartialType(CreateUserDto, { skipNullProperties: false }) {
  @ApiPropertyOptional()
  @IsOptionalNotNull() @IsBoolean()
  active?: boolean;
}

export class UserResponse {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: Role }) role: Role;
  @ApiProperty() active: boolean;
  @ApiPropertyOptional() sipUri: string | null;
  @ApiProperty() locale: string;
  @ApiProperty() createdAt: Date;
}
