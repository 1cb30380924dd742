import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '../../common/clock';
import { KpiReportService } from './kpi-report.service';
import { ReportsController } from './reports.controller';

/** Managers' reports: KPIs from the call and agent-state records. */
@Module({
  controllers: [ReportsController],
  providers: [KpiReportService, { provide: CLOCK, useValue: systemClock }],
})
export class ReportsModule {}
