import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core model of the dialer. Invariants live in the database:
 * - compliance_events and agent_state_events are append-only (a trigger rejects UPDATE, DELETE and TRUNCATE);
 * - script_versions are immutable once written;
 * - one phone number can never have two active dials (partial unique index on calls);
 * - one lead appears once per list (partial unique index on leads, soft-deleted rows excluded).
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    await q.query(`CREATE TYPE user_role AS ENUM ('admin', 'manager', 'agent', 'compliance')`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        display_name text NOT NULL,
        password_hash text NOT NULL,
        role user_role NOT NULL,
        active boolean NOT NULL DEFAULT true,
        sip_uri text,
        sip_username text,
        sip_password text,
        locale text NOT NULL DEFAULT 'en',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_uq ON users (lower(email))`);

    await q.query(`
      CREATE TABLE sip_gateways (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        host text NOT NULL,
        port integer NOT NULL DEFAULT 5060 CHECK (port BETWEEN 1 AND 65535),
        transport text NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp', 'tls', 'ws', 'wss')),
        username text,
        password text,
        number_format text NOT NULL DEFAULT 'e164' CHECK (number_format IN ('e164', 'national', 'e164_no_plus')),
        prefix text NOT NULL DEFAULT '',
        caller_id_rules jsonb NOT NULL DEFAULT '{}'::jsonb,
        cps_limit integer NOT NULL DEFAULT 10 CHECK (cps_limit > 0),
        channel_limit integer NOT NULL DEFAULT 100 CHECK (channel_limit > 0),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`CREATE TYPE campaign_status AS ENUM ('draft', 'scheduled', 'running', 'paused', 'completed')`);
    await q.query(`CREATE TYPE dial_mode AS ENUM ('preview', 'progressive', 'predictive')`);
    await q.query(`
      CREATE TABLE scripts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        description text,
        current_version integer NOT NULL DEFAULT 0,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE script_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        script_id uuid NOT NULL REFERENCES scripts(id),
        version integer NOT NULL,
        sections jsonb NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (script_id, version)
      )`);

    await q.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        description text,
        status campaign_status NOT NULL DEFAULT 'draft',
        dial_mode dial_mode NOT NULL DEFAULT 'progressive',
        timezone text NOT NULL DEFAULT 'UTC',
        starts_at timestamptz,
        ends_at timestamptz,
        schedule jsonb NOT NULL DEFAULT '{}'::jsonb,
        pacing jsonb NOT NULL DEFAULT '{}'::jsonb,
        retry_rules jsonb NOT NULL DEFAULT '{}'::jsonb,
        abandon_target numeric(4,2) NOT NULL DEFAULT 3.00 CHECK (abandon_target > 0 AND abandon_target <= 3),
        max_lines_per_agent numeric(5,2) NOT NULL DEFAULT 3 CHECK (max_lines_per_agent >= 1),
        ring_timeout_s integer NOT NULL DEFAULT 25 CHECK (ring_timeout_s >= 15 AND ring_timeout_s <= 120),
        max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
        max_attempts_per_day integer NOT NULL DEFAULT 3 CHECK (max_attempts_per_day >= 1),
        caller_id text,
        gateway_id uuid REFERENCES sip_gateways(id),
        script_id uuid REFERENCES scripts(id),
        record_calls boolean NOT NULL DEFAULT false,
        callback_policy text NOT NULL DEFAULT 'agent_or_anyone' CHECK (callback_policy IN ('agent_only', 'anyone_only', 'agent_or_anyone')),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX campaigns_name_uq ON campaigns (lower(name)) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX campaigns_status_idx ON campaigns (status)`);
    await q.query(`
      CREATE TABLE campaign_status_events (
        id bigserial PRIMARY KEY,
        campaign_id uuid NOT NULL REFERENCES campaigns(id),
        from_status campaign_status,
        to_status campaign_status NOT NULL,
        reason text,
        actor_user_id uuid REFERENCES users(id),
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE campaign_outcomes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        code text NOT NULL,
        label text NOT NULL,
        is_final boolean NOT NULL DEFAULT false,
        is_success boolean NOT NULL DEFAULT false,
        is_dnc boolean NOT NULL DEFAULT false,
        retry_after_minutes integer,
        sort_order integer NOT NULL DEFAULT 0,
        UNIQUE (campaign_id, code)
      )`);

    await q.query(`
      CREATE TABLE lead_lists (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        description text,
        default_country char(2) NOT NULL DEFAULT 'US',
        custom_fields jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE campaign_lists (
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        list_id uuid NOT NULL REFERENCES lead_lists(id),
        priority integer NOT NULL DEFAULT 1,
        weight integer NOT NULL DEFAULT 1 CHECK (weight > 0),
        active boolean NOT NULL DEFAULT true,
        PRIMARY KEY (campaign_id, list_id)
      )`);

    await q.query(`CREATE TYPE lead_status AS ENUM ('new', 'retry', 'callback', 'leased', 'done', 'dnc', 'invalid')`);
    await q.query(`
      CREATE TABLE leads (
        id bigserial PRIMARY KEY,
        list_id uuid NOT NULL REFERENCES lead_lists(id),
        phone text NOT NULL CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
        phone_type text,
        alt_phones jsonb NOT NULL DEFAULT '[]'::jsonb,
        country char(2),
        first_name text,
        last_name text,
        postal_code text,
        timezone text,
        tz_candidates text[],
        tz_ambiguous boolean NOT NULL DEFAULT false,
        custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb,
        status lead_status NOT NULL DEFAULT 'new',
        priority integer NOT NULL DEFAULT 0,
        attempts integer NOT NULL DEFAULT 0,
        attempts_today integer NOT NULL DEFAULT 0,
        attempts_day date,
        last_attempt_at timestamptz,
        next_attempt_at timestamptz,
        last_outcome text,
        lease_owner text,
        lease_expires_at timestamptz,
        import_job_id text,
        source_line integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX leads_list_phone_uq ON leads (list_id, phone) WHERE deleted_at IS NULL`);
    // Lead selection: dialable leads of a list by priority, then the oldest retry time first.
    await q.query(`
      CREATE INDEX leads_dialable_idx ON leads (list_id, priority DESC, next_attempt_at NULLS FIRST, id)
      WHERE deleted_at IS NULL AND status IN ('new', 'retry', 'callback')`);
    await q.query(`CREATE INDEX leads_phone_idx ON leads (phone)`);
    await q.query(`CREATE INDEX leads_lease_idx ON leads (lease_expires_at) WHERE status = 'leased'`);
    await q.query(`CREATE INDEX leads_list_status_idx ON leads (list_id, status) WHERE deleted_at IS NULL`);

    await q.query(`CREATE TYPE dnc_scope AS ENUM ('internal', 'campaign', 'registry')`);
    await q.query(`
      CREATE TABLE dnc_entries (
        id bigserial PRIMARY KEY,
        phone text NOT NULL CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
        scope dnc_scope NOT NULL,
        campaign_id uuid REFERENCES campaigns(id),
        source text,
        reason text,
        expires_at timestamptz,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        removed_at timestamptz,
        removed_by uuid REFERENCES users(id),
        removed_reason text,
        CHECK ((scope = 'campaign') = (campaign_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX dnc_entries_phone_idx ON dnc_entries (phone) WHERE removed_at IS NULL`);
    await q.query(`
      CREATE UNIQUE INDEX dnc_entries_active_uq ON dnc_entries (phone, scope, coalesce(campaign_id, '00000000-0000-0000-0000-000000000000'::uuid))
      WHERE removed_at IS NULL`);

    await q.query(`
      CREATE TABLE compliance_events (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        type text NOT NULL,
        reason_code text,
        actor_user_id uuid,
        actor text NOT NULL DEFAULT 'system',
        campaign_id uuid,
        lead_id bigint,
        call_id uuid,
        agent_id uuid,
        phone text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX compliance_events_type_time_idx ON compliance_events (type, occurred_at)`);
    await q.query(`CREATE INDEX compliance_events_campaign_time_idx ON compliance_events (campaign_id, occurred_at)`);
    await q.query(`CREATE INDEX compliance_events_phone_idx ON compliance_events (phone, occurred_at)`);

    await q.query(`
      CREATE TABLE objections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaigns(id),
        category text NOT NULL,
        label text NOT NULL,
        rebuttal_template text NOT NULL,
        sort_order integer NOT NULL DEFAULT 0,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX objections_campaign_idx ON objections (campaign_id)`);

    await q.query(`
      CREATE TABLE calls (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaigns(id),
        lead_id bigint NOT NULL REFERENCES leads(id),
        phone text NOT NULL,
        attempt integer NOT NULL DEFAULT 1,
        dial_mode dial_mode NOT NULL,
        state text NOT NULL DEFAULT 'queued' CHECK (state IN
          ('queued', 'dialing', 'ringing', 'answered', 'connected', 'abandoned', 'ended', 'wrap_up', 'dispositioned', 'failed')),
        answer_type text CHECK (answer_type IN ('human', 'machine')),
        outcome text,
        sip_code integer,
        sip_reason text,
        caller_id text,
        gateway_id uuid REFERENCES sip_gateways(id),
        agent_id uuid REFERENCES users(id),
        script_version_id uuid REFERENCES script_versions(id),
        sip_call_id text,
        worker_id text,
        hangup_by text CHECK (hangup_by IN ('customer', 'agent', 'system', 'carrier')),
        recording_path text,
        queued_at timestamptz NOT NULL DEFAULT now(),
        dial_at timestamptz,
        ring_at timestamptz,
        answer_at timestamptz,
        connect_at timestamptz,
        abandon_at timestamptz,
        end_at timestamptz,
        wrapup_end_at timestamptz,
        disposition_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One number can never have two active dials: a call is active until it has ended.
    await q.query(`CREATE UNIQUE INDEX calls_one_active_dial_per_phone_uq ON calls (phone) WHERE end_at IS NULL`);
    await q.query(`CREATE INDEX calls_campaign_time_idx ON calls (campaign_id, queued_at)`);
    await q.query(`CREATE INDEX calls_lead_idx ON calls (lead_id)`);
    await q.query(`CREATE INDEX calls_agent_time_idx ON calls (agent_id, queued_at)`);
    await q.query(`CREATE INDEX calls_open_idx ON calls (worker_id) WHERE end_at IS NULL`);

    await q.query(`
      CREATE TABLE call_objections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        call_id uuid NOT NULL REFERENCES calls(id),
        objection_id uuid NOT NULL REFERENCES objections(id),
        overcome boolean NOT NULL DEFAULT false,
        agent_id uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (call_id, objection_id)
      )`);
    await q.query(`
      CREATE TABLE dispositions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        call_id uuid NOT NULL UNIQUE REFERENCES calls(id),
        campaign_id uuid NOT NULL REFERENCES campaigns(id),
        lead_id bigint NOT NULL REFERENCES leads(id),
        agent_id uuid REFERENCES users(id),
        outcome text NOT NULL,
        notes text,
        callback_at timestamptz,
        callback_scope text CHECK (callback_scope IN ('agent', 'anyone')),
        dnc_requested boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE callbacks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaigns(id),
        lead_id bigint NOT NULL REFERENCES leads(id),
        call_id uuid REFERENCES calls(id),
        owner_agent_id uuid REFERENCES users(id),
        scope text NOT NULL CHECK (scope IN ('agent', 'anyone')),
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'leased', 'done', 'cancelled', 'expired')),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX callbacks_due_idx ON callbacks (campaign_id, due_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX callbacks_owner_idx ON callbacks (owner_agent_id, due_at)`);

    await q.query(`
      CREATE TABLE agent_state_events (
        id bigserial PRIMARY KEY,
        agent_id uuid NOT NULL REFERENCES users(id),
        campaign_id uuid REFERENCES campaigns(id),
        state text NOT NULL CHECK (state IN ('logged_out', 'ready', 'reserved', 'on_call', 'on_hold', 'wrap_up', 'paused')),
        reason text,
        call_id uuid,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX agent_state_events_agent_time_idx ON agent_state_events (agent_id, at)`);
    await q.query(`CREATE INDEX agent_state_events_campaign_time_idx ON agent_state_events (campaign_id, at)`);

    // Append-only records: compliance evidence and agent state history are never edited after the fact.
    await q.query(`
      CREATE FUNCTION reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['compliance_events', 'agent_state_events', 'script_versions', 'campaign_status_events']) {
      await q.query(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION reject_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION reject_change()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'agent_state_events', 'callbacks', 'dispositions', 'call_objections', 'calls', 'objections', 'compliance_events',
      'dnc_entries', 'leads', 'campaign_lists', 'lead_lists', 'campaign_outcomes', 'campaign_status_events', 'campaigns',
      'script_versions', 'scripts', 'sip_gateways', 'users',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
    await q.query(`DROP FUNCTION IF EXISTS reject_change()`);
    for (const type of ['dnc_scope', 'lead_status', 'dial_mode', 'campaign_status', 'user_role']) {
      await q.query(`DROP TYPE IF EXISTS ${type}`);
    }
  }
}
