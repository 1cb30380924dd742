import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { notFound } from '../../common/errors/domain-error';
import { CampaignSchedule } from '../campaigns/campaign-settings';
import { localDate } from './calling-hours';
import { ComplianceEventInput, ComplianceEventsService } from './compliance-events.service';
import { ComplianceRulesService } from './compliance-rules.service';
import { checkDial } from './dial-gate';
import { CampaignView, DialDecision, LeadView } from './dial-gate.types';
import { DncService } from './dnc.service';
import { RegistryLookupService } from './registry-lookup.service';
import { regionCodeFromName } from './region-names';
import { usStateFromZip } from './us-zip-states';

/** The lead columns the gate reads; pass rows you already hold (snake_case, as from SQL) to skip the lead query. */
export interface GateLeadRow {
  id: string;
  phone: string;
  country: string | null;
  timezone: string | null;
  tz_candidates: string[] | null;
  status: string;
  attempts: number;
  attempts_today: number;
  attempts_day: string | null;
  next_attempt_at: Date | null;
  deleted_at: Date | null;
  /** State/province from the lead's data (custom field state/region/province), e.g. 'FL' or 'US-FL'. */
  region?: string | null;
  postal_code?: string | null;
  /** A pending or leased callback exists for the lead (see LeadView.callbackBooked). */
  callback_booked?: boolean;
}

export interface GateCheckOptions {
  /** Who asks: 'dialer' (default), 'preview', 'callback', 'api'. Stored on block events. */
  actor?: string;
  actorUserId?: string | null;
  agentId?: string | null;
  /** Dial this number instead of the lead's main one (e.g. an alternate number); keyed by lead id. */
  phoneOverride?: Record<string, string>;
  /** Write 'dial_blocked' events (default true). */
  recordBlocks?: boolean;
  /** Write the events in the caller's transaction. */
  manager?: EntityManager;
}

export interface GateResult {
  leadId: string;
  phone: string | null;
  decision: DialDecision;
}

const LEAD_COLUMNS = `id::text AS id, phone, country, timezone, tz_candidates, status::text AS status, attempts, attempts_today,
  to_char(attempts_day, 'YYYY-MM-DD') AS attempts_day, next_attempt_at, deleted_at, postal_code,
  upper(coalesce(custom_fields->>'state', custom_fields->>'region', custom_fields->>'province')) AS region,
  EXISTS (SELECT 1 FROM callbacks cb WHERE cb.lead_id = leads.id AND cb.status IN ('pending', 'leased')) AS callback_booked`;

/**
 * The dial gate with its data: loads everything checkDial needs for many leads in a few bulk queries (leads, DNC
 * entries, registry, recent dials, rules), decides, and records every block as a 'dial_blocked' compliance event.
 * The dialer calls it at lead selection and again just before the INVITE; preview and callbacks go through it too.
 */
@Injectable()
export class DialGateService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly dnc: DncService,
    private readonly registry: RegistryLookupService,
    private readonly rulesService: ComplianceRulesService,
    private readonly events: ComplianceEventsService,
  ) {}

  async campaignView(campaignId: string): Promise<CampaignView> {
    const rows = await this.db.query(
      `SELECT id, status::text AS status, schedule, max_attempts, max_attempts_per_day FROM campaigns WHERE id = $1 AND deleted_at IS NULL`,
      [campaignId],
    );
    if (!rows.length) throw notFound('campaign');
    const c = rows[0];
    return {
      campaignId: c.id,
      running: c.status === 'running',
      schedule: (c.schedule ?? { windows: {} }) as CampaignSchedule,
      maxAttempts: c.max_attempts,
      maxAttemptsPerDay: c.max_attempts_per_day,
    };
  }

  async check(leads: string[] | GateLeadRow[], campaignId: string, at: Date, opts: GateCheckOptions = {}): Promise<GateResult[]> {
    if (leads.length === 0) return [];
    const [campaign, rules, rows] = await Promise.all([
      this.campaignView(campaignId),
      this.rulesService.rules(),
      typeof leads[0] === 'string' ? this.loadLeads(leads as string[]) : Promise.resolve(leads as GateLeadRow[]),
    ]);
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    const ids = typeof leads[0] === 'string' ? (leads as string[]).map(String) : rows.map((r) => String(r.id));
    const phoneOf = (r: GateLeadRow) => opts.phoneOverride?.[String(r.id)] ?? r.phone;
    const phones = [...new Set(rows.map(phoneOf))];
    const windowStart = new Date(at.getTime() - rules.frequencyCap.windowHours * 3600_000);
    const [hits, registryHits, recent] = await Promise.all([
      this.dnc.hits(phones, campaignId, at),
      this.registry.hasMany(phones),
      this.recentDials(phones, windowStart, at),
    ]);

    const results: GateResult[] = ids.map((id) => {
      const r = byId.get(id);
      if (!r) return { leadId: id, phone: null, decision: { allowed: false, reason: 'lead_not_dialable', detail: 'no such lead' } };
      const phone = phoneOf(r);
      const view = toLeadView(r, phone, at, {
        internal: hits.get(phone)?.internal ?? false,
        campaign: hits.get(phone)?.campaign ?? false,
        registry: (hits.get(phone)?.registry ?? false) || registryHits.has(phone),
      }, recent.get(phone) ?? 0);
      return { leadId: id, phone, decision: checkDial(view, campaign, rules, at) };
    });

    if (opts.recordBlocks !== false) {
      const blocked: ComplianceEventInput[] = results
        .filter((x) => !x.decision.allowed)
        .map((x) => {
          const d = x.decision as Extract<DialDecision, { allowed: false }>;
          return {
            type: 'dial_blocked', reasonCode: d.reason, actor: opts.actor ?? 'dialer', actorUserId: opts.actorUserId ?? null, agentId: opts.agentId ?? null,
            campaignId, leadId: /^\d+$/.test(x.leadId) ? x.leadId : null, phone: x.phone,
            details: { detail: d.detail ?? null, checkedAt: at.toISOString() },
          };
        });
      for (let i = 0; i < blocked.length; i += 500) await this.events.recordMany(blocked.slice(i, i + 500), opts.manager);
    }
    return results;
  }

  private loadLeads(ids: string[]): Promise<GateLeadRow[]> {
    const valid = ids.filter((id) => /^\d+$/.test(String(id)));
    return this.db.query(`SELECT ${LEAD_COLUMNS} FROM leads WHERE id = ANY($1::bigint[])`, [valid]);
  }

  private async recentDials(phones: string[], from: Date, to: Date): Promise<Map<string, number>> {
    const rows: { phone: string; n: number }[] = await this.db.query(
      `SELECT phone, count(*)::int AS n FROM calls WHERE phone = ANY($1::text[]) AND dial_at > $2 AND dial_at <= $3 GROUP BY phone`,
      [phones, from, to],
    );
    return new Map(rows.map((r) => [r.phone, r.n]));
  }
}

/** Candidate zones: every candidate when the lead's zone is ambiguous, else its one zone. */
export function leadZones(timezone: string | null, candidates: string[] | null): string[] {
  const zones = new Set<string>();
  if (timezone) zones.add(timezone);
  for (const z of candidates ?? []) if (z) zones.add(z);
  return [...zones];
}

/** Candidate regions of a lead: the state in its data and the state of its US ZIP code (both apply when they differ). */
export function leadRegions(country: string | null, region: string | null | undefined, postalCode: string | null | undefined): string[] {
  const out = new Set<string>();
  const given = leadRegion(country, region);
  if (given) out.add(given);
  if (country === 'US') {
    const fromZip = usStateFromZip(postalCode);
    if (fromZip) out.add(fromZip);
  }
  return [...out];
}

/** 'US' + 'FL' -> 'US-FL'; a value already in 'US-FL' form is kept; a name ('Florida') gives its code. */
export function leadRegion(country: string | null, region: string | null | undefined): string | null {
  if (!region || !country) return null;
  const c = country.trim().toUpperCase();
  const r = region.trim().toUpperCase();
  if (/^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(r)) return r;
  if (/^[A-Z0-9]{1,3}$/.test(r)) return `${c}-${r}`;
  const named = regionCodeFromName(c, region);
  return named ? `${c}-${named}` : null;
}

function toLeadView(r: GateLeadRow, phone: string, at: Date, dnc: LeadView['dnc'], recent: number): LeadView {
  const zones = leadZones(r.timezone, r.tz_candidates);
  const country = r.country ? r.country.trim().toUpperCase() : null;
  // attempts_today counts for the day it was written; when that day is the lead-local (or UTC) date of `at`.
  const days = new Set([at.toISOString().slice(0, 10), ...zones.map((z) => localDate(at, z)).filter((d): d is string => !!d)]);
  const attemptsToday = r.attempts_day && days.has(r.attempts_day) ? r.attempts_today : 0;
  return {
    leadId: String(r.id),
    phone,
    country,
    timezones: zones,
    regions: leadRegions(country, r.region, r.postal_code),
    status: r.status,
    attempts: r.attempts,
    attemptsToday,
    nextAttemptAt: r.next_attempt_at,
    dnc,
    recentDialsToNumber: recent,
    deleted: r.deleted_at !== null && r.deleted_at !== undefined,
    callbackBooked: r.callback_booked === true,
  };
}
