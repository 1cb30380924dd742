import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** Every kind of record kept in compliance_events. */
export type ComplianceEventType =
  | 'dnc_add'
  /** Legacy name written by the dialer branch's stand-in before it calls DncService.addInternalDnc. */
  | 'dnc_added'
  | 'dnc_remove'
  | 'dial_blocked'
  | 'abandon'
  | 'attempt'
  | 'export'
  /** A user read customer data (a lead, a search by number, a page of a list): reason_code says which. */
  | 'data_access'
  | 'registry_import'
  | 'rule_change'
  /** A manager or admin recorded a call's outcome on its agent's behalf (actor_user_id; agent_id is the call's agent). */
  | 'disposition_on_behalf';

export interface ComplianceEventInput {
  type: ComplianceEventType;
  reasonCode?: string | null;
  actorUserId?: string | null;
  /** What acted: 'user', 'dialer', 'agent_disposition', 'registry_import', ... */
  actor?: string;
  campaignId?: string | null;
  leadId?: string | null;
  callId?: string | null;
  agentId?: string | null;
  phone?: string | null;
  details?: Record<string, unknown>;
  /** Defaults to the database's now(). */
  occurredAt?: Date;
}

export interface ComplianceEventRow {
  id: string;
  occurredAt: Date;
  type: string;
  reasonCode: string | null;
  actorUserId: string | null;
  actorName: string | null;
  actor: string;
  campaignId: string | null;
  leadId: string | null;
  callId: string | null;
  agentId: string | null;
  phone: string | null;
  details: Record<string, unknown>;
}

export interface ComplianceEventFilter {
  types: ComplianceEventType[];
  phone?: string;
  from?: Date;
  to?: Date;
  campaignId?: string;
  /** Matches the agent on the call or the user who acted. */
  agentId?: string;
  reason?: string;
}


/**
 * The append-only compliance record (the table refuses UPDATE/DELETE/TRUNCATE by trigger). Other modules record
 * through here: the dialer its 'attempt' and 'abandon' events, the disposition code its DNC requests.
 */
@Injectable()
export class ComplianceEventsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(event: ComplianceEventInput, manager?: EntityManager): Promise<string> {
    const [id] = await this.recordMany([event], manager);
    return id;
  }

  async recordMany(events: ComplianceEventInput[], manager?: EntityManager): Promise<string[]> {
    if (events.length === 0) return [];
    const params: unknown[] = [];
    const values = events.map((e) => {
      params.push(
        e.occurredAt ?? null, e.type, e.reasonCode ?? null, e.actorUserId ?? null, e.actor ?? (e.actorUserId ? 'user' : 'system'),
        e.campaignId ?? null, e.leadId ?? null, e.callId ?? null, e.agentId ?? null, e.phone ?? null, JSON.stringify(e.details ?? {}),
      );
      const b = params.length - 11;
      return `(coalesce($${b + 1}::timestamptz, now()), $${b + 2}, $${b + 3}, $${b + 4}::uuid, $${b + 5}, $${b + 6}::uuid, $${b + 7}::bigint, $${b + 8}::uuid, $${b + 9}::uuid, $${b + 10}, $${b + 11}::jsonb)`;
    });
    const rows: { id: string }[] = await (manager ?? this.db.manager).query(
      `INSERT INTO compliance_events (occurred_at, type, reason_code, actor_user_id, actor, campaign_id, lead_id, call_id, agent_id, phone, details)
       VALUES ${values.join(', ')} RETURNING id`,
      params,
    );
    return rows.map((r) => String(r.id));
  }

  private where(f: ComplianceEventFilter, params: unknown[]): string {
    const clauses: string[] = [];
    params.push(f.types);
    clauses.push(`e.type = ANY($${params.length}::text[])`);
    if (f.phone) (params.push(f.phone), clauses.push(`e.phone = $${params.length}`));
    if (f.from) (params.push(f.from), clauses.push(`e.occurred_at >= $${params.length}`));
    if (f.to) (params.push(f.to), clauses.push(`e.occurred_at < $${params.length}`));
    if (f.campaignId) (params.push(f.campaignId), clauses.push(`e.campaign_id = $${params.length}::uuid`));
    if (f.agentId) (params.push(f.agentId), clauses.push(`(e.agent_id = $${params.length}::uuid OR e.actor_user_id = $${params.length}::uuid)`));
    if (f.reason) (params.push(f.reason), clauses.push(`e.reason_code = $${params.length}`));
    return clauses.join(' AND ');
  }

  private select(where: string, tail: string): string {
    return `SELECT e.id, e.occurred_at, e.type, e.reason_code, e.actor_user_id, u.display_name AS actor_name, e.actor, e.campaign_id,
                   e.lead_id, e.call_id, e.agent_id, e.phone, e.details
              FROM compliance_events e LEFT JOIN users u ON u.id = e.actor_user_id
             WHERE ${where} ${tail}`;
  }

  async search(f: ComplianceEventFilter, page: number, pageSize: number): Promise<{ total: number; items: ComplianceEventRow[] }> {
    const params: unknown[] = [];
    const where = this.where(f, params);
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM compliance_events e WHERE ${where}`, params);
    const rows = await this.db.query(
      this.select(where, `ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`),
      params,
    );
    return { total, items: rows.map(toRow) };
  }

  /** Every matching event, oldest first, fetched in keyset batches so an export of millions never sits in memory. */
  async *iterate(f: ComplianceEventFilter, batch = 2000): AsyncGenerator<ComplianceEventRow> {
    let after = '0';
    for (;;) {
      const params: unknown[] = [];
      const where = this.where(f, params);
      params.push(after);
      const rows = await this.db.query(this.select(`${where} AND e.id > $${params.length}::bigint`, `ORDER BY e.id LIMIT ${batch}`), params);
      for (const r of rows) yield toRow(r);
      if (rows.length < batch) return;
      after = String(rows[rows.length - 1].id);
    }
  }
}

function toRow(r: Record<string, unknown>): ComplianceEventRow {
  return {
    id: String(r.id),
    occurredAt: r.occurred_at as Date,
    type: r.type as string,
    reasonCode: (r.reason_code as string) ?? null,
    actorUserId: (r.actor_user_id as string) ?? null,
    actorName: (r.actor_name as string) ?? null,
    actor: r.actor as string,
    campaignId: (r.campaign_id as string) ?? null,
    leadId: r.lead_id === null ? null : String(r.lead_id),
    callId: (r.call_id as string) ?? null,
    agentId: (r.agent_id as string) ?? null,
    phone: (r.phone as string) ?? null,
    details: (r.details as Record<string, unknown>) ?? {},
  };
}
