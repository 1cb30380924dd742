import { Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { REDIS } from '../../../common/redis/redis.module';
import { join } from 'path';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { ConfigError } from '../../../config/env.schema';
import { UserEntity } from '../../users/user.entity';
import { GatewaysModule } from '../gateways/gateways.module';
import { GatewaysService } from '../gateways/gateways.service';
import { RtpEngineNgClient } from '../rtpengine/rtpengine-ng.client';
import { TELEPHONY } from '../telephony.port';
import { DrachtioTelephony } from './drachtio-telephony';
import { RedisRegistrar } from './registrar';
import { SipStatsController } from './sip-stats.controller';
import { SrfLike } from './sip-types';
import { UserPhoneDirectory } from './user-phone.directory';

// drachtio-srf is CommonJS with `export =`; its class satisfies SrfLike at run time (register() is added per verb).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Srf = require('drachtio-srf') as new () => SrfLike;

/** A placeholder tone, not a compliant message: set ABANDON_MESSAGE_FILE to a recording naming the caller and a call-back number. */
export const DEFAULT_ABANDON_MESSAGE = join(process.cwd(), 'src/modules/telephony/rtpengine/sounds/abandon-message.wav');

/** Builds the adapter from the validated configuration (TELEPHONY=drachtio). */
export function createDrachtioTelephony(config: AppConfig, gateways: GatewaysService, phones: UserPhoneDirectory, redis: Redis): DrachtioTelephony {
  if (!config.DRACHTIO_HOST) throw new ConfigError('Invalid configuration: DRACHTIO_HOST is required when TELEPHONY=drachtio');
  if (!config.RTPENGINE_HOST) throw new ConfigError('Invalid configuration: RTPENGINE_HOST is required when TELEPHONY=drachtio (media is anchored on rtpengine)');
  return new DrachtioTelephony(new Srf(), new RtpEngineNgClient(config.RTPENGINE_HOST, config.RTPENGINE_PORT), gateways, phones, {
    drachtio: { host: config.DRACHTIO_HOST, port: config.DRACHTIO_PORT, secret: config.DRACHTIO_SECRET ?? '' },
    realm: config.SIP_REALM,
    abandonMessageFile: config.ABANDON_MESSAGE_FILE || DEFAULT_ABANDON_MESSAGE,
    recordingDir: config.RTPENGINE_RECORDING_DIR || null,
  }, new RedisRegistrar(redis));
}

export const drachtioTelephonyFactory: Provider = {
  provide: DrachtioTelephony,
  inject: [APP_CONFIG, GatewaysService, UserPhoneDirectory, REDIS],
  useFactory: createDrachtioTelephony,
};

/** What the TelephonyModule binds when TELEPHONY=drachtio. */
export const drachtioTelephonyProvider: Provider = { provide: TELEPHONY, useExisting: DrachtioTelephony };

/**
 * The drachtio adapter with its lifecycle: connects at boot (without blocking it: while the link is down, dials
 * fail as carrier failures and drachtio-srf keeps reconnecting) and disconnects at shutdown.
 */
@Module({
  imports: [GatewaysModule, TypeOrmModule.forFeature([UserEntity])],
  controllers: [SipStatsController],
  providers: [UserPhoneDirectory, drachtioTelephonyFactory, drachtioTelephonyProvider],
  exports: [DrachtioTelephony, drachtioTelephonyProvider],
})
export class DrachtioTelephonyModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('DrachtioTelephonyModule');
  constructor(@Inject(DrachtioTelephony) private readonly telephony: DrachtioTelephony) {}

  onApplicationBootstrap(): void {
    this.telephony.start().catch((err: Error) => this.log.error(`drachtio-server connection failed: ${err.message}`));
  }

  onApplicationShutdown(): void {
    this.telephony.stop();
  }
}
