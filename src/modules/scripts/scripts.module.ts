import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ComplianceModule } from '../compliance/compliance.module';
import { ObjectionsController } from './objections.controller';
import { ObjectionsService } from './objections.service';
import { ObjectionEntity, ScriptEntity, ScriptVersionEntity } from './script.entities';
import { ScriptsController } from './scripts.controller';
import { ScriptsService } from './scripts.service';

/** Sales scripts (versioned templates) and each campaign's objection library. */
@Module({
  imports: [TypeOrmModule.forFeature([ScriptEntity, ScriptVersionEntity, ObjectionEntity]), ComplianceModule],
  controllers: [ScriptsController, ObjectionsController],
  providers: [ScriptsService, ObjectionsService],
  exports: [ScriptsService, ObjectionsService],
})
export class ScriptsModule {}
