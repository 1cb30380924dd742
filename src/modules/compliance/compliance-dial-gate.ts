import { Injectable } from '@nestjs/common';
import { DialDecision } from './dial-gate.types';
import { DialGateService } from './dial-gate.service';

/**
 * The dialer's DIAL_GATE port (src/modules/dialer/gate/dial-gate.ts on feat/dialer): decisions keyed by lead id.
 * Bind it with `{ provide: DIAL_GATE, useExisting: ComplianceDialGate }` after importing ComplianceModule.
 * Lead and campaign data are reloaded by id so the check just before the INVITE sees the current state
 * (a campaign paused, a DNC request or a status change since selection).
 */
@Injectable()
export class ComplianceDialGate {
  constructor(private readonly gate: DialGateService) {}

  async check(leads: { id: string }[], campaign: { id: string }, at: Date): Promise<Map<string, DialDecision>> {
    const results = await this.gate.check(leads.map((l) => String(l.id)), campaign.id, at, { actor: 'dialer' });
    return new Map(results.map((r) => [r.leadId, r.decision]));
  }
}
