import { CampaignEntity } from '../../campaigns/campaign.entity';
import { DialDecision as GateDecision } from '../../compliance/dial-gate.types';
import { LeadEntity } from '../../leads/lead.entity';

/**
 * The port through which the dialer asks the compliance gate, right before each INVITE. The compliance module's
 * DialGateService replaces LocalDialGate at merge (bind DIAL_GATE to it); the dialer only knows this interface.
 */
export interface DialGate {
  /** One decision per lead id. Blocks are the gate's business to record (compliance_events 'dial_blocked'). */
  check(leads: LeadEntity[], campaign: CampaignEntity, at: Date): Promise<Map<string, GateDecision>>;
}
export const DIAL_GATE = Symbol('DIAL_GATE');
