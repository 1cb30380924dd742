import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CLOCK, systemClock } from '../../common/clock';
import { ScriptsModule } from '../scripts/scripts.module';
import { CampaignEntity, CampaignListEntity, CampaignOutcomeEntity, CampaignStatusEventEntity } from './campaign.entity';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';

/** Campaign set-up and lifecycle (API). The dialer imports this module for CampaignsService. */
@Module({
  imports: [
    TypeOrmModule.forFeature([CampaignEntity, CampaignListEntity, CampaignOutcomeEntity, CampaignStatusEventEntity]),
    ScriptsModule,
  ],
  controllers: [CampaignsController],
  providers: [CampaignsService, { provide: CLOCK, useValue: systemClock }],
  exports: [CampaignsService],
})
export class CampaignsModule {}
