import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

/** Lead lists, leads and gateways are owned by other modules; these tests insert the rows they need directly. */
export async function insertLeadList(db: DataSource, customFields: string[], name = `list-${randomUUID()}`): Promise<string> {
  const [row] = await db.query('INSERT INTO lead_lists (name, custom_fields) VALUES ($1, $2::jsonb) RETURNING id', [name, JSON.stringify(customFields)]);
  return row.id;
}

let phoneSeq = 0;
export async function insertLead(
  db: DataSource, listId: string, lead: { firstName?: string; lastName?: string; custom?: Record<string, unknown>; timezone?: string },
): Promise<string> {
  const phone = `+1415555${String(1000 + ((process.pid * 7 + ++phoneSeq) % 9000)).padStart(4, '0')}`;
  const [row] = await db.query(
    `INSERT INTO leads (list_id, phone, first_name, last_name, timezone, custom_fields) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id`,
    [listId, phone, lead.firstName ?? null, lead.lastName ?? null, lead.timezone ?? null, JSON.stringify(lead.custom ?? {})],
  );
  return String(row.id);
}

export async function insertGateway(db: DataSource, active = true): Promise<string> {
  const [row] = await db.query('INSERT INTO sip_gateways (name, host, active) VALUES ($1, $2, $3) RETURNING id', [`gw-${randomUUID()}`, '127.0.0.1', active]);
  return row.id;
}

export const uniqueName = (base: string) => `${base} ${randomUUID().slice(0, 8)}`;
