import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { toMinutes } from './calling-hours';
import { ComplianceEventsService } from './compliance-events.service';
import { DEFAULT_FREQUENCY_CAP } from './default-rules';
import { ComplianceRules, LegalHoursRule } from './dial-gate.types';

const CACHE_MS = 5_000;

/** The legal calling-hours table (calling_hours_rules) and the per-number frequency cap, as ComplianceRules. */
@Injectable()
export class ComplianceRulesService {
  private cached: { at: number; rules: ComplianceRules } | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: ComplianceEventsService,
  ) {}

  async rules(): Promise<ComplianceRules> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.rules;
    const rows: { region: string; windows: LegalHoursRule['windows']; holidays: string[]; citation: string | null }[] = await this.db.query(
      `SELECT region, windows, holidays, citation FROM calling_hours_rules ORDER BY region`,
    );
    const [cap] = await this.db.query(`SELECT value FROM compliance_settings WHERE key = 'frequency_cap'`);
    const rules: ComplianceRules = {
      legalHours: rows.map((r) => ({ region: r.region, windows: r.windows, holidays: r.holidays, citation: r.citation ?? undefined })),
      frequencyCap: (cap?.value as ComplianceRules['frequencyCap']) ?? DEFAULT_FREQUENCY_CAP,
    };
    this.cached = { at: Date.now(), rules };
    return rules;
  }

  async list(): Promise<LegalHoursRule[]> {
    return (await this.rules()).legalHours;
  }

  async frequencyCap(): Promise<ComplianceRules['frequencyCap']> {
    return (await this.rules()).frequencyCap;
  }

  /** Sets the per-number frequency cap; the change is a compliance event. */
  async setFrequencyCap(cap: ComplianceRules['frequencyCap'], actorUserId: string): Promise<ComplianceRules['frequencyCap']> {
    const before = await this.frequencyCap();
    const value = { maxDials: cap.maxDials, windowHours: cap.windowHours };
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO compliance_settings (key, value, updated_by, updated_at) VALUES ('frequency_cap', $1::jsonb, $2, now())
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [JSON.stringify(value), actorUserId],
      );
      await this.events.record({ type: 'rule_change', reasonCode: 'frequency_cap', actorUserId, actor: 'user', details: { before, after: value } }, m);
    });
    this.cached = null;
    return value;
  }

  /** Adds or replaces the rule of one region; the change is a compliance event. */
  async upsert(rule: LegalHoursRule, actorUserId: string): Promise<LegalHoursRule> {
    rule.windows.forEach((w, i) => {
      const s = toMinutes(w.start);
      const e = toMinutes(w.end);
      if (!(s < e)) throw new DomainError('VALIDATION', 'window start must be before its end', [{ field: `windows.${i}`, reason: 'start must be before end (HH:MM, end up to 24:00)' }]);
    });
    const before = (await this.list()).find((r) => r.region === rule.region) ?? null;
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO calling_hours_rules (region, windows, holidays, citation, updated_by, updated_at) VALUES ($1, $2::jsonb, $3::jsonb, $4, $5, now())
         ON CONFLICT (region) DO UPDATE SET windows = EXCLUDED.windows, holidays = EXCLUDED.holidays, citation = EXCLUDED.citation,
           updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [rule.region, JSON.stringify(rule.windows), JSON.stringify(rule.holidays ?? []), rule.citation ?? null, actorUserId],
      );
      await this.events.record({ type: 'rule_change', reasonCode: 'calling_hours', actorUserId, actor: 'user', details: { region: rule.region, before, after: rule } }, m);
    });
    this.cached = null;
    return rule;
  }
}
