import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { Roles } from '../../common/auth/roles.decorator';
import { invalid } from '../../common/errors/domain-error';
import { Role } from '../users/user.entity';
import { CampaignAccessService } from './campaign-access.service';
import { DncScope } from './compliance.entities';
import { AddDncDto, DncLookupQuery, GateCheckDto, ListDncQuery, RemoveDncDto } from './compliance.dto';
import { DialGateService } from './dial-gate.service';
import { DncService } from './dnc.service';
import { RegistryImportService } from './registry-import.service';
import { RegistryLookupService } from './registry-lookup.service';

@ApiTags('compliance')
@ApiBearerAuth()
@Controller('api/compliance')
export class DncController {
  constructor(
    private readonly dnc: DncService,
    private readonly access: CampaignAccessService,
    private readonly registry: RegistryImportService,
    private readonly gate: DialGateService,
    private readonly registryLookup: RegistryLookupService,
  ) {}

  @Get('dnc/lookup')
  @Roles(Role.Admin, Role.Manager, Role.Compliance)
  @ApiOperation({ summary: 'Is this number blocked? Active internal and campaign entries and registry membership (roles: admin, manager, compliance)' })
  async lookup(@Query() q: DncLookupQuery) {
    const phone = this.dnc.normalise(q.phone, q.country);
    const [entries, registry, status] = await Promise.all([
      this.dnc.activeEntries(phone, new Date()),
      this.registryLookup.hasMany([phone]),
      this.registry.status(new Date()),
    ]);
    return {
      phone,
      internal: entries.some((e) => e.scope === DncScope.Internal),
      campaignIds: entries.filter((e) => e.scope === DncScope.Campaign).map((e) => e.campaignId),
      registry: registry.has(phone) || entries.some((e) => e.scope === DncScope.Registry),
      entries,
      registryWarning: status.warning,
    };
  }

  @Post('dnc')
  @Roles(Role.Admin, Role.Manager)
  @ApiOperation({ summary: 'Add a number to the internal or a campaign DNC list (roles: admin, manager for own campaigns)' })
  async add(@Body() dto: AddDncDto, @CurrentUser() user: AuthUser) {
    if (dto.scope === 'campaign') {
      if (!dto.campaignId) throw invalid('campaignId', 'is required for a campaign list');
      await this.access.assertCampaign(user, dto.campaignId);
    }
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw invalid('expiresAt', 'must be in the future');
    return this.dnc.add(
      { phone: dto.phone, scope: dto.scope as DncScope.Internal | DncScope.Campaign, campaignId: dto.campaignId ?? null, reason: dto.reason, expiresAt, country: dto.country },
      { actorUserId: user.id, actor: 'user' },
    );
  }

  @Post('dnc/:id/remove')
  @HttpCode(200)
  @Roles(Role.Admin, Role.Manager)
  @ApiOperation({ summary: 'Take an entry off its list, with a reason (roles: admin, manager for own campaigns)' })
  async remove(@Param('id') id: string, @Body() dto: RemoveDncDto, @CurrentUser() user: AuthUser) {
    if (!/^\d{1,18}$/.test(id)) throw invalid('id', 'must be a DNC entry id');
    return this.dnc.remove(id, dto.reason, { actorUserId: user.id, actor: 'user' }, await this.access.visibleCampaignIds(user));
  }

  @Get('dnc')
  @Roles(Role.Admin, Role.Manager, Role.Compliance)
  @ApiOperation({ summary: 'Search DNC entries; carries the registry staleness warning (roles: admin, manager, compliance)' })
  async list(@Query() q: ListDncQuery, @CurrentUser() user: AuthUser) {
    const phone = q.phone ? this.dnc.normalise(q.phone, q.country) : undefined;
    const [page, status] = await Promise.all([
      this.dnc.list(
        { phone, scope: q.scope as DncScope | undefined, campaignId: q.campaignId, includeRemoved: q.includeRemoved, campaignIds: await this.access.visibleCampaignIds(user) },
        q.page, q.pageSize,
      ),
      this.registry.status(new Date()),
    ]);
    return { ...page, page: q.page, pageSize: q.pageSize, registryWarning: status.warning };
  }

  @Post('gate/check')
  @HttpCode(200)
  @Roles(Role.Admin, Role.Manager)
  @ApiOperation({ summary: 'Dry run of the dial gate for leads of a campaign: why would they (not) be dialled now (roles: admin, manager)' })
  async check(@Body() dto: GateCheckDto, @CurrentUser() user: AuthUser) {
    await this.access.assertCampaign(user, dto.campaignId);
    const at = dto.at ? new Date(dto.at) : new Date();
    // A dry run is not a dial: no 'dial_blocked' events.
    const results = await this.gate.check(dto.leadIds, dto.campaignId, at, { actor: 'api', actorUserId: user.id, recordBlocks: false });
    return { at, results };
  }
}
