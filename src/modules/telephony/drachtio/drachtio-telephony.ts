import { Logger } from '@nestjs/common';
import { promises as fs } from 'fs';
import { join } from 'path';
import { DomainError } from '../../../common/errors/domain-error';
import { GatewayConfig, GatewayDirectory, callerIdHeaders, requestUri } from '../gateways/gateway-config';
import { ChannelLimitReached, GatewayPacer } from '../gateways/gateway-pacer';
import { MediaProfile, MediaServer, profileFlags } from '../rtpengine/rtpengine-ng.client';
import { CancelReason, FailedResult, outcomeForCancelRace, outcomeForFinalResponse } from '../sip-outcomes';
import { AgentLegEvents, CallHandle, DialEvents, DialRequest, Telephony, TelephonyStatsBase } from '../telephony.port';
import { DigestAttemptStore, DigestAuthenticator, MemoryDigestAttemptStore, nonceKey, parseDigest } from './digest-auth';
import { MemoryRegistrar, Registrar } from './registrar';
import { DialogLike, RegisterRequestLike, RegisterResponseLike, SentInviteLike, SipErrorLike, SipResponseLike, SrfLike } from './sip-types';

/** Where an agent's phone is, and its REGISTER password (users.sip_uri / sip_username / sip_password). */
export interface AgentPhoneDirectory {
  phoneOf(agentId: string): Promise<{ sipUsername: string | null; sipUri: string | null } | null>;
  credentialsOf(sipUsername: string): Promise<{ agentId: string; password: string } | null>;
}

export interface DrachtioTelephonyOptions {
  drachtio: { host: string; port: number; secret: string };
  /** Digest realm agents' phones authenticate in. */
  realm: string;
  /** Audio file on the rtpengine host played into an abandoned call (who called, a call-back number). */
  abandonMessageFile: string;
  /** rtpengine's --recording-dir when it is on this host: the recording's file is then found and reported. */
  recordingDir?: string | null;
  /** Extra headers on every INVITE (e.g. a load-test marker); none by default. */
  extraHeaders?: Record<string, string>;
  /** Secret shared by every dialer worker, from which the digest nonces are signed (a random key per process without it). */
  digestSecret?: string;
  /** Used answers and failed attempts of REGISTER authentication (Redis with several workers). */
  digestAttempts?: DigestAttemptStore;
}

/** A phone (username and source address) that fails digest authentication this often is refused for the window. */
export const REGISTER_MAX_FAILURES = 10;
export const REGISTER_FAILURE_WINDOW_MS = 10 * 60_000;

/** SDP for the side of a customer call no agent has joined yet: rtpengine replaces the address with its own. */
const PLACEHOLDER_SDP = [
  'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=dialer', 'c=IN IP4 127.0.0.1', 't=0 0',
  'm=audio 9 RTP/AVP 0 8 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16', 'a=sendrecv', '',
].join('\r\n');

const DIALER_TAG = 'dialer';

/** One live customer call: its INVITE or dialog, timers and what the dialer was told. */
interface CallSession {
  req: DialRequest;
  events: DialEvents;
  gateway: GatewayConfig;
  releaseChannel: () => void;
  invite: SentInviteLike | null;
  dialog: DialogLike | null;
  sipCallId: string;
  ringTimer: NodeJS.Timeout | null;
  cancelled: CancelReason;
  ringing: boolean;
  answeredAt: number | null;
  customerTag: string | null;
  customerSdp: string | null;
  /** rtpengine's SDP toward the dialer's side of this call (its port there): where an agent's session sends to. */
  hopSdp: string | null;
  agentId: string | null;
  done: boolean;
  /**
   * The call's rtpengine commands in order (offer, answer, ...): what needs the media in place (bridge, abandon,
   * recording) waits for it, and the final delete goes after it, so a session is never left behind on rtpengine.
   */
  media: Promise<void>;
}

/** One agent's long-lived ("nailed-up") leg. */
interface AgentLeg {
  agentId: string;
  dialog: DialogLike;
  /** The SDP we gave the phone when setting the leg up (rtpengine's idle session): sent again between customers. */
  idleSdp: string;
  /** The phone's own SDP (its media address), last seen. */
  phoneSdp: string;
  /** The phone's tag in its rtpengine session (agent-<id>). */
  phoneTag: string;
  /** rtpengine's SDP toward the dialer's side of the agent's session (its port there). */
  hopSdp: string | null;
  profile: MediaProfile;
  events: AgentLegEvents;
  callId: string | null;
}

export interface TelephonyStats extends TelephonyStatsBase {
  /** Time from the customer's 200 OK to the agent's leg carrying the customer's media. */
  bridge: { count: number; lastMs: number | null; p50Ms: number | null; p95Ms: number | null; maxMs: number | null; over300ms: number };
  /** 200 OKs that crossed our CANCEL (ACKed and BYEd at once). */
  cancel200Races: number;
  /** Times the link to drachtio-server dropped and came back. */
  linkDrops: number;
  reconciledCalls: number;
  liveCalls: number;
  agentLegs: number;
  connected: boolean;
}

/** The Telephony port over drachtio-server (SIP signalling) and rtpengine (media). */
export class DrachtioTelephony implements Telephony {
  readonly name = 'drachtio' as const;
  private readonly log = new Logger('DrachtioTelephony');
  private readonly calls = new Map<string, CallSession>();
  private readonly legs = new Map<string, AgentLeg>();
  private readonly legsPending = new Map<string, Promise<void>>();
  /**
   * Dialogs of calls and agent legs the link drop took from us: drachtio-server may still hold them (the link
   * dropped, the server did not restart), and the carrier and the agent's phone are still up. BYE goes to each once
   * the link is back.
   */
  private orphans: DialogLike[] = [];
  private readonly digest: DigestAuthenticator;
  private readonly attempts: DigestAttemptStore;
  private connected = false;
  private stopping = false;
  private bridgeSamples: number[] = [];
  private counters = { cancel200Races: 0, linkDrops: 0, reconciledCalls: 0, bridges: 0, over300ms: 0 };
  private connectWaiters: Array<(err: Error | null) => void> = [];

  constructor(
    private readonly srf: SrfLike,
    private readonly media: MediaServer,
    private readonly gateways: GatewayDirectory,
    private readonly agents: AgentPhoneDirectory,
    private readonly opts: DrachtioTelephonyOptions,
    readonly registrar: Registrar = new MemoryRegistrar(),
    private readonly pacer = new GatewayPacer(),
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.digest = new DigestAuthenticator(opts.realm, opts.digestSecret ? nonceKey(opts.digestSecret) : undefined);
    this.attempts = opts.digestAttempts ?? new MemoryDigestAttemptStore();
  }

  /** Connects to drachtio-server; drachtio-srf reconnects by itself after a drop, and we reconcile on each drop. */
  start(): Promise<void> {
    this.srf.on('connect', (err) => {
      if (err) {
        this.log.error(`drachtio-server refused the connection: ${err.message}`);
      } else {
        const wasDown = !this.connected;
        this.connected = true;
        if (wasDown) this.log.log('connected to drachtio-server');
        this.sweepOrphans();
      }
      for (const w of this.connectWaiters.splice(0)) w(err);
    });
    this.srf.on('close', () => this.onLinkDown());
    this.srf.on('error', (err) => this.log.warn(`drachtio link error: ${(err as Error)?.message ?? err}`));
    this.srf.register((req, res) => void this.onRegister(req, res));
    const ready = new Promise<void>((resolve, reject) => this.connectWaiters.push((err) => (err ? reject(err) : resolve())));
    this.srf.connect(this.opts.drachtio);
    return ready;
  }

  stop(): void {
    this.stopping = true;
    for (const s of this.calls.values()) this.clearRingTimer(s);
    try {
      this.srf.disconnect();
    } catch {
      // never connected: drachtio-srf has no link to close
    }
    // While it was reconnecting (server unreachable), drachtio-srf holds a retry timer of its own that would open a new
    // link after this stop and keep the process alive: mark its link closing and clear that timer (its internals, read
    // defensively: nothing happens if a version moves them).
    const wire = (this.srf as unknown as { _app?: { client?: { wp?: { closing?: boolean; reconnectVars?: { retryTimer?: NodeJS.Timeout | null } } } } })._app?.client?.wp;
    if (wire) {
      wire.closing = true;
      if (wire.reconnectVars?.retryTimer) {
        clearTimeout(wire.reconnectVars.retryTimer);
        wire.reconnectVars.retryTimer = null;
      }
    }
    this.media.close();
  }

  isConnected(): boolean {
    return this.connected;
  }

  // ---------------------------------------------------------------- customer calls

  async dial(req: DialRequest, events: DialEvents): Promise<CallHandle> {
    const failNow = (reason: string): CallHandle => {
      events.onFailed(new Date(this.clock()), 'carrier_failure', null, reason);
      return { callId: req.callId, providerCallId: '' };
    };
    if (this.calls.has(req.callId)) throw new DomainError('CONFLICT', 'call is already being dialled', [{ field: 'callId', reason: 'already live' }]);
    if (!this.connected) return failNow('signalling link to drachtio-server is down');
    const gateway = await this.gateways.forDial(req.gatewayId);
    if (!gateway) return failNow('no active SIP gateway');
    // The session exists from here on, so a hang-up or a link drop while the launch waits for its slot is seen.
    const s: CallSession = {
      req, events, gateway, releaseChannel: () => undefined, invite: null, dialog: null, sipCallId: '', ringTimer: null,
      cancelled: null, ringing: false, answeredAt: null, customerTag: null, customerSdp: null, hopSdp: null, agentId: null, done: false,
      media: Promise.resolve(),
    };
    this.calls.set(req.callId, s);
    try {
      s.releaseChannel = await this.pacer.acquire(gateway);
    } catch (err) {
      if (!(err instanceof ChannelLimitReached)) throw err;
      this.fail(s, 'carrier_failure', null, 'gateway channel limit reached');
      return { callId: req.callId, providerCallId: '' };
    }
    if (s.done) {
      s.releaseChannel();
      return { callId: req.callId, providerCallId: '' };
    }
    if (s.cancelled) {
      this.fail(s, 'cancelled', null, 'hung up before the INVITE was sent');
      return { callId: req.callId, providerCallId: '' };
    }

    let offer: string;
    const offering = this.media.offer(req.callId, DIALER_TAG, PLACEHOLDER_SDP, profileFlags('rtp'));
    s.media = offering.then(() => undefined, () => undefined);
    try {
      offer = await offering;
    } catch (err) {
      this.fail(s, 'carrier_failure', null, `media server: ${(err as Error).message}`);
      return { callId: req.callId, providerCallId: '' };
    }
    if (s.done) return { callId: req.callId, providerCallId: '' }; // link dropped or hung up meanwhile
    if (req.sendAfter) {
      try {
        await req.sendAfter;
      } catch (err) {
        this.fail(s, 'cancelled', null, `not sent: ${(err as Error)?.message ?? 'the caller withdrew it'}`);
        return { callId: req.callId, providerCallId: '' };
      }
      if (s.done) return { callId: req.callId, providerCallId: '' };
      if (s.cancelled) {
        this.fail(s, 'cancelled', null, 'hung up before the INVITE was sent');
        return { callId: req.callId, providerCallId: '' };
      }
    }

    return new Promise<CallHandle>((resolveHandle) => {
      let handed = false;
      const hand = () => {
        if (!handed) {
          handed = true;
          resolveHandle({ callId: req.callId, providerCallId: s.sipCallId });
        }
      };
      const auth = gateway.username && gateway.password ? { username: gateway.username, password: gateway.password } : undefined;
      const progress = {
        cbRequest: (err: unknown, sent: SentInviteLike) => {
          if (err || !sent) return;
          s.invite = sent;
          s.sipCallId = sent.get('Call-ID') ?? '';
          s.ringTimer = setTimeout(() => this.cancel(s, 'ring_timeout'), req.ringTimeoutMs);
          hand();
          if (s.cancelled) sent.cancel(); // hung up before the INVITE left
        },
        cbProvisional: (res: SipResponseLike) => {
          // 180 and 183 are ringing; 183 with early media (maybe a "not in service" recording) is NOT an answer.
          if ((res.status === 180 || res.status === 183) && !s.ringing && !s.done) {
            s.ringing = true;
            events.onRinging(new Date(this.clock()));
          }
        },
      };
      const launch = (): Promise<DialogLike> => {
        try {
          const headers = { ...this.opts.extraHeaders, ...callerIdHeaders(req.callerId, gateway) };
          return this.srf.createUAC(requestUri(req.to, gateway), { localSdp: offer, headers, auth }, progress);
        } catch (err) {
          return Promise.reject(err); // drachtio-srf throws at once on a malformed URI or a closed link
        }
      };
      launch()
        .then((dialog) => {
          hand();
          return this.onAnswered(s, dialog);
        })
        .catch((err: SipErrorLike & Error) => {
          hand();
          this.onRejected(s, err);
        });
    });
  }

  private async onAnswered(s: CallSession, dialog: DialogLike): Promise<void> {
    this.clearRingTimer(s);
    if (s.cancelled || s.done) {
      // The 200 OK crossed our CANCEL (or came after the call was reconciled on a link drop): drachtio-srf has ACKed
      // it; BYE at once, nobody was connected.
      if (s.cancelled) {
        this.counters.cancel200Races += 1;
        this.log.warn(`call ${s.req.callId}: 200 OK crossed our CANCEL; ACKed and sent BYE`);
      }
      dialog.destroy().catch(() => undefined);
      if (!s.done) this.fail(s, outcomeForCancelRace(s.cancelled ?? 'hangup'), 200, 'answered after CANCEL');
      return;
    }
    s.answeredAt = this.clock();
    s.dialog = dialog;
    s.customerTag = dialog.sip.remoteTag;
    s.customerSdp = dialog.remote.sdp;
    this.pacer.succeeded(s.gateway.id);
    dialog.on('destroy', () => this.end(s, 'customer'));
    // rtpengine learns the carrier's media address while the dialer is told of the answer (and looks for an agent):
    // bridge, abandon and recording wait for it through s.media.
    const tag = s.customerTag;
    const sdp = s.customerSdp;
    s.media = s.media
      .then(() => this.media.answer(s.req.callId, DIALER_TAG, tag, sdp, profileFlags('rtp')))
      .then((hop) => void (s.hopSdp = hop), (err: Error) => this.log.error(`call ${s.req.callId}: media answer failed: ${err.message}`));
    s.events.onAnswered(new Date(s.answeredAt), 'human');
    if (s.req.record) void this.startRecording(s);
  }

  private onRejected(s: CallSession, err: SipErrorLike & Error): void {
    this.clearRingTimer(s);
    if (s.done) return;
    const status = typeof err.status === 'number' ? err.status : null;
    const mapped = outcomeForFinalResponse(status, s.cancelled);
    if (mapped.backOff) {
      const retryAfter = Number(err.res?.get('Retry-After')) || null;
      const ms = this.pacer.backOff(s.gateway.id, retryAfter);
      this.log.warn(`gateway ${s.gateway.name}: 503, pausing launches for ${ms} ms`);
    }
    const result: FailedResult = mapped.result === 'answered' ? 'carrier_failure' : mapped.result;
    this.fail(s, result, status, status === null ? err.message ?? 'no response' : err.reason ?? null);
  }

  private cancel(s: CallSession, reason: Exclude<CancelReason, null>): void {
    if (s.done || s.dialog || s.cancelled) return;
    s.cancelled = reason;
    this.clearRingTimer(s);
    s.invite?.cancel();
  }

  async hangup(callId: string): Promise<void> {
    const s = this.calls.get(callId);
    if (!s || s.done) return;
    if (!s.dialog) return this.cancel(s, 'hangup');
    await s.dialog.destroy().catch(() => undefined);
    this.end(s, s.agentId ? 'agent' : 'system');
  }

  async abandon(callId: string): Promise<void> {
    const s = this.calls.get(callId);
    if (!s || s.done) return;
    if (!s.dialog || !s.customerTag) return this.cancel(s, 'hangup');
    try {
      await s.media;
      const durationMs = await this.media.playMedia(callId, s.customerTag, this.opts.abandonMessageFile);
      await new Promise((r) => setTimeout(r, (durationMs ?? 3000) + 250));
    } catch (err) {
      this.log.error(`call ${callId}: abandonment message could not be played: ${(err as Error).message}`);
    }
    if (s.done) return; // the customer hung up during the message
    await s.dialog.destroy().catch(() => undefined);
    this.end(s, 'system');
  }

  liveCalls(): string[] {
    return [...this.calls.values()].filter((s) => !s.done).map((s) => s.req.callId);
  }

  private async startRecording(s: CallSession): Promise<void> {
    try {
      await s.media;
      if (s.done) return;
      await this.media.startRecording(s.req.callId);
      const path = await this.findRecording(s.req.callId);
      if (path) s.events.onRecording?.(new Date(this.clock()), path);
    } catch (err) {
      this.log.error(`call ${s.req.callId}: recording could not start: ${(err as Error).message}`);
    }
  }

  /** rtpengine (pcap method) writes <recording-dir>/pcaps/<call-id>-<random>.pcap. */
  private async findRecording(callId: string): Promise<string | null> {
    const dir = this.opts.recordingDir;
    if (!dir) return `rtpengine:${callId}`;
    const names = await fs.readdir(join(dir, 'pcaps')).catch(() => [] as string[]);
    const name = names.find((n) => n.startsWith(`${callId}-`));
    return name ? join(dir, 'pcaps', name) : null;
  }

  private clearRingTimer(s: CallSession): void {
    if (s.ringTimer) clearTimeout(s.ringTimer);
    s.ringTimer = null;
  }

  private fail(s: CallSession, result: FailedResult, sipCode: number | null, reason: string | null): void {
    if (s.done) return;
    this.finish(s);
    s.events.onFailed(new Date(this.clock()), result, sipCode, reason);
  }

  private end(s: CallSession, by: 'customer' | 'agent' | 'system' | 'carrier'): void {
    if (s.done) return;
    this.finish(s);
    s.events.onEnded(new Date(this.clock()), by);
  }

  private finish(s: CallSession): void {
    s.done = true;
    this.clearRingTimer(s);
    s.releaseChannel();
    this.calls.delete(s.req.callId);
    const callId = s.req.callId;
    s.media = s.media.then(() => this.media.delete(callId)).catch(() => undefined);
    if (s.agentId) void this.idleAgent(s.agentId, s.req.callId);
  }

  // ---------------------------------------------------------------- agents

  async ensureAgentLeg(agentId: string, events: AgentLegEvents): Promise<void> {
    const existing = this.legs.get(agentId);
    if (existing) {
      existing.events = events;
      return;
    }
    // Two Ready signals in a row must not ring the phone twice: the second waits for the first leg.
    const pending = this.legsPending.get(agentId);
    if (pending) return pending;
    const setUp = this.setUpAgentLeg(agentId, events).finally(() => this.legsPending.delete(agentId));
    this.legsPending.set(agentId, setUp);
    return setUp;
  }

  private async setUpAgentLeg(agentId: string, events: AgentLegEvents): Promise<void> {
    if (!this.connected) throw new DomainError('INVALID_STATE', 'signalling link to drachtio-server is down');
    const phone = await this.agents.phoneOf(agentId);
    const reg = phone?.sipUsername ? await this.registrar.lookup(phone.sipUsername) : null;
    const target = reg?.contactUri ?? phone?.sipUri;
    if (!target) {
      throw new DomainError('INVALID_STATE', 'agent has no registered SIP phone and no SIP URI', [{ field: 'agentId', reason: 'no phone to call' }]);
    }
    const profile: MediaProfile = reg && (reg.transport === 'ws' || reg.transport === 'wss') ? 'webrtc' : 'rtp';
    const mediaId = `agent-${agentId}`;
    const idleSdp = await this.media.offer(mediaId, DIALER_TAG, PLACEHOLDER_SDP, profileFlags(profile));
    let dialog: DialogLike;
    try {
      const headers = { From: `<sip:dialer@${this.opts.realm}>`, Subject: 'dialer agent leg' };
      dialog = await this.srf.createUAC(target, { localSdp: idleSdp, headers, ...(reg?.proxy ? { proxy: reg.proxy } : {}) });
    } catch (err) {
      await this.media.delete(mediaId).catch(() => undefined);
      const status = (err as SipErrorLike).status;
      throw new DomainError('INVALID_STATE', `agent phone did not answer the agent leg (${status ?? 'no response'})`, [{ field: 'agentId', reason: 'phone did not answer' }]);
    }
    const hopSdp = await this.media.answer(mediaId, DIALER_TAG, dialog.sip.remoteTag, dialog.remote.sdp, profileFlags('rtp')).catch(() => null);
    const leg: AgentLeg = { agentId, dialog, idleSdp, phoneSdp: dialog.remote.sdp, phoneTag: dialog.sip.remoteTag, hopSdp, profile, events, callId: null };
    this.legs.set(agentId, leg);
    dialog.on('destroy', () => this.onAgentLegGone(leg, 'phone hung up'));
  }

  async releaseAgentLeg(agentId: string): Promise<void> {
    const leg = this.legs.get(agentId);
    if (!leg) return;
    this.legs.delete(agentId);
    await leg.dialog.destroy().catch(() => undefined);
    await this.media.delete(`agent-${agentId}`).catch(() => undefined);
  }

  async bridge(callId: string, agentId: string): Promise<void> {
    const s = this.calls.get(callId);
    if (!s || s.done || !s.dialog || !s.customerTag || !s.customerSdp || s.answeredAt === null) {
      throw new DomainError('INVALID_STATE', 'call is not answered', [{ field: 'callId', reason: 'not an answered call' }]);
    }
    const leg = this.legs.get(agentId);
    if (!leg) throw new DomainError('INVALID_STATE', 'agent has no leg up', [{ field: 'agentId', reason: 'no agent leg' }]);
    if (leg.callId && leg.callId !== callId) throw new DomainError('CONFLICT', 'agent is on another call', [{ field: 'agentId', reason: 'busy' }]);
    s.agentId = agentId;
    leg.callId = callId;
    try {
      await (leg.profile === 'webrtc' ? this.bridgeInMedia(s, leg) : this.bridgeByReInvite(s, leg));
    } catch (err) {
      // Not joined (the phone refused the re-INVITE, rtpengine failed): neither the call nor the leg is taken, so
      // the dialer can deal with the person on the line and the agent's next call is not refused as 'busy'.
      if (s.agentId === agentId) s.agentId = null;
      if (leg.callId === callId) leg.callId = null;
      throw err;
    }
  }

  /**
   * The agent's side of the customer's rtpengine session takes the phone's media address, then the phone is
   * re-INVITEd to that session: the customer's media never moves (their ports stay the same). Queued after the
   * call's earlier rtpengine commands (its answer may still be in flight), and before its final delete.
   */
  private async bridgeByReInvite(s: CallSession, leg: AgentLeg): Promise<void> {
    const callId = s.req.callId;
    const agentId = leg.agentId;
    const customerTag = s.customerTag!;
    const customerSdp = s.customerSdp!;
    const joined = s.media.then(async () => {
      if (s.done) throw new DomainError('INVALID_STATE', 'call ended', [{ field: 'callId', reason: 'the call ended while joining' }]);
      await this.media.offer(callId, DIALER_TAG, leg.phoneSdp, profileFlags('rtp'));
      return this.media.answer(callId, DIALER_TAG, customerTag, customerSdp, profileFlags(leg.profile));
    });
    s.media = joined.then(() => undefined, () => undefined);
    const towardAgent = await joined;
    const phoneSdp = await leg.dialog.modify(towardAgent);
    if (phoneSdp) leg.phoneSdp = phoneSdp;
    this.recordBridge(this.clock() - s.answeredAt!);
    if (s.done) void this.idleAgent(agentId, callId); // the customer hung up while we were joining
  }

  /**
   * Joins a browser's leg without touching the browser: its ICE/DTLS-SRTP session with rtpengine (agent-<id>) stays
   * as it is, and the two rtpengine sessions are pointed at each other on their plain-RTP sides (customer call's
   * dialer side <-> agent session's dialer side). A re-INVITE would make the browser restart ICE while keeping its
   * DTLS association, which a new rtpengine session cannot take over; this way the customer is joined in four ng
   * round trips and no SIP message.
   */
  private async bridgeInMedia(s: CallSession, leg: AgentLeg): Promise<void> {
    const callId = s.req.callId;
    const joined = s.media.then(async () => {
      if (s.done) throw new DomainError('INVALID_STATE', 'call ended', [{ field: 'callId', reason: 'the call ended while joining' }]);
      if (!s.hopSdp || !leg.hopSdp) throw new DomainError('INVALID_STATE', 'media is not anchored on rtpengine', [{ field: 'callId', reason: 'no media session' }]);
      // The customer's session now sends what the customer says to the agent session's port, and takes its audio.
      await this.media.offer(callId, DIALER_TAG, leg.hopSdp, profileFlags('rtp'));
      const towardAgentSession = await this.media.answer(callId, DIALER_TAG, s.customerTag!, s.customerSdp!, profileFlags('rtp'));
      s.hopSdp = towardAgentSession;
      await this.pointAgentSession(leg, towardAgentSession);
    });
    s.media = joined.then(() => undefined, () => undefined);
    await joined;
    this.recordBridge(this.clock() - s.answeredAt!);
    if (s.done) void this.idleAgent(leg.agentId, callId);
  }

  /** The agent session's dialer side sends to `sdp` (a customer call's rtpengine port, or the idle placeholder). */
  private async pointAgentSession(leg: AgentLeg, sdp: string): Promise<void> {
    const mediaId = `agent-${leg.agentId}`;
    await this.media.offer(mediaId, DIALER_TAG, sdp, profileFlags(leg.profile));
    leg.hopSdp = await this.media.answer(mediaId, DIALER_TAG, leg.phoneTag, leg.phoneSdp, profileFlags('rtp'));
  }

  /** After a customer call: the agent's phone goes back to its idle session; the leg stays up. */
  private async idleAgent(agentId: string, callId: string): Promise<void> {
    const leg = this.legs.get(agentId);
    if (!leg || leg.callId !== callId) return;
    leg.callId = null;
    if (leg.profile === 'webrtc') {
      await this.pointAgentSession(leg, PLACEHOLDER_SDP).catch((err: Error) => this.log.warn(`agent session back to idle failed: ${err.message}`));
      return;
    }
    try {
      const sdp = await leg.dialog.modify(leg.idleSdp);
      if (sdp) leg.phoneSdp = sdp;
    } catch (err) {
      this.log.warn(`agent leg re-INVITE to idle failed: ${(err as Error).message}`);
    }
  }

  private onAgentLegGone(leg: AgentLeg, why: string): void {
    if (this.legs.get(leg.agentId) !== leg) return;
    this.legs.delete(leg.agentId);
    this.media.delete(`agent-${leg.agentId}`).catch(() => undefined);
    this.log.warn(`agent leg down: ${why}`);
    if (leg.callId) {
      const s = this.calls.get(leg.callId);
      if (s && !s.done) {
        s.agentId = null;
        s.dialog?.destroy().catch(() => undefined);
        this.end(s, 'agent');
      }
    }
    leg.events.onAgentLegDown(leg.agentId, new Date(this.clock()));
  }

  // ---------------------------------------------------------------- registrar (agents' phones)

  private async onRegister(req: RegisterRequestLike, res: RegisterResponseLike): Promise<void> {
    try {
      const creds = parseDigest(req.get('Authorization'));
      if (!creds) return res.send(401, { headers: { 'WWW-Authenticate': this.digest.challenge() } });
      const failKey = `sip:register-failures:${creds.username}:${req.source_address}`;
      // Counted before the check (answers sent in parallel cannot all pass under the limit); a right one is forgiven.
      if ((await this.attempts.fail(failKey, REGISTER_FAILURE_WINDOW_MS)) > REGISTER_MAX_FAILURES) {
        this.log.warn(`REGISTER refused: too many failed attempts from ${req.source_address}`);
        return res.send(403);
      }
      const account = await this.agents.credentialsOf(creds.username);
      const verdict = account ? this.digest.verify(creds, 'REGISTER', account.password) : 'bad';
      if (verdict !== 'bad') await this.attempts.forgive(failKey);
      if (verdict === 'stale') return res.send(401, { headers: { 'WWW-Authenticate': `${this.digest.challenge()}, stale=true` } });
      if (verdict !== 'ok') {
        this.log.warn(`REGISTER refused: bad credentials from ${req.source_address}`);
        return res.send(403);
      }
      // An answer counts once: the same nonce, cnonce and nonce count again is a captured header sent back (with
      // another Contact, it would take the agent's calls); a real phone asked again answers a fresh challenge.
      if (!(await this.attempts.claim(`sip:digest-used:${creds.nonce}:${creds.cnonce ?? ''}:${creds.nc ?? ''}`, this.digest.nonceTtlMs))) {
        this.log.warn(`REGISTER refused: a digest answer used before, from ${req.source_address}`);
        return res.send(401, { headers: { 'WWW-Authenticate': this.digest.challenge() } });
      }
      const rawContact = req.get('Contact') ?? '';
      const parsed = rawContact && rawContact.trim() !== '*' ? req.getParsedHeader('Contact') : [];
      const contact = parsed[0]?.uri;
      const requested = Number(parsed[0]?.params?.expires ?? req.get('Expires') ?? 3600);
      if (!contact || requested === 0) {
        await this.registrar.unregister(creds.username);
        return res.send(200, { headers: { Expires: '0' } });
      }
      const expires = Math.min(Math.max(requested || 3600, 60), 3600);
      // drachtio reports WebSocket connections as tcp; the Via names the real one (ws or wss). The Via wins over the
      // Contact's transport parameter, which browsers set to ws even over a secure WebSocket (SIP.js does).
      const viaWs = /^SIP\/2\.0\/(WSS?)\s/i.exec(req.get('Via') ?? '')?.[1];
      const transport = (viaWs || /;transport=(\w+)/i.exec(contact)?.[1] || req.protocol || 'udp').toLowerCase();
      // A browser's contact (x.invalid;transport=ws) cannot be reached directly: calls go back over its connection.
      const proxy = transport === 'udp' ? null : `sip:${req.source_address}:${req.source_port};transport=${transport}`;
      await this.registrar.register(creds.username, contact, transport, expires, proxy);
      res.send(200, { headers: { Contact: `<${contact}>;expires=${expires}`, Expires: String(expires) } });
    } catch (err) {
      this.log.error(`REGISTER failed: ${(err as Error).message}`);
      res.send(500);
    }
  }

  // ---------------------------------------------------------------- link drop and reconciliation

  /**
   * The link to drachtio-server dropped: we can no longer signal on any call we hold, and after a server restart
   * they are gone anyway. Every call is reported ended (answered) or failed (not yet answered) through its events so
   * the dialer closes the record and releases the lead; every agent is told their leg is down. Dialogs that may
   * survive on the server are torn down once the link is back.
   */
  private onLinkDown(): void {
    const wasUp = this.connected;
    this.connected = false;
    if (wasUp && !this.stopping) this.counters.linkDrops += 1;
    for (const s of [...this.calls.values()]) {
      if (s.done) continue;
      this.counters.reconciledCalls += 1;
      if (s.dialog) {
        this.orphans.push(s.dialog);
        s.agentId = null;
        this.end(s, 'system');
      } else {
        this.fail(s, 'carrier_failure', null, 'signalling link to drachtio-server lost');
      }
    }
    for (const leg of [...this.legs.values()]) {
      this.orphans.push(leg.dialog);
      leg.callId = null;
      this.onAgentLegGone(leg, 'signalling link lost');
    }
    if (wasUp && !this.stopping) this.log.error('link to drachtio-server lost; calls in flight reconciled, reconnecting');
  }

  /**
   * BYE to every orphaned dialog, on the new connection. drachtio-srf's dialog.destroy() would send it on the
   * connection the dialog was made on, which is gone; drachtio-server sends an in-dialog request from any connection
   * that names the dialog's id. After a server restart the dialogs are gone: the server answers "unable to find
   * dialog" (ENODIALOG) and there is nothing to end. A BYE that could not be handed over (the link dropped again)
   * waits for the next connection.
   */
  private sweepOrphans(): void {
    const orphans = this.orphans.splice(0);
    if (!orphans.length) return;
    let sent = 0;
    let gone = 0;
    const byes = orphans.map(async (d) => {
      try {
        await this.srf.request('sip:placeholder', { method: 'BYE', stackDialogId: d.id });
        sent += 1;
      } catch (err) {
        if ((err as { code?: string }).code === 'ENODIALOG') gone += 1;
        else if (!this.connected && !this.stopping) this.orphans.push(d);
        else this.log.warn(`BYE to a dialog left from the link drop failed: ${(err as Error)?.message ?? err}`);
      }
      // drachtio-srf's own record of the dialog (its old connection is closed, so nothing is sent from here)
      d.destroy().catch(() => undefined);
    });
    void Promise.all(byes).then(() => {
      this.log.log(`dialogs left from the link drop: ${sent} sent BYE, ${gone} already gone on drachtio-server`);
    });
  }

  // ---------------------------------------------------------------- figures

  private recordBridge(ms: number): void {
    this.counters.bridges += 1;
    if (ms > 300) this.counters.over300ms += 1;
    this.bridgeSamples.push(ms);
    if (this.bridgeSamples.length > 1000) this.bridgeSamples.shift();
  }

  stats(): TelephonyStats {
    const sorted = [...this.bridgeSamples].sort((a, b) => a - b);
    const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null);
    return {
      bridge: {
        count: this.counters.bridges, lastMs: this.bridgeSamples.at(-1) ?? null, p50Ms: q(0.5), p95Ms: q(0.95),
        maxMs: sorted.at(-1) ?? null, over300ms: this.counters.over300ms,
      },
      cancel200Races: this.counters.cancel200Races,
      linkDrops: this.counters.linkDrops,
      reconciledCalls: this.counters.reconciledCalls,
      liveCalls: this.calls.size,
      agentLegs: this.legs.size,
      connected: this.connected,
    };
  }
}
