import { createHmac } from 'node:crypto';

/** What the browser softphone gives its RTCPeerConnection (the fields of RTCConfiguration it needs). */
export interface SoftphoneIceConfig {
  iceServers: Array<{ urls: string[]; username?: string; credential?: string }>;
  iceTransportPolicy: 'all' | 'relay';
  /** When the TURN credential stops working (ISO time); null when no TURN server is configured. */
  expiresAt: string | null;
}

export interface IceSettings {
  /** Comma-separated stun:/turn:/turns: URLs (TURN_URLS). */
  urls?: string;
  /** The TURN server's shared secret (TURN_SECRET). */
  secret?: string;
  /** Credential lifetime in seconds (TURN_CREDENTIAL_TTL). */
  ttlSeconds: number;
  policy: 'all' | 'relay';
}

/**
 * The ICE servers for one agent's softphone. TURN credentials follow the "TURN REST API" scheme that coturn
 * implements with `use-auth-secret`: the username is `<expiry unix time>:<agent id>` and the password is
 * base64(HMAC-SHA1(secret, username)), so the TURN server checks them with the shared secret alone and they expire
 * by themselves; no per-agent account is kept on the TURN server.
 */
export function softphoneIceConfig(settings: IceSettings, agentId: string, now = new Date()): SoftphoneIceConfig {
  const urls = (settings.urls ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (!urls.length) return { iceServers: [], iceTransportPolicy: 'all', expiresAt: null };
  const stun = urls.filter((u) => /^stuns?:/i.test(u));
  const turn = urls.filter((u) => /^turns?:/i.test(u));
  const iceServers: SoftphoneIceConfig['iceServers'] = [];
  if (stun.length) iceServers.push({ urls: stun });
  let expiresAt: string | null = null;
  if (turn.length && settings.secret) {
    const expiry = Math.floor(now.getTime() / 1000) + settings.ttlSeconds;
    const username = `${expiry}:${agentId}`;
    const credential = createHmac('sha1', settings.secret).update(username).digest('base64');
    iceServers.push({ urls: turn, username, credential });
    expiresAt = new Date(expiry * 1000).toISOString();
  }
  const relay = settings.policy === 'relay' && turn.length > 0 && !!settings.secret;
  return { iceServers, iceTransportPolicy: relay ? 'relay' : 'all', expiresAt };
}
