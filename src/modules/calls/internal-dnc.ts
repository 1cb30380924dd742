import { EntityManager } from 'typeorm';

/**
 * "Never call me again": the number goes on the internal DNC list at once, with a compliance event.
 * Kept in one small function so the compliance module's DNC service can take its place.
 */
export async function addInternalDnc(
  tx: EntityManager,
  entry: { phone: string; agentId: string; campaignId: string; leadId: string; callId: string; at: Date },
): Promise<void> {
  const inserted: unknown[] = await tx.query(
    `INSERT INTO dnc_entries (phone, scope, source, reason, created_by, created_at)
     SELECT $1, 'internal', 'agent_disposition', 'requested by the called person', $2, $3
      WHERE NOT EXISTS (SELECT 1 FROM dnc_entries WHERE phone = $1 AND scope = 'internal' AND removed_at IS NULL)
     RETURNING id`,
    [entry.phone, entry.agentId, entry.at],
  );
  await tx.query(
    `INSERT INTO compliance_events (occurred_at, type, reason_code, actor_user_id, actor, campaign_id, lead_id, call_id, agent_id, phone, details)
     VALUES ($1, 'dnc_added', 'called_party_request', $2, 'agent', $3, $4, $5, $2, $6, $7)`,
    [entry.at, entry.agentId, entry.campaignId, entry.leadId, entry.callId, entry.phone, { scope: 'internal', alreadyListed: inserted.length === 0 }],
  );
}
