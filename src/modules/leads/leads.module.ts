import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { diskStorage } from 'multer';
import { CLOCK, systemClock } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { ComplianceModule } from '../compliance/compliance.module';
import { LeadImportsController } from './import/lead-imports.controller';
import { leadImportDir, LeadImportsService } from './import/lead-imports.service';
import { LeadListsController, LeadsController } from './leads.controller';
import { LeadsService } from './leads.service';

/** Lists, leads and imports over HTTP. Uploads stream to disk (multer disk storage), never into memory. */
@Module({
  imports: [
    ComplianceModule,
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        storage: diskStorage({ destination: leadImportDir(config), filename: (_req, _file, cb) => cb(null, `${randomUUID()}.csv`) }),
        limits: { fileSize: 4 * 1024 ** 3, files: 1, fields: 20, fieldSize: 64 * 1024 },
      }),
    }),
  ],
  controllers: [LeadListsController, LeadsController, LeadImportsController],
  providers: [LeadsService, LeadImportsService, { provide: CLOCK, useValue: systemClock }],
  exports: [LeadsService],
})
export class LeadsModule {}
