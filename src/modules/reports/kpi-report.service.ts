import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, Clock } from '../../common/clock';
import { notFound } from '../../common/errors/domain-error';
import { computeKpis, emptyTotals, Kpis, KpiTotals } from './kpi';

/** Dialling figures (attempts, answers, abandons) belong to the campaign: a call has no agent until one takes it. */
const CAMPAIGN_ONLY = ['attempts', 'humanAnswered', 'machineAnswered', 'abandoned', 'contactRate', 'abandonRate'] as const;

export interface AgentKpis extends Omit<Kpis, (typeof CAMPAIGN_ONLY)[number]> {
  agentId: string;
  displayName: string;
}

function agentKpis(agentId: string, displayName: string, k: Kpis): AgentKpis {
  const own: Partial<Kpis> = { ...k };
  for (const key of CAMPAIGN_ONLY) delete own[key];
  return { agentId, displayName, ...(own as Omit<Kpis, (typeof CAMPAIGN_ONLY)[number]>) };
}

export interface CampaignKpiReport {
  campaignId: string;
  campaignName: string;
  from: Date;
  to: Date;
  totals: Kpis;
  /** Leads of the campaign's active lists (not deleted) now, and how many reached a final status. */
  lists: { leads: number; finished: number; penetration: number };
  agents: AgentKpis[];
}

const STATES = ['ready', 'reserved', 'on_call', 'on_hold', 'wrap_up', 'paused'] as const;

/**
 * A campaign's KPIs over a period, built from the records (calls, agent_state_events), never from live guesses.
 * Calls count in the period of their dial; agent time is each state event's span up to the agent's next event (or
 * now), clipped to the period and counted for the campaign the event names.
 */
@Injectable()
export class KpiReportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async campaign(campaignId: string, from: Date, to: Date): Promise<CampaignKpiReport> {
    const [campaign] = await this.db.query(`SELECT id, name FROM campaigns WHERE id = $1 AND deleted_at IS NULL`, [campaignId]);
    if (!campaign) throw notFound('campaign');
    const byAgent = new Map<string, KpiTotals>();
    const total = emptyTotals();
    const agentTotals = (id: string) => byAgent.get(id) ?? byAgent.set(id, emptyTotals()).get(id)!;

    const callRows: {
      agent_id: string | null; attempts: number; human: number; machine: number; abandoned: number; handled: number; handled_ended: number;
      talk_s: number; wrap_s: number; conversions: number;
    }[] = await this.db.query(
      `SELECT c.agent_id,
              count(*)::int AS attempts,
              count(*) FILTER (WHERE c.answer_type = 'human')::int AS human,
              count(*) FILTER (WHERE c.answer_type = 'machine')::int AS machine,
              count(*) FILTER (WHERE c.abandon_at IS NOT NULL)::int AS abandoned,
              count(*) FILTER (WHERE c.connect_at IS NOT NULL)::int AS handled,
              count(*) FILTER (WHERE c.connect_at IS NOT NULL AND c.end_at IS NOT NULL)::int AS handled_ended,
              coalesce(sum(extract(epoch FROM c.end_at - c.connect_at)) FILTER (WHERE c.connect_at IS NOT NULL AND c.end_at IS NOT NULL), 0)::float AS talk_s,
              coalesce(sum(extract(epoch FROM coalesce(c.wrapup_end_at, c.disposition_at) - c.end_at))
                FILTER (WHERE c.connect_at IS NOT NULL AND c.end_at IS NOT NULL AND coalesce(c.wrapup_end_at, c.disposition_at) IS NOT NULL), 0)::float AS wrap_s,
              count(*) FILTER (WHERE c.connect_at IS NOT NULL AND o.is_success)::int AS conversions
         FROM calls c
         LEFT JOIN campaign_outcomes o ON o.campaign_id = c.campaign_id AND o.code = c.outcome
        WHERE c.campaign_id = $1 AND c.dial_at >= $2 AND c.dial_at < $3
        GROUP BY c.agent_id`,
      [campaignId, from, to],
    );
    for (const r of callRows) {
      const add = (t: KpiTotals) => {
        t.attempts += r.attempts; t.humanAnswered += r.human; t.machineAnswered += r.machine; t.abandoned += r.abandoned;
        t.handled += r.handled; t.handledEnded += r.handled_ended; t.talkS += r.talk_s; t.wrapUpS += r.wrap_s; t.conversions += r.conversions;
      };
      add(total);
      if (r.agent_id) add(agentTotals(r.agent_id));
    }

    // Each event lasts until the agent's next event; the state an agent was in when the period began counts from `from`.
    const spanRows: { agent_id: string; state: string; reason: string; secs: number }[] = await this.db.query(
      `WITH who AS (SELECT DISTINCT agent_id FROM agent_state_events WHERE campaign_id = $1 AND at < $3),
       ev AS (
         SELECT e.id, e.agent_id, e.campaign_id, e.state, e.reason, e.at FROM agent_state_events e JOIN who USING (agent_id)
          WHERE e.at >= $2 AND e.at < $3
         UNION ALL
         SELECT * FROM (
           SELECT DISTINCT ON (e.agent_id) e.id, e.agent_id, e.campaign_id, e.state, e.reason, e.at
             FROM agent_state_events e JOIN who USING (agent_id)
            WHERE e.at < $2 ORDER BY e.agent_id, e.at DESC, e.id DESC) before_period
       ),
       spans AS (
         SELECT agent_id, campaign_id, state, reason, greatest(at, $2::timestamptz) AS s,
                least(coalesce(lead(at) OVER (PARTITION BY agent_id ORDER BY at, id), $4::timestamptz), $3::timestamptz) AS e
           FROM ev
       )
       SELECT agent_id, state, coalesce(reason, '') AS reason, sum(extract(epoch FROM e - s))::float AS secs
         FROM spans WHERE campaign_id = $1 AND e > s
        GROUP BY agent_id, state, coalesce(reason, '')`,
      [campaignId, from, to, this.clock.now()],
    );
    for (const r of spanRows) {
      if (!(STATES as readonly string[]).includes(r.state)) continue;
      const state = r.state as (typeof STATES)[number];
      for (const t of [total, agentTotals(r.agent_id)]) {
        t.stateS[state] = (t.stateS[state] ?? 0) + r.secs;
        if (state === 'paused') t.pausedByReason[r.reason] = (t.pausedByReason[r.reason] ?? 0) + r.secs;
      }
    }

    const ids = [...byAgent.keys()];
    const names: { id: string; display_name: string }[] = ids.length
      ? await this.db.query(`SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])`, [ids])
      : [];
    const nameOf = new Map(names.map((n) => [n.id, n.display_name]));

    const [lists] = await this.db.query(
      `SELECT count(*)::int AS leads, count(*) FILTER (WHERE l.status IN ('done', 'dnc', 'invalid'))::int AS finished
         FROM campaign_lists cl JOIN leads l ON l.list_id = cl.list_id AND l.deleted_at IS NULL
        WHERE cl.campaign_id = $1 AND cl.active`,
      [campaignId],
    );
    return {
      campaignId,
      campaignName: campaign.name,
      from,
      to,
      totals: computeKpis(total),
      lists: { leads: lists.leads, finished: lists.finished, penetration: lists.leads ? Number((lists.finished / lists.leads).toFixed(4)) : 0 },
      agents: ids
        .map((id) => agentKpis(id, nameOf.get(id) ?? '', computeKpis(byAgent.get(id)!)))
        .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.agentId.localeCompare(b.agentId)),
    };
  }
}
