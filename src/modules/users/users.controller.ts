import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator';
import { CreateUserDto, UpdateUserDto, UserResponse } from './users.dto';
import { Role } from './user.entity';
import { UsersService } from './users.service';
import { invalid } from '../../common/errors/domain-error';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Roles: admin. */
  @Post()
  @Roles(Role.Admin)
  create(@Body() dto: CreateUserDto): Promise<UserResponse> {
    return this.users.create(dto);
  }

  /** Roles: admin, manager (managers see who their agents are). */
  @Get()
  @Roles(Role.Admin, Role.Manager)
  @ApiQuery({ name: 'role', required: false, enum: Role })
  list(@Query('role') role?: string): Promise<UserResponse[]> {
    if (role !== undefined && !Object.values(Role).includes(role as Role)) throw invalid('role', `must be one of: ${Object.values(Role).join(', ')}`);
    return this.users.list(role as Role | undefined);
  }

  /** Roles: admin. */
  @Get(':id')
  @Roles(Role.Admin)
  get(@Param('id', ParseUUIDPipe) id: string): Promise<UserResponse> {
    return this.users.get(id);
  }

  /** Roles: admin. */
  @Patch(':id')
  @Roles(Role.Admin)
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateUserDto): Promise<UserResponse> {
    return this.users.update(id, dto);
  }
}
