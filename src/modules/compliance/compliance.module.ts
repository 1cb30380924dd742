import { Module } from '@nestjs/common';
import { CampaignAccessService } from './campaign-access.service';
import { ComplianceDialGate } from './compliance-dial-gate';
import { ComplianceEventsService } from './compliance-events.service';
import { ComplianceLogController } from './compliance-log.controller';
import { ComplianceReportsService } from './compliance-reports.service';
import { ComplianceRulesService } from './compliance-rules.service';
import { DialGateService } from './dial-gate.service';
import { DncController } from './dnc.controller';
import { DncService } from './dnc.service';
import { RegistryController } from './registry.controller';
import { RegistryImportProcessor } from './registry-import.processor';
import { RegistryImportService } from './registry-import.service';
import { RegistryLookupService } from './registry-lookup.service';

const SERVICES = [
  ComplianceEventsService, DncService, RegistryLookupService, RegistryImportService, ComplianceRulesService, DialGateService,
  ComplianceReportsService, CampaignAccessService, ComplianceDialGate,
];

/**
 * DNC lists, registry copies, calling hours, the dial gate and the compliance record. Other modules import it for
 * DialGateService (the dialer), DncService.addInternalDnc (dispositions) and ComplianceEventsService (abandons,
 * attempts). The HTTP controllers live here too; the registry import job runs in ComplianceWorkerModule.
 */
@Module({
  controllers: [DncController, ComplianceLogController, RegistryController],
  providers: SERVICES,
  exports: SERVICES,
})
export class ComplianceModule {}

/** The worker side: the registry import job. */
@Module({ imports: [ComplianceModule], providers: [RegistryImportProcessor] })
export class ComplianceWorkerModule {}
