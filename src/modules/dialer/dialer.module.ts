import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { ComplianceDialGate } from '../compliance/compliance-dial-gate';
import { ComplianceModule } from '../compliance/compliance.module';
import { TelephonyModule } from '../telephony/telephony.module';
import { DIAL_GATE } from './gate/dial-gate';
import { LiveEventsModule } from './live-events.module';
import { CampaignLockService } from './orchestrator/campaign-lock.service';
import { DialerWorkerService } from './orchestrator/dialer-worker.service';
import { LeadLeaser } from './orchestrator/lead-leaser.service';
import { SimulatedAgentsAutopilot } from './simulated-agents-autopilot.service';

/**
 * The dialer worker: campaign orchestrators (one per running campaign across all workers), the dial gate port
 * (bound to the compliance module's gate) and the telephony adapter.
 */
@Module({
  imports: [LiveEventsModule, CallsModule, TelephonyModule, ComplianceModule],
  providers: [{ provide: DIAL_GATE, useExisting: ComplianceDialGate }, CampaignLockService, LeadLeaser, DialerWorkerService, SimulatedAgentsAutopilot],
  exports: [DialerWorkerService, DIAL_GATE],
})
export class DialerModule {}
