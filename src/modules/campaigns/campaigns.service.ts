import { isDeepStrictEqual } from 'node:util';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource, EntityManager, In, IsNull, Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Clock, CLOCK } from '../../common/clock';
import { DomainError, FieldError, notFound } from '../../common/errors/domain-error';
import { assertVersion } from '../../common/http/edit-version';
import { QueueName } from '../../common/queue/queue-names';
import { ScriptsService } from '../scripts/scripts.service';
import {
  CampaignEntity, CampaignListEntity, CampaignOutcomeEntity, CampaignStatus, CampaignStatusEventEntity, DialMode,
} from './campaign.entity';
import { EDITABLE_STATUSES, TRANSITIONS, canTransition } from './campaign-lifecycle';
import { checkOutcomeSet, DEFAULT_OUTCOMES } from './campaign-outcomes';
import {
  CallbackPolicy, CampaignListLink, CampaignOutcomeView, CampaignRetryRules, CampaignSchedule, CampaignView,
  DEFAULT_RETRY_RULES, DEFAULT_RING_TIMEOUT_S, ResolvedPacing,
} from './campaign-settings';
import {
  CampaignListDto, CampaignOutcomeDto, CampaignStatusEventResponse, CreateCampaignDto, UpdateCampaignDto,
} from './campaigns.dto';

export const DEFAULT_SCHEDULE: CampaignSchedule = {
  windows: { mon: [['09:00', '20:00']], tue: [['09:00', '20:00']], wed: [['09:00', '20:00']], thu: [['09:00', '20:00']], fri: [['09:00', '20:00']] },
  blackoutDates: [],
};
export const DEFAULT_PACING: ResolvedPacing = { abandonTargetPct: 3, maxLinesPerAgent: 3, warmupAnsweredCalls: 20, ringTimeoutS: DEFAULT_RING_TIMEOUT_S };

export interface CampaignScheduleJob {
  campaignId: string;
  action: 'start' | 'stop';
  /** The startsAt/endsAt the job was made for (ISO); a job whose time no longer matches the campaign is stale. */
  at: string;
}

/** BullMQ ids may not contain ':'. One id per campaign, action and time: re-adding the same job is a no-op. */
export const scheduleJobId = (campaignId: string, action: 'start' | 'stop', at: Date) => `campaign-${action}-${campaignId}-${at.getTime()}`;

/**
 * Campaign set-up and lifecycle. The dialer reads campaigns through getWithSettings/listRunning and
 * changes their status only through transition(), which records who did it and why.
 */
@Injectable()
export class CampaignsService {
  private readonly logger = new Logger(CampaignsService.name);

  constructor(
    private readonly db: DataSource,
    @InjectRepository(CampaignEntity) private readonly campaigns: Repository<CampaignEntity>,
    @InjectRepository(CampaignListEntity) private readonly lists: Repository<CampaignListEntity>,
    @InjectRepository(CampaignOutcomeEntity) private readonly outcomes: Repository<CampaignOutcomeEntity>,
    @InjectRepository(CampaignStatusEventEntity) private readonly events: Repository<CampaignStatusEventEntity>,
    @InjectQueue(QueueName.CampaignSchedule) private readonly scheduleQueue: Queue<CampaignScheduleJob>,
    private readonly scripts: ScriptsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(dto: CreateCampaignDto, actorUserId: string | null): Promise<CampaignView> {
    const c = this.campaigns.create({
      name: dto.name, description: dto.description ?? null, status: CampaignStatus.Draft, dialMode: dto.dialMode ?? DialMode.Progressive,
      timezone: dto.timezone ?? 'UTC', startsAt: null, endsAt: null, schedule: { ...DEFAULT_SCHEDULE } as unknown as Record<string, unknown>,
      pacing: { ...DEFAULT_PACING } as unknown as Record<string, unknown>, retryRules: { ...DEFAULT_RETRY_RULES } as unknown as Record<string, unknown>,
      abandonTarget: DEFAULT_PACING.abandonTargetPct, maxLinesPerAgent: DEFAULT_PACING.maxLinesPerAgent, ringTimeoutS: DEFAULT_PACING.ringTimeoutS,
      maxAttempts: DEFAULT_RETRY_RULES.maxAttempts, maxAttemptsPerDay: DEFAULT_RETRY_RULES.maxAttemptsPerDay,
      callerId: null, gatewayId: null, scriptId: null, recordCalls: false, callbackPolicy: 'agent_or_anyone',
      previewTimeLimitSeconds: null, previewTimeoutAction: 'skip', createdBy: actorUserId, deletedAt: null,
    });
    const { outcomes, errors: outcomeErrors } = checkOutcomeSet(dto.outcomes ?? DEFAULT_OUTCOMES);
    const links = this.toLinks(dto.lists ?? []);
    await this.applySettings(c, dto, links, outcomeErrors);
    const id = await this.db.transaction(async (m) => {
      const saved = await m.getRepository(CampaignEntity).save(c);
      await m.getRepository(CampaignStatusEventEntity).insert({
        campaignId: saved.id, fromStatus: null, toStatus: CampaignStatus.Draft, reason: 'created', actorUserId,
      });
      await this.writeLinks(m, saved.id, links);
      await this.writeOutcomes(m, saved.id, outcomes);
      return saved.id;
    });
    return this.getWithSettings(id);
  }

  /**
   * Applies a settings edit. With expectedVersion (If-Match / body version) it is applied only if the campaign is
   * still at that version (checked under the row lock: 412 otherwise); every edit that changes something moves the
   * version by one. Status changes (transition()) do not: a start or pause does not make an open edit form stale.
   */
  async update(id: string, dto: UpdateCampaignDto, expectedVersion: number | null = null): Promise<CampaignView> {
    const loaded = await this.load(id);
    assertVersion('campaign', expectedVersion, loaded.version);
    assertEditable(loaded.status);
    const c = { ...loaded } as CampaignEntity;
    const checked = dto.outcomes ? checkOutcomeSet(dto.outcomes) : null;
    const links = dto.lists ? this.toLinks(dto.lists) : null;
    await this.applySettings(c, dto, links, checked?.errors ?? []);
    const changes = changedColumns(loaded, c);
    let prev!: CampaignEntity;
    let next!: CampaignEntity;
    await this.db.transaction(async (m) => {
      // Under the row lock transition() takes, and writing only the edited columns: a pause or completion made
      // while this edit was being checked stays (a full save wrote back the status the edit had loaded).
      prev = await this.lockCampaign(m, id);
      assertVersion('campaign', expectedVersion, prev.version);
      assertEditable(prev.status);
      next = { ...prev, ...changes } as CampaignEntity;
      // A scheduled or live campaign must stay startable: an edit cannot remove its caller ID, lists or windows.
      if (next.status !== CampaignStatus.Draft) {
        const current = links ?? (await m.getRepository(CampaignListEntity).findBy({ campaignId: id }));
        this.assertReady(next, current, next.status === CampaignStatus.Scheduled ? CampaignStatus.Scheduled : CampaignStatus.Running, 'keep');
      }
      // Lists and outcomes sent as they are stored (the console sends both with every save) are not an edit: they
      // neither move the version (another manager's open form stays valid) nor are rewritten.
      const newLinks = links && !sameLinks(links, await m.getRepository(CampaignListEntity).findBy({ campaignId: id })) ? links : null;
      const newOutcomes = checked && !sameOutcomes(checked.outcomes, await m.getRepository(CampaignOutcomeEntity).findBy({ campaignId: id })) ? checked.outcomes : null;
      if (Object.keys(changes).length || newLinks || newOutcomes) {
        await m.getRepository(CampaignEntity).update({ id }, { ...changes, version: () => 'version + 1' } as QueryDeepPartialEntity<CampaignEntity>);
      }
      if (newLinks) await this.writeLinks(m, id, newLinks);
      if (newOutcomes) await this.writeOutcomes(m, id, newOutcomes);
    });
    await this.syncScheduleJobs(prev, next);
    return this.getWithSettings(id);
  }

  async setLists(id: string, dtos: CampaignListDto[], expectedVersion: number | null = null): Promise<CampaignView> {
    return this.update(id, { lists: dtos }, expectedVersion);
  }

  async setOutcomes(id: string, dtos: CampaignOutcomeDto[], expectedVersion: number | null = null): Promise<CampaignView> {
    return this.update(id, { outcomes: dtos }, expectedVersion);
  }

  /** Soft-deletes a draft campaign; anything that ever ran stays for the record. */
  async remove(id: string): Promise<void> {
    // Check and delete in one statement: a start racing the delete either commits first (then 409 here) or waits for it.
    const { affected } = await this.campaigns.update({ id, deletedAt: IsNull(), status: CampaignStatus.Draft }, { deletedAt: this.clock.now() });
    if (affected) return;
    const c = await this.load(id);
    throw new DomainError('INVALID_STATE', 'only a draft campaign can be deleted', [{ field: 'status', reason: `is ${c.status}` }]);
  }

  async getWithSettings(id: string): Promise<CampaignView> {
    const [view] = await this.views([await this.load(id)]);
    return view;
  }

  async list(status?: CampaignStatus): Promise<CampaignView[]> {
    const rows = await this.campaigns.find({ where: { deletedAt: IsNull(), ...(status ? { status } : {}) }, order: { createdAt: 'DESC' } });
    return this.views(rows);
  }

  /** What the dialer polls: every running campaign with its settings, lists and outcomes. */
  listRunning(): Promise<CampaignView[]> {
    return this.list(CampaignStatus.Running);
  }

  async outcomesOf(campaignId: string): Promise<CampaignOutcomeView[]> {
    const rows = await this.outcomes.find({ where: { campaignId }, order: { sortOrder: 'ASC' } });
    return rows.map(toOutcomeView);
  }

  async statusEvents(id: string): Promise<CampaignStatusEventResponse[]> {
    await this.load(id);
    const rows = await this.events.find({ where: { campaignId: id }, order: { id: 'ASC' } });
    return rows.map((e) => ({ id: e.id, fromStatus: e.fromStatus, toStatus: e.toStatus, reason: e.reason, actorUserId: e.actorUserId, at: e.at }));
  }

  /**
   * Moves a campaign to another status, checking the allowed transitions and what the new status needs
   * (a running campaign needs a caller ID, an active list and calling windows). actorUserId is null
   * when the scheduler or the dialer does it. Records a campaign_status_events row in the same transaction.
   */
  async transition(campaignId: string, to: CampaignStatus, actorUserId: string | null, reason?: string | null): Promise<CampaignView> {
    let prev: CampaignEntity | undefined;
    let next: CampaignEntity | undefined;
    await this.db.transaction(async (m) => {
      const c = await this.lockCampaign(m, campaignId);
      prev = { ...c };
      if (!canTransition(c.status, to)) {
        const allowed = TRANSITIONS[c.status];
        const reasonText = `cannot change from ${c.status} to ${to}; allowed: ${allowed.length ? allowed.join(', ') : 'none (final)'}`;
        throw new DomainError('INVALID_STATE', `campaign ${reasonText}`, [{ field: 'status', reason: reasonText }]);
      }
      if (to === CampaignStatus.Running || to === CampaignStatus.Scheduled) {
        const links = await m.getRepository(CampaignListEntity).find({ where: { campaignId } });
        this.assertReady(c, links, to);
      }
      const from = c.status;
      c.status = to;
      await m.getRepository(CampaignEntity).update({ id: c.id }, { status: to });
      await m.getRepository(CampaignStatusEventEntity).insert({ campaignId, fromStatus: from, toStatus: to, reason: reason ?? null, actorUserId });
      next = c;
    });
    await this.syncScheduleJobs(prev!, next!);
    this.logger.log({ campaignId, from: prev!.status, to }, 'campaign status changed');
    return this.getWithSettings(campaignId);
  }

  /** Runs a scheduled start/stop job. Idempotent: a stale job (time changed, status moved on) does nothing. */
  async runScheduledJob(job: CampaignScheduleJob): Promise<'done' | 'stale'> {
    const c = await this.campaigns.findOneBy({ id: job.campaignId, deletedAt: IsNull() });
    if (!c) return 'stale';
    const at = Date.parse(job.at);
    if (job.action === 'start') {
      if (c.status !== CampaignStatus.Scheduled || c.startsAt?.getTime() !== at) return 'stale';
      try {
        await this.transition(c.id, CampaignStatus.Running, null, `scheduled start at ${job.at}`);
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'VALIDATION') throw e;
        // Not startable any more: back to draft, with the reasons in the status history for the manager.
        await this.transition(c.id, CampaignStatus.Draft, null, `scheduled start at ${job.at} refused: ${e.errors.map((f) => `${f.field} ${f.reason}`).join('; ')}`);
      }
      return 'done';
    }
    if (c.endsAt?.getTime() !== at || !canTransition(c.status, CampaignStatus.Completed)) return 'stale';
    await this.transition(c.id, CampaignStatus.Completed, null, `scheduled end at ${job.at}`);
    return 'done';
  }

  /** Keeps the delayed start/stop jobs in line with the campaign: rescheduling replaces the old jobs. */
  private async syncScheduleJobs(prev: CampaignEntity, next: CampaignEntity): Promise<void> {
    const want = (c: CampaignEntity) => ({
      start: c.status === CampaignStatus.Scheduled && c.startsAt ? c.startsAt : null,
      stop: c.endsAt && [CampaignStatus.Scheduled, CampaignStatus.Running, CampaignStatus.Paused].includes(c.status) ? c.endsAt : null,
    });
    const before = { start: prev.startsAt, stop: prev.endsAt };
    const after = want(next);
    for (const action of ['start', 'stop'] as const) {
      const old = before[action] ? scheduleJobId(prev.id, action, before[action]!) : null;
      const neu = after[action] ? scheduleJobId(next.id, action, after[action]!) : null;
      if (old && old !== neu) await this.scheduleQueue.remove(old);
      if (neu) {
        const at = after[action]!;
        await this.scheduleQueue.add(`campaign-${action}`, { campaignId: next.id, action, at: at.toISOString() }, {
          jobId: neu, delay: Math.max(0, at.getTime() - this.clock.now().getTime()), attempts: 5, backoff: { type: 'exponential', delay: 1000 },
        });
      }
    }
  }

  private assertReady(c: CampaignEntity, links: CampaignListLink[], to: CampaignStatus, mode: 'enter' | 'keep' = 'enter'): void {
    const errors: FieldError[] = [];
    const verb = mode === 'keep' ? `keep a ${c.status}` : to === CampaignStatus.Running ? 'start' : 'schedule';
    const article = mode === 'keep' ? '' : ' a';
    if (!c.callerId) errors.push({ field: 'callerId', reason: `is required to ${verb}${article} campaign` });
    if (!links.some((l) => l.active)) errors.push({ field: 'lists', reason: `must contain at least one active lead list to ${verb}${article} campaign` });
    const windows = (c.schedule as unknown as CampaignSchedule).windows ?? {};
    if (!Object.values(windows).some((w) => w && w.length > 0)) errors.push({ field: 'schedule.windows', reason: `must have at least one calling window to ${verb}${article} campaign` });
    const now = this.clock.now().getTime();
    if (c.endsAt && c.endsAt.getTime() <= now) errors.push({ field: 'endsAt', reason: 'is in the past' });
    if (to === CampaignStatus.Scheduled) {
      if (!c.startsAt) errors.push({ field: 'startsAt', reason: `is required to ${verb}${article} campaign` });
      else if (c.startsAt.getTime() <= now) errors.push({ field: 'startsAt', reason: `must be in the future to ${verb}${article} campaign` });
    }
    if (errors.length) throw new DomainError('VALIDATION', `cannot ${verb}${article} campaign: ${errors.map((e) => `${e.field} ${e.reason}`).join('; ')}`, errors);
  }

  /** Validates and applies every setting of a create/update body; throws one 400 listing all problems. */
  private async applySettings(c: CampaignEntity, dto: UpdateCampaignDto, links: CampaignListLink[] | null, extra: FieldError[]): Promise<void> {
    const errors: FieldError[] = [...extra];
    if (dto.name !== undefined) {
      const taken = await this.campaigns.createQueryBuilder('c')
        .where('lower(c.name) = lower(:name) AND c.deleted_at IS NULL', { name: dto.name.trim() })
        .andWhere(c.id ? 'c.id <> :id' : '1=1', { id: c.id }).getExists();
      if (taken) throw new DomainError('CONFLICT', 'a campaign with this name exists', [{ field: 'name', reason: 'is already used by another campaign' }]);
      c.name = dto.name.trim();
    }
    if (dto.description !== undefined) c.description = dto.description ?? null;
    if (dto.dialMode !== undefined) c.dialMode = dto.dialMode;
    if (dto.timezone !== undefined) c.timezone = dto.timezone;
    if (dto.startsAt !== undefined) c.startsAt = dto.startsAt === null ? null : new Date(dto.startsAt);
    if (dto.endsAt !== undefined) c.endsAt = dto.endsAt === null ? null : new Date(dto.endsAt);
    if (c.startsAt && c.endsAt && c.endsAt.getTime() <= c.startsAt.getTime()) errors.push({ field: 'endsAt', reason: 'must be after startsAt' });
    if (dto.schedule !== undefined) {
      const windows = Object.fromEntries(Object.entries(dto.schedule.windows ?? {}).filter(([, w]) => w !== undefined && w !== null));
      c.schedule = { windows, blackoutDates: [...(dto.schedule.blackoutDates ?? [])].sort() };
      const invalidDate = (dto.schedule.blackoutDates ?? []).findIndex((d) => Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d);
      if (invalidDate >= 0) errors.push({ field: `schedule.blackoutDates[${invalidDate}]`, reason: 'is not a calendar date' });
    }
    if (dto.pacing !== undefined) {
      const p: ResolvedPacing = { ...DEFAULT_PACING, ...(c.pacing as Partial<ResolvedPacing>), ...stripUndefined(dto.pacing) };
      c.pacing = { ...p };
      c.abandonTarget = p.abandonTargetPct;
      c.maxLinesPerAgent = p.maxLinesPerAgent;
      c.ringTimeoutS = p.ringTimeoutS;
    }
    if (dto.retryRules !== undefined) {
      const r: CampaignRetryRules = { ...DEFAULT_RETRY_RULES, ...(c.retryRules as Partial<CampaignRetryRules>), ...stripUndefined(dto.retryRules) };
      if (r.maxAttemptsPerDay > r.maxAttempts) errors.push({ field: 'retryRules.maxAttemptsPerDay', reason: `must not exceed maxAttempts (${r.maxAttempts})` });
      c.retryRules = { ...r };
      c.maxAttempts = r.maxAttempts;
      c.maxAttemptsPerDay = r.maxAttemptsPerDay;
    }
    if (dto.callerId !== undefined) c.callerId = dto.callerId ?? null;
    if (dto.recordCalls !== undefined) c.recordCalls = dto.recordCalls;
    if (dto.callbackPolicy !== undefined) c.callbackPolicy = dto.callbackPolicy;
    if (dto.previewTimeLimitSeconds !== undefined) c.previewTimeLimitSeconds = dto.previewTimeLimitSeconds ?? null;
    if (dto.previewTimeoutAction !== undefined) c.previewTimeoutAction = dto.previewTimeoutAction;
    if (dto.gatewayId !== undefined) {
      if (dto.gatewayId) {
        const [gw] = await this.db.query('SELECT active FROM sip_gateways WHERE id = $1', [dto.gatewayId]);
        if (!gw) errors.push({ field: 'gatewayId', reason: 'no SIP gateway with this id' });
        else if (!gw.active) errors.push({ field: 'gatewayId', reason: 'the SIP gateway is inactive' });
      }
      c.gatewayId = dto.gatewayId ?? null;
    }
    if (links) {
      const seen = new Set<string>();
      links.forEach((l, i) => {
        if (seen.has(l.listId)) errors.push({ field: `lists[${i}].listId`, reason: 'is attached twice' });
        seen.add(l.listId);
      });
      if (links.length) {
        const found: { id: string }[] = await this.db.query('SELECT id FROM lead_lists WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL', [links.map((l) => l.listId)]);
        const ids = new Set(found.map((r) => r.id));
        links.forEach((l, i) => { if (!ids.has(l.listId)) errors.push({ field: `lists[${i}].listId`, reason: 'no lead list with this id' }); });
      }
    }
    if (dto.scriptId !== undefined) c.scriptId = dto.scriptId ?? null;
    if (errors.length) throw new DomainError('VALIDATION', errors.map((e) => `${e.field} ${e.reason}`).join('; '), errors);
    // The script's variables must exist in the lists this campaign dials (checked when either side changes).
    if (c.scriptId && (dto.scriptId !== undefined || links)) {
      const listIds = links ? links.map((l) => l.listId) : (await this.lists.findBy({ campaignId: c.id })).map((l) => l.listId);
      const scriptErrors = await this.scripts.checkScriptAgainstLists(c.scriptId, listIds, dto.scriptId !== undefined ? 'scriptId' : 'lists');
      if (scriptErrors.length) throw new DomainError('VALIDATION', scriptErrors.map((e) => `${e.field} ${e.reason}`).join('; '), scriptErrors);
    }
  }

  private toLinks(dtos: CampaignListDto[]): CampaignListLink[] {
    return dtos.map((d) => ({ listId: d.listId, priority: d.priority ?? 1, weight: d.weight ?? 1, active: d.active ?? true }));
  }

  private async writeLinks(m: EntityManager, campaignId: string, links: CampaignListLink[]): Promise<void> {
    const repo = m.getRepository(CampaignListEntity);
    await repo.delete({ campaignId });
    if (links.length) await repo.insert(links.map((l) => ({ campaignId, ...l })));
  }

  /** Replaces the outcome set by code: existing codes are updated in place, missing ones removed. */
  private async writeOutcomes(m: EntityManager, campaignId: string, outcomes: CampaignOutcomeView[]): Promise<void> {
    const repo = m.getRepository(CampaignOutcomeEntity);
    const codes = outcomes.map((o) => o.code);
    await repo.createQueryBuilder().delete().where('campaign_id = :campaignId', { campaignId })
      .andWhere(codes.length ? 'code NOT IN (:...codes)' : '1=1', { codes }).execute();
    if (outcomes.length) await repo.upsert(outcomes.map((o) => ({ campaignId, ...o })), ['campaignId', 'code']);
  }

  /** The campaign, row-locked (FOR UPDATE) until the end of the transaction: status changes and edits take turns. */
  private async lockCampaign(m: EntityManager, id: string): Promise<CampaignEntity> {
    const c = await m.getRepository(CampaignEntity).createQueryBuilder('c').setLock('pessimistic_write')
      .where('c.id = :id AND c.deleted_at IS NULL', { id }).getOne();
    if (!c) throw notFound('campaign');
    return c;
  }

  private async load(id: string): Promise<CampaignEntity> {
    const c = await this.campaigns.findOneBy({ id, deletedAt: IsNull() });
    if (!c) throw notFound('campaign');
    return c;
  }

  private async views(rows: CampaignEntity[]): Promise<CampaignView[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const [links, outcomes] = await Promise.all([
      this.lists.find({ where: { campaignId: In(ids) }, order: { priority: 'DESC' } }),
      this.outcomes.find({ where: { campaignId: In(ids) }, order: { sortOrder: 'ASC' } }),
    ]);
    return rows.map((c) => toView(c, links.filter((l) => l.campaignId === c.id), outcomes.filter((o) => o.campaignId === c.id)));
  }
}

function assertEditable(status: CampaignStatus): void {
  if (!EDITABLE_STATUSES.includes(status)) {
    throw new DomainError('INVALID_STATE', `a ${status} campaign cannot be edited`, [{ field: 'status', reason: `is ${status}` }]);
  }
}

/** Columns an edit never writes: the status belongs to transition(), the rest to the record itself. */
const NOT_EDITED = new Set<keyof CampaignEntity>(['id', 'status', 'version', 'createdBy', 'createdAt', 'updatedAt', 'deletedAt']);

function changedColumns(before: CampaignEntity, after: CampaignEntity): Partial<CampaignEntity> {
  const keys = (Object.keys(after) as (keyof CampaignEntity)[]).filter((k) => !NOT_EDITED.has(k) && !isDeepStrictEqual(before[k], after[k]));
  return Object.fromEntries(keys.map((k) => [k, after[k]]));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sameLinks(a: CampaignListLink[], stored: CampaignListEntity[]): boolean {
  const key = (l: CampaignListLink) => JSON.stringify([l.listId, l.priority, l.weight, l.active]);
  return a.length === stored.length && JSON.stringify(a.map(key).sort()) === JSON.stringify(stored.map(key).sort());
}

function sameOutcomes(a: CampaignOutcomeView[], stored: CampaignOutcomeEntity[]): boolean {
  const key = (o: CampaignOutcomeView) => JSON.stringify([o.code, o.label, o.isFinal, o.isSuccess, o.isDnc, o.retryAfterMinutes ?? null, o.sortOrder]);
  return a.length === stored.length && JSON.stringify(a.map(key).sort()) === JSON.stringify(stored.map(toOutcomeView).map(key).sort());
}

const toOutcomeView = (o: CampaignOutcomeEntity): CampaignOutcomeView => ({
  code: o.code, label: o.label, isFinal: o.isFinal, isSuccess: o.isSuccess, isDnc: o.isDnc, retryAfterMinutes: o.retryAfterMinutes, sortOrder: o.sortOrder,
});

export function toView(c: CampaignEntity, links: CampaignListEntity[], outcomes: CampaignOutcomeEntity[]): CampaignView {
  const schedule = c.schedule as unknown as CampaignSchedule;
  return {
    id: c.id, name: c.name, description: c.description, status: c.status, dialMode: c.dialMode, timezone: c.timezone,
    startsAt: c.startsAt, endsAt: c.endsAt,
    schedule: { windows: schedule.windows ?? {}, blackoutDates: schedule.blackoutDates ?? [] },
    pacing: { ...DEFAULT_PACING, ...(c.pacing as Partial<ResolvedPacing>), abandonTargetPct: c.abandonTarget, maxLinesPerAgent: c.maxLinesPerAgent, ringTimeoutS: c.ringTimeoutS },
    retryRules: { ...DEFAULT_RETRY_RULES, ...(c.retryRules as Partial<CampaignRetryRules>), maxAttempts: c.maxAttempts, maxAttemptsPerDay: c.maxAttemptsPerDay },
    callerId: c.callerId, gatewayId: c.gatewayId, scriptId: c.scriptId, recordCalls: c.recordCalls, callbackPolicy: c.callbackPolicy as CallbackPolicy,
    previewTimeLimitSeconds: c.previewTimeLimitSeconds ?? null, previewTimeoutAction: c.previewTimeoutAction ?? 'skip',
    lists: links.map((l) => ({ listId: l.listId, priority: l.priority, weight: l.weight, active: l.active })),
    outcomes: outcomes.map(toOutcomeView),
    version: c.version, createdAt: c.createdAt, updatedAt: c.updatedAt,
  };
}
