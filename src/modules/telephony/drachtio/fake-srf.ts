import { EventEmitter } from 'events';
import { MediaServer, NgParams, NgResponse } from '../rtpengine/rtpengine-ng.client';
import {
  CreateUacOptions, DialogLike, InDialogRequestOptions, RegisterRequestLike, RegisterResponseLike, SentInviteLike, SentRequestLike, SrfLike, UacProgress,
} from './sip-types';

/** Test doubles for drachtio-srf and rtpengine: the spec plays the far end (carrier, phone, server link). */

export class FakeDialog extends EventEmitter implements DialogLike {
  destroyed = false;
  modifies: string[] = [];
  readonly id: string;
  /** Set to make the far end refuse the next re-INVITEs (e.g. a phone answering 488). */
  refuseModify: Error | null = null;
  constructor(
    readonly sip: { callId: string; localTag: string; remoteTag: string },
    readonly local: { sdp: string },
    readonly remote: { sdp: string },
    private readonly modifyAnswer = 'phone-sdp-2',
  ) {
    super();
    this.id = `stack-dialog-${sip.callId}`;
  }
  async destroy(): Promise<unknown> {
    this.destroyed = true;
    return {};
  }
  async modify(sdp: string): Promise<string> {
    this.modifies.push(sdp);
    if (this.refuseModify) throw this.refuseModify;
    return this.modifyAnswer;
  }
  /** The far end sent BYE. */
  hangUpRemotely(): void {
    this.emit('destroy');
  }
}

export class FakeInvite implements SentInviteLike {
  cancelled = false;
  private settle!: { resolve: (d: DialogLike) => void; reject: (e: unknown) => void };
  readonly result: Promise<DialogLike>;
  constructor(readonly uri: string, readonly opts: CreateUacOptions, readonly progress: UacProgress | undefined, readonly callId: string) {
    this.result = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }
  get(name: string) {
    return name.toLowerCase() === 'call-id' ? this.callId : undefined;
  }
  has(name: string) {
    return this.get(name) !== undefined;
  }
  cancel(): void {
    this.cancelled = true;
  }
  provisional(status: number): void {
    this.progress?.cbProvisional?.({ status, get: () => undefined, has: () => false });
  }
  answer(remoteSdp = 'carrier-sdp', remoteTag = 'cust-tag'): FakeDialog {
    const d = new FakeDialog({ callId: this.callId, localTag: 'our-tag', remoteTag }, { sdp: this.opts.localSdp }, { sdp: remoteSdp });
    this.settle.resolve(d);
    return d;
  }
  reject(status: number, headers: Record<string, string> = {}): void {
    const res = { status, get: (h: string) => headers[h], has: (h: string) => h in headers };
    this.settle.reject(Object.assign(new Error(`${status}`), { status, reason: `reason ${status}`, res }));
  }
}

export class FakeSrf extends EventEmitter implements SrfLike {
  invites: FakeInvite[] = [];
  registerHandler?: (req: RegisterRequestLike, res: RegisterResponseLike) => void;
  private seq = 0;
  connect(): unknown {
    setImmediate(() => this.emit('connect', null, '127.0.0.1:9022'));
    return undefined;
  }
  disconnect(): void {}
  register(handler: (req: RegisterRequestLike, res: RegisterResponseLike) => void): unknown {
    this.registerHandler = handler;
    return this;
  }
  createUAC(uri: string, opts: CreateUacOptions, progress?: UacProgress): Promise<DialogLike> {
    const inv = new FakeInvite(uri, opts, progress, `sip-call-${++this.seq}`);
    this.invites.push(inv);
    setImmediate(() => progress?.cbRequest?.(null, inv));
    return inv.result;
  }
  /** Requests sent with srf.request (e.g. BYE by stack dialog id on a new connection). */
  requests: Array<{ uri: string; opts: InDialogRequestOptions }> = [];
  /** drachtio-server's answer to the next srf.request calls: null sends them; else they reject with this error. */
  requestFails: (Error & { code?: string }) | null = null;
  async request(uri: string, opts: InDialogRequestOptions): Promise<SentRequestLike> {
    if (this.requestFails) throw this.requestFails;
    this.requests.push({ uri, opts });
    return { get: () => undefined, has: () => false, on: () => undefined };
  }
  lastInvite(): FakeInvite {
    return this.invites[this.invites.length - 1];
  }
  /** The TCP link to drachtio-server dropped (srf emits close), then came back (srf emits connect). */
  drop(): void {
    this.emit('close');
  }
  restore(): void {
    this.emit('connect', null, '127.0.0.1:9022');
  }
}

export class FakeMedia implements MediaServer {
  log: Array<{ cmd: string; args: unknown[] }> = [];
  playDurationMs = 30;
  private rec(cmd: string, ...args: unknown[]) {
    this.log.push({ cmd, args });
  }
  commands(cmd: string) {
    return this.log.filter((l) => l.cmd === cmd);
  }
  async ping() {}
  async offer(callId: string, fromTag: string, sdp: string, flags?: NgParams) {
    this.rec('offer', callId, fromTag, sdp, flags);
    return `rtpe-offer:${callId}`;
  }
  /** While set, `answer` replies only once it resolves (rtpengine slow to answer). */
  answerGate: Promise<void> | null = null;
  async answer(callId: string, fromTag: string, toTag: string, sdp: string, flags?: NgParams) {
    if (this.answerGate) await this.answerGate;
    this.rec('answer', callId, fromTag, toTag, sdp, flags);
    return `rtpe-answer:${callId}:${toTag}`;
  }
  async delete(callId: string) {
    this.rec('delete', callId);
  }
  async playMedia(callId: string, tag: string, file: string) {
    this.rec('playMedia', callId, tag, file);
    return this.playDurationMs;
  }
  async startRecording(callId: string) {
    this.rec('startRecording', callId);
  }
  async query(): Promise<NgResponse> {
    return { result: 'ok' };
  }
  close() {}
}
