import { randomBytes } from 'crypto';
import { digestResponse, parseDigest } from '../../../src/modules/telephony/drachtio/digest-auth';

// ws comes with rtpengine-client (a dependency of the app); Node 20 has no WebSocket client of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WebSocket = require('ws') as new (url: string, protocols: string[]) => {
  on(ev: 'open' | 'error' | 'message', cb: (arg?: unknown) => void): void;
  send(data: string): void;
  close(): void;
};

const rand = () => randomBytes(6).toString('hex');
export const header = (msg: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(msg)?.[1]?.trim() ?? null;

/**
 * A minimal browser-softphone stand-in: SIP over WebSocket (RFC 7118) as SIP.js or JsSIP would send it, enough to
 * register with digest auth, answer the agent leg and hang it up. No media.
 */
export class WsPhone {
  private inbox: string[] = [];
  private waiters: Array<() => void> = [];
  private ws!: InstanceType<typeof WebSocket>;
  readonly contact: string;

  constructor(readonly user: string, private readonly domain: string) {
    this.contact = `<sip:${user}@${rand()}.invalid;transport=ws>`;
  }

  async connect(url: string): Promise<void> {
    this.ws = new WebSocket(url, ['sip']);
    this.ws.on('message', (data) => {
      this.inbox.push(String(data));
      this.waiters.splice(0).forEach((w) => w());
    });
    await new Promise<void>((resolve, reject) => {
      this.ws.on('open', () => resolve());
      this.ws.on('error', (e) => reject(e));
    });
  }

  send(msg: string): void {
    this.ws.send(msg);
  }

  async next(pred: (m: string) => boolean, ms = 5000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex(pred);
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      const left = end - Date.now();
      if (left <= 0) throw new Error(`ws phone: nothing matching arrived; got: ${this.inbox.map((m) => m.split('\r\n')[0]).join(' | ')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  async register(password: string): Promise<string> {
    const callId = rand();
    const tag = rand();
    const req = (cseq: number, auth?: string) =>
      [
        `REGISTER sip:${this.domain} SIP/2.0`, `Via: SIP/2.0/WS ${rand()}.invalid;branch=z9hG4bK${rand()}`, 'Max-Forwards: 70',
        `To: <sip:${this.user}@${this.domain}>`, `From: <sip:${this.user}@${this.domain}>;tag=${tag}`, `Call-ID: ${callId}`,
        `CSeq: ${cseq} REGISTER`, `Contact: ${this.contact};expires=300`, ...(auth ? [`Authorization: ${auth}`] : []), 'Content-Length: 0', '', '',
      ].join('\r\n');
    this.send(req(1));
    const challenge = await this.next((m) => m.startsWith('SIP/2.0 401'));
    const c = parseDigest(header(challenge, 'WWW-Authenticate')!.replace(/^Digest/, `Digest username="${this.user}", uri="sip:${this.domain}", response="x",`))!;
    const creds = { ...c, username: this.user, uri: `sip:${this.domain}`, qop: 'auth', nc: '00000001', cnonce: rand() };
    const response = digestResponse(creds, 'REGISTER', password);
    this.send(req(2, `Digest username="${this.user}", realm="${c.realm}", nonce="${c.nonce}", uri="${creds.uri}", qop=auth, nc=00000001, cnonce="${creds.cnonce}", response="${response}", algorithm=MD5`));
    return this.next((m) => /^SIP\/2\.0 \d+/.test(m) && header(m, 'CSeq') === '2 REGISTER');
  }

  /** Answers an INVITE with a WebRTC SDP answer; returns the INVITE. */
  async answerInvite(): Promise<string> {
    const invite = await this.next((m) => m.startsWith('INVITE '));
    const sdp = [
      'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 0', 'c=IN IP4 127.0.0.1', 'a=rtpmap:0 PCMU/8000',
      'a=ice-ufrag:wsph', 'a=ice-pwd:abcdefghijklmnopqrstuvwx',
      `a=fingerprint:sha-256 ${Array.from(randomBytes(32)).map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`,
      'a=setup:active', 'a=rtcp-mux', 'a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host', 'a=sendrecv', '',
    ].join('\r\n');
    this.send(this.response(invite, '200 OK', sdp));
    return invite;
  }

  response(req: string, status: string, sdp?: string): string {
    const vias = req.split('\r\n').filter((l) => /^Via:/i.test(l));
    const to = header(req, 'To')!;
    return [
      `SIP/2.0 ${status}`, ...vias, `From: ${header(req, 'From')}`, `To: ${/;tag=/.test(to) ? to : `${to};tag=${rand()}`}`,
      `Call-ID: ${header(req, 'Call-ID')}`, `CSeq: ${header(req, 'CSeq')}`, `Contact: ${this.contact}`,
      ...(sdp ? ['Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp] : ['Content-Length: 0', '', '']),
    ].join('\r\n');
  }

  close(): void {
    this.ws?.close();
  }
}
