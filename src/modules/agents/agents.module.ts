import { Module } from '@nestjs/common';
import { LiveEventsModule } from '../dialer/live-events.module';
import { AgentStateService } from './agent-state.service';
import { AgentsController } from './agents.controller';

@Module({
  imports: [LiveEventsModule],
  controllers: [AgentsController],
  providers: [AgentStateService],
  exports: [AgentStateService],
})
export class AgentsModule {}
