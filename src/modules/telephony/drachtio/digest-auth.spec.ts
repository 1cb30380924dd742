import { DigestAuthenticator, digestResponse, MemoryDigestAttemptStore, nonceKey, parseDigest } from './digest-auth';
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

  it('refuses oversized and malformed headers instead of reading them (a REGISTER from anyone reaches this)', () => {
    const valid = 'Digest username="agent7", realm="dialer", nonce="abc.def", uri="sip:dialer.local", response="0123"';
    expect(parseDigest(valid)).not.toBeNull();
    // a long run of letters with no '=' made the old unanchored pattern retry from every position (60 KB: ~7 s)
    expect(parseDigest(`Digest username="a", ${'x'.repeat(60_000)}`)).toBeNull();
    expect(parseDigest(`${valid}, junk ${'x'.repeat(3000)}`)).toBeNull();
    expect(parseDigest(`${valid}, opaque="${'o'.repeat(5000)}"`)).toBeNull();
    expect(parseDigest('Digest username="a" realm="b"')).toBeNull();
  });

  it('nonces signed from a shared secret are accepted by every worker holding it, and by no other', () => {
    const t = 1_000_000;
    const a = new DigestAuthenticator('dialer', nonceKey('the shared secret'), () => t);
    const b = new DigestAuthenticator('dialer', nonceKey('the shared secret'), () => t);
    const c = new DigestAuthenticator('dialer', nonceKey('another secret'), () => t);
    expect(b.verify(answer(a, 'phone-pass'), 'REGISTER', 'phone-pass')).toBe('ok');
    expect(c.verify(answer(a, 'phone-pass'), 'REGISTER', 'phone-pass')).toBe('bad');
  });

  it('remembers used answers and failures for their window only (memory store)', async () => {
    let t = 0;
    const store = new MemoryDigestAttemptStore(() => t);
    expect(await store.claim('n1', 1000)).toBe(true);
    expect(await store.claim('n1', 1000)).toBe(false);
    expect(await store.fail('u', 1000)).toBe(1);
    t = 500;
    expect(await store.fail('u', 1000)).toBe(2);
    t = 1000;
    expect(await store.claim('n1', 1000)).toBe(true);
    expect(await store.failures('u')).toBe(0);
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
