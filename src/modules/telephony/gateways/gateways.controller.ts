import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../../common/auth/auth-user';
import { Roles } from '../../../common/auth/roles.decorator';
import { EditVersion, VersionEtagInterceptor } from '../../../common/http/edit-version';
import { ApiEditVersion } from '../../../common/http/edit-version.openapi';
import { Role } from '../../users/user.entity';
import { CreateGatewayDto, GatewayResponse, GatewaySummary, UpdateGatewayDto } from './gateways.dto';
import { GatewaysService } from './gateways.service';

@ApiTags('gateways')
@ApiBearerAuth()
@ApiExtraModels(GatewayResponse, GatewaySummary)
@Controller('api/gateways')
export class GatewaysController {
  constructor(private readonly gateways: GatewaysService) {}

  /** Roles: admin (full configuration, never the password), manager (ids and names, to pick one for a campaign). */
  @Get()
  @Roles(Role.Admin, Role.Manager)
  @ApiOkResponse({ schema: { type: 'array', items: { oneOf: [{ $ref: getSchemaPath(GatewayResponse) }, { $ref: getSchemaPath(GatewaySummary) }] } } })
  list(@CurrentUser() user: AuthUser): Promise<GatewayResponse[] | GatewaySummary[]> {
    return user.role === Role.Admin ? this.gateways.list() : this.gateways.listNames();
  }

  /** Roles: admin. */
  @Post()
  @Roles(Role.Admin)
  create(@Body() dto: CreateGatewayDto): Promise<GatewayResponse> {
    return this.gateways.create(dto);
  }

  /** Roles: admin. ETag: "<version>". */
  @Get(':id')
  @Roles(Role.Admin)
  @UseInterceptors(VersionEtagInterceptor)
  get(@Param('id', ParseUUIDPipe) id: string): Promise<GatewayResponse> {
    return this.gateways.get(id);
  }

  /** Roles: admin. If-Match / body version: 412 when the gateway changed since. */
  @Patch(':id')
  @Roles(Role.Admin)
  @ApiEditVersion()
  @UseInterceptors(VersionEtagInterceptor)
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateGatewayDto, @EditVersion() expected: number | null): Promise<GatewayResponse> {
    return this.gateways.update(id, dto, expected);
  }

  /** Roles: admin. */
  @Delete(':id')
  @Roles(Role.Admin)
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.gateways.remove(id);
  }
}
