import { Module } from '@nestjs/common';
import { CampaignScheduleProcessor } from './campaign-schedule.processor';
import { CampaignsModule } from './campaigns.module';

/** Worker side: processes the campaign-schedule queue. */
@Module({ imports: [CampaignsModule], providers: [CampaignScheduleProcessor] })
export class CampaignScheduleModule {}
