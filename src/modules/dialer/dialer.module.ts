import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { TelephonyModule } from '../telephony/telephony.module';
import { DIAL_GATE } from './gate/dial-gate';
import { LocalDialGate } from './gate/local-dial-gate.service';
import { LiveEventsModule } from './live-events.module';
import { CampaignLockService } from './orchestrator/campaign-lock.service';
import { DialerWorkerService } from './orchestrator/dialer-worker.service';
import { LeadLeaser } from './orchestrator/lead-leaser.service';
import { SimulatedAgentsAutopilot } from './simulated-agents-autopilot.service';

/**
 * The dialer worker: campaign orchestrators (one per running campaign across all workers), the dial gate port
 * and the telephony adapter. At merge, bind DIAL_GATE to the compliance module's DialGateService.
 */
@Module({
  imports: [LiveEventsModule, CallsModule, TelephonyModule],
  providers: [LocalDialGate, { provide: DIAL_GATE, useExisting: LocalDialGate }, CampaignLockService, LeadLeaser, DialerWorkerService, SimulatedAgentsAutopilot],
  exports: [DialerWorkerService, DIAL_GATE],
})
export class DialerModule {}
