import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { LiveEventsModule } from './live-events.module';
import { LiveStatsController } from './live-stats.controller';
import { LiveStatsService } from './live-stats.service';

/** The dialer's HTTP side: live campaign figures for managers. */
@Module({
  imports: [LiveEventsModule, AgentsModule],
  controllers: [LiveStatsController],
  providers: [LiveStatsService],
})
export class DialerApiModule {}
