import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { QueueName } from '../../common/queue/queue-names';
import { RegistryImportJob, RegistryImportService, RegistryImportView } from './registry-import.service';

@Processor(QueueName.DncImport)
export class RegistryImportProcessor extends WorkerHost {
  constructor(private readonly imports: RegistryImportService) {
    super();
  }

  process(job: Job<RegistryImportJob>): Promise<RegistryImportView> {
    return this.imports.run(job.data, (pct) => job.updateProgress(pct));
  }
}
