import type Redis from 'ioredis';
import { loadConfig } from '../../../config/env.schema';
import { GatewaysService } from '../gateways/gateways.service';
import { DEFAULT_ABANDON_MESSAGE, createDrachtioTelephony } from './drachtio-telephony.module';
import { existsSync } from 'fs';
import { UserPhoneDirectory } from './user-phone.directory';

const base = { JWT_SECRET: 'x'.repeat(32), TELEPHONY: 'drachtio', DRACHTIO_HOST: '127.0.0.1' };
const deps = [{} as GatewaysService, {} as UserPhoneDirectory, {} as Redis] as const;

describe('drachtio adapter factory', () => {
  it('refuses to build without an rtpengine to anchor media, naming the variable', () => {
    expect(() => createDrachtioTelephony(loadConfig(base), ...deps)).toThrow(/RTPENGINE_HOST is required/);
  });

  it('builds a drachtio adapter, not yet connected, from the configuration', () => {
    const tel = createDrachtioTelephony(loadConfig({ ...base, RTPENGINE_HOST: '127.0.0.1' }), ...deps);
    expect(tel.name).toBe('drachtio');
    expect(tel.isConnected()).toBe(false);
    expect(tel.liveCalls()).toEqual([]);
    tel.stop();
  });

  it('ships a placeholder abandonment message file', () => {
    expect(existsSync(DEFAULT_ABANDON_MESSAGE)).toBe(true);
  });
});
