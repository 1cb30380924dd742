import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnvFile } from '../src/config/load-env-file';
import { typeOrmOptions } from '../src/database/typeorm-options';
import { Role, UserEntity } from '../src/modules/users/user.entity';
import { hashPassword } from '../src/modules/users/users.service';

/**
 * Demo data for `npm start`: one user per role, five agents, a campaign with a lead list of fictional numbers
 * (the +1 ...555-01xx range is reserved for fiction). Idempotent: running it again changes nothing already there.
 */
export const DEMO_PASSWORD = 'demo-password-123';
export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: 'admin@demo.local', name: 'Demo Admin', role: Role.Admin },
  { email: 'manager@demo.local', name: 'Demo Manager', role: Role.Manager },
  { email: 'compliance@demo.local', name: 'Demo Compliance', role: Role.Compliance },
  ...[1, 2, 3, 4, 5].map((i) => ({ email: `agent${i}@demo.local`, name: `Demo Agent ${i}`, role: Role.Agent })),
];

export async function seed(ds: DataSource): Promise<void> {
  const users = ds.getRepository(UserEntity);
  const hash = await hashPassword(DEMO_PASSWORD);
  for (const u of DEMO_USERS) {
    const exists = await users.createQueryBuilder('u').where('lower(u.email) = lower(:e)', { e: u.email }).getExists();
    if (!exists) await users.save(users.create({ email: u.email, displayName: u.name, role: u.role, passwordHash: hash }));
  }
  const manager = await users.findOneByOrFail({ email: 'manager@demo.local' });
  const [{ count }] = await ds.query(`SELECT count(*)::int AS count FROM campaigns WHERE name = 'Demo: Home Energy Survey'`);
  if (count > 0) return;
  await ds.transaction(async (tx) => {
    const [list] = await tx.query(
      `INSERT INTO lead_lists (name, default_country, custom_fields, created_by) VALUES ('Demo leads', 'US', '["product","city"]', $1) RETURNING id`,
      [manager.id],
    );
    const [campaign] = await tx.query(
      `INSERT INTO campaigns (name, description, dial_mode, timezone, caller_id, created_by, schedule)
       VALUES ('Demo: Home Energy Survey', 'Seeded demo campaign on the simulated carrier', 'predictive', 'America/New_York', '+12025550100', $1,
               '{"windows":{"mon":[["09:00","20:00"]],"tue":[["09:00","20:00"]],"wed":[["09:00","20:00"]],"thu":[["09:00","20:00"]],"fri":[["09:00","20:00"]],"sat":[["10:00","18:00"]]}}')
       RETURNING id`,
      [manager.id],
    );
    await tx.query(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES ($1, $2)`, [campaign.id, list.id]);
    const sections = [
      { key: 'greeting', title: 'Greeting', template: 'Hello {{lead.firstName}}, this is {{agent.firstName}} calling for {{campaign.name}}. Do you have two minutes?', branches: [{ label: 'Yes', goto: 'qualify' }, { label: 'No time', goto: 'goodbye' }] },
      { key: 'qualify', title: 'Qualify', template: 'I see you are in {{lead.custom.city}}. Are you the home owner, and how do you heat your home today?', branches: [{ label: 'Owner', goto: 'pitch' }, { label: 'Renting', goto: 'goodbye' }] },
      { key: 'pitch', title: 'Pitch', template: 'Many homes like yours save up to 30% with {{lead.custom.product}}. We offer a free survey at a time that suits you.', branches: [{ label: 'Interested', goto: 'close' }, { label: 'Objection', goto: 'objections' }] },
      { key: 'objections', title: 'Objections', template: 'Acknowledge first, then answer, then come back to the survey.', branches: [{ label: 'Back to the close', goto: 'close' }] },
      { key: 'close', title: 'Close', template: 'Shall I book the free survey for you, {{lead.firstName}}?', branches: [{ label: 'Booked', goto: 'goodbye' }] },
      { key: 'goodbye', title: 'Goodbye', template: 'Thank you for your time, {{lead.firstName}}. Have a good day.', branches: [] },
    ];
    const [script] = await tx.query(`INSERT INTO scripts (name, current_version, created_by) VALUES ('Demo: energy survey script', 1, $1) RETURNING id`, [manager.id]);
    await tx.query(`INSERT INTO script_versions (script_id, version, sections, created_by) VALUES ($1, 1, $2, $3)`, [script.id, JSON.stringify(sections), manager.id]);
    await tx.query(`UPDATE campaigns SET script_id = $1 WHERE id = $2`, [script.id, campaign.id]);
    const objections = [
      ['price', 'Too expensive', 'I understand, {{lead.firstName}}. The survey is free, and most owners recover the cost within a few years.'],
      ['time', 'No time', 'Of course. It takes one minute now, or I can call back at a better time. When suits you?'],
      ['have_one', 'Already have one', 'Great, then you know the benefits. The survey checks whether your {{lead.custom.product}} is working at its best.'],
      ['source', 'Who gave you my number?', 'Fair question. Your number is on a list of households in {{lead.custom.city}}; I can remove it right away if you prefer.'],
    ];
    for (const [i, [category, label, rebuttal]] of objections.entries()) {
      await tx.query(`INSERT INTO objections (campaign_id, category, label, rebuttal_template, sort_order) VALUES ($1, $2, $3, $4, $5)`, [campaign.id, category, label, rebuttal, i]);
    }
    const outcomes = [
      ['sale', 'Sale', true, true, false, null],
      ['not_interested', 'Not interested', true, false, false, null],
      ['callback', 'Call back', false, false, false, null],
      ['no_answer', 'No answer', false, false, false, 240],
      ['busy', 'Busy', false, false, false, 15],
      ['wrong_number', 'Wrong number', true, false, false, null],
      ['dnc', 'Do not call', true, false, true, null],
    ];
    for (const [i, o] of outcomes.entries()) {
      await tx.query(
        `INSERT INTO campaign_outcomes (campaign_id, code, label, is_final, is_success, is_dnc, retry_after_minutes, sort_order)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [campaign.id, ...o, i],
      );
    }
    const zones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];
    const areas = ['202', '312', '303', '415'];
    const first = ['Alex', 'Sam', 'Jordan', 'Taylor', 'Casey', 'Riley', 'Morgan', 'Jamie'];
    const products = ['solar panels', 'heat pump', 'insulation', 'smart thermostat'];
    for (let i = 0; i < 400; i++) {
      const z = i % 4;
      const phone = `+1${areas[z]}555${String(100 + (Math.floor(i / 4) % 100)).padStart(4, '0')}`;
      await tx.query(
        `INSERT INTO leads (list_id, phone, phone_type, country, first_name, last_name, timezone, custom_fields)
         VALUES ($1, $2, 'fixed-line', 'US', $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [list.id, phone, first[i % first.length], `Demo${i}`, zones[z], JSON.stringify({ product: products[i % 4], city: ['Washington', 'Chicago', 'Denver', 'San Francisco'][z] })],
      );
    }
  });
}

async function main(): Promise<void> {
  loadEnvFile();
  const ds = new DataSource(typeOrmOptions(process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/dialer'));
  await ds.initialize();
  await seed(ds);
  await ds.destroy();
  process.stdout.write(`demo data ready: log in as admin@demo.local, manager@demo.local, compliance@demo.local or agent1..5@demo.local with password ${DEMO_PASSWORD}\n`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`seed failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
