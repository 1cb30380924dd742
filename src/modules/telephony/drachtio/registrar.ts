import type Redis from 'ioredis';
import type { DigestAttemptStore } from './digest-auth';

/** Where each agent's SIP phone (or browser softphone) can be reached, learnt from REGISTER. */
export interface Registration {
  username: string;
  contactUri: string;
  /** ws/wss: a browser softphone (WebRTC media through rtpengine); else a plain SIP phone. */
  transport: string;
  /** For connection-oriented transports (ws, wss, tcp, tls): where the REGISTER came from, so calls reuse that flow. */
  proxy: string | null;
  expiresAt: number;
}

export interface Registrar {
  register(username: string, contactUri: string, transport: string, expiresSec: number, proxy?: string | null): Promise<Registration>;
  unregister(username: string): Promise<void>;
  lookup(username: string): Promise<Registration | null>;
}

/** One process only: tests, and a single dialer worker. */
export class MemoryRegistrar implements Registrar {
  private readonly byUser = new Map<string, Registration>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  async register(username: string, contactUri: string, transport: string, expiresSec: number, proxy: string | null = null): Promise<Registration> {
    const reg = { username, contactUri, transport: transport.toLowerCase(), proxy, expiresAt: this.now() + expiresSec * 1000 };
    this.byUser.set(username, reg);
    return reg;
  }

  async unregister(username: string): Promise<void> {
    this.byUser.delete(username);
  }

  async lookup(username: string): Promise<Registration | null> {
    const reg = this.byUser.get(username);
    if (!reg) return null;
    if (reg.expiresAt <= this.now()) {
      this.byUser.delete(username);
      return null;
    }
    return reg;
  }
}

/**
 * Shared by every dialer worker: drachtio-server hands each REGISTER to any connected app, so with several workers the
 * one that set up an agent's leg is not always the one that took the REGISTER. Entries expire with the registration.
 */
export class RedisRegistrar implements Registrar {
  constructor(private readonly redis: Redis, private readonly now: () => number = () => Date.now()) {}

  private key(username: string): string {
    return `sip:registration:${username}`;
  }

  async register(username: string, contactUri: string, transport: string, expiresSec: number, proxy: string | null = null): Promise<Registration> {
    const reg = { username, contactUri, transport: transport.toLowerCase(), proxy, expiresAt: this.now() + expiresSec * 1000 };
    await this.redis.set(this.key(username), JSON.stringify(reg), 'PX', expiresSec * 1000);
    return reg;
  }

  async unregister(username: string): Promise<void> {
    await this.redis.del(this.key(username));
  }

  async lookup(username: string): Promise<Registration | null> {
    const raw = await this.redis.get(this.key(username));
    return raw ? (JSON.parse(raw) as Registration) : null;
  }
}

/** REGISTER authentication's memory (used digest answers, failed attempts) shared by every dialer worker. */
export class RedisDigestAttemptStore implements DigestAttemptStore {
  constructor(private readonly redis: Redis) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(key, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async fail(key: string, windowMs: number): Promise<number> {
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, windowMs, 'NX').exec()) as [[Error | null, number]];
    return count;
  }

  async forgive(key: string): Promise<void> {
    await this.redis.eval(`if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end`, 1, key);
  }

  async failures(key: string): Promise<number> {
    return Number((await this.redis.get(key)) ?? 0);
  }
}
