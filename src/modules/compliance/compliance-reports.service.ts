import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CampaignSchedule } from '../campaigns/campaign-settings';
import { checkCallingHoursForRegions } from './calling-hours';
import { ComplianceRulesService } from './compliance-rules.service';
import { leadRegions, leadZones } from './dial-gate.service';

/** The legal abandon cap: 3% of live-answered calls (47 CFR 64.1200(a)(7); Ofcom persistent misuse policy). */
export const ABANDON_CAP_PCT = 3;

export interface AbandonWindow {
  from: Date;
  to: Date;
  abandoned: number;
  humanAnswered: number;
  ratePct: number | null;
  overCap: boolean;
}

export interface AbandonRateRow {
  campaignId: string;
  campaignName: string;
  timezone: string;
  targetPct: number;
  /** FCC: per campaign over a rolling 30-day period. */
  fcc30d: AbandonWindow;
  /** Ofcom: per campaign over a rolling 24 hours. */
  ofcom24h: AbandonWindow;
  /** The calendar day of `at` in the campaign's time zone. */
  calendarDay: AbandonWindow & { date: string };
  /** 'abandon' compliance events in the 30-day window, to cross-check the calls table. */
  abandonEvents30d: number;
}

export interface OutsideHoursRow {
  callId: string;
  campaignId: string;
  leadId: string;
  phone: string;
  dialAt: Date;
  zones: string[];
  /** 'legal': outside the legal window (or no zone); 'campaign': inside the law but outside the campaign's window. */
  kind: 'legal' | 'campaign';
  reason: string;
  detail: string;
}

const ALWAYS: CampaignSchedule = {
  windows: { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] },
};

const rate = (a: number, h: number) => (h === 0 ? null : Math.round((a / h) * 10000) / 100);
const win = (from: Date, to: Date, abandoned: number, humanAnswered: number): AbandonWindow => {
  const r = rate(abandoned, humanAnswered);
  return { from, to, abandoned, humanAnswered, ratePct: r, overCap: r !== null && r > ABANDON_CAP_PCT };
};

@Injectable()
export class ComplianceReportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rules: ComplianceRulesService,
  ) {}

  /**
   * Abandon rate per campaign, three ways side by side. Source: the calls table.
   * - a call is human-answered when answer_type = 'human' or it was abandoned (an abandon is by definition a
   *   live answer that got no agent within 2 s);
   * - a call is abandoned when abandon_at is set or its state is 'abandoned';
   * - a call falls in a window by the time it was answered (answer_at, else abandon_at);
   * - rate = abandoned / human-answered, in percent.
   * The 'abandon' compliance events the dialer records are counted alongside, as a cross-check.
   */
  async abandonRates(at: Date, campaignIds: 'all' | string[], campaignId?: string): Promise<AbandonRateRow[]> {
    const params: unknown[] = [at];
    const filters: string[] = ['c.deleted_at IS NULL'];
    if (campaignIds !== 'all') (params.push(campaignIds), filters.push(`c.id = ANY($${params.length}::uuid[])`));
    if (campaignId) (params.push(campaignId), filters.push(`c.id = $${params.length}::uuid`));
    const rows = await this.db.query(
      `WITH k AS (
         SELECT campaign_id, coalesce(answer_at, abandon_at) AS t,
                (abandon_at IS NOT NULL OR state = 'abandoned') AS ab,
                (answer_type = 'human' OR abandon_at IS NOT NULL OR state = 'abandoned') AS human
           FROM calls
          WHERE coalesce(answer_at, abandon_at) > $1::timestamptz - interval '30 days' AND coalesce(answer_at, abandon_at) <= $1::timestamptz
       ), ev AS (
         SELECT campaign_id, count(*)::int AS n FROM compliance_events
          WHERE type = 'abandon' AND occurred_at > $1::timestamptz - interval '30 days' AND occurred_at <= $1::timestamptz GROUP BY campaign_id
       )
       SELECT c.id, c.name, c.timezone, c.abandon_target::float AS target,
              (date_trunc('day', $1::timestamptz AT TIME ZONE c.timezone) AT TIME ZONE c.timezone) AS day_start,
              to_char($1::timestamptz AT TIME ZONE c.timezone, 'YYYY-MM-DD') AS day,
              count(*) FILTER (WHERE k.ab)::int AS ab30, count(*) FILTER (WHERE k.human)::int AS h30,
              count(*) FILTER (WHERE k.ab AND k.t > $1::timestamptz - interval '24 hours')::int AS ab24,
              count(*) FILTER (WHERE k.human AND k.t > $1::timestamptz - interval '24 hours')::int AS h24,
              count(*) FILTER (WHERE k.ab AND k.t >= (date_trunc('day', $1::timestamptz AT TIME ZONE c.timezone) AT TIME ZONE c.timezone))::int AS abd,
              count(*) FILTER (WHERE k.human AND k.t >= (date_trunc('day', $1::timestamptz AT TIME ZONE c.timezone) AT TIME ZONE c.timezone))::int AS hd,
              coalesce(max(ev.n), 0)::int AS events
         FROM campaigns c
         LEFT JOIN k ON k.campaign_id = c.id
         LEFT JOIN ev ON ev.campaign_id = c.id
        WHERE ${filters.join(' AND ')}
        GROUP BY c.id
        ORDER BY c.name`,
      params,
    );
    return rows.map((r: Record<string, unknown>) => ({
      campaignId: r.id as string,
      campaignName: r.name as string,
      timezone: r.timezone as string,
      targetPct: r.target as number,
      fcc30d: win(new Date(at.getTime() - 30 * 86400_000), at, r.ab30 as number, r.h30 as number),
      ofcom24h: win(new Date(at.getTime() - 86400_000), at, r.ab24 as number, r.h24 as number),
      calendarDay: { ...win(r.day_start as Date, at, r.abd as number, r.hd as number), date: r.day as string },
      abandonEvents30d: r.events as number,
    }));
  }

  /**
   * Calls dialled outside permitted hours (there must be none): every call with dial_at in [from, to), checked
   * against today's legal rules and its campaign's windows in the lead's zone(s). Streams in keyset batches.
   */
  async *outsideHours(from: Date, to: Date, campaignIds: 'all' | string[], stats?: { checked: number }): AsyncGenerator<OutsideHoursRow> {
    const rules = await this.rules.rules();
    let after: [string, string] | null = null;
    const batch = 2000;
    for (;;) {
      const params: unknown[] = [from, to];
      let where = `k.dial_at >= $1 AND k.dial_at < $2`;
      if (campaignIds !== 'all') (params.push(campaignIds), (where += ` AND k.campaign_id = ANY($${params.length}::uuid[])`));
      if (after) (params.push(after[0], after[1]), (where += ` AND (k.dial_at, k.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`));
      const rows: Record<string, unknown>[] = await this.db.query(
        `SELECT k.id, k.campaign_id, k.lead_id::text AS lead_id, k.phone, k.dial_at, k.dial_at::text AS dial_at_text, l.country, l.timezone, l.tz_candidates, l.postal_code,
                upper(coalesce(l.custom_fields->>'state', l.custom_fields->>'region', l.custom_fields->>'province')) AS region, c.schedule
           FROM calls k JOIN leads l ON l.id = k.lead_id JOIN campaigns c ON c.id = k.campaign_id
          WHERE ${where} ORDER BY k.dial_at, k.id LIMIT ${batch}`,
        params,
      );
      for (const r of rows) {
        if (stats) stats.checked++;
        const zones = leadZones(r.timezone as string | null, r.tz_candidates as string[] | null);
        const country = r.country ? String(r.country).trim().toUpperCase() : null;
        const regions = leadRegions(country, r.region as string | null, r.postal_code as string | null);
        const at = r.dial_at as Date;
        const base = { callId: r.id as string, campaignId: r.campaign_id as string, leadId: r.lead_id as string, phone: r.phone as string, dialAt: at, zones };
        const legalVerdict = checkCallingHoursForRegions(zones, rules.legalHours, country, regions, ALWAYS, at);
        if (!legalVerdict.ok) {
          yield { ...base, kind: 'legal', reason: legalVerdict.reason, detail: legalVerdict.detail };
          continue;
        }
        const campaignVerdict = checkCallingHoursForRegions(zones, rules.legalHours, country, regions, (r.schedule ?? { windows: {} }) as CampaignSchedule, at);
        if (!campaignVerdict.ok) yield { ...base, kind: 'campaign', reason: campaignVerdict.reason, detail: campaignVerdict.detail };
      }
      if (rows.length < batch) return;
      const last = rows[rows.length - 1];
      after = [last.dial_at_text as string, last.id as string];
    }
  }
}
