/**
 * The telephony port: everything above it (dialer, calls, agents) talks to SIP or to the simulated carrier
 * only through this interface. SIP types never leave telephony/drachtio/.
 */

/** What the carrier said, mapped to outcomes in one table (see sip-outcomes.ts). */
export type DialResult =
  | 'answered' // 200 OK
  | 'busy' // 486, 600
  | 'no_answer' // 480, 408, ring timeout (487 after our CANCEL)
  | 'invalid_number' // 404, 484, 410
  | 'carrier_failure' // 403, 503, other 5xx, transport timeout
  | 'cancelled'; // we cancelled for another reason (campaign stopped)

export interface DialRequest {
  /** Our call id (calls.id); the adapter keeps its own dialog ids to itself. */
  callId: string;
  campaignId: string;
  /** E.164 number to call. */
  to: string;
  /** E.164 caller ID presented to the callee. */
  callerId: string | null;
  gatewayId: string | null;
  ringTimeoutMs: number;
  /** Record this call (file path reported on answer). */
  record?: boolean;
  /**
   * The call leaves (INVITE) only once this resolves, e.g. when the call record has committed: the caller can persist
   * the attempt while the adapter prepares it (gateway, pacing slot, media). If it rejects, nothing is sent and the
   * call fails as `cancelled`.
   */
  sendAfter?: Promise<unknown>;
}

export interface DialEvents {
  /** 180/183: the callee's phone is ringing. */
  onRinging(at: Date): void;
  /** 200 OK; answerType from answering-machine detection when enabled, else 'human'. */
  onAnswered(at: Date, answerType: 'human' | 'machine'): void;
  /** A final failure before answer, with the SIP code when there was one. */
  onFailed(at: Date, result: Exclude<DialResult, 'answered'>, sipCode: number | null, reason: string | null): void;
  /** The answered call ended (either side hung up, or the link dropped). */
  onEnded(at: Date, by: 'customer' | 'agent' | 'system' | 'carrier'): void;
  /** Recording started for a call dialled with record: true; the path goes on calls.recording_path. Optional. */
  onRecording?(at: Date, path: string): void;
}

export interface CallHandle {
  callId: string;
  /** Provider's id (SIP Call-ID, or a simulated id). */
  providerCallId: string;
}

export interface AgentLegEvents {
  /** The agent's phone hung up its leg (the agent must be set not ready). */
  onAgentLegDown(agentId: string, at: Date): void;
}

/** The figures every engine gives (`stats()`); an engine adds its own (drachtio: bridge latency, link drops, ...). */
export interface TelephonyStatsBase {
  /** Customer calls this process holds. */
  liveCalls: number;
  /** The engine can place calls (drachtio: the link to drachtio-server is up; the simulated carrier always can). */
  connected: boolean;
}

export interface Telephony {
  readonly name: 'simulated' | 'drachtio';
  /** Launch a call to a customer. Resolves once the attempt is under way; outcomes arrive through events. */
  dial(req: DialRequest, events: DialEvents): Promise<CallHandle>;
  /** Join an answered customer call to the agent's leg (must be fast: < 300 ms after the 200 OK). */
  bridge(callId: string, agentId: string): Promise<void>;
  /** Play the abandonment message into the customer leg, then hang up. */
  abandon(callId: string): Promise<void>;
  /** Hang up a customer call (CANCEL before answer, BYE after). The agent leg stays up. */
  hangup(callId: string): Promise<void>;
  /** Set up the long-lived agent leg when the agent goes Ready; idempotent. */
  ensureAgentLeg(agentId: string, events: AgentLegEvents): Promise<void>;
  /** Tear down the agent leg (logout). */
  releaseAgentLeg(agentId: string): Promise<void>;
  /** Calls this adapter still believes are live (for reconciliation after a crash or link drop). */
  liveCalls(): string[];
  /** This process's figures, published for GET /api/telephony/sip-stats. */
  stats(): TelephonyStatsBase;
}

export const TELEPHONY = Symbol('TELEPHONY');
