import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SipGatewayEntity } from '../sip-gateway.entity';
import { GatewaysController } from './gateways.controller';
import { GatewaysService } from './gateways.service';

/** Admin API for SIP trunks (/api/gateways); GatewaysService is also the SIP adapter's gateway directory. */
@Module({
  imports: [TypeOrmModule.forFeature([SipGatewayEntity])],
  controllers: [GatewaysController],
  providers: [GatewaysService],
  exports: [GatewaysService],
})
export class GatewaysModule {}
