import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { AuthUser } from '../../common/auth/auth-user';
import { CLOCK, Clock } from '../../common/clock';
import { DomainError, invalid, notFound } from '../../common/errors/domain-error';
import { CampaignSchedule } from '../campaigns/campaign-settings';
import { ComplianceEventInput, ComplianceEventsService } from '../compliance/compliance-events.service';
import { DialGateService } from '../compliance/dial-gate.service';
import { isCountryCode, normalisePhone } from './import/phone-normalizer';
import { AMBIGUOUS_CLOCKS, canonicalZone } from './import/timezone-resolver';
import { explainDialability } from './lead-dialability';
import { LeadEntity, LeadListEntity } from './lead.entity';
import {
  CreateListDto, DialabilityResponse, LeadPage, LeadResponse, ListResponse, PageLeadsQuery, SearchLeadsQuery, UpdateLeadDto, UpdateListDto,
} from './leads.dto';
import { maskPhone, seesFullPhone } from './phone-mask';

@Injectable()
export class LeadsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly gate: DialGateService,
    private readonly events: ComplianceEventsService,
  ) {}

  /**
   * Who read which customer data: every lead view, search by number, list page and dialability check is a
   * `data_access` compliance event (append-only), written before the data is returned.
   */
  private async audit(user: AuthUser, what: 'lead_view' | 'lead_search' | 'lead_list_page' | 'lead_dialability', e: Partial<ComplianceEventInput>): Promise<void> {
    await this.events.record({ ...e, type: 'data_access', reasonCode: what, actor: 'user', actorUserId: user.id, details: { role: user.role, ...e.details } });
  }

  async createList(dto: CreateListDto, user: AuthUser): Promise<ListResponse> {
    const country = dto.defaultCountry ?? 'US';
    if (!isCountryCode(country)) throw invalid('defaultCountry', `${country} is not a known country`);
    const saved = await this.db.getRepository(LeadListEntity).save({ name: dto.name, description: dto.description ?? null, defaultCountry: country, createdBy: user.id });
    return this.getList(saved.id);
  }

  async lists(): Promise<ListResponse[]> {
    const live = await this.db.getRepository(LeadListEntity).find({ where: { deletedAt: IsNull() }, order: { createdAt: 'DESC' } });
    const counts = await this.counts(live.map((l) => l.id));
    return live.map((l) => toList(l, counts.get(l.id) ?? {}));
  }

  async getList(id: string): Promise<ListResponse> {
    const list = await this.liveList(id);
    return toList(list, (await this.counts([id])).get(id) ?? {});
  }

  async updateList(id: string, dto: UpdateListDto): Promise<ListResponse> {
    const list = await this.liveList(id);
    if (dto.defaultCountry && !isCountryCode(dto.defaultCountry)) throw invalid('defaultCountry', `${dto.defaultCountry} is not a known country`);
    await this.db.getRepository(LeadListEntity).update(list.id, {
      name: dto.name ?? list.name,
      description: dto.description ?? list.description,
      defaultCountry: dto.defaultCountry ?? list.defaultCountry,
    });
    return this.getList(id);
  }

  /** Soft delete: the list and its leads disappear from every view and from dialing; nothing is erased. */
  async deleteList(id: string): Promise<void> {
    await this.liveList(id);
    await this.db.transaction(async (m) => {
      await m.query(`UPDATE lead_lists SET deleted_at = now(), updated_at = now() WHERE id = $1`, [id]);
      await m.query(`UPDATE leads SET deleted_at = now(), updated_at = now() WHERE list_id = $1 AND deleted_at IS NULL`, [id]);
    });
  }

  async page(listId: string, q: PageLeadsQuery, user: AuthUser): Promise<LeadPage> {
    await this.liveList(listId);
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    const qb = this.db.getRepository(LeadEntity).createQueryBuilder('l').where('l.list_id = :listId AND l.deleted_at IS NULL', { listId });
    if (q.status) qb.andWhere('l.status = :status', { status: q.status });
    if (q.tzAmbiguous) qb.andWhere('l.tz_ambiguous = :amb', { amb: q.tzAmbiguous === 'true' });
    if (q.name) {
      qb.andWhere(`(coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, '')) ILIKE :name`, { name: `%${q.name.replace(/[%_\\]/g, '\\$&')}%` });
    }
    const [rows, total] = await qb.orderBy('l.id').skip((page - 1) * pageSize).take(pageSize).getManyAndCount();
    await this.audit(user, 'lead_list_page', {
      details: { listId, page, pageSize, returned: rows.length, filters: { status: q.status, tzAmbiguous: q.tzAmbiguous, name: q.name } },
    });
    return { items: rows.map((r) => toLead(r, user)), total, page, pageSize };
  }

  /** Exact match on the normalised number (a search never pattern-matches phone numbers). */
  async search(q: SearchLeadsQuery, user: AuthUser): Promise<LeadResponse[]> {
    const country = q.country ?? 'US';
    if (!isCountryCode(country)) throw invalid('country', `${country} is not a known country`);
    const phone = normalisePhone(q.phone, country);
    if (!phone.ok) throw invalid('phone', phone.reason.replace(/^phone /, ''));
    const rows = await this.db.query(
      `SELECT l.id FROM leads l JOIN lead_lists ll ON ll.id = l.list_id AND ll.deleted_at IS NULL
        WHERE l.phone = $1 AND l.deleted_at IS NULL ORDER BY l.id LIMIT 100`,
      [phone.e164],
    );
    await this.audit(user, 'lead_search', { phone: phone.e164, details: { found: rows.length } });
    if (!rows.length) return [];
    const leads = await this.db.getRepository(LeadEntity).findByIds(rows.map((r: { id: string }) => r.id));
    return leads.map((l) => toLead(l, user));
  }

  async get(id: string, user: AuthUser): Promise<LeadResponse> {
    const lead = await this.liveLead(id);
    await this.audit(user, 'lead_view', { leadId: lead.id, phone: lead.phone });
    return toLead(lead, user);
  }

  async update(id: string, dto: UpdateLeadDto, user: AuthUser): Promise<LeadResponse> {
    const lead = await this.liveLead(id);
    const patch: Partial<LeadEntity> = {};
    if (dto.firstName !== undefined) patch.firstName = dto.firstName.trim() || null;
    if (dto.lastName !== undefined) patch.lastName = dto.lastName.trim() || null;
    if (dto.postalCode !== undefined) patch.postalCode = dto.postalCode.trim() || null;
    if (dto.priority !== undefined) patch.priority = dto.priority;
    if (dto.timezone !== undefined) {
      const zone = canonicalZone(dto.timezone);
      if (!zone) throw invalid('timezone', `${JSON.stringify(dto.timezone)} is not an IANA time zone`);
      const clocks = AMBIGUOUS_CLOCKS[zone];
      if (clocks) throw invalid('timezone', `${JSON.stringify(dto.timezone)} may mean ${clocks.join(' or ')} (with or without summer time): give the zone`);
      Object.assign(patch, { timezone: zone, tzCandidates: [zone], tzAmbiguous: false });
    }
    if (dto.status !== undefined) {
      if (lead.status === 'leased' || lead.status === 'dnc') {
        throw new DomainError('INVALID_STATE', `lead is ${lead.status}`, [{ field: 'status', reason: `a ${lead.status} lead cannot be changed here` }]);
      }
      patch.status = dto.status as LeadEntity['status'];
    }
    if (dto.customFields) {
      const merged = { ...lead.customFields };
      for (const [k, v] of Object.entries(dto.customFields)) {
        if (v === null) delete merged[k];
        else if (typeof v !== 'string' || v.length > 2000) throw invalid(`customFields.${k}`, 'must be a string of at most 2000 characters, or null');
        else merged[k] = v;
      }
      patch.customFields = merged;
    }
    await this.db.getRepository(LeadEntity).update(lead.id, patch as never);
    return this.get(id, user);
  }

  async remove(id: string): Promise<void> {
    const lead = await this.liveLead(id);
    if (lead.status === 'leased') throw new DomainError('INVALID_STATE', 'lead is being dialled', [{ field: 'status', reason: 'a leased lead cannot be deleted until its call ends' }]);
    await this.db.query(`UPDATE leads SET deleted_at = now(), updated_at = now() WHERE id = $1`, [id]);
  }

  /** Why the dialer would not call this lead now, per campaign using its list (lead-side reasons; see explainDialability). */
  async dialability(id: string, campaignId: string | undefined, user: AuthUser): Promise<DialabilityResponse> {
    const lead = await this.liveLead(id);
    await this.audit(user, 'lead_dialability', { leadId: lead.id, phone: lead.phone, campaignId: campaignId ?? null });
    const list = await this.db.getRepository(LeadListEntity).findOneByOrFail({ id: lead.listId });
    const now = this.clock.now();
    const campaigns: { id: string; name: string; status: string; schedule: CampaignSchedule; max_attempts: number; max_attempts_per_day: number; list_active: boolean | null }[] =
      await this.db.query(
        `SELECT c.id, c.name, c.status, c.schedule, c.max_attempts, c.max_attempts_per_day, cl.active AS list_active
           FROM campaigns c LEFT JOIN campaign_lists cl ON cl.campaign_id = c.id AND cl.list_id = $1
          WHERE c.deleted_at IS NULL AND (CASE WHEN $2::uuid IS NULL THEN cl.list_id IS NOT NULL ELSE c.id = $2::uuid END)
          ORDER BY c.name`,
        [lead.listId, campaignId ?? null],
      );
    if (campaignId && !campaigns.length) throw new DomainError('NOT_FOUND', 'campaign not found', [{ field: 'campaignId', reason: 'no such campaign' }]);
    const dnc: { scope: 'internal' | 'campaign' | 'registry'; campaign_id: string | null }[] = await this.db.query(
      `SELECT scope, campaign_id FROM dnc_entries WHERE phone = $1 AND removed_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
      [lead.phone, now],
    );
    const leadView = {
      status: lead.status, deletedAt: lead.deletedAt, attempts: lead.attempts, attemptsToday: lead.attemptsToday,
      attemptsDay: lead.attemptsDay, nextAttemptAt: lead.nextAttemptAt, timezone: lead.timezone, tzCandidates: lead.tzCandidates,
    };
    const dncView = dnc.map((d) => ({ scope: d.scope, campaignId: d.campaign_id }));
    const verdicts = [];
    for (const c of campaigns) {
      const explained = explainDialability({
        lead: leadView, listDeleted: !!list.deletedAt, dnc: dncView, now,
        campaign: {
          id: c.id, name: c.name, status: c.status, schedule: { ...c.schedule, windows: c.schedule?.windows ?? {} }, maxAttempts: c.max_attempts,
          maxAttemptsPerDay: c.max_attempts_per_day, listActive: c.list_active === true,
        },
      });
      // The dialer's own decision (legal hours by region, holidays, registry, frequency cap included). An explanation
      // is not a dial attempt, so it records no compliance event.
      const [{ decision: gate }] = await this.gate.check([String(lead.id)], c.id, now, { recordBlocks: false, actor: 'api' });
      const reasons = [...explained.reasons];
      if (!gate.allowed && !reasons.some((r) => r.code === gate.reason)) {
        reasons.push({ code: gate.reason, detail: gate.detail ?? 'blocked by the dial gate' });
      }
      verdicts.push({ campaignId: c.id, campaignName: c.name, dialable: gate.allowed && reasons.length === 0, gate, reasons });
    }
    const reasons = campaigns.length ? [] : [{ code: 'list_not_in_campaign', detail: 'no campaign uses this lead\'s list' }];
    return { leadId: lead.id, campaigns: verdicts, reasons };
  }

  private async counts(listIds: string[]): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>();
    if (!listIds.length) return out;
    const rows: { list_id: string; status: string; n: number }[] = await this.db.query(
      `SELECT list_id, status, count(*)::int AS n FROM leads WHERE list_id = ANY($1::uuid[]) AND deleted_at IS NULL GROUP BY list_id, status`,
      [listIds],
    );
    for (const r of rows) out.set(r.list_id, { ...(out.get(r.list_id) ?? {}), [r.status]: r.n });
    return out;
  }

  private async liveList(id: string): Promise<LeadListEntity> {
    const list = await this.db.getRepository(LeadListEntity).findOneBy({ id });
    if (!list || list.deletedAt) throw notFound('list');
    return list;
  }

  private async liveLead(id: string): Promise<LeadEntity> {
    if (!/^\d{1,18}$/.test(id)) throw invalid('id', 'must be a lead id (a number)');
    const lead = await this.db.getRepository(LeadEntity).findOneBy({ id });
    if (!lead || lead.deletedAt) throw notFound('lead');
    return lead;
  }
}

function toList(l: LeadListEntity, counts: Record<string, number>): ListResponse {
  return {
    id: l.id, name: l.name, description: l.description, defaultCountry: l.defaultCountry, customFields: l.customFields, counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0), createdAt: l.createdAt,
  };
}

export function toLead(l: LeadEntity, user: AuthUser): LeadResponse {
  const full = seesFullPhone(user.role);
  const show = (p: string) => (full ? p : maskPhone(p));
  return {
    id: l.id, listId: l.listId, phone: show(l.phone), phoneType: l.phoneType, altPhones: (l.altPhones ?? []).map(show), country: l.country,
    firstName: l.firstName, lastName: l.lastName, postalCode: l.postalCode, timezone: l.timezone, tzCandidates: l.tzCandidates ?? [],
    tzAmbiguous: l.tzAmbiguous, customFields: l.customFields, status: l.status, priority: l.priority, attempts: l.attempts,
    nextAttemptAt: l.nextAttemptAt, lastOutcome: l.lastOutcome, sourceLine: l.sourceLine, createdAt: l.createdAt,
  };
}
