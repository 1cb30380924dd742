import { Module } from '@nestjs/common';
import { SoftphoneController } from './softphone.controller';

/** The browser softphone page (GET /softphone, agents) and its scripts. */
@Module({ controllers: [SoftphoneController] })
export class SoftphoneModule {}
