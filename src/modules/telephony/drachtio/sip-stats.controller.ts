import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../common/auth/roles.decorator';
import { Role } from '../../users/user.entity';
import { DrachtioTelephony, TelephonyStats } from './drachtio-telephony';

@ApiTags('telephony')
@ApiBearerAuth()
@Controller('api/telephony/sip-stats')
export class SipStatsController {
  constructor(@Inject(DrachtioTelephony) private readonly telephony: DrachtioTelephony) {}

  /** Roles: admin, manager. Bridge latency (200 OK to agent joined), CANCEL/200 races, link drops, live calls. */
  @Get()
  @Roles(Role.Admin, Role.Manager)
  stats(): TelephonyStats {
    return this.telephony.stats();
  }
}
