import { Module } from '@nestjs/common';
import { SoftphoneIceController } from './softphone-ice.controller';
import { SoftphoneController } from './softphone.controller';

/** The browser softphone page (GET /softphone, agents), its scripts, and its ICE servers (GET /api/softphone/ice-servers). */
@Module({ controllers: [SoftphoneController, SoftphoneIceController] })
export class SoftphoneModule {}
