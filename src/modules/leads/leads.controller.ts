import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { Roles } from '../../common/auth/roles.decorator';
import { Role } from '../users/user.entity';
import {
  CreateListDto, DialabilityQuery, DialabilityResponse, LeadPage, LeadResponse, ListResponse, PageLeadsQuery, SearchLeadsQuery, UpdateLeadDto, UpdateListDto,
} from './leads.dto';
import { LeadsService } from './leads.service';

const MANAGE = [Role.Admin, Role.Manager];
const READ = [Role.Admin, Role.Manager, Role.Compliance];

@ApiTags('lead lists')
@ApiBearerAuth()
@Controller('api/lead-lists')
export class LeadListsController {
  constructor(private readonly leads: LeadsService) {}

  /** Roles: admin, manager. */
  @Post()
  @Roles(...MANAGE)
  @ApiOkResponse({ type: ListResponse })
  create(@Body() dto: CreateListDto, @CurrentUser() user: AuthUser): Promise<ListResponse> {
    return this.leads.createList(dto, user);
  }

  /** Roles: admin, manager, compliance. Lists with their lead counts by status. */
  @Get()
  @Roles(...READ)
  @ApiOkResponse({ type: [ListResponse] })
  list(): Promise<ListResponse[]> {
    return this.leads.lists();
  }

  /** Roles: admin, manager, compliance. */
  @Get(':id')
  @Roles(...READ)
  @ApiOkResponse({ type: ListResponse })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<ListResponse> {
    return this.leads.getList(id);
  }

  /** Roles: admin, manager. */
  @Patch(':id')
  @Roles(...MANAGE)
  @ApiOkResponse({ type: ListResponse })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateListDto): Promise<ListResponse> {
    return this.leads.updateList(id, dto);
  }

  /** Roles: admin, manager. Soft delete of the list and its leads. */
  @Delete(':id')
  @HttpCode(204)
  @Roles(...MANAGE)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.leads.deleteList(id);
  }

  /** Roles: admin, manager, compliance (numbers masked for compliance). */
  @Get(':id/leads')
  @Roles(...READ)
  @ApiOkResponse({ type: LeadPage })
  page(@Param('id', ParseUUIDPipe) id: string, @Query() q: PageLeadsQuery, @CurrentUser() user: AuthUser): Promise<LeadPage> {
    return this.leads.page(id, q, user);
  }
}

@ApiTags('leads')
@ApiBearerAuth()
@Controller('api/leads')
export class LeadsController {
  constructor(private readonly leads: LeadsService) {}

  /** Roles: admin, manager, compliance. Search by phone number (exact, after normalisation), across lists. */
  @Get()
  @Roles(...READ)
  @ApiOkResponse({ type: [LeadResponse] })
  search(@Query() q: SearchLeadsQuery, @CurrentUser() user: AuthUser): Promise<LeadResponse[]> {
    return this.leads.search(q, user);
  }

  /** Roles: admin, manager, compliance. */
  @Get(':id')
  @Roles(...READ)
  @ApiOkResponse({ type: LeadResponse })
  get(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<LeadResponse> {
    return this.leads.get(id, user);
  }

  /** Roles: admin, manager. */
  @Patch(':id')
  @Roles(...MANAGE)
  @ApiOkResponse({ type: LeadResponse })
  update(@Param('id') id: string, @Body() dto: UpdateLeadDto, @CurrentUser() user: AuthUser): Promise<LeadResponse> {
    return this.leads.update(id, dto, user);
  }

  /** Roles: admin, manager. Soft delete. */
  @Delete(':id')
  @HttpCode(204)
  @Roles(...MANAGE)
  remove(@Param('id') id: string): Promise<void> {
    return this.leads.remove(id);
  }

  /** Roles: admin, manager, compliance. Why the dialer would not call this lead now (status, DNC, attempts, retry time, hours). */
  @Get(':id/dialability')
  @Roles(...READ)
  @ApiOkResponse({ type: DialabilityResponse })
  dialability(@Param('id') id: string, @Query() q: DialabilityQuery, @CurrentUser() user: AuthUser): Promise<DialabilityResponse> {
    return this.leads.dialability(id, q.campaignId, user);
  }
}
