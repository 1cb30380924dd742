import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuthUser } from '../../common/auth/auth-user';
import { DomainError, FieldError, notFound } from '../../common/errors/domain-error';
import { assertVersion } from '../../common/http/edit-version';
import { ComplianceEventsService } from '../compliance/compliance-events.service';
import { ScriptEntity, ScriptSection, ScriptVersionEntity } from './script.entities';
import { checkSections, describeErrors, ScriptFieldError } from './script-sections';
import {
  buildContext, renderTemplate, RenderEnv, ScriptAgentInput, ScriptCampaignInput, ScriptLeadInput, VariableRules,
} from './script-template';
import {
  CreateScriptDto, PreviewDto, RenderedScript, SampleLeadDto, SaveScriptVersionDto, ScriptResponse, ScriptVersionResponse, UpdateScriptDto,
} from './scripts.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const SAMPLE_LEAD: ScriptLeadInput = {
  firstName: 'Alex', lastName: 'Sample', phone: '+14155550123', postalCode: '94105', country: 'US', timezone: 'America/Los_Angeles', customFields: {},
};

const toVersion = (v: ScriptVersionEntity): ScriptVersionResponse => ({
  id: v.id, scriptId: v.scriptId, version: v.version, createdBy: v.createdBy, createdAt: v.createdAt,
  sections: v.sections.map((s) => ({ key: s.key, title: s.title, template: s.template, branches: s.branches ?? [] })),
});

export function sampleToLead(s: SampleLeadDto | undefined): ScriptLeadInput {
  if (!s) return SAMPLE_LEAD;
  return { ...s, customFields: s.custom ?? {} };
}

/** The lead columns a script may see, read straight from leads (the leads module owns the table). */
export async function loadLeadForScript(db: DataSource, leadId: string): Promise<(ScriptLeadInput & { id: string; listId: string; phone: string }) | null> {
  const [row] = await db.query(
    `SELECT id, list_id, first_name, last_name, phone, postal_code, country, timezone, custom_fields FROM leads WHERE id = $1 AND deleted_at IS NULL`,
    [leadId],
  );
  if (!row) return null;
  return {
    id: String(row.id), listId: row.list_id, firstName: row.first_name, lastName: row.last_name, phone: row.phone, postalCode: row.postal_code,
    country: row.country?.trim() ?? null, timezone: row.timezone, customFields: row.custom_fields ?? {},
  };
}

export function renderEnv(lead: ScriptLeadInput, agent: ScriptAgentInput, campaign: ScriptCampaignInput): RenderEnv {
  return { locale: agent.locale || 'en', timezone: lead.timezone || campaign.timezone || 'UTC' };
}

/**
 * Sales scripts: versioned Handlebars sections. Each save makes a new immutable version (a database trigger
 * refuses UPDATE on script_versions); calls record the version their agent saw (renderForCall returns its id).
 */
@Injectable()
export class ScriptsService {
  constructor(
    private readonly db: DataSource,
    @InjectRepository(ScriptEntity) private readonly scripts: Repository<ScriptEntity>,
    @InjectRepository(ScriptVersionEntity) private readonly versions: Repository<ScriptVersionEntity>,
    private readonly events: ComplianceEventsService,
  ) {}

  async create(dto: CreateScriptDto, actorUserId: string | null): Promise<ScriptResponse> {
    const sections = normalise(dto.sections);
    // A new script is not attached to any campaign yet: custom fields are checked when a campaign adopts it.
    this.assertValid(checkSections(sections, { customFields: null }));
    const id = await this.db.transaction(async (m) => {
      const s = await m.getRepository(ScriptEntity).save(m.getRepository(ScriptEntity).create({
        name: dto.name, description: dto.description ?? null, currentVersion: 1, createdBy: actorUserId,
      }));
      await m.getRepository(ScriptVersionEntity).insert({ scriptId: s.id, version: 1, sections, createdBy: actorUserId });
      return s.id;
    });
    return this.get(id);
  }

  /**
   * Saves the sections as version N+1; checked against the custom fields of every campaign using the script.
   * With expectedVersion (the script's edit version, If-Match) only if nobody saved or renamed it since: 412 otherwise.
   */
  async saveVersion(scriptId: string, dto: SaveScriptVersionDto, actorUserId: string | null, expectedVersion: number | null = null): Promise<ScriptResponse> {
    const sections = normalise(dto.sections);
    await this.db.transaction(async (m) => {
      const s = await this.lockScript(m, scriptId);
      assertVersion('script', expectedVersion, s.version);
      const rules = await this.rulesForScript(scriptId);
      this.assertValid(checkSections(sections, rules));
      const version = s.currentVersion + 1;
      await m.getRepository(ScriptVersionEntity).insert({ scriptId, version, sections, createdBy: actorUserId });
      await m.getRepository(ScriptEntity).update({ id: scriptId }, { currentVersion: version, version: () => 'version + 1' });
    });
    return this.get(scriptId);
  }

  /** Name and description; with expectedVersion only if the script is still at it (412 otherwise). */
  async update(scriptId: string, dto: UpdateScriptDto, expectedVersion: number | null = null): Promise<ScriptResponse> {
    await this.db.transaction(async (m) => {
      const s = await this.lockScript(m, scriptId);
      assertVersion('script', expectedVersion, s.version);
      const changes: Partial<Pick<ScriptEntity, 'name' | 'description'>> = {};
      if (dto.name !== undefined && dto.name !== s.name) changes.name = dto.name;
      if (dto.description !== undefined && (dto.description ?? null) !== s.description) changes.description = dto.description ?? null;
      if (Object.keys(changes).length) await m.getRepository(ScriptEntity).update({ id: scriptId }, { ...changes, version: () => 'version + 1' });
    });
    return this.get(scriptId);
  }

  /** The script row, locked (FOR UPDATE) until the end of the transaction: edits and new versions take turns. */
  private async lockScript(m: EntityManager, scriptId: string): Promise<ScriptEntity> {
    const s = await m.getRepository(ScriptEntity).createQueryBuilder('s').setLock('pessimistic_write').where('s.id = :scriptId', { scriptId }).getOne();
    if (!s) throw notFound('script');
    return s;
  }

  async get(scriptId: string): Promise<ScriptResponse> {
    const s = await this.scripts.findOneBy({ id: scriptId });
    if (!s) throw notFound('script');
    const [current, campaigns] = await Promise.all([
      s.currentVersion ? this.versions.findOneBy({ scriptId, version: s.currentVersion }) : null,
      this.db.query('SELECT id FROM campaigns WHERE script_id = $1 AND deleted_at IS NULL ORDER BY created_at', [scriptId]) as Promise<{ id: string }[]>,
    ]);
    return {
      id: s.id, name: s.name, description: s.description, currentVersion: s.currentVersion, campaignIds: campaigns.map((c) => c.id),
      current: current ? toVersion(current) : null, version: s.version, createdAt: s.createdAt, updatedAt: s.updatedAt,
    };
  }

  async list(): Promise<Omit<ScriptResponse, 'current' | 'campaignIds'>[]> {
    const rows = await this.scripts.find({ order: { name: 'ASC' } });
    return rows.map((s) => ({ id: s.id, name: s.name, description: s.description, currentVersion: s.currentVersion, version: s.version, createdAt: s.createdAt, updatedAt: s.updatedAt }));
  }

  async listVersions(scriptId: string): Promise<ScriptVersionResponse[]> {
    if (!(await this.scripts.existsBy({ id: scriptId }))) throw notFound('script');
    return (await this.versions.find({ where: { scriptId }, order: { version: 'ASC' } })).map(toVersion);
  }

  async getVersion(scriptId: string, version: number): Promise<ScriptVersionResponse> {
    const v = await this.versions.findOneBy({ scriptId, version });
    if (!v) throw notFound('script version');
    return toVersion(v);
  }

  /** Renders a saved version for a manager: a real lead (leadId) or a sample, the caller as the agent. */
  async preview(scriptId: string, dto: PreviewDto, viewer: AuthUser): Promise<RenderedScript> {
    const s = await this.scripts.findOneBy({ id: scriptId });
    if (!s) throw notFound('script');
    const version = await this.versions.findOneBy({ scriptId, version: dto.version ?? s.currentVersion });
    if (!version) throw new DomainError('NOT_FOUND', 'script version not found', [{ field: 'version', reason: 'no such version of this script' }]);
    const real = dto.leadId ? await this.leadForPreview(dto.leadId) : null;
    const [campaign]: { id: string; name: string; timezone: string }[] = await this.db.query(
      dto.campaignId
        ? 'SELECT id, name, timezone FROM campaigns WHERE id = $1 AND deleted_at IS NULL'
        : 'SELECT id, name, timezone FROM campaigns WHERE script_id = $1 AND deleted_at IS NULL ORDER BY created_at LIMIT 1',
      [dto.campaignId ?? scriptId],
    );
    if (dto.campaignId && !campaign) throw new DomainError('NOT_FOUND', 'campaign not found', [{ field: 'campaignId', reason: 'no campaign with this id' }]);
    if (real) await this.recordLeadPreview(viewer, 'script_preview', real, campaign?.id ?? null, { scriptId, version: version.version });
    return this.render(version, real ?? sampleToLead(dto.lead), { displayName: viewer.displayName }, campaign ?? { name: 'Sample campaign', timezone: 'UTC' });
  }

  /** A real lead for a manager's preview (script or rebuttals), or 404 naming leadId. */
  async leadForPreview(leadId: string): Promise<ScriptLeadInput & { id: string; phone: string }> {
    const found = await loadLeadForScript(this.db, leadId);
    if (!found) throw new DomainError('NOT_FOUND', 'lead not found', [{ field: 'leadId', reason: 'no lead with this id' }]);
    return found;
  }

  /**
   * A preview rendered with a real lead shows that customer's name, postcode and custom fields: like a lead view
   * (LeadsService), it is a `data_access` compliance event, written before the data is returned.
   */
  async recordLeadPreview(
    viewer: AuthUser, reasonCode: 'script_preview' | 'objection_preview', lead: { id: string; phone: string }, campaignId: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.events.record({
      type: 'data_access', reasonCode, actor: 'user', actorUserId: viewer.id, leadId: lead.id, phone: lead.phone, campaignId,
      details: { role: viewer.role, ...details },
    });
  }

  /**
   * For the dialer/agent desktop: renders the script version a call will show. idOrVersionId is a script id
   * (its current version is used) or a script_versions id (that exact version). Store the returned
   * scriptVersionId on calls.script_version_id.
   */
  async renderForCall(idOrVersionId: string, lead: ScriptLeadInput, agent: ScriptAgentInput, campaign: ScriptCampaignInput): Promise<RenderedScript> {
    if (!UUID.test(idOrVersionId)) throw notFound('script');
    let version = await this.versions.findOneBy({ id: idOrVersionId });
    if (!version) {
      const s = await this.scripts.findOneBy({ id: idOrVersionId });
      if (!s || !s.currentVersion) throw notFound('script');
      version = await this.versions.findOneByOrFail({ scriptId: s.id, version: s.currentVersion });
    }
    return this.render(version, lead, agent, campaign);
  }

  /** Checks the current version of a script against the custom fields of the given lead lists (a campaign adopting it). */
  async checkScriptAgainstLists(scriptId: string, listIds: string[], field: string): Promise<FieldError[]> {
    const s = await this.scripts.findOneBy({ id: scriptId });
    if (!s || !s.currentVersion) return [{ field, reason: 'no script with this id (or it has no saved version)' }];
    const v = await this.versions.findOneByOrFail({ scriptId, version: s.currentVersion });
    const errors = checkSections(v.sections, { customFields: await this.customFieldsOfLists(listIds) });
    return errors.map((e) => ({ ...e, field, reason: `script "${s.name}" v${v.version} ${e.field}${e.line ? ` line ${e.line}, column ${e.column}` : ''}: ${e.reason}` }));
  }

  /** Custom field names declared by any of these lead lists (lead_lists.custom_fields). */
  async customFieldsOfLists(listIds: string[]): Promise<Set<string>> {
    if (!listIds.length) return new Set();
    const rows: { custom_fields: unknown }[] = await this.db.query('SELECT custom_fields FROM lead_lists WHERE id = ANY($1::uuid[])', [listIds]);
    return new Set(rows.flatMap((r) => (Array.isArray(r.custom_fields) ? r.custom_fields.filter((f): f is string => typeof f === 'string') : [])));
  }

  /** Variable rules for a template used by these campaigns: the union of their lists' custom fields; unchecked when none. */
  async rulesForCampaigns(campaignIds: string[]): Promise<VariableRules> {
    if (!campaignIds.length) return { customFields: null };
    const rows: { list_id: string }[] = await this.db.query('SELECT DISTINCT list_id FROM campaign_lists WHERE campaign_id = ANY($1::uuid[])', [campaignIds]);
    return { customFields: await this.customFieldsOfLists(rows.map((r) => r.list_id)) };
  }

  private async rulesForScript(scriptId: string): Promise<VariableRules> {
    const rows: { id: string }[] = await this.db.query('SELECT id FROM campaigns WHERE script_id = $1 AND deleted_at IS NULL', [scriptId]);
    return this.rulesForCampaigns(rows.map((r) => r.id));
  }

  private assertValid(errors: ScriptFieldError[]): void {
    if (errors.length) throw new DomainError('VALIDATION', `script is invalid: ${describeErrors(errors)}`, errors);
  }

  private render(v: ScriptVersionEntity, lead: ScriptLeadInput, agent: ScriptAgentInput, campaign: ScriptCampaignInput): RenderedScript {
    const ctx = buildContext(lead, agent, campaign);
    const env = renderEnv(lead, agent, campaign);
    return {
      scriptId: v.scriptId, scriptVersionId: v.id, version: v.version,
      sections: v.sections.map((s) => ({ key: s.key, title: s.title, html: renderTemplate(s.template, ctx, env), branches: s.branches ?? [] })),
    };
  }
}

function normalise(sections: ScriptSection[]): ScriptSection[] {
  return sections.map((s) => ({ key: s.key, title: s.title, template: s.template, branches: (s.branches ?? []).map((b) => ({ label: b.label, goto: b.goto })) }));
}
