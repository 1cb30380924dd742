import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsEnum, IsIn, IsOptional, IsString, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { Role } from './user.entity';

export class CreateUserDto {
  @ApiProperty({ example: 'agent7@example.com' })
  @IsEmail({}, { message: 'must be an e-mail address' }) @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Agent Seven' })
  @IsString() @Length(1, 120)
  displayName: string;

  @ApiProperty({ minLength: 10 })
  @IsString() @MinLength(10, { message: 'must be at least 10 characters' }) @MaxLength(200)
  password: string;

  @ApiProperty({ enum: Role })
  @IsEnum(Role, { message: `must be one of: ${Object.values(Role).join(', ')}` })
  role: Role;

  @ApiPropertyOptional({ description: 'SIP URI the dialer calls for this agent\'s leg', example: 'sip:agent7@10.0.0.5' })
  @IsOptional() @Matches(/^sips?:[^\s]+$/, { message: 'must be a sip: or sips: URI' })
  sipUri?: string;

  @ApiPropertyOptional({ enum: ['en', 'zh-CN'] })
  @IsOptional() @IsIn(['en', 'zh-CN'])
  locale?: string;
}

export class UpdateUserDto extends PartialType(CreateUserDto) {
  @ApiPropertyOptional()
  @IsOptional() @IsBoolean()
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
