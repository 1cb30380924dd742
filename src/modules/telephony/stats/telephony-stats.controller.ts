import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../common/auth/roles.decorator';
import { Role } from '../../users/user.entity';
import { TelephonyStatsStore, WorkerTelephonySample } from './telephony-stats.store';

@ApiTags('telephony')
@ApiBearerAuth()
@Controller('api/telephony/sip-stats')
export class TelephonyStatsController {
  constructor(private readonly store: TelephonyStatsStore) {}

  /**
   * Roles: admin, manager. Each live worker's telephony figures (published every 5 s): engine, link to
   * drachtio-server up or not, when sampled, live calls; with drachtio also bridge latency (200 OK to agent joined),
   * CANCEL/200 races, link drops and reconciled calls, agent legs.
   */
  @Get()
  @Roles(Role.Admin, Role.Manager)
  @ApiOkResponse({ description: '{ workers: [{ worker, telephony, connected, sampledAt, stats }] }, by worker name' })
  async stats(): Promise<{ workers: WorkerTelephonySample[] }> {
    return { workers: await this.store.all() };
  }
}
