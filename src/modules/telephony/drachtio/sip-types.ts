/**
 * The slice of drachtio-srf the adapter uses, as interfaces: the real Srf satisfies them, and unit specs drive
 * the adapter with a fake. SIP types never leave telephony/drachtio/.
 */
export interface SipMessageLike {
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export interface SipResponseLike extends SipMessageLike {
  status: number;
  reason?: string;
}

/** The INVITE we sent (from createUAC's cbRequest); cancel() sends CANCEL. */
export interface SentInviteLike extends SipMessageLike {
  cancel(): void;
}

export interface DialogLike {
  /** drachtio-server's id of the dialog (the stack dialog id): in-dialog requests sent on any connection name it. */
  readonly id: string;
  sip: { callId: string; localTag: string; remoteTag: string };
  local: { sdp: string };
  remote: { sdp: string };
  on(event: 'destroy', cb: (msg?: unknown) => void): unknown;
  destroy(): Promise<unknown>;
  modify(sdp: string): Promise<string>;
}

export interface CreateUacOptions {
  localSdp: string;
  headers?: Record<string, string>;
  auth?: { username: string; password: string };
  proxy?: string;
}

export interface UacProgress {
  cbRequest?: (err: unknown, req: SentInviteLike) => void;
  cbProvisional?: (res: SipResponseLike) => void;
}

/** A final non-2xx response arrives as a rejection carrying its status (drachtio-srf's SipError). */
export interface SipErrorLike {
  status?: number;
  reason?: string;
  res?: SipResponseLike;
}

export interface RegisterRequestLike extends SipMessageLike {
  method: string;
  uri: string;
  protocol: string;
  source_address: string;
  source_port: string | number;
  getParsedHeader(name: 'Contact'): Array<{ uri: string; params?: Record<string, string | null> }>;
}

export interface RegisterResponseLike {
  send(status: number, opts?: { headers?: Record<string, string> }): void;
  send(status: number, reason: string, opts?: { headers?: Record<string, string> }): void;
}

/** A request drachtio-srf sent (srf.request): 'response' fires with its final response. */
export interface SentRequestLike extends SipMessageLike {
  on(event: 'response', cb: (res: SipResponseLike) => void): unknown;
}

/** srf.request's options for a request inside an existing dialog (drachtio-server finds it by `stackDialogId`). */
export interface InDialogRequestOptions {
  method: 'BYE';
  stackDialogId: string;
  headers?: Record<string, string>;
}

export interface SrfLike {
  connect(opts: { host: string; port: number; secret: string }): unknown;
  disconnect(): void;
  on(event: 'connect', cb: (err: Error | null, hostport?: string) => void): unknown;
  on(event: 'close' | 'error', cb: (...args: unknown[]) => void): unknown;
  removeAllListeners?(event?: string): unknown;
  register(handler: (req: RegisterRequestLike, res: RegisterResponseLike) => void): unknown;
  createUAC(uri: string, opts: CreateUacOptions, progress?: UacProgress): Promise<DialogLike>;
  /**
   * Sends a request on the current connection. With `stackDialogId` (and the request URI `sip:placeholder`)
   * drachtio-server sends it inside that dialog, whichever connection created it; it rejects with code
   * 'ENODIALOG' when the server no longer has the dialog.
   */
  request(uri: string, opts: InDialogRequestOptions): Promise<SentRequestLike>;
}
