import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator';
import { Role } from '../users/user.entity';
import { CampaignLive, LiveStatsService } from './live-stats.service';

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api/campaigns')
export class LiveStatsController {
  constructor(private readonly stats: LiveStatsService) {}

  /** Roles: admin, manager. Agents by state, calls ringing, dial level, contact, abandon and conversion rates. */
  @Get(':id/live')
  @Roles(Role.Admin, Role.Manager)
  live(@Param('id', ParseUUIDPipe) id: string): Promise<CampaignLive> {
    return this.stats.live(id);
  }
}
