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

/** Parses `Digest username="..", realm="..", ...`; null when it is not a digest header. */
export function parseDigest(header: string | undefined | null): DigestCredentials | null {
  if (!header || !/^\s*digest\s/i.test(header)) return null;
  const params: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header.replace(/^\s*digest\s/i, '')))) params[m[1].toLowerCase()] = m[2] ?? m[3];
  if (!params.username || !params.realm || !params.nonce || !params.uri || !params.response) return null;
  return params as unknown as DigestCredentials;
}

/** The response a client with this password must send (RFC 2617 §3.2.2.1). */
export function digestResponse(c: Omit<DigestCredentials, 'response'>, method: string, password: string): string {
  const ha1 = md5(`${c.username}:${c.realm}:${password}`);
  const ha2 = md5(`${method}:${c.uri}`);
  return c.qop ? md5(`${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:${c.qop}:${ha2}`) : md5(`${ha1}:${c.nonce}:${ha2}`);
}

export class DigestAuthenticator {
  constructor(
    readonly realm: string,
    private readonly secret: Buffer = randomBytes(32),
    private readonly now: () => number = () => Date.now(),
    private readonly nonceTtlMs = 5 * 60_000,
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
