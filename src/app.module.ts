import { DynamicModule, Module, Type } from '@nestjs/common';
import { EnvSchema } from './config/env.schema';
import { CoreModule } from './core.module';
import { AgentsModule } from './modules/agents/agents.module';
import { AuthModule } from './modules/auth/auth.module';
import { CallsModule } from './modules/calls/calls.module';
import { CampaignScheduleModule } from './modules/campaigns/campaign-schedule.module';
import { CampaignsModule } from './modules/campaigns/campaigns.module';
import { ComplianceModule, ComplianceWorkerModule } from './modules/compliance/compliance.module';
import { DialerApiModule } from './modules/dialer/dialer-api.module';
import { DialerModule } from './modules/dialer/dialer.module';
import { HealthModule } from './modules/health/health.module';
import { GatewaysModule } from './modules/telephony/gateways/gateways.module';
import { SoftphoneModule } from './modules/telephony/softphone/softphone.module';
import { TelephonyStatsModule } from './modules/telephony/stats/telephony-stats.module';
import { LeadImportWorkerModule } from './modules/leads/import/lead-import-worker.module';
import { LeadsModule } from './modules/leads/leads.module';
import { MaintenanceModule } from './modules/maintenance/maintenance.module';
import { ReportsModule } from './modules/reports/reports.module';
import { ScriptsModule } from './modules/scripts/scripts.module';
import { UsersModule } from './modules/users/users.module';
import { WebModule } from './modules/web/web.module';

/** Modules that serve the HTTP API. */
export const API_MODULES: Type[] = [
  AuthModule, UsersModule, HealthModule, CampaignsModule, ScriptsModule, ComplianceModule, LeadsModule, GatewaysModule, AgentsModule, CallsModule,
  DialerApiModule, ReportsModule, WebModule, SoftphoneModule, TelephonyStatsModule,
];

/** Modules that run the dialer: queue processors, campaign orchestrators, telephony. */
export const WORKER_MODULES: Type[] = [MaintenanceModule, CampaignScheduleModule, ComplianceWorkerModule, LeadImportWorkerModule, DialerModule];

export interface AppRoles {
  api: boolean;
  worker: boolean;
}

@Module({})
export class AppModule {
  static forRoot(config: EnvSchema, roles: AppRoles = { api: true, worker: config.RUN_MODE === 'all' }): DynamicModule {
    const imports: Type[] = [];
    if (roles.api) imports.push(...API_MODULES);
    if (roles.worker) imports.push(...WORKER_MODULES.filter((m) => !imports.includes(m)));
    return { module: AppModule, imports: [CoreModule.forRoot(config), ...imports] };
  }
}
