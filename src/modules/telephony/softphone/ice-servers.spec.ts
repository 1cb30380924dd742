import { createHmac } from 'node:crypto';
import { softphoneIceConfig } from './ice-servers';

describe('softphone ICE configuration', () => {
  const now = new Date('2026-11-24T08:00:00Z');

  it('mints a TURN REST API credential: <expiry>:<agent id>, base64 HMAC-SHA1 of it under the shared secret', () => {
    const c = softphoneIceConfig({ urls: 'turn:t.example:3478', secret: 'sixteen-chars-secret', ttlSeconds: 600, policy: 'all' }, 'agent-42', now);
    const expiry = now.getTime() / 1000 + 600;
    expect(c.iceServers).toEqual([{ urls: ['turn:t.example:3478'], username: `${expiry}:agent-42`, credential: createHmac('sha1', 'sixteen-chars-secret').update(`${expiry}:agent-42`).digest('base64') }]);
    expect(c.expiresAt).toBe('2026-11-24T08:10:00.000Z');
    expect(c.iceTransportPolicy).toBe('all');
  });

  it('gives each agent a credential of its own', () => {
    const a = softphoneIceConfig({ urls: 'turn:t.example', secret: 'sixteen-chars-secret', ttlSeconds: 600, policy: 'all' }, 'agent-1', now);
    const b = softphoneIceConfig({ urls: 'turn:t.example', secret: 'sixteen-chars-secret', ttlSeconds: 600, policy: 'all' }, 'agent-2', now);
    expect(a.iceServers[0].credential).not.toBe(b.iceServers[0].credential);
  });

  it('keeps STUN servers apart (no credential) and relays only when a TURN server is there to relay', () => {
    expect(softphoneIceConfig({ urls: ' stun:s.example , stuns:s2.example', ttlSeconds: 600, policy: 'relay' }, 'a', now))
      .toEqual({ iceServers: [{ urls: ['stun:s.example', 'stuns:s2.example'] }], iceTransportPolicy: 'all', expiresAt: null });
    const both = softphoneIceConfig({ urls: 'stun:s.example,turns:t.example:5349?transport=tcp', secret: 'sixteen-chars-secret', ttlSeconds: 60, policy: 'relay' }, 'a', now);
    expect(both.iceServers.map((s) => s.urls)).toEqual([['stun:s.example'], ['turns:t.example:5349?transport=tcp']]);
    expect(both.iceTransportPolicy).toBe('relay');
  });

  it('gives nothing when nothing is configured', () => {
    expect(softphoneIceConfig({ urls: '', ttlSeconds: 600, policy: 'all' }, 'a', now)).toEqual({ iceServers: [], iceTransportPolicy: 'all', expiresAt: null });
  });
});
