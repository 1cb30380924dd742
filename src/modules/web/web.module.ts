import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignEntity } from '../campaigns/campaign.entity';
import { CallsModule } from '../calls/calls.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { ScriptsModule } from '../scripts/scripts.module';
import { AgentDeskController } from './agent/agent-desk.controller';
import { AgentDeskService } from './agent/agent-desk.service';
import { AssetsController } from './assets.controller';
import { EventsController } from './events/events.controller';
import { AccountWatch } from './events/account-watch';
import { LiveBridge } from './events/live-bridge';
import { WebEvents } from './events/web-events';
import { PagesController } from './pages.controller';
import { ScriptDraftController } from './scripts/script-draft.controller';
import { SessionController } from './session.controller';

/** The browser side: role pages, their static scripts, the session cookie and the live event streams. */
@Module({
  imports: [TypeOrmModule.forFeature([CampaignEntity]), ScriptsModule, CampaignsModule, CallsModule],
  controllers: [PagesController, AssetsController, SessionController, EventsController, ScriptDraftController, AgentDeskController],
  providers: [WebEvents, LiveBridge, AccountWatch, AgentDeskService],
  exports: [WebEvents],
})
export class WebModule {}
