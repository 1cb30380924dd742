import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { QueueName } from '../../common/queue/queue-names';
import { MaintenanceService } from './maintenance.service';

export const RELEASE_LEASES_JOB = 'release-expired-leases';

@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly maintenance: MaintenanceService,
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
  ) {
    super();
  }

  /** One repeatable job across all workers (BullMQ deduplicates the scheduler by id). */
  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(RELEASE_LEASES_JOB, { every: 5_000 }, { name: RELEASE_LEASES_JOB });
  }

  process(job: Job): Promise<number> {
    if (job.name === RELEASE_LEASES_JOB) return this.maintenance.releaseExpiredLeases();
    return Promise.resolve(0);
  }
}
