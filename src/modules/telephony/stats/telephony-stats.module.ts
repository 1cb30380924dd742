import { Module } from '@nestjs/common';
import { TelephonyStatsController } from './telephony-stats.controller';
import { TelephonyStatsStore } from './telephony-stats.store';

/** API side of the workers' telephony figures: GET /api/telephony/sip-stats reads what each worker publishes. */
@Module({
  controllers: [TelephonyStatsController],
  providers: [TelephonyStatsStore],
})
export class TelephonyStatsModule {}
