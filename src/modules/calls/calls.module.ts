import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { ComplianceModule } from '../compliance/compliance.module';
import { CallsController } from './calls.controller';
import { CallsService } from './calls.service';
import { WrapUpsController } from './wrap-ups.controller';

@Module({
  imports: [AgentsModule, ComplianceModule],
  controllers: [CallsController, WrapUpsController],
  providers: [CallsService],
  exports: [CallsService, AgentsModule],
})
export class CallsModule {}
