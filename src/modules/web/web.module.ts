import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignEntity } from '../campaigns/campaign.entity';
import { ScriptsModule } from '../scripts/scripts.module';
import { AssetsController } from './assets.controller';
import { EventsController } from './events/events.controller';
import { WebEvents } from './events/web-events';
import { PagesController } from './pages.controller';
import { ScriptDraftController } from './scripts/script-draft.controller';
import { SessionController } from './session.controller';

/** The browser side: role pages, their static scripts, the session cookie and the live event streams. */
@Module({
  imports: [TypeOrmModule.forFeature([CampaignEntity]), ScriptsModule],
  controllers: [PagesController, AssetsController, SessionController, EventsController, ScriptDraftController],
  providers: [WebEvents],
  exports: [WebEvents],
})
export class WebModule {}
