import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity } from '../../users/user.entity';
import { AgentPhoneDirectory } from './drachtio-telephony';

/** Agents' phones from users.sip_uri / sip_username / sip_password. */
@Injectable()
export class UserPhoneDirectory implements AgentPhoneDirectory {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  async phoneOf(agentId: string) {
    const u = await this.users.findOne({ where: { id: agentId, active: true }, select: { id: true, sipUri: true, sipUsername: true } });
    return u ? { sipUsername: u.sipUsername, sipUri: u.sipUri } : null;
  }

  async credentialsOf(sipUsername: string) {
    const u = await this.users
      .createQueryBuilder('u')
      .addSelect('u.sipPassword')
      .where('u.sip_username = :sipUsername AND u.active = true', { sipUsername })
      .getOne();
    return u?.sipPassword ? { agentId: u.id, password: u.sipPassword } : null;
  }
}
