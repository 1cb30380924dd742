import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { Repository } from 'typeorm';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { AgentStateService } from '../agents/agent-state.service';
import { LiveEventBus } from '../dialer/live-events';
import { CreateUserDto, UpdateUserDto, UserResponse } from './users.dto';
import { Role, UserEntity } from './user.entity';

export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id });
/**
 * A password change ends every session opened before it: tokens carry their issue time in whole seconds (iat), so the
 * cut is this second; a token issued earlier in the same second survives (a login racing the change).
 */
export const sessionsStartNow = () => new Date(Math.floor(Date.now() / 1000) * 1000);

export function toUserResponse(u: UserEntity): UserResponse {
  return { id: u.id, email: u.email, displayName: u.displayName, role: u.role, active: u.active, sipUri: u.sipUri, locale: u.locale, createdAt: u.createdAt };
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly agents: AgentStateService,
    private readonly live: LiveEventBus,
  ) {}

  async create(dto: CreateUserDto): Promise<UserResponse> {
    const exists = await this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email: dto.email }).getExists();
    if (exists) throw new DomainError('CONFLICT', 'email is already in use', [{ field: 'email', reason: 'already in use' }]);
    const user = this.users.create({
      email: dto.email, displayName: dto.displayName, role: dto.role, active: true, sipUri: dto.sipUri ?? null, locale: dto.locale ?? 'en',
      passwordHash: await hashPassword(dto.password),
    });
    return toUserResponse(await this.users.save(user));
  }

  async list(role?: Role): Promise<UserResponse[]> {
    const rows = await this.users.find({ where: role ? { role } : {}, order: { email: 'ASC' } });
    return rows.map(toUserResponse);
  }

  async get(id: string): Promise<UserResponse> {
    const u = await this.users.findOneBy({ id });
    if (!u) throw notFound('user');
    return toUserResponse(u);
  }

  async update(id: string, dto: UpdateUserDto): Promise<UserResponse> {
    const u = await this.users.findOneBy({ id });
    if (!u) throw notFound('user');
    if (dto.email && dto.email.toLowerCase() !== u.email.toLowerCase()) {
      const taken = await this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email: dto.email }).getExists();
      if (taken) throw new DomainError('CONFLICT', 'email is already in use', [{ field: 'email', reason: 'already in use' }]);
    }
    const wasDialingAgent = u.role === Role.Agent && u.active;
    const was = { active: u.active, role: u.role };
    const { password, ...rest } = dto;
    // Only the fields sent: the DTO holds the others as undefined, which would blank them in the response.
    Object.assign(u, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    if (password) {
      u.passwordHash = await hashPassword(password);
      u.sessionsValidAfter = sessionsStartNow();
    }
    const saved = toUserResponse(await this.users.save(u));
    // An agent disabled, or no longer an agent, leaves the dialer at once: no answered calls for a seat whose every
    // request is now refused. Not while a call is on or waits for its outcome (the dialer would lose it): then they
    // stay until that call is done, and the desk-presence pass pauses them once their page is gone.
    if (wasDialingAgent && (!saved.active || saved.role !== Role.Agent)) {
      await this.agents.setByAgent(id, 'logged_out', null, null).catch(() => undefined);
    }
    // Open event streams were authorised at connect: every API process closes those the account no longer allows.
    if (saved.active !== was.active || saved.role !== was.role || password) this.live.publish('account.changed', { userId: id, at: new Date().toISOString() });
    return saved;
  }

  /** Finds an active user by e-mail with the password hash, for login only. */
  findForLogin(email: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .andWhere('u.active')
      .getOne();
  }

  /** Creates or resets a user (seed and create-admin scripts). */
  async upsert(email: string, displayName: string, role: Role, password: string): Promise<UserEntity> {
    const existing = await this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
    const user = existing ?? this.users.create({ email, displayName, role });
    Object.assign(user, { displayName, role, active: true, passwordHash: await hashPassword(password) });
    if (existing) user.sessionsValidAfter = sessionsStartNow(); // a reset password ends the sessions opened with the old one
    return this.users.save(user);
  }
}
