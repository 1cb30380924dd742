// rtpengine-client is the drachtio project's own ng-protocol client (bencode over UDP); it ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('rtpengine-client') as { Client: new (opts: { timeout?: number; localAddress?: string }) => RawNgClient };

interface RawNgClient {
  on(event: 'error', cb: (err: Error) => void): void;
  close(): void;
  ping(port: number, host: string): Promise<NgResponse>;
  offer(port: number, host: string, opts: NgParams): Promise<NgResponse>;
  answer(port: number, host: string, opts: NgParams): Promise<NgResponse>;
  delete(port: number, host: string, opts: NgParams): Promise<NgResponse>;
  query(port: number, host: string, opts: NgParams): Promise<NgResponse>;
  playMedia(port: number, host: string, opts: NgParams): Promise<NgResponse>;
  stopMedia(port: number, host: string, opts: NgParams): Promise<NgResponse>;
  startRecording(port: number, host: string, opts: NgParams): Promise<NgResponse>;
  stopRecording(port: number, host: string, opts: NgParams): Promise<NgResponse>;
}

export type NgParams = Record<string, unknown>;
export interface NgResponse {
  result: 'ok' | 'pong' | 'error' | 'load limit' | string;
  'error-reason'?: string;
  sdp?: string;
  duration?: number;
  [key: string]: unknown;
}

export class RtpEngineError extends Error {
  constructor(readonly command: string, readonly reason: string) {
    super(`rtpengine ${command} failed: ${reason}`);
  }
}

/** Media flavours rtpengine converts between: plain RTP (carriers, desk phones) and WebRTC (browser softphones). */
export type MediaProfile = 'rtp' | 'webrtc';

/** ng flags that make rtpengine produce an SDP of the given profile toward the receiving side. */
export function profileFlags(profile: MediaProfile): NgParams {
  return profile === 'webrtc'
    ? { 'transport-protocol': 'UDP/TLS/RTP/SAVPF', ICE: 'force', DTLS: 'passive', 'rtcp-mux': ['require'], SDES: ['off'] }
    : { 'transport-protocol': 'RTP/AVP', ICE: 'remove', 'rtcp-mux': ['demux'] };
}

/** The commands the dialer needs; an interface so the adapter can be tested with a fake. */
export interface MediaServer {
  ping(): Promise<void>;
  offer(callId: string, fromTag: string, sdp: string, flags?: NgParams): Promise<string>;
  answer(callId: string, fromTag: string, toTag: string, sdp: string, flags?: NgParams): Promise<string>;
  delete(callId: string, fromTag?: string): Promise<void>;
  /** Plays a file (path on the rtpengine host) to the party with this tag; resolves with its duration in ms. */
  playMedia(callId: string, toPartyTag: string, file: string): Promise<number | null>;
  startRecording(callId: string): Promise<void>;
  query(callId: string): Promise<NgResponse>;
  close(): void;
}

/** Thin typed wrapper over rtpengine-client that turns `result: error` into an exception. */
export class RtpEngineNgClient implements MediaServer {
  private readonly client: RawNgClient;

  constructor(private readonly host: string, private readonly port: number, timeoutMs = 2000) {
    this.client = new Client({ timeout: timeoutMs });
    this.client.on('error', () => undefined); // stray replies after a timeout; the request already failed
  }

  async ping(): Promise<void> {
    const res = await this.client.ping(this.port, this.host);
    if (res.result !== 'pong') throw new RtpEngineError('ping', String(res['error-reason'] ?? res.result));
  }

  async offer(callId: string, fromTag: string, sdp: string, flags: NgParams = {}): Promise<string> {
    const res = await this.send('offer', { 'call-id': callId, 'from-tag': fromTag, sdp, replace: ['origin', 'session-connection'], ...flags });
    return res.sdp as string;
  }

  async answer(callId: string, fromTag: string, toTag: string, sdp: string, flags: NgParams = {}): Promise<string> {
    const res = await this.send('answer', { 'call-id': callId, 'from-tag': fromTag, 'to-tag': toTag, sdp, replace: ['origin', 'session-connection'], ...flags });
    return res.sdp as string;
  }

  async delete(callId: string, fromTag?: string): Promise<void> {
    await this.send('delete', fromTag ? { 'call-id': callId, 'from-tag': fromTag } : { 'call-id': callId }, ['Unknown call-id']);
  }

  async playMedia(callId: string, toPartyTag: string, file: string): Promise<number | null> {
    const res = await this.send('playMedia', { 'call-id': callId, 'from-tag': toPartyTag, file });
    return typeof res.duration === 'number' ? res.duration : null;
  }

  async startRecording(callId: string): Promise<void> {
    await this.send('startRecording', { 'call-id': callId });
  }

  query(callId: string): Promise<NgResponse> {
    return this.send('query', { 'call-id': callId });
  }

  close(): void {
    this.client.close();
  }

  private async send(command: keyof RawNgClient, params: NgParams, tolerated: string[] = []): Promise<NgResponse> {
    const fn = this.client[command] as (port: number, host: string, p: NgParams) => Promise<NgResponse>;
    const res = await fn.call(this.client, this.port, this.host, params);
    if (res.result === 'error' && !tolerated.includes(String(res['error-reason']))) {
      throw new RtpEngineError(String(command), String(res['error-reason'] ?? 'unknown'));
    }
    return res;
  }
}
