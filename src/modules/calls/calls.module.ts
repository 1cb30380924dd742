import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { ComplianceModule } from '../compliance/compliance.module';
import { CallsController } from './calls.controller';
import { CallsService } from './calls.service';

@Module({
  imports: [AgentsModule, ComplianceModule],
  controllers: [CallsController],
  providers: [CallsService],
  exports: [CallsService, AgentsModule],
})
export class CallsModule {}
