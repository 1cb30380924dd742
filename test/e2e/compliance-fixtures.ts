import { isValidPhoneNumber } from 'libphonenumber-js';
import { DataSource } from 'typeorm';
import { CampaignSchedule } from '../../src/modules/campaigns/campaign-settings';

export const ALL_DAY: CampaignSchedule = {
  windows: { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] },
};

let n = 0;
const uniq = () => `${Date.now().toString(36)}-${++n}`;

/** A campaign row (the campaigns module owns the API; compliance tests only need the row). */
export async function makeCampaign(
  db: DataSource,
  opts: { createdBy?: string | null; status?: string; schedule?: CampaignSchedule; timezone?: string; maxAttempts?: number } = {},
): Promise<string> {
  const [row] = await db.query(
    `INSERT INTO campaigns (name, status, schedule, timezone, created_by, max_attempts) VALUES ($1, $2, $3::jsonb, $4, $5, $6) RETURNING id`,
    [`compliance test ${uniq()}`, opts.status ?? 'running', JSON.stringify(opts.schedule ?? ALL_DAY), opts.timezone ?? 'America/New_York', opts.createdBy ?? null, opts.maxAttempts ?? 5],
  );
  return row.id;
}

export async function makeList(db: DataSource): Promise<string> {
  const [row] = await db.query(`INSERT INTO lead_lists (name) VALUES ($1) RETURNING id`, [`list ${uniq()}`]);
  return row.id;
}

export async function makeLead(
  db: DataSource,
  listId: string,
  phone: string,
  opts: { timezone?: string | null; candidates?: string[] | null; country?: string; state?: string; status?: string; postalCode?: string } = {},
): Promise<string> {
  const [row] = await db.query(
    `INSERT INTO leads (list_id, phone, country, timezone, tz_candidates, tz_ambiguous, status, custom_fields, postal_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) RETURNING id::text AS id`,
    [
      listId, phone, opts.country ?? 'US', opts.timezone === undefined ? 'America/New_York' : opts.timezone, opts.candidates ?? null,
      !!opts.candidates?.length, opts.status ?? 'new', JSON.stringify(opts.state ? { state: opts.state } : {}), opts.postalCode ?? null,
    ],
  );
  return row.id;
}

/** A finished call row with the given timestamps. */
export async function makeCall(
  db: DataSource,
  c: { campaignId: string; leadId: string; phone: string; dialAt: Date; answerAt?: Date | null; human?: boolean; abandonAt?: Date | null },
): Promise<string> {
  const [row] = await db.query(
    `INSERT INTO calls (campaign_id, lead_id, phone, dial_mode, state, answer_type, dial_at, answer_at, abandon_at, end_at)
     VALUES ($1, $2, $3, 'predictive', $4, $5, $6, $7, $8, $6::timestamptz + interval '1 minute') RETURNING id`,
    [
      c.campaignId, c.leadId, c.phone, c.abandonAt ? 'abandoned' : 'ended', c.human ? 'human' : null, c.dialAt, c.answerAt ?? null, c.abandonAt ?? null,
    ],
  );
  return row.id;
}

/** Distinct valid US numbers (555-01xx lines are fictional), random per run so reruns on a kept DB do not collide. */
const AREAS = Array.from({ length: 780 }, (_, i) => 201 + i).filter((a) => isValidPhoneNumber(`+1${a}5550150`));
let phoneSeq = Math.floor(Math.random() * 5000);
export function nextPhone(): { e164: string; national: string } {
  phoneSeq++;
  const area = AREAS[phoneSeq % AREAS.length];
  const line = String(100 + (Math.floor(phoneSeq / AREAS.length) % 100)).padStart(4, '0');
  return { e164: `+1${area}555${line}`, national: `(${area}) 555-${line}` };
}
