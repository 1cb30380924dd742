import { CallState } from '../../calls/call.entities';
import { fromStates } from '../../calls/call-state-machine';
import { GroupCommit } from '../../telephony/group-commit';

/** Anything that runs a parameterised statement: a TypeORM DataSource (rows, or [rows, count] for UPDATE) or a pg Pool ({ rows }). */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** A call about to be dialled: its record is opened (state 'dialing') before the INVITE leaves. */
export interface CallOpening {
  /** Chosen by the caller (crypto.randomUUID) so the call can be prepared while its row commits. */
  callId: string;
  campaignId: string;
  leadId: string;
  phone: string;
  /** This attempt's number for the lead (the lead's attempts so far + 1). */
  attempt: number;
  dialMode: string;
  callerId: string | null;
  gatewayId: string | null;
  workerId: string;
  at: Date;
}

/** The end of a call's leg: failed (before answer), ended (no agent), or wrap_up (an agent talked to the person). */
export interface CallClosing {
  callId: string;
  to: Extract<CallState, 'failed' | 'ended' | 'wrap_up'>;
  endAt: Date;
  hangupBy: 'customer' | 'agent' | 'system' | 'carrier';
  /** Null keeps what the record has (e.g. 'abandoned', set when the person was abandoned). */
  outcome?: string | null;
  sipCode?: number | null;
  sipReason?: string | null;
  /** The provider's id of the call (SIP Call-ID), when the carrier gave one. */
  providerCallId?: string | null;
  /**
   * An answer not recorded apart (an answering machine, hung up at once): written with the close, in the same
   * statement, so the record may also close from 'dialing' or 'ringing'.
   */
  answer?: { at: Date; type: 'human' | 'machine' } | null;
}

/** The callee answered (200 OK): the record moves to 'answered' with the time and who answered. */
export interface CallAnswer {
  callId: string;
  at: Date;
  type: 'human' | 'machine';
}

export interface CallRecordWriterOptions {
  /** Largest batch one statement carries. */
  maxBatch?: number;
  /** Statements of one kind in flight at once (each on its own pooled connection). */
  concurrency?: number;
}

/**
 * The call records of auto-dialled calls, written by group commit (see GroupCommit): the records opened (or closed)
 * while a statement is in flight are written together by the next one, one multi-row statement and one commit per
 * batch, and each caller's promise settles only once the statement that carried its row has committed. A failed
 * statement rejects every caller in its batch: nothing is reported as persisted that was not.
 *
 * Opening a record is one statement that also counts the attempt on the lead, marks its leased callback done and
 * appends the 'attempt' compliance event, so the attempt is logged exactly when its record exists. A row refused by
 * the one-live-dial-per-number index is skipped (ON CONFLICT DO NOTHING), not a failure of the batch.
 */
export class CallRecordWriter {
  private readonly opens: GroupCommit<CallOpening, boolean>;
  private readonly answers: GroupCommit<CallAnswer, boolean>;
  private readonly closes: GroupCommit<CallClosing, boolean>;

  constructor(private readonly db: SqlRunner, opts: CallRecordWriterOptions = {}) {
    const maxBatch = opts.maxBatch ?? 500;
    const concurrency = opts.concurrency ?? 2;
    this.opens = new GroupCommit((rows) => this.insert(rows), maxBatch, concurrency);
    this.answers = new GroupCommit((rows) => this.answer(rows), maxBatch, concurrency);
    this.closes = new GroupCommit((rows) => this.update(rows), maxBatch, concurrency);
  }

  /**
   * Opens the record; resolves true once committed, false when the number already has a live call (no record, no
   * attempt counted); rejects when the statement failed (nothing written).
   */
  open(call: CallOpening): Promise<boolean> {
    return this.opens.submit(call);
  }

  /** Records the answer; resolves whether it applied (false: the call had already ended or been answered). */
  answered(call: CallAnswer): Promise<boolean> {
    return this.answers.submit(call);
  }

  /** Closes the record; resolves whether it applied (false: the call was not in a state it may close from). */
  close(call: CallClosing): Promise<boolean> {
    return this.closes.submit(call);
  }

  /** Statements written and rows carried so far, per kind. */
  stats(): Record<'opens' | 'answers' | 'closes', { batches: number; rows: number }> {
    return { opens: this.opens.stats(), answers: this.answers.stats(), closes: this.closes.stats() };
  }

  private async insert(rows: CallOpening[]): Promise<boolean[]> {
    const col = <K extends keyof CallOpening>(k: K) => rows.map((r) => r[k]);
    const result = await this.db.query(
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::int[], $6::dial_mode[], $7::text[], $8::uuid[], $9::text[], $10::timestamptz[])
           AS v(id, campaign_id, lead_id, phone, attempt, dial_mode, caller_id, gateway_id, worker_id, at)
       ), opened AS (
         INSERT INTO calls (id, campaign_id, lead_id, phone, attempt, dial_mode, state, caller_id, gateway_id, worker_id, queued_at, dial_at)
         SELECT id, campaign_id, lead_id, phone, attempt, dial_mode, 'dialing', caller_id, gateway_id, worker_id, at, at FROM v
         ON CONFLICT DO NOTHING
         RETURNING id
       ), counted AS (
         UPDATE leads l SET attempts = l.attempts + 1,
                attempts_today = CASE WHEN l.attempts_day = v.at::date THEN l.attempts_today + 1 ELSE 1 END,
                attempts_day = v.at::date, last_attempt_at = v.at, updated_at = now()
           FROM opened JOIN v USING (id) WHERE l.id = v.lead_id
       ), callback_done AS (
         UPDATE callbacks cb SET status = 'done', updated_at = now()
           FROM opened JOIN v USING (id) WHERE cb.lead_id = v.lead_id AND cb.status = 'leased'
       ), logged AS (
         INSERT INTO compliance_events (occurred_at, type, actor, campaign_id, lead_id, call_id, phone, details)
         SELECT v.at, 'attempt', 'dialer', v.campaign_id, v.lead_id, v.id, v.phone, jsonb_build_object('mode', v.dial_mode)
           FROM opened JOIN v USING (id)
       )
       SELECT id::text AS id FROM opened`,
      [col('callId'), col('campaignId'), col('leadId'), col('phone'), col('attempt'), col('dialMode'), col('callerId'), col('gatewayId'),
        col('workerId'), col('at')],
    );
    const opened = new Set(resultRows<{ id: string }>(result).map((r) => r.id));
    return rows.map((r) => opened.has(r.callId));
  }

  private async answer(rows: CallAnswer[]): Promise<boolean[]> {
    const result = await this.db.query(
      `UPDATE calls c SET state = 'answered', answer_at = v.at, answer_type = v.type, updated_at = now()
         FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS v(id, at, type)
        WHERE c.id = v.id AND c.state = ANY($4::text[])
       RETURNING c.id::text AS id`,
      [rows.map((r) => r.callId), rows.map((r) => r.at), rows.map((r) => r.type), fromStates('answered')],
    );
    const applied = new Set(resultRows<{ id: string }>(result).map((r) => r.id));
    return rows.map((r) => applied.has(r.callId));
  }

  private async update(rows: CallClosing[]): Promise<boolean[]> {
    const result = await this.db.query(
      `UPDATE calls c SET state = v.state, end_at = v.end_at, hangup_by = v.hangup_by, outcome = coalesce(v.outcome, c.outcome),
              sip_code = coalesce(v.sip_code, c.sip_code), sip_reason = coalesce(v.sip_reason, c.sip_reason),
              sip_call_id = coalesce(v.sip_call_id, c.sip_call_id),
              answer_at = coalesce(c.answer_at, v.answer_at), answer_type = coalesce(c.answer_type, v.answer_type), updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[],
                     $10::timestamptz[], $11::text[])
           AS v(id, state, from_states, end_at, hangup_by, outcome, sip_code, sip_reason, sip_call_id, answer_at, answer_type)
        WHERE c.id = v.id AND c.state = ANY(string_to_array(v.from_states, ','))
       RETURNING c.id::text AS id`,
      [
        rows.map((r) => r.callId), rows.map((r) => r.to), rows.map((r) => closableFrom(r).join(',')), rows.map((r) => r.endAt),
        rows.map((r) => r.hangupBy), rows.map((r) => r.outcome ?? null), rows.map((r) => r.sipCode ?? null), rows.map((r) => r.sipReason ?? null),
        rows.map((r) => r.providerCallId || null), rows.map((r) => r.answer?.at ?? null), rows.map((r) => r.answer?.type ?? null),
      ],
    );
    const closed = new Set(resultRows<{ id: string }>(result).map((r) => r.id));
    return rows.map((r) => closed.has(r.callId));
  }
}

/** States a record may close from: with an answer carried by the close, also those it could have been answered from. */
function closableFrom(row: CallClosing): string[] {
  const from = fromStates(row.to);
  return row.answer ? [...new Set([...fromStates('answered'), ...from])] : from;
}

/** Rows of a statement's result, whichever client ran it (TypeORM answers an UPDATE with [rows, count]). */
function resultRows<T>(result: unknown): T[] {
  if (result && typeof result === 'object' && 'rows' in result && Array.isArray((result as { rows: unknown }).rows)) return (result as { rows: T[] }).rows;
  if (!Array.isArray(result)) return [];
  return (Array.isArray(result[0]) ? result[0] : result) as T[];
}
