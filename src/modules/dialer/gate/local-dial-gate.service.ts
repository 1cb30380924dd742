import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CampaignSchedule } from '../../campaigns/campaign-settings';
import { CampaignEntity, CampaignStatus } from '../../campaigns/campaign.entity';
import { BlockReason, DialDecision as GateDecision } from '../../compliance/dial-gate.types';
import { LeadEntity } from '../../leads/lead.entity';
import { withinCallingHours } from './calling-hours';
import { DialGate } from './dial-gate';

/**
 * Minimal stand-in for the compliance gate until the shared DialGateService is merged: DNC (internal, this
 * campaign's, registry; active, not expired) and calling hours (campaign windows and the US 08:00-21:00 rule in
 * every candidate zone of the lead). Each block is written to compliance_events as 'dial_blocked'.
 */
@Injectable()
export class LocalDialGate implements DialGate {
  constructor(private readonly db: DataSource) {}

  async check(leads: LeadEntity[], campaign: CampaignEntity, at: Date): Promise<Map<string, GateDecision>> {
    const out = new Map<string, GateDecision>();
    if (!leads.length) return out;
    const hits: { phone: string; scope: 'internal' | 'campaign' | 'registry' }[] = await this.db.query(
      `SELECT phone, scope FROM dnc_entries
        WHERE phone = ANY($1) AND removed_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
          AND (scope IN ('internal', 'registry') OR (scope = 'campaign' AND campaign_id = $3))`,
      [leads.map((l) => l.phone), at, campaign.id],
    );
    const dnc = new Map<string, Set<string>>();
    for (const h of hits) dnc.set(h.phone, (dnc.get(h.phone) ?? new Set()).add(h.scope));

    const blocked: { lead: LeadEntity; reason: BlockReason }[] = [];
    for (const lead of leads) {
      const scopes = dnc.get(lead.phone);
      const zones = lead.tzCandidates?.length ? lead.tzCandidates : lead.timezone ? [lead.timezone] : [];
      let reason: BlockReason | null = null;
      if (campaign.status !== CampaignStatus.Running) reason = 'campaign_not_running';
      else if (scopes?.has('internal')) reason = 'dnc_internal';
      else if (scopes?.has('campaign')) reason = 'dnc_campaign';
      else if (scopes?.has('registry')) reason = 'dnc_registry';
      else if (!zones.length) reason = 'no_timezone';
      else if (!withinCallingHours(zones, campaign.schedule as Partial<CampaignSchedule>, at)) reason = 'outside_hours';
      else if (lead.attempts >= campaign.maxAttempts) reason = 'attempts_exhausted';
      out.set(lead.id, reason ? { allowed: false, reason } : { allowed: true });
      if (reason) blocked.push({ lead, reason });
    }
    if (blocked.length) {
      await this.db.query(
        `INSERT INTO compliance_events (occurred_at, type, reason_code, actor, campaign_id, lead_id, phone, details)
         SELECT $1, 'dial_blocked', r, 'dialer', $2, l, p, '{"stage":"pre_dial"}'::jsonb
           FROM unnest($3::text[], $4::bigint[], $5::text[]) AS t(r, l, p)`,
        [at, campaign.id, blocked.map((b) => b.reason), blocked.map((b) => b.lead.id), blocked.map((b) => b.lead.phone)],
      );
    }
    return out;
  }
}
