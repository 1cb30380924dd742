import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { QueueName } from '../../common/queue/queue-names';
import { CampaignScheduleJob, CampaignsService } from './campaigns.service';

/** Fires the delayed start/stop jobs that CampaignsService keeps in line with each campaign's dates. */
@Processor(QueueName.CampaignSchedule)
export class CampaignScheduleProcessor extends WorkerHost {
  constructor(private readonly campaigns: CampaignsService) {
    super();
  }

  process(job: Job<CampaignScheduleJob>): Promise<'done' | 'stale'> {
    return this.campaigns.runScheduledJob(job.data);
  }
}
