import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, notFound } from '../../../common/errors/domain-error';
import { assertVersion } from '../../../common/http/edit-version';
import { SipGatewayEntity } from '../sip-gateway.entity';
import { GatewayCache } from './gateway-cache';
import { CallerIdRules, GatewayConfig, GatewayDirectory } from './gateway-config';
import { CreateGatewayDto, GatewayResponse, GatewaySummary, UpdateGatewayDto } from './gateways.dto';

export function toGatewayResponse(e: SipGatewayEntity & { password?: string | null }): GatewayResponse {
  return {
    id: e.id, name: e.name, host: e.host, port: e.port, transport: e.transport, username: e.username,
    hasPassword: !!e.password, numberFormat: e.numberFormat, prefix: e.prefix, callerIdRules: e.callerIdRules as CallerIdRules,
    cpsLimit: e.cpsLimit, channelLimit: e.channelLimit, active: e.active, version: e.version, createdAt: e.createdAt, updatedAt: e.updatedAt,
  };
}

@Injectable()
export class GatewaysService implements GatewayDirectory {
  /** Dials read the gateway from here: one query per gateway every few seconds, not one per call attempt. */
  private readonly cache = new GatewayCache((id) => this.loadForDial(id));

  constructor(@InjectRepository(SipGatewayEntity) private readonly repo: Repository<SipGatewayEntity>) {}

  async create(dto: CreateGatewayDto): Promise<GatewayResponse> {
    await this.assertNameFree(dto.name);
    const saved = await this.repo.save(this.repo.create({ ...dto, callerIdRules: stripUndefined(dto.callerIdRules) }));
    this.cache.invalidate();
    return this.get(saved.id);
  }

  async list(): Promise<GatewayResponse[]> {
    const rows = await this.withPassword().orderBy('g.name').getMany();
    return rows.map(toGatewayResponse);
  }

  async listNames(): Promise<GatewaySummary[]> {
    const rows = await this.repo.find({ select: { id: true, name: true, active: true }, order: { name: 'ASC' } });
    return rows.map(({ id, name, active }) => ({ id, name, active }));
  }

  async get(id: string): Promise<GatewayResponse> {
    const row = await this.withPassword().where('g.id = :id', { id }).getOne();
    if (!row) throw notFound('gateway');
    return toGatewayResponse(row);
  }

  /** With expectedVersion (If-Match / body version) only if the gateway is still at it (412 otherwise). */
  async update(id: string, dto: UpdateGatewayDto, expectedVersion: number | null = null): Promise<GatewayResponse> {
    const { version: _based, ...fields } = dto;
    await this.repo.manager.transaction(async (m) => {
      const row = await m.getRepository(SipGatewayEntity).createQueryBuilder('g').addSelect('g.password').setLock('pessimistic_write')
        .where('g.id = :id', { id }).getOne();
      if (!row) throw notFound('gateway');
      assertVersion('gateway', expectedVersion, row.version);
      if (fields.name !== undefined && fields.name !== row.name) await this.assertNameFree(fields.name);
      const next = { ...row, ...fields, ...(fields.callerIdRules ? { callerIdRules: stripUndefined(fields.callerIdRules) } : {}) } as SipGatewayEntity;
      const keys = (Object.keys(fields) as (keyof typeof fields)[]).filter((k) => fields[k] !== undefined && !isDeepStrictEqual(row[k], next[k]));
      if (keys.length) {
        const changes = Object.fromEntries(keys.map((k) => [k, next[k]]));
        await m.getRepository(SipGatewayEntity).update({ id }, { ...changes, version: () => 'version + 1' });
      }
    });
    this.cache.invalidate();
    return this.get(id);
  }

  /** Deletes a gateway no call or campaign refers to; one still referred to can only be deactivated. */
  async remove(id: string): Promise<void> {
    const row = await this.repo.findOne({ where: { id } });
    if (!row) throw notFound('gateway');
    const [{ used }] = await this.repo.query(
      `SELECT EXISTS (SELECT 1 FROM calls WHERE gateway_id = $1) OR EXISTS (SELECT 1 FROM campaigns WHERE gateway_id = $1) AS used`,
      [id],
    );
    if (used) throw new DomainError('CONFLICT', 'gateway is used by calls or campaigns; deactivate it instead', [{ field: 'id', reason: 'in use' }]);
    await this.repo.delete(id);
    this.cache.invalidate();
  }

  /**
   * For the SIP adapter: the full configuration, digest password included. Cached (GatewayCache): a change made
   * through this service shows at once, one made by another process within GATEWAY_CACHE_TTL_MS.
   */
  forDial(gatewayId: string | null): Promise<GatewayConfig | null> {
    return this.cache.forDial(gatewayId);
  }

  private async loadForDial(gatewayId: string | null): Promise<GatewayConfig | null> {
    const qb = this.withPassword().where('g.active = true');
    if (gatewayId) qb.andWhere('g.id = :id', { id: gatewayId });
    const row = await qb.orderBy('g.created_at').getOne();
    if (!row) return null;
    return {
      id: row.id, name: row.name, host: row.host, port: row.port, transport: row.transport, username: row.username,
      password: row.password, numberFormat: row.numberFormat, prefix: row.prefix, callerIdRules: row.callerIdRules as CallerIdRules,
      cpsLimit: row.cpsLimit, channelLimit: row.channelLimit,
    };
  }

  private withPassword() {
    return this.repo.createQueryBuilder('g').addSelect('g.password');
  }

  private async assertNameFree(name: string): Promise<void> {
    if (await this.repo.exists({ where: { name } })) {
      throw new DomainError('CONFLICT', 'name is already in use', [{ field: 'name', reason: 'already in use' }]);
    }
  }
}

function stripUndefined<T extends object>(o: T | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined));
}
