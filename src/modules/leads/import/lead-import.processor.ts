import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { QueueName } from '../../../common/queue/queue-names';
import { ImportRefused, ImportSummary, LeadImportRunner } from './lead-import.runner';
import { LeadImportJob } from './lead-imports.service';

/** One import at a time per worker: an import saturates a core and a database connection. */
@Processor(QueueName.LeadImport, { concurrency: 1 })
export class LeadImportProcessor extends WorkerHost {
  constructor(private readonly runner: LeadImportRunner) {
    super();
  }

  process(job: Job<LeadImportJob>): Promise<ImportSummary> {
    return this.runner.run(job.data.importId, (p) => job.updateProgress({ ...p })).catch((err) => {
      throw err instanceof ImportRefused ? new UnrecoverableError(err.message) : err;
    });
  }

  /** After the last attempt (or a refusal no retry can fix) the uploaded file is of no further use. */
  @OnWorkerEvent('failed')
  async onFailed(job: Job<LeadImportJob> | undefined, err: Error): Promise<void> {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) await this.runner.discardFile(job.data.importId);
  }
}
