import { Module } from '@nestjs/common';
import { MaintenanceProcessor } from './maintenance.processor';
import { MaintenanceService } from './maintenance.service';

@Module({ providers: [MaintenanceService, MaintenanceProcessor], exports: [MaintenanceService] })
export class MaintenanceModule {}
