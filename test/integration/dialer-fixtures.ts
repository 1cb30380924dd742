import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';

/** A fixed-offset zone where the local time now is inside (or outside) the 08:00-21:00 legal window. */
export function zoneWhere(inside: boolean, at = new Date()): string {
  for (let h = -12; h <= 14; h++) {
    const zone = h === 0 ? 'Etc/GMT' : `Etc/GMT${h > 0 ? '-' : '+'}${Math.abs(h)}`; // Etc/GMT-3 is UTC+3
    const local = DateTime.fromJSDate(at, { zone });
    if (!local.isValid) continue;
    const hour = local.hour + local.minute / 60;
    // Keep a margin of an hour from the window's edges so a slow test run cannot cross one.
    if (inside ? hour >= 9.5 && hour < 19.5 : hour < 7 || hour >= 22) return zone;
  }
  throw new Error('no zone found');
}

const ALL_DAY = { windows: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '23:59']]])) };

let seq = 0;
export interface CampaignFixture {
  campaignId: string;
  listId: string;
  leads: { id: string; phone: string; kind: 'ok' | 'dnc_internal' | 'dnc_campaign' | 'outside_hours' }[];
}

/** A running campaign with a list: `ok` leads in a zone inside calling hours, plus DNC'd and out-of-hours ones. */
export async function makeCampaign(
  db: DataSource,
  opts: { ok: number; dncInternal?: number; dncCampaign?: number; outsideHours?: number; mode?: 'preview' | 'progressive' | 'predictive'; warmup?: number; record?: boolean },
): Promise<CampaignFixture> {
  const tag = `${process.pid}${Date.now() % 100000}${++seq}`;
  const [list] = await db.query(`INSERT INTO lead_lists (name) VALUES ($1) RETURNING id`, [`dialer-list-${tag}`]);
  const [c] = await db.query(
    `INSERT INTO campaigns (name, status, dial_mode, schedule, pacing, caller_id, ring_timeout_s, max_attempts, record_calls)
     VALUES ($1, 'running', $2, $3, $4, '+12025550100', 25, 5, $5) RETURNING id`,
    [`dialer-campaign-${tag}`, opts.mode ?? 'progressive', ALL_DAY, { warmupAnsweredCalls: opts.warmup ?? 5, maxLinesPerAgent: 3 }, opts.record ?? false],
  );
  await db.query(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES ($1, $2)`, [c.id, list.id]);
  for (const [i, o] of [
    ['sale', true, true, false, null], ['no_sale', true, false, false, null], ['call_later', false, false, false, 60], ['dnc', true, false, true, null],
  ].entries()) {
    await db.query(
      `INSERT INTO campaign_outcomes (campaign_id, code, label, is_final, is_success, is_dnc, retry_after_minutes, sort_order) VALUES ($1, $2, $2, $3, $4, $5, $6, $7)`,
      [c.id, ...o, i],
    );
  }
  const inside = zoneWhere(true);
  const outside = zoneWhere(false);
  const kinds: CampaignFixture['leads'][number]['kind'][] = [
    ...Array(opts.ok).fill('ok'), ...Array(opts.dncInternal ?? 0).fill('dnc_internal'),
    ...Array(opts.dncCampaign ?? 0).fill('dnc_campaign'), ...Array(opts.outsideHours ?? 0).fill('outside_hours'),
  ];
  const leads: CampaignFixture['leads'] = [];
  for (const [i, kind] of kinds.entries()) {
    const phone = `+1555${String(Number(tag) % 1000).padStart(3, '0')}${String(i).padStart(4, '0')}`;
    const [l] = await db.query(
      `INSERT INTO leads (list_id, phone, country, first_name, timezone, priority) VALUES ($1, $2, 'US', 'Test', $3, $4) RETURNING id::text AS id`,
      // Leads that must be blocked come first (higher priority), so a short run always reaches them.
      [list.id, phone, kind === 'outside_hours' ? outside : inside, kind === 'ok' ? 0 : 1],
    );
    if (kind === 'dnc_internal') await db.query(`INSERT INTO dnc_entries (phone, scope, source) VALUES ($1, 'internal', 'test')`, [phone]);
    if (kind === 'dnc_campaign') await db.query(`INSERT INTO dnc_entries (phone, scope, campaign_id, source) VALUES ($1, 'campaign', $2, 'test')`, [phone, c.id]);
    leads.push({ id: l.id, phone, kind });
  }
  return { campaignId: c.id, listId: list.id, leads };
}

/**
 * A call answered for `agentId` on the fixture's lead `leadIndex` and ended by the customer: the call is in wrap-up
 * and so is the agent (`toWrapUp` moves the agent, e.g. AgentStateService.transition), as a disposition finds them.
 */
export async function callInWrapUp(
  db: DataSource, fx: CampaignFixture, agentId: string, leadIndex: number,
  toWrapUp: (agentId: string, campaignId: string, callId: string) => Promise<unknown>,
): Promise<string> {
  const lead = fx.leads[leadIndex];
  await db.query(`UPDATE leads SET status = 'leased', attempts = 1, lease_owner = 'test' WHERE id = $1`, [lead.id]);
  const [c] = await db.query(
    `INSERT INTO calls (campaign_id, lead_id, phone, dial_mode, state, answer_type, agent_id, dial_at, ring_at, answer_at, connect_at, end_at, hangup_by)
     VALUES ($1, $2, $3, 'progressive', 'wrap_up', 'human', $4, now() - interval '3 min', now() - interval '170 s', now() - interval '160 s',
             now() - interval '160 s', now() - interval '5 s', 'customer') RETURNING id`,
    [fx.campaignId, lead.id, lead.phone, agentId],
  );
  await toWrapUp(agentId, fx.campaignId, c.id);
  return c.id;
}

export async function makeAgents(db: DataSource, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const [u] = await db.query(
      `INSERT INTO users (email, display_name, password_hash, role) VALUES ($1, 'Sim Agent', 'x', 'agent') RETURNING id`,
      [`sim-agent-${process.pid}-${Date.now()}-${++seq}@test.local`],
    );
    ids.push(u.id);
  }
  return ids;
}

export async function waitFor<T>(fn: () => Promise<T | false | null | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
