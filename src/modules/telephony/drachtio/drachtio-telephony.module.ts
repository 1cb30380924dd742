import { Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { REDIS } from '../../../common/redis/redis.module';
import { existsSync } from 'fs';
import { join } from 'path';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { ConfigError } from '../../../config/env.schema';
import { UserEntity } from '../../users/user.entity';
import { GatewaysModule } from '../gateways/gateways.module';
import { GatewaysService } from '../gateways/gateways.service';
import { RtpEngineNgClient } from '../rtpengine/rtpengine-ng.client';
import { TELEPHONY } from '../telephony.port';
import { DrachtioTelephony } from './drachtio-telephony';
import { RedisDigestAttemptStore, RedisRegistrar } from './registrar';
import { SrfLike } from './sip-types';
import { UserPhoneDirectory } from './user-phone.directory';

// drachtio-srf is CommonJS with `export =`; its class satisfies SrfLike at run time (register() is added per verb).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Srf = require('drachtio-srf') as new () => SrfLike;

const SOUNDS = join(process.cwd(), 'src/modules/telephony/rtpengine/sounds');
/** The spoken message (who called, a call-back number) made by scripts/make-abandon-message.sh at setup time. */
export const SPOKEN_ABANDON_MESSAGE = join(SOUNDS, 'abandon-message-spoken.wav');
/** A placeholder tone, not a compliant message: only used when the spoken message was never generated. */
export const PLACEHOLDER_ABANDON_TONE = join(SOUNDS, 'abandon-message.wav');

/**
 * The file played into abandoned calls: ABANDON_MESSAGE_FILE when set (a path as rtpengine sees it), else the spoken
 * message generated at setup, else the placeholder tone (with a warning: it names no caller and no call-back number).
 */
export function abandonMessageFile(configured: string | undefined | null, exists: (p: string) => boolean = existsSync): { file: string; warning: string | null } {
  if (configured) return { file: configured, warning: null };
  if (exists(SPOKEN_ABANDON_MESSAGE)) return { file: SPOKEN_ABANDON_MESSAGE, warning: null };
  return {
    file: PLACEHOLDER_ABANDON_TONE,
    warning: 'no spoken abandonment message: playing a placeholder tone. Run scripts/make-abandon-message.sh (needs espeak-ng and sox) or set ABANDON_MESSAGE_FILE',
  };
}

/** Builds the adapter from the validated configuration (TELEPHONY=drachtio). */
export function createDrachtioTelephony(config: AppConfig, gateways: GatewaysService, phones: UserPhoneDirectory, redis: Redis): DrachtioTelephony {
  if (!config.DRACHTIO_HOST) throw new ConfigError('Invalid configuration: DRACHTIO_HOST is required when TELEPHONY=drachtio');
  if (!config.RTPENGINE_HOST) throw new ConfigError('Invalid configuration: RTPENGINE_HOST is required when TELEPHONY=drachtio (media is anchored on rtpengine)');
  const abandon = abandonMessageFile(config.ABANDON_MESSAGE_FILE);
  if (abandon.warning) new Logger('DrachtioTelephonyModule').warn(abandon.warning);
  return new DrachtioTelephony(new Srf(), new RtpEngineNgClient(config.RTPENGINE_HOST, config.RTPENGINE_PORT), gateways, phones, {
    drachtio: { host: config.DRACHTIO_HOST, port: config.DRACHTIO_PORT, secret: config.DRACHTIO_SECRET ?? '' },
    realm: config.SIP_REALM,
    abandonMessageFile: abandon.file,
    recordingDir: config.RTPENGINE_RECORDING_DIR || null,
    digestSecret: config.JWT_SECRET,
    digestAttempts: new RedisDigestAttemptStore(redis),
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
