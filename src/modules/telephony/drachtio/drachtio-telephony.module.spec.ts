import type Redis from 'ioredis';
import { loadConfig } from '../../../config/env.schema';
import { GatewaysService } from '../gateways/gateways.service';
import { PLACEHOLDER_ABANDON_TONE, SPOKEN_ABANDON_MESSAGE, abandonMessageFile, createDrachtioTelephony } from './drachtio-telephony.module';
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

  it('ships a placeholder tone for when the spoken abandonment message was never generated', () => {
    expect(existsSync(PLACEHOLDER_ABANDON_TONE)).toBe(true);
  });

  it('plays the configured file, else the spoken message made at setup, else the tone with a warning', () => {
    expect(abandonMessageFile('/sounds/ours.wav', () => false)).toEqual({ file: '/sounds/ours.wav', warning: null });
    expect(abandonMessageFile(undefined, (p) => p === SPOKEN_ABANDON_MESSAGE)).toEqual({ file: SPOKEN_ABANDON_MESSAGE, warning: null });
    const fallback = abandonMessageFile('', () => false);
    expect(fallback.file).toBe(PLACEHOLDER_ABANDON_TONE);
    expect(fallback.warning).toMatch(/placeholder tone.*make-abandon-message\.sh/);
  });
});
