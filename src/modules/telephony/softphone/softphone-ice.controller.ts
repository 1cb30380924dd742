import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../../common/auth/auth-user';
import { Roles } from '../../../common/auth/roles.decorator';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { Role } from '../../users/user.entity';
import { softphoneIceConfig, SoftphoneIceConfig } from './ice-servers';

@ApiTags('softphone')
@Controller('api/softphone')
export class SoftphoneIceController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Roles: agent. The STUN/TURN servers the agent's browser softphone uses, with a TURN credential minted for this
   * agent (valid TURN_CREDENTIAL_TTL seconds), and whether it must relay through TURN (SOFTPHONE_ICE_POLICY).
   */
  @Get('ice-servers')
  @Roles(Role.Agent)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'ICE (STUN/TURN) servers and a TURN credential for the agent\'s browser softphone' })
  @ApiOkResponse({ description: '{ iceServers, iceTransportPolicy, expiresAt }' })
  iceServers(@CurrentUser() user: AuthUser): SoftphoneIceConfig {
    return softphoneIceConfig(
      { urls: this.config.TURN_URLS, secret: this.config.TURN_SECRET, ttlSeconds: this.config.TURN_CREDENTIAL_TTL, policy: this.config.SOFTPHONE_ICE_POLICY },
      user.id,
    );
  }
}
