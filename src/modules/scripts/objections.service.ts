import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { AuthUser } from '../../common/auth/auth-user';
import { DomainError, FieldError, notFound } from '../../common/errors/domain-error';
import { assertVersion } from '../../common/http/edit-version';
import { ObjectionEntity } from './script.entities';
import { analyzeTemplate, buildContext, renderTemplate, ScriptAgentInput, ScriptCampaignInput, ScriptLeadInput } from './script-template';
import { CreateObjectionDto, ObjectionPreviewDto, UpdateObjectionDto } from './scripts.dto';
import { renderEnv, sampleToLead, ScriptsService } from './scripts.service';

export interface ObjectionResponse {
  id: string;
  campaignId: string;
  category: string;
  label: string;
  rebuttalTemplate: string;
  sortOrder: number;
  active: boolean;
  /** Edit version (If-Match / ETag). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface RenderedObjection {
  id: string;
  category: string;
  label: string;
  rebuttalHtml: string;
}

export interface ObjectionRaised {
  objectionId: string;
  overcome: boolean;
}

export interface ObjectionStatRow {
  objectionId: string;
  category: string;
  label: string;
  active: boolean;
  /** Calls on which it was raised. */
  raised: number;
  /** raised / handled calls, percent (null with no handled calls). */
  frequencyPct: number | null;
  overcome: number;
  overcomeRatePct: number | null;
  /** Calls with this objection whose disposition is a success outcome of the campaign. */
  converted: number;
  conversionRatePct: number | null;
}

export interface ObjectionStats {
  campaignId: string;
  scriptVersionId: string | null;
  /** Calls that reached an agent (connected, or dispositioned). */
  handledCalls: number;
  objections: ObjectionStatRow[];
  byScriptVersion: { scriptVersionId: string | null; scriptId: string | null; version: number | null; handledCalls: number; objections: ObjectionStatRow[] }[];
}

const pct = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 1000) / 10 : null);

const toResponse = (o: ObjectionEntity): ObjectionResponse => ({
  id: o.id, campaignId: o.campaignId, category: o.category, label: o.label, rebuttalTemplate: o.rebuttalTemplate, sortOrder: o.sortOrder,
  active: o.active, version: o.version, createdAt: o.createdAt, updatedAt: o.updatedAt,
});

const EDITABLE = ['category', 'label', 'rebuttalTemplate', 'sortOrder', 'active'] as const;

/** A campaign's objection library, what agents record on calls, and which answers work. */
@Injectable()
export class ObjectionsService {
  constructor(
    private readonly db: DataSource,
    @InjectRepository(ObjectionEntity) private readonly objections: Repository<ObjectionEntity>,
    private readonly scripts: ScriptsService,
  ) {}

  async list(campaignId: string, includeInactive = true): Promise<ObjectionResponse[]> {
    await this.campaign(campaignId);
    const rows = await this.objections.find({
      where: { campaignId, ...(includeInactive ? {} : { active: true }) }, order: { sortOrder: 'ASC', createdAt: 'ASC' },
    });
    return rows.map(toResponse);
  }

  async create(campaignId: string, dto: CreateObjectionDto): Promise<ObjectionResponse> {
    await this.campaign(campaignId);
    await this.assertTemplate(campaignId, dto.rebuttalTemplate);
    const o = await this.objections.save(this.objections.create({
      campaignId, category: dto.category.trim(), label: dto.label.trim(), rebuttalTemplate: dto.rebuttalTemplate, sortOrder: dto.sortOrder ?? 0, active: dto.active ?? true,
    }));
    return toResponse(o);
  }

  /** With expectedVersion (If-Match / body version) only if the objection is still at it: 412 otherwise. */
  async update(campaignId: string, objectionId: string, dto: UpdateObjectionDto, expectedVersion: number | null = null): Promise<ObjectionResponse> {
    const found = await this.objections.findOneBy({ id: objectionId, campaignId });
    if (!found) throw notFound('objection');
    assertVersion('objection', expectedVersion, found.version);
    if (dto.rebuttalTemplate !== undefined) await this.assertTemplate(campaignId, dto.rebuttalTemplate);
    await this.db.transaction(async (m) => {
      const o = await m.getRepository(ObjectionEntity).createQueryBuilder('o').setLock('pessimistic_write')
        .where('o.id = :objectionId AND o.campaign_id = :campaignId', { objectionId, campaignId }).getOne();
      if (!o) throw notFound('objection');
      assertVersion('objection', expectedVersion, o.version);
      const changes = Object.fromEntries(EDITABLE.filter((k) => dto[k] !== undefined && dto[k] !== o[k]).map((k) => [k, dto[k]]));
      if (Object.keys(changes).length) await m.getRepository(ObjectionEntity).update({ id: objectionId }, { ...changes, version: () => 'version + 1' });
    });
    return toResponse(await this.objections.findOneByOrFail({ id: objectionId }));
  }

  /** Objections recorded on calls stay for the statistics: removing one only deactivates it (a new edit version). */
  async deactivate(campaignId: string, objectionId: string): Promise<void> {
    const res = await this.objections.update({ id: objectionId, campaignId }, { active: false, version: () => 'version + (CASE WHEN active THEN 1 ELSE 0 END)' });
    if (!res.affected) throw notFound('objection');
  }

  /** The campaign's active objections with rebuttals rendered for this lead and agent (agent desktop). */
  async renderForCall(campaignId: string, lead: ScriptLeadInput, agent: ScriptAgentInput, campaign: ScriptCampaignInput): Promise<RenderedObjection[]> {
    const rows = await this.objections.find({ where: { campaignId, active: true }, order: { sortOrder: 'ASC', createdAt: 'ASC' } });
    const ctx = buildContext(lead, agent, campaign);
    const env = renderEnv(lead, agent, campaign);
    return rows.map((o) => ({ id: o.id, category: o.category, label: o.label, rebuttalHtml: renderTemplate(o.rebuttalTemplate, ctx, env) }));
  }

  /** The campaign's rebuttals rendered for a manager: a real lead (leadId, recorded as a data access) or a sample. */
  async preview(campaignId: string, dto: ObjectionPreviewDto, viewer: AuthUser): Promise<RenderedObjection[]> {
    const campaign = await this.campaign(campaignId);
    const real = dto.leadId ? await this.scripts.leadForPreview(dto.leadId) : null;
    if (real) await this.scripts.recordLeadPreview(viewer, 'objection_preview', real, campaignId);
    return this.renderForCall(campaignId, real ?? sampleToLead(dto.lead), { displayName: viewer.displayName }, campaign);
  }

  /**
   * Records the objections an agent marked on a call (for the calls/agent-desktop module). Idempotent per
   * (call, objection): recording again updates "overcome". Each objection must belong to the call's campaign.
   */
  async recordForCall(callId: string, agentId: string | null, items: ObjectionRaised[]): Promise<{ objectionId: string; overcome: boolean }[]> {
    const [call] = await this.db.query('SELECT campaign_id FROM calls WHERE id = $1', [callId]);
    if (!call) throw notFound('call');
    const ids = [...new Set(items.map((i) => i.objectionId))];
    const found = ids.length ? await this.objections.findBy({ id: In(ids) }) : [];
    const errors: FieldError[] = [];
    items.forEach((it, i) => {
      const o = found.find((f) => f.id === it.objectionId);
      if (!o) errors.push({ field: `objections[${i}].objectionId`, reason: 'no objection with this id' });
      else if (o.campaignId !== call.campaign_id) errors.push({ field: `objections[${i}].objectionId`, reason: "does not belong to this call's campaign" });
    });
    if (errors.length) throw new DomainError('VALIDATION', errors.map((e) => `${e.field} ${e.reason}`).join('; '), errors);
    await this.db.transaction(async (m) => {
      for (const it of items) {
        await m.query(
          `INSERT INTO call_objections (call_id, objection_id, overcome, agent_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (call_id, objection_id) DO UPDATE SET overcome = EXCLUDED.overcome, agent_id = EXCLUDED.agent_id`,
          [callId, it.objectionId, it.overcome, agentId],
        );
      }
    });
    const rows: { objection_id: string; overcome: boolean }[] = await this.db.query(
      'SELECT objection_id, overcome FROM call_objections WHERE call_id = $1 ORDER BY created_at', [callId],
    );
    return rows.map((r) => ({ objectionId: r.objection_id, overcome: r.overcome }));
  }

  /** Frequency, overcome rate and conversion after each objection, overall (or for one script version) and per version. */
  async stats(campaignId: string, scriptVersionId?: string): Promise<ObjectionStats> {
    await this.campaign(campaignId);
    const objections = await this.objections.find({ where: { campaignId }, order: { sortOrder: 'ASC', createdAt: 'ASC' } });
    const handled: { script_version_id: string | null; n: number }[] = await this.db.query(
      `SELECT c.script_version_id, count(*)::int AS n
         FROM calls c LEFT JOIN dispositions d ON d.call_id = c.id
        WHERE c.campaign_id = $1 AND (c.connect_at IS NOT NULL OR d.id IS NOT NULL)
        GROUP BY 1`,
      [campaignId],
    );
    const counts: { script_version_id: string | null; objection_id: string; raised: number; overcome: number; converted: number }[] = await this.db.query(
      `SELECT c.script_version_id, co.objection_id,
              count(*)::int AS raised,
              count(*) FILTER (WHERE co.overcome)::int AS overcome,
              count(*) FILTER (WHERE oc.is_success)::int AS converted
         FROM call_objections co
         JOIN calls c ON c.id = co.call_id
         LEFT JOIN dispositions d ON d.call_id = c.id
         LEFT JOIN campaign_outcomes oc ON oc.campaign_id = c.campaign_id AND oc.code = coalesce(d.outcome, c.outcome)
        WHERE c.campaign_id = $1
        GROUP BY 1, 2`,
      [campaignId],
    );
    const versionIds = [...new Set(handled.map((h) => h.script_version_id).concat(counts.map((c) => c.script_version_id)))];
    const versionRows: { id: string; script_id: string; version: number }[] = versionIds.filter(Boolean).length
      ? await this.db.query('SELECT id, script_id, version FROM script_versions WHERE id = ANY($1::uuid[])', [versionIds.filter(Boolean)])
      : [];

    const rowsFor = (filter: (v: string | null) => boolean): { handledCalls: number; objections: ObjectionStatRow[] } => {
      const handledCalls = handled.filter((h) => filter(h.script_version_id)).reduce((a, h) => a + h.n, 0);
      const rows = objections.map((o) => {
        const mine = counts.filter((c) => c.objection_id === o.id && filter(c.script_version_id));
        const raised = mine.reduce((a, c) => a + c.raised, 0);
        const overcome = mine.reduce((a, c) => a + c.overcome, 0);
        const converted = mine.reduce((a, c) => a + c.converted, 0);
        return {
          objectionId: o.id, category: o.category, label: o.label, active: o.active, raised, frequencyPct: pct(raised, handledCalls),
          overcome, overcomeRatePct: pct(overcome, raised), converted, conversionRatePct: pct(converted, raised),
        };
      });
      rows.sort((a, b) => b.raised - a.raised);
      return { handledCalls, objections: rows };
    };

    const overall = rowsFor((v) => (scriptVersionId ? v === scriptVersionId : true));
    const byScriptVersion = versionIds
      .map((vid) => {
        const meta = versionRows.find((r) => r.id === vid);
        return { scriptVersionId: vid, scriptId: meta?.script_id ?? null, version: meta?.version ?? null, ...rowsFor((v) => v === vid) };
      })
      .sort((a, b) => (a.scriptId ?? '').localeCompare(b.scriptId ?? '') || (a.version ?? 0) - (b.version ?? 0));
    return { campaignId, scriptVersionId: scriptVersionId ?? null, ...overall, byScriptVersion };
  }

  private async assertTemplate(campaignId: string, template: string): Promise<void> {
    const rules = await this.scripts.rulesForCampaigns([campaignId]);
    const problems = analyzeTemplate(template, rules);
    if (problems.length) {
      const errors = problems.map((p) => ({ field: 'rebuttalTemplate', line: p.line, column: p.column, reason: p.reason }));
      throw new DomainError('VALIDATION', `rebuttalTemplate is invalid: ${errors.map((e) => `line ${e.line}, column ${e.column}: ${e.reason}`).join('; ')}`, errors);
    }
  }

  private async campaign(id: string): Promise<{ name: string; timezone: string }> {
    const [c] = await this.db.query('SELECT name, timezone FROM campaigns WHERE id = $1 AND deleted_at IS NULL', [id]);
    if (!c) throw notFound('campaign');
    return c;
  }
}
