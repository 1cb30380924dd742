import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';

/** Server side of SIP digest authentication (RFC 2617 / RFC 3261 §22), MD5 with qop=auth, stateless nonces. */

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  algorithm?: string;
  opaque?: string;
}

/** Longer Authorization headers are refused unread: real ones are a few hundred characters. */
const MAX_HEADER = 4096;

/**
 * Parses `Digest username="..", realm="..", ...`; null when it is not a well-formed digest header. One pass, each
 * character read once (a sticky pattern anchored where the previous parameter ended): a header from the network must
 * not be able to make the parse slow (an unanchored pattern retried at every position was quadratic).
 */
export function parseDigest(header: string | undefined | null): DigestCredentials | null {
  if (!header || header.length > MAX_HEADER) return null;
  const start = /^\s*digest\s+/i.exec(header);
  if (!start) return null;
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))[ \t]*(?:,\s*|$)/y;
  re.lastIndex = start[0].length;
  while (re.lastIndex < header.length) {
    const m = re.exec(header);
    if (!m) return null;
    params[m[1].toLowerCase()] = m[2] ?? m[3];
  }
  if (!params.username || !params.realm || !params.nonce || !params.uri || !params.response) return null;
  return params as unknown as DigestCredentials;
}

/** The response a client with this password must send (RFC 2617 §3.2.2.1). */
export function digestResponse(c: Omit<DigestCredentials, 'response'>, method: string, password: string): string {
  const ha1 = md5(`${c.username}:${c.realm}:${password}`);
  const ha2 = md5(`${method}:${c.uri}`);
  return c.qop ? md5(`${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:${c.qop}:${ha2}`) : md5(`${ha1}:${c.nonce}:${ha2}`);
}

/**
 * The nonce key from a secret every dialer worker shares: drachtio-server hands each REGISTER to any connected worker,
 * so the one that checks the answer is often not the one that sent the challenge.
 */
export function nonceKey(sharedSecret: string): Buffer {
  return createHmac('sha256', sharedSecret).update('sip-digest-nonce').digest();
}

export class DigestAuthenticator {
  constructor(
    readonly realm: string,
    private readonly secret: Buffer = randomBytes(32),
    private readonly now: () => number = () => Date.now(),
    readonly nonceTtlMs = 5 * 60_000,
  ) {}

  /** A fresh challenge for a 401's WWW-Authenticate header. */
  challenge(): string {
    return `Digest realm="${this.realm}", nonce="${this.nonce()}", algorithm=MD5, qop="auth"`;
  }

  /** The nonce carries its own issue time and an HMAC, so no nonce store is needed and forged ones are refused. */
  nonce(at = this.now()): string {
    const ts = at.toString(16);
    return `${ts}.${createHmac('sha256', this.secret).update(ts).digest('hex').slice(0, 32)}`;
  }

  /** 'ok', or why not: 'stale' (answer with a new challenge and stale=true), 'bad' (wrong password or forged). */
  verify(c: DigestCredentials, method: string, password: string): 'ok' | 'stale' | 'bad' {
    if (c.realm !== this.realm) return 'bad';
    if (c.algorithm && c.algorithm.toUpperCase() !== 'MD5') return 'bad';
    const [ts, mac] = c.nonce.split('.');
    const expected = this.nonce(parseInt(ts, 16)).split('.')[1];
    if (!ts || !mac || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return 'bad';
    const want = digestResponse(c, method, password);
    const ok = want.length === c.response.length && timingSafeEqual(Buffer.from(want), Buffer.from(c.response.toLowerCase()));
    if (!ok) return 'bad';
    return this.now() - parseInt(ts, 16) > this.nonceTtlMs ? 'stale' : 'ok';
  }
}

/**
 * What REGISTER authentication remembers between requests, shared by every dialer worker (Redis) or one process
 * (memory): the (nonce, cnonce, nc) answers already used, so a captured Authorization header cannot be sent again
 * with another Contact to take over an agent's phone; and failed attempts, so passwords cannot be guessed at line speed.
 */
export interface DigestAttemptStore {
  /** true the first time a key is claimed within ttlMs; false when it already was. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Counts one attempt in the key's window (opened by its first attempt) and returns the attempts in it. Counted
   * before the check and decided on the returned count, so attempts sent in parallel cannot all pass under the limit.
   */
  fail(key: string, windowMs: number): Promise<number>;
  /** Takes back an attempt counted by fail() that turned out right. */
  forgive(key: string): Promise<void>;
  failures(key: string): Promise<number>;
}

export class MemoryDigestAttemptStore implements DigestAttemptStore {
  private readonly until = new Map<string, { count: number; until: number }>();
  constructor(private readonly now: () => number = () => Date.now()) {}

  private live(key: string) {
    const e = this.until.get(key);
    if (e && e.until <= this.now()) this.until.delete(key);
    return this.until.get(key);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    if (this.live(`claim:${key}`)) return false;
    this.until.set(`claim:${key}`, { count: 1, until: this.now() + ttlMs });
    return true;
  }

  async fail(key: string, windowMs: number): Promise<number> {
    const e = this.live(`fail:${key}`) ?? { count: 0, until: this.now() + windowMs };
    e.count += 1;
    this.until.set(`fail:${key}`, e);
    return e.count;
  }

  async forgive(key: string): Promise<void> {
    const e = this.live(`fail:${key}`);
    if (e) e.count = Math.max(0, e.count - 1);
  }

  async failures(key: string): Promise<number> {
    return this.live(`fail:${key}`)?.count ?? 0;
  }
}
