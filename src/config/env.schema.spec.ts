import { ConfigError, loadConfig } from './env.schema';

const base = { JWT_SECRET: 'x'.repeat(32) };

describe('configuration validated at boot', () => {
  it('fills defaults for a minimal environment', () => {
    const c = loadConfig(base);
    expect(c.PORT).toBe(3000);
    expect(c.TELEPHONY).toBe('simulated');
    expect(c.RUN_MODE).toBe('all');
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...base, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(() => loadConfig({ ...base, TELEPHONY: 'pots' })).toThrow(/TELEPHONY/);
  });

  it('refuses to start without a long JWT secret', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: must be at least 32 characters/);
  });

  it('requires a drachtio host when real telephony is chosen', () => {
    expect(() => loadConfig({ ...base, TELEPHONY: 'drachtio' })).toThrow(/DRACHTIO_HOST is required/);
    expect(loadConfig({ ...base, TELEPHONY: 'drachtio', DRACHTIO_HOST: '127.0.0.1' }).DRACHTIO_HOST).toBe('127.0.0.1');
  });
});
