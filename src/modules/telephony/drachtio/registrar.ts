/** Where each agent's SIP phone (or browser softphone) can be reached, learnt from REGISTER. In memory: one app node. */
export interface Registration {
  username: string;
  contactUri: string;
  /** ws/wss: a browser softphone (WebRTC media through rtpengine); else a plain SIP phone. */
  transport: string;
  /** For connection-oriented transports (ws, wss, tcp, tls): where the REGISTER came from, so calls reuse that flow. */
  proxy: string | null;
  expiresAt: number;
}

export class Registrar {
  private readonly byUser = new Map<string, Registration>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  register(username: string, contactUri: string, transport: string, expiresSec: number, proxy: string | null = null): Registration {
    const reg = { username, contactUri, transport: transport.toLowerCase(), proxy, expiresAt: this.now() + expiresSec * 1000 };
    this.byUser.set(username, reg);
    return reg;
  }

  unregister(username: string): void {
    this.byUser.delete(username);
  }

  lookup(username: string): Registration | null {
    const reg = this.byUser.get(username);
    if (!reg) return null;
    if (reg.expiresAt <= this.now()) {
      this.byUser.delete(username);
      return null;
    }
    return reg;
  }
}
