import { DigestAuthenticator, digestResponse, parseDigest } from './digest-auth';
import { MemoryRegistrar } from './registrar';

describe('SIP digest authentication (server side)', () => {
  it('computes the RFC 2617 §3.5 worked example', () => {
    const c = { username: 'Mufasa', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b' };
    expect(digestResponse(c, 'GET', 'Circle Of Life')).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('parses an Authorization header with quoted and bare values', () => {
    const c = parseDigest('Digest username="agent7", realm="dialer", nonce="abc.def", uri="sip:dialer.local", response="0123", algorithm=MD5, qop=auth, nc=00000001, cnonce="xyz"');
    expect(c).toMatchObject({ username: 'agent7', realm: 'dialer', uri: 'sip:dialer.local', qop: 'auth', nc: '00000001', cnonce: 'xyz', algorithm: 'MD5' });
    expect(parseDigest('Basic abc')).toBeNull();
    expect(parseDigest(undefined)).toBeNull();
  });

  function answer(auth: DigestAuthenticator, password: string) {
    const challenge = parseDigest(auth.challenge().replace(/^Digest/, 'Digest username="agent7", uri="sip:dialer.local", response="x",'))!;
    const c = { ...challenge, username: 'agent7', uri: 'sip:dialer.local', qop: 'auth', nc: '00000001', cnonce: 'c0ffee' };
    return { ...c, response: digestResponse(c, 'REGISTER', password) };
  }

  it('accepts the right password, refuses a wrong one, a forged nonce and another realm', () => {
    let t = 1_000_000;
    const auth = new DigestAuthenticator('dialer', Buffer.from('k'.repeat(32)), () => t);
    expect(auth.verify(answer(auth, 'phone-pass'), 'REGISTER', 'phone-pass')).toBe('ok');
    expect(auth.verify(answer(auth, 'wrong'), 'REGISTER', 'phone-pass')).toBe('bad');
    const forged = { ...answer(auth, 'phone-pass'), nonce: `${(t + 1).toString(16)}.${'0'.repeat(32)}` };
    expect(auth.verify({ ...forged, response: digestResponse(forged, 'REGISTER', 'phone-pass') }, 'REGISTER', 'phone-pass')).toBe('bad');
    const other = new DigestAuthenticator('other', Buffer.from('k'.repeat(32)), () => t);
    expect(other.verify(answer(auth, 'phone-pass'), 'REGISTER', 'phone-pass')).toBe('bad');
    const old = answer(auth, 'phone-pass');
    t += 6 * 60_000;
    expect(auth.verify(old, 'REGISTER', 'phone-pass')).toBe('stale');
  });
});

describe('registrar (in memory)', () => {
  it('finds a phone until its registration expires, and forgets it on unregister', async () => {
    let t = 0;
    const reg = new MemoryRegistrar(() => t);
    await reg.register('agent7', 'sip:agent7@127.0.0.1:5090', 'UDP', 60);
    expect((await reg.lookup('agent7'))?.contactUri).toBe('sip:agent7@127.0.0.1:5090');
    t = 59_000;
    expect((await reg.lookup('agent7'))?.transport).toBe('udp');
    t = 60_000;
    expect(await reg.lookup('agent7')).toBeNull();
    await reg.register('agent7', 'sip:agent7@df7jal23ls0d.invalid;transport=ws', 'ws', 300, 'sip:127.0.0.1:40000;transport=ws');
    expect((await reg.lookup('agent7'))?.proxy).toBe('sip:127.0.0.1:40000;transport=ws');
    await reg.unregister('agent7');
    expect(await reg.lookup('agent7')).toBeNull();
  });
});
