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

  it('checks the softphone TURN settings: URLs, a secret for TURN servers, and relay only with a TURN server', () => {
    expect(() => loadConfig({ ...base, TURN_URLS: 'http://turn.example.com' })).toThrow(/TURN_URLS: must be stun:, turn: or turns: URLs/);
    expect(() => loadConfig({ ...base, TURN_URLS: 'turn:turn.example.com:3478' })).toThrow(/TURN_SECRET is required/);
    expect(() => loadConfig({ ...base, TURN_URLS: 'turn:turn.example.com:3478', TURN_SECRET: 'short' })).toThrow(/TURN_SECRET: must be at least 16/);
    expect(() => loadConfig({ ...base, TURN_URLS: 'stun:stun.example.com', SOFTPHONE_ICE_POLICY: 'relay' })).toThrow(/needs a turn: or turns: server/);
    const c = loadConfig({ ...base, TURN_URLS: 'stun:stun.example.com,turns:turn.example.com:5349?transport=tcp', TURN_SECRET: 's'.repeat(16), SOFTPHONE_ICE_POLICY: 'relay' });
    expect(c.TURN_CREDENTIAL_TTL).toBe(12 * 3600);
    expect(c.SOFTPHONE_ICE_POLICY).toBe('relay');
    expect(loadConfig(base).SOFTPHONE_ICE_POLICY).toBe('all');
  });
});
