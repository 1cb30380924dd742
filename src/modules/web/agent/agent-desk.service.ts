import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthUser } from '../../../common/auth/auth-user';
import { notFound } from '../../../common/errors/domain-error';
import { CallsService } from '../../calls/calls.service';
import { CampaignsService } from '../../campaigns/campaigns.service';
import { ObjectionsService } from '../../scripts/objections.service';
import { ScriptsService } from '../../scripts/scripts.service';
import { AgentCallback, AgentCampaign, AgentDeskResponse, RaisedObjectionDto } from './agent-desk.dto';

const EMPTY: AgentDeskResponse = { call: null, lead: null, campaign: null, script: null, objections: [], outcomes: [], raisedObjections: [] };

/**
 * What the agent desktop shows, for the calling agent only: the current call (the dialer decides which one), its
 * lead, the script and rebuttals rendered for that lead, the campaign's outcomes, and the objections raised so far.
 */
@Injectable()
export class AgentDeskService {
  constructor(
    private readonly db: DataSource,
    private readonly calls: CallsService,
    private readonly campaigns: CampaignsService,
    private readonly scripts: ScriptsService,
    private readonly objections: ObjectionsService,
  ) {}

  async desk(agent: AuthUser, locale: string): Promise<AgentDeskResponse> {
    const current = await this.calls.currentCall(agent.id);
    if (!current.call || !current.lead) return EMPTY;
    const { call, lead } = current;
    const [campaign, [extra]] = await Promise.all([
      this.campaigns.getWithSettings(call.campaignId),
      // The dialer's current call carries no country; scripts and rebuttals may use {{lead.country}} (as the preview does).
      this.db.query('SELECT country FROM leads WHERE id = $1', [lead.id]) as Promise<{ country: string | null }[]>,
    ]);
    const leadInput = {
      firstName: lead.firstName, lastName: lead.lastName, phone: lead.phone, postalCode: lead.postalCode, country: extra?.country?.trim() || null,
      timezone: lead.timezone, customFields: lead.customFields ?? {},
    };
    const agentInput = { displayName: agent.displayName, locale };
    const campaignInput = { name: campaign.name, timezone: campaign.timezone };
    let script: AgentDeskResponse['script'] = null;
    if (campaign.scriptId) {
      const [row] = await this.db.query('SELECT script_version_id FROM calls WHERE id = $1', [call.id]);
      script = await this.scripts.renderForCall(row?.script_version_id ?? campaign.scriptId, leadInput, agentInput, campaignInput);
      // The call keeps the exact version its agent saw; the first render pins it.
      if (!row?.script_version_id) {
        await this.db.query('UPDATE calls SET script_version_id = $2, updated_at = now() WHERE id = $1 AND script_version_id IS NULL', [call.id, script.scriptVersionId]);
      }
    }
    const [objections, raised] = await Promise.all([
      this.objections.renderForCall(call.campaignId, leadInput, agentInput, campaignInput),
      // With the label: a reloaded page lists what was raised (a deactivated objection is still one raised on this call).
      this.db.query(
        `SELECT co.objection_id, o.label, co.overcome FROM call_objections co JOIN objections o ON o.id = co.objection_id
          WHERE co.call_id = $1 ORDER BY co.created_at`,
        [call.id],
      ) as Promise<{ objection_id: string; label: string; overcome: boolean }[]>,
    ]);
    // The agent's PC clock may be minutes off: the page gets the time left, not an instant to compare with Date.now().
    const previewRemainingMs = call.previewExpiresAt ? Math.max(0, new Date(call.previewExpiresAt).getTime() - Date.now()) : null;
    return {
      call: { ...call, previewRemainingMs },
      lead,
      campaign: { id: campaign.id, name: campaign.name, dialMode: campaign.dialMode, callbackPolicy: campaign.callbackPolicy },
      script,
      objections,
      outcomes: campaign.outcomes.map((o) => ({ code: o.code, label: o.label, isFinal: o.isFinal, isSuccess: o.isSuccess, isDnc: o.isDnc })),
      raisedObjections: raised.map((r) => ({ objectionId: r.objection_id, label: r.label, overcome: r.overcome })),
    };
  }

  /** Records objections on one of the agent's own calls (live or in wrap-up); anyone else's call is "not found". */
  async recordObjections(agentId: string, callId: string, items: RaisedObjectionDto[]) {
    const [call] = await this.db.query(`SELECT id FROM calls WHERE id = $1 AND agent_id = $2 AND state IN ('connected', 'ended', 'wrap_up')`, [callId, agentId]);
    if (!call) throw notFound('call');
    return this.objections.recordForCall(callId, agentId, items);
  }

  /** Campaigns an agent can go Ready for. Names only. */
  async campaignsForAgent(): Promise<AgentCampaign[]> {
    const rows = await this.db.query(`SELECT id, name, dial_mode FROM campaigns WHERE status = 'running' AND deleted_at IS NULL ORDER BY name`);
    return rows.map((r: { id: string; name: string; dial_mode: string }) => ({ id: r.id, name: r.name, dialMode: r.dial_mode }));
  }

  /** The agent's own pending callbacks: due time, campaign, and the person's name (no number). */
  async callbacks(agentId: string): Promise<AgentCallback[]> {
    const rows = await this.db.query(
      `SELECT cb.id, cb.due_at, cb.scope, cb.status, cb.campaign_id, c.name AS campaign_name, l.first_name, l.last_name
         FROM callbacks cb JOIN campaigns c ON c.id = cb.campaign_id JOIN leads l ON l.id = cb.lead_id
        WHERE cb.owner_agent_id = $1 AND cb.status IN ('pending', 'leased')
        ORDER BY cb.due_at LIMIT 100`,
      [agentId],
    );
    return rows.map((r: Record<string, never>) => ({
      id: r.id, dueAt: r.due_at, scope: r.scope, status: r.status, campaignId: r.campaign_id, campaignName: r.campaign_name,
      lead: { firstName: r.first_name, lastName: r.last_name },
    }));
  }
}
