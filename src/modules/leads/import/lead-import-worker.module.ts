import { Module } from '@nestjs/common';
import { LeadImportProcessor } from './lead-import.processor';
import { LeadImportRunner } from './lead-import.runner';

/** The worker side of lead imports: the queue processor and the runner it delegates to. */
@Module({ providers: [LeadImportRunner, LeadImportProcessor], exports: [LeadImportRunner] })
export class LeadImportWorkerModule {}
