import { Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Rng } from './simulated/random';
import { SimulatedCarrier } from './simulated/simulated-carrier';
import { SIMULATED_CARRIER_PROFILE, simulatedProfileFromEnv } from './simulated/simulated-carrier.options';
import { RealTimers } from './simulated/timers';
import { Telephony, TELEPHONY } from './telephony.port';

/**
 * The seam between the dialer and the network. TELEPHONY=simulated (the demo default) builds the simulated
 * carrier; TELEPHONY=drachtio is built by createDrachtioTelephony (src/modules/telephony/drachtio/), which the SIP
 * work supplies: register it in TELEPHONY_ADAPTERS and nothing above the port changes.
 */
export type TelephonyFactory = (config: AppConfig) => Telephony | Promise<Telephony>;
export const TELEPHONY_ADAPTERS: Partial<Record<AppConfig['TELEPHONY'], TelephonyFactory>> = {};

const timers = new RealTimers();

const telephonyProvider: Provider = {
  provide: TELEPHONY,
  inject: [APP_CONFIG, SIMULATED_CARRIER_PROFILE],
  useFactory: async (config: AppConfig, profile: ReturnType<typeof simulatedProfileFromEnv>): Promise<Telephony> => {
    if (config.TELEPHONY === 'simulated') return new SimulatedCarrier(timers, new Rng(Date.now() ^ process.pid), profile);
    const factory = TELEPHONY_ADAPTERS[config.TELEPHONY];
    if (!factory) throw new Error(`TELEPHONY=${config.TELEPHONY}: no adapter registered in TELEPHONY_ADAPTERS`);
    return factory(config);
  },
};

@Global()
@Module({
  providers: [{ provide: SIMULATED_CARRIER_PROFILE, useFactory: () => simulatedProfileFromEnv() }, telephonyProvider],
  exports: [TELEPHONY],
})
export class TelephonyModule implements OnApplicationShutdown {
  constructor(@Inject(TELEPHONY) private readonly telephony: Telephony) {}
  onApplicationShutdown(): void {
    if (this.telephony instanceof SimulatedCarrier) this.telephony.dropAll();
  }
}
