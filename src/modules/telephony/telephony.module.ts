import { Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { REDIS } from '../../common/redis/redis.module';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { UserEntity } from '../users/user.entity';
import { createDrachtioTelephony } from './drachtio/drachtio-telephony.module';
import { DrachtioTelephony } from './drachtio/drachtio-telephony';
import { UserPhoneDirectory } from './drachtio/user-phone.directory';
import { GatewaysModule } from './gateways/gateways.module';
import { GatewaysService } from './gateways/gateways.service';
import { Rng } from './simulated/random';
import { SimulatedCarrier } from './simulated/simulated-carrier';
import { SIMULATED_CARRIER_PROFILE, simulatedProfileFromEnv } from './simulated/simulated-carrier.options';
import { TelephonyStatsPublisher } from './stats/telephony-stats.publisher';
import { TelephonyStatsStore } from './stats/telephony-stats.store';
import { RealTimers } from './simulated/timers';
import { Telephony, TELEPHONY } from './telephony.port';

/**
 * The seam between the dialer and the network. TELEPHONY=simulated (the demo default) builds the simulated
 * carrier; TELEPHONY=drachtio builds the drachtio-srf adapter (src/modules/telephony/drachtio/) with media on
 * rtpengine. Nothing above the port knows which one runs.
 */
const timers = new RealTimers();

const telephonyProvider: Provider = {
  provide: TELEPHONY,
  inject: [APP_CONFIG, SIMULATED_CARRIER_PROFILE, GatewaysService, UserPhoneDirectory, REDIS],
  useFactory: (
    config: AppConfig,
    profile: ReturnType<typeof simulatedProfileFromEnv>,
    gateways: GatewaysService,
    phones: UserPhoneDirectory,
    redis: Redis,
  ): Telephony => {
    if (config.TELEPHONY === 'drachtio') return createDrachtioTelephony(config, gateways, phones, redis);
    return new SimulatedCarrier(timers, new Rng(Date.now() ^ process.pid), profile);
  },
};

@Global()
@Module({
  imports: [GatewaysModule, TypeOrmModule.forFeature([UserEntity])],
  providers: [
    { provide: SIMULATED_CARRIER_PROFILE, useFactory: () => simulatedProfileFromEnv() }, UserPhoneDirectory, telephonyProvider,
    TelephonyStatsStore, TelephonyStatsPublisher,
  ],
  exports: [TELEPHONY],
})
export class TelephonyModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('TelephonyModule');
  constructor(@Inject(TELEPHONY) private readonly telephony: Telephony) {}

  onApplicationBootstrap(): void {
    // Connect without blocking boot: while the link is down, dials fail as carrier failures and srf reconnects.
    if (this.telephony instanceof DrachtioTelephony) {
      this.telephony.start().catch((err: Error) => this.log.error(`drachtio-server connection failed: ${err.message}`));
    }
  }

  onApplicationShutdown(): void {
    if (this.telephony instanceof SimulatedCarrier) this.telephony.dropAll();
    if (this.telephony instanceof DrachtioTelephony) this.telephony.stop();
  }
}
