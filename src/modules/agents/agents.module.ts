import { Module } from '@nestjs/common';
import { LiveEventsModule } from '../dialer/live-events.module';
import { AgentStateService } from './agent-state.service';
import { AgentsController } from './agents.controller';
import { DeskPresence } from './desk-presence.service';

@Module({
  imports: [LiveEventsModule],
  controllers: [AgentsController],
  providers: [AgentStateService, DeskPresence],
  exports: [AgentStateService, DeskPresence],
})
export class AgentsModule {}
