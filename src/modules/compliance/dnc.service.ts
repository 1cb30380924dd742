import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, invalid, notFound } from '../../common/errors/domain-error';
import { DncScope } from './compliance.entities';
import { ComplianceEventsService } from './compliance-events.service';
import { normalisePhone } from './phone';

export interface DncActor {
  actorUserId?: string | null;
  /** 'user', 'agent_disposition', ... */
  actor?: string;
  leadId?: string | null;
  callId?: string | null;
  agentId?: string | null;
}

export interface AddDncInput {
  phone: string;
  scope: DncScope.Internal | DncScope.Campaign;
  campaignId?: string | null;
  reason: string;
  expiresAt?: Date | null;
  /** Default country for numbers given without a country code. */
  country?: string;
  source?: string;
}

export interface DncEntryView {
  id: string;
  phone: string;
  scope: DncScope;
  campaignId: string | null;
  source: string | null;
  reason: string | null;
  expiresAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
  removedAt: Date | null;
  removedBy: string | null;
  removedReason: string | null;
}

export interface DncHits {
  internal: boolean;
  campaign: boolean;
  registry: boolean;
}

const ENTRY_COLUMNS = `id, phone, scope, campaign_id, source, reason, expires_at, created_by, created_at, removed_at, removed_by, removed_reason`;

/** Internal and campaign DNC lists (registry copies live in dnc_registry_numbers, see RegistryLookupService). */
@Injectable()
export class DncService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: ComplianceEventsService,
  ) {}

  normalise(phone: string, country = 'US', field = 'phone'): string {
    const e164 = normalisePhone(phone, country);
    if (!e164) throw invalid(field, `is not a valid phone number (default country ${country.toUpperCase()})`);
    return e164;
  }

  /**
   * Adds a number to a list and writes the 'dnc_add' event in the same transaction. 409 when an active entry has it;
   * an expired entry does not count (it no longer blocks), so the number is listed again.
   */
  async add(input: AddDncInput, who: DncActor): Promise<DncEntryView> {
    const phone = this.normalise(input.phone, input.country);
    if (input.scope === DncScope.Campaign && !input.campaignId) throw invalid('campaignId', 'is required for a campaign list');
    if (input.scope === DncScope.Internal && input.campaignId) throw invalid('campaignId', 'must be empty for the internal list');
    return this.db.transaction(async (m) => {
      const expiredEntryId = await this.closeExpired(m, phone, input.scope, input.campaignId ?? null);
      const rows = await m.query(
        `INSERT INTO dnc_entries (phone, scope, campaign_id, source, reason, expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (phone, scope, coalesce(campaign_id, '00000000-0000-0000-0000-000000000000'::uuid)) WHERE removed_at IS NULL DO NOTHING
         RETURNING ${ENTRY_COLUMNS}`,
        [phone, input.scope, input.campaignId ?? null, input.source ?? 'api', input.reason, input.expiresAt ?? null, who.actorUserId ?? null],
      );
      if (rows.length === 0) throw new DomainError('CONFLICT', 'number already on this list', [{ field: 'phone', reason: 'already on this list' }]);
      const entry = toEntry(rows[0]);
      await this.events.record(
        {
          type: 'dnc_add', reasonCode: input.scope, actorUserId: who.actorUserId, actor: who.actor ?? 'user', campaignId: entry.campaignId,
          leadId: who.leadId, callId: who.callId, agentId: who.agentId, phone,
          details: {
            entryId: entry.id, scope: entry.scope, reason: input.reason, expiresAt: entry.expiresAt, source: entry.source,
            ...(expiredEntryId ? { expiredEntryId } : {}),
          },
        },
        m,
      );
      return entry;
    });
  }

  /**
   * An expired entry still holds its list's one open slot (unique index dnc_entries_active_uq, which cannot test
   * the time): close it as of its expiry, so that a new entry can take the slot. Returns the closed entry's id.
   */
  private async closeExpired(m: EntityManager, phone: string, scope: DncScope, campaignId: string | null): Promise<string | null> {
    const rows = updatedRows<{ id: string }>(
      await m.query(
        `UPDATE dnc_entries SET removed_at = expires_at, removed_reason = 'expired'
          WHERE phone = $1 AND scope = $2 AND campaign_id IS NOT DISTINCT FROM $3::uuid AND removed_at IS NULL AND expires_at <= now()
          RETURNING id`,
        [phone, scope, campaignId],
      ),
    );
    return rows.length ? String(rows[0].id) : null;
  }

  /**
   * The agent's "do not call me again": on the internal list at once, for every campaign, without expiry
   * (47 CFR 64.1200(d)(3)). Idempotent: an existing active entry is kept (its expiry cleared), an expired one is
   * closed and replaced, and the request is still recorded. Pass the caller's transaction manager to make it part
   * of the disposition.
   */
  async addInternalDnc(
    phone: string,
    ctx: {
      actorUserId?: string | null; campaignId?: string | null; leadId?: string | null; callId?: string | null; reason?: string; country?: string;
      /** The call's agent, when someone else (a supervisor) records the request on their behalf; else the actor. */
      agentId?: string | null;
      /** 'supervisor_disposition' for an outcome recorded on the agent's behalf. */
      actor?: 'agent_disposition' | 'supervisor_disposition';
    },
    manager?: EntityManager,
  ): Promise<DncEntryView> {
    const e164 = phone.startsWith('+') && /^\+[1-9]\d{6,14}$/.test(phone) ? phone : this.normalise(phone, ctx.country);
    const run = async (m: EntityManager) => {
      const expiredEntryId = await this.closeExpired(m, e164, DncScope.Internal, null);
      const inserted = await m.query(
        `INSERT INTO dnc_entries (phone, scope, source, reason, created_by) VALUES ($1, 'internal', $4, $2, $3)
         ON CONFLICT (phone, scope, coalesce(campaign_id, '00000000-0000-0000-0000-000000000000'::uuid)) WHERE removed_at IS NULL DO NOTHING
         RETURNING ${ENTRY_COLUMNS}`,
        [e164, ctx.reason ?? 'requested on call', ctx.actorUserId ?? null, ctx.actor ?? 'agent_disposition'],
      );
      let entry: DncEntryView;
      let alreadyListed = false;
      if (inserted.length) entry = toEntry(inserted[0]);
      else {
        alreadyListed = true;
        const rows = await m.query(
          `UPDATE dnc_entries SET expires_at = NULL WHERE phone = $1 AND scope = 'internal' AND removed_at IS NULL RETURNING ${ENTRY_COLUMNS}`,
          [e164],
        );
        entry = toEntry(updatedRows(rows)[0]);
      }
      await this.events.record(
        {
          type: 'dnc_add', reasonCode: 'internal', actorUserId: ctx.actorUserId, actor: ctx.actor ?? 'agent_disposition', campaignId: ctx.campaignId,
          leadId: ctx.leadId, callId: ctx.callId, agentId: ctx.agentId ?? ctx.actorUserId, phone: e164,
          details: { entryId: entry.id, scope: 'internal', reason: ctx.reason ?? 'requested on call', alreadyListed, ...(expiredEntryId ? { expiredEntryId } : {}) },
        },
        m,
      );
      return entry;
    };
    return manager ? run(manager) : this.db.transaction(run);
  }

  /** Takes an entry off its list (kept, marked removed) and writes the 'dnc_remove' event. */
  async remove(id: string, reason: string, who: DncActor, allowedCampaigns: 'all' | string[] = 'all'): Promise<DncEntryView> {
    return this.db.transaction(async (m) => {
      const current = await m.query(`SELECT ${ENTRY_COLUMNS} FROM dnc_entries WHERE id = $1 FOR UPDATE`, [id]);
      if (current.length === 0) throw notFound('DNC entry');
      const entry = toEntry(current[0]);
      if (entry.removedAt) throw new DomainError('INVALID_STATE', 'entry already removed', [{ field: 'id', reason: 'already removed' }]);
      if (entry.scope === DncScope.Registry) {
        throw new DomainError('INVALID_STATE', 'registry entries change only through a registry import', [{ field: 'id', reason: 'registry entry' }]);
      }
      if (allowedCampaigns !== 'all' && entry.scope === DncScope.Campaign && !allowedCampaigns.includes(entry.campaignId as string)) {
        throw new DomainError('FORBIDDEN', 'managers may act only on their own campaigns', [{ field: 'id', reason: 'not one of your campaigns' }]);
      }
      const rows = await m.query(
        `UPDATE dnc_entries SET removed_at = now(), removed_by = $2, removed_reason = $3 WHERE id = $1 RETURNING ${ENTRY_COLUMNS}`,
        [id, who.actorUserId ?? null, reason],
      );
      const removed = toEntry(updatedRows(rows)[0]);
      await this.events.record(
        {
          type: 'dnc_remove', reasonCode: removed.scope, actorUserId: who.actorUserId, actor: who.actor ?? 'user', campaignId: removed.campaignId,
          phone: removed.phone, details: { entryId: removed.id, scope: removed.scope, reason },
        },
        m,
      );
      return removed;
    });
  }

  async list(
    f: { phone?: string; scope?: DncScope; campaignId?: string; includeRemoved?: boolean; campaignIds?: 'all' | string[] },
    page: number,
    pageSize: number,
  ): Promise<{ total: number; items: DncEntryView[] }> {
    const params: unknown[] = [];
    const where: string[] = ['true'];
    if (!f.includeRemoved) where.push('removed_at IS NULL');
    if (f.phone) (params.push(f.phone), where.push(`phone = $${params.length}`));
    if (f.scope) (params.push(f.scope), where.push(`scope = $${params.length}`));
    if (f.campaignId) (params.push(f.campaignId), where.push(`campaign_id = $${params.length}::uuid`));
    if (f.campaignIds && f.campaignIds !== 'all') {
      params.push(f.campaignIds);
      where.push(`(scope <> 'campaign' OR campaign_id = ANY($${params.length}::uuid[]))`);
    }
    const w = where.join(' AND ');
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM dnc_entries WHERE ${w}`, params);
    const rows = await this.db.query(
      `SELECT ${ENTRY_COLUMNS} FROM dnc_entries WHERE ${w} ORDER BY created_at DESC, id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    );
    return { total, items: rows.map(toEntry) };
  }

  /** Every active entry for one number, on any list (for the "is this number blocked?" lookup). */
  async activeEntries(phone: string, at: Date): Promise<DncEntryView[]> {
    const rows = await this.db.query(
      `SELECT ${ENTRY_COLUMNS} FROM dnc_entries WHERE phone = $1 AND removed_at IS NULL AND (expires_at IS NULL OR expires_at > $2) ORDER BY id`,
      [phone, at],
    );
    return rows.map(toEntry);
  }

  /** Active (not removed, not expired) list hits for many numbers at once, for one campaign. */
  async hits(phones: string[], campaignId: string, at: Date): Promise<Map<string, DncHits>> {
    const out = new Map<string, DncHits>();
    if (phones.length === 0) return out;
    const rows: { phone: string; scope: DncScope; campaign_id: string | null }[] = await this.db.query(
      `SELECT phone, scope, campaign_id FROM dnc_entries
        WHERE phone = ANY($1::text[]) AND removed_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
          AND (scope <> 'campaign' OR campaign_id = $3::uuid)`,
      [phones, at, campaignId],
    );
    for (const r of rows) {
      const h = out.get(r.phone) ?? { internal: false, campaign: false, registry: false };
      h[r.scope] = true;
      out.set(r.phone, h);
    }
    return out;
  }
}

/** TypeORM answers UPDATE ... RETURNING with [rows, count]. */
export function updatedRows<T = Record<string, unknown>>(result: unknown): T[] {
  const r = result as unknown[];
  return (Array.isArray(r[0]) ? r[0] : r) as T[];
}

function toEntry(r: Record<string, unknown>): DncEntryView {
  return {
    id: String(r.id),
    phone: r.phone as string,
    scope: r.scope as DncScope,
    campaignId: (r.campaign_id as string) ?? null,
    source: (r.source as string) ?? null,
    reason: (r.reason as string) ?? null,
    expiresAt: (r.expires_at as Date) ?? null,
    createdBy: (r.created_by as string) ?? null,
    createdAt: r.created_at as Date,
    removedAt: (r.removed_at as Date) ?? null,
    removedBy: (r.removed_by as string) ?? null,
    removedReason: (r.removed_reason as string) ?? null,
  };
}
