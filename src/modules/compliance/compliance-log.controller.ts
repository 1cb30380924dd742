import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { AuthUser, CurrentUser } from '../../common/auth/auth-user';
import { Roles } from '../../common/auth/roles.decorator';
import { invalid } from '../../common/errors/domain-error';
import { Role } from '../users/user.entity';
import { CampaignAccessService } from './campaign-access.service';
import { ComplianceEventFilter, ComplianceEventRow, ComplianceEventsService, ComplianceEventType } from './compliance-events.service';
import { AbandonQuery, DncLogQuery, EventLogQuery, LogQuery, OutsideHoursQuery } from './compliance.dto';
import { AbandonRateRow, ComplianceReportsService, OutsideHoursRow } from './compliance-reports.service';
import { streamCsv } from '../../common/csv-export';
import { DncService } from './dnc.service';

const EVENT_COLUMNS = [
  { key: 'id', header: 'event_id', value: (e: ComplianceEventRow) => e.id },
  { key: 'occurred_at', header: 'occurred_at', value: (e: ComplianceEventRow) => e.occurredAt },
  { key: 'type', header: 'type', value: (e: ComplianceEventRow) => e.type },
  { key: 'reason_code', header: 'reason_code', value: (e: ComplianceEventRow) => e.reasonCode },
  { key: 'phone', header: 'phone', value: (e: ComplianceEventRow) => e.phone },
  { key: 'campaign_id', header: 'campaign_id', value: (e: ComplianceEventRow) => e.campaignId },
  { key: 'lead_id', header: 'lead_id', value: (e: ComplianceEventRow) => e.leadId },
  { key: 'call_id', header: 'call_id', value: (e: ComplianceEventRow) => e.callId },
  { key: 'agent_id', header: 'agent_id', value: (e: ComplianceEventRow) => e.agentId },
  { key: 'actor', header: 'actor', value: (e: ComplianceEventRow) => e.actor },
  { key: 'actor_user_id', header: 'actor_user_id', value: (e: ComplianceEventRow) => e.actorUserId },
  { key: 'actor_name', header: 'actor_name', value: (e: ComplianceEventRow) => e.actorName },
  { key: 'reason', header: 'reason', value: (e: ComplianceEventRow) => e.details.reason ?? e.details.detail ?? '' },
  { key: 'details', header: 'details', value: (e: ComplianceEventRow) => e.details },
];

const windowCols = (name: string, pick: (r: AbandonRateRow) => AbandonRateRow['fcc30d']) => [
  { key: `${name}_abandoned`, header: `${name}_abandoned`, value: (r: AbandonRateRow) => pick(r).abandoned },
  { key: `${name}_human_answered`, header: `${name}_human_answered`, value: (r: AbandonRateRow) => pick(r).humanAnswered },
  { key: `${name}_rate_pct`, header: `${name}_rate_pct`, value: (r: AbandonRateRow) => pick(r).ratePct },
  { key: `${name}_over_cap`, header: `${name}_over_cap`, value: (r: AbandonRateRow) => pick(r).overCap },
];

const OUTSIDE_COLUMNS: { key: string; header: string; value: (r: OutsideHoursRow) => unknown }[] = [
  { key: 'call_id', header: 'call_id', value: (r) => r.callId },
  { key: 'campaign_id', header: 'campaign_id', value: (r) => r.campaignId },
  { key: 'lead_id', header: 'lead_id', value: (r) => r.leadId },
  { key: 'phone', header: 'phone', value: (r) => r.phone },
  { key: 'dial_at', header: 'dial_at', value: (r) => r.dialAt },
  { key: 'zones', header: 'zones', value: (r) => r.zones.join(' ') },
  { key: 'kind', header: 'kind', value: (r) => r.kind },
  { key: 'reason', header: 'reason', value: (r) => r.reason },
  { key: 'detail', header: 'detail', value: (r) => r.detail },
];

/**
 * The compliance officer's review: DNC log, blocked-dial log, abandon rates, calls outside hours, and their CSV
 * exports (each export is itself a compliance event). Read-only.
 */
@ApiTags('compliance')
@ApiBearerAuth()
@Controller('api/compliance')
export class ComplianceLogController {
  constructor(
    private readonly events: ComplianceEventsService,
    private readonly reports: ComplianceReportsService,
    private readonly dnc: DncService,
    private readonly access: CampaignAccessService,
  ) {}

  private filter(q: LogQuery, types: ComplianceEventType[]): ComplianceEventFilter {
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to && from >= to) throw invalid('to', 'must be after from');
    return { types, phone: q.phone ? this.dnc.normalise(q.phone, q.country) : undefined, from, to, campaignId: q.campaignId, agentId: q.agentId, reason: q.reason };
  }

  private dncTypes(q: DncLogQuery): ComplianceEventType[] {
    return q.action === 'add' ? ['dnc_add', 'dnc_added'] : q.action === 'remove' ? ['dnc_remove'] : ['dnc_add', 'dnc_added', 'dnc_remove'];
  }

  @Get('log/dnc')
  @Roles(Role.Admin, Role.Compliance)
  @ApiOperation({ summary: 'DNC change log: every add and remove, who, when, why (roles: admin, compliance)' })
  async dncLog(@Query() q: DncLogQuery, @CurrentUser() user: AuthUser) {
    return this.searchLog(user, 'dnc', this.filter(q, this.dncTypes(q)), q);
  }

  @Get('log/blocked')
  @Roles(Role.Admin, Role.Compliance)
  @ApiOperation({ summary: 'Blocked-dial log: every dial the gate refused, with its reason (roles: admin, compliance)' })
  async blockedLog(@Query() q: LogQuery, @CurrentUser() user: AuthUser) {
    return this.searchLog(user, 'blocked', this.filter(q, ['dial_blocked']), q);
  }

  @Get('log/events')
  @Roles(Role.Admin, Role.Compliance)
  @ApiOperation({ summary: 'Any compliance event type: abandons, attempts, exports (who exported what), registry imports, rule changes (roles: admin, compliance)' })
  async eventLog(@Query() q: EventLogQuery, @CurrentUser() user: AuthUser) {
    return this.searchLog(user, q.type, this.filter(q, [q.type]), q);
  }

  /**
   * A page of a log, and the search itself recorded (data_access, reason compliance_log) once its rows are read: the
   * logs show customers' numbers, so who searched them, and for which number, is part of the audit trail.
   */
  private async searchLog(user: AuthUser, log: string, f: ComplianceEventFilter, q: LogQuery) {
    const found = await this.events.search(f, q.page, q.pageSize);
    await this.recordRead(user, log, q, found.items.length, { from: f.from, to: f.to, campaignId: f.campaignId, agentId: f.agentId, reason: f.reason }, f.phone);
    return { ...found, page: q.page, pageSize: q.pageSize };
  }

  /** One page of customers' numbers read from a log or report: a data_access event (reason compliance_log). */
  private async recordRead(user: AuthUser, log: string, q: { page: number; pageSize: number }, returned: number, filters: object, phone?: string): Promise<void> {
    await this.events.record({
      type: 'data_access', reasonCode: 'compliance_log', actor: 'user', actorUserId: user.id, phone: phone ?? null,
      details: { role: user.role, log, page: q.page, pageSize: q.pageSize, returned, filters },
    });
  }

  @Get('log/events/export')
  @Roles(Role.Admin, Role.Compliance)
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'Compliance events of one type as CSV, streamed (roles: admin, compliance)' })
  async exportEventLog(@Query() q: EventLogQuery, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const f = this.filter(q, [q.type]);
    await this.recordExport(user, `${q.type}_log`, f);
    await streamCsv(res, `${q.type}-log.csv`, EVENT_COLUMNS, this.events.iterate(f));
  }

  @Get('log/dnc/export')
  @Roles(Role.Admin, Role.Compliance)
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'DNC change log as CSV, streamed (roles: admin, compliance)' })
  async exportDncLog(@Query() q: DncLogQuery, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const f = this.filter(q, this.dncTypes(q));
    await this.recordExport(user, 'dnc_log', f);
    await streamCsv(res, 'dnc-log.csv', EVENT_COLUMNS, this.events.iterate(f));
  }

  @Get('log/blocked/export')
  @Roles(Role.Admin, Role.Compliance)
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'Blocked-dial log as CSV, streamed (roles: admin, compliance)' })
  async exportBlockedLog(@Query() q: LogQuery, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const f = this.filter(q, ['dial_blocked']);
    await this.recordExport(user, 'blocked_dial_log', f);
    await streamCsv(res, 'blocked-dials.csv', EVENT_COLUMNS, this.events.iterate(f));
  }

  @Get('reports/abandon-rates')
  @Roles(Role.Admin, Role.Compliance, Role.Manager)
  @ApiOperation({ summary: 'Abandon rate per campaign: FCC 30 days, Ofcom 24 h, calendar day (roles: admin, compliance, manager for own campaigns)' })
  async abandonRates(@Query() q: AbandonQuery, @CurrentUser() user: AuthUser) {
    if (q.campaignId && user.role === Role.Manager) await this.access.assertCampaign(user, q.campaignId);
    const at = q.at ? new Date(q.at) : new Date();
    return { at, capPct: 3, campaigns: await this.reports.abandonRates(at, await this.access.visibleCampaignIds(user), q.campaignId) };
  }

  @Get('reports/abandon-rates/export')
  @Roles(Role.Admin, Role.Compliance)
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'Abandon rates as CSV (roles: admin, compliance)' })
  async exportAbandonRates(@Query() q: AbandonQuery, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const at = q.at ? new Date(q.at) : new Date();
    await this.recordExport(user, 'abandon_rates', { at, campaignId: q.campaignId });
    const rows = await this.reports.abandonRates(at, 'all', q.campaignId);
    await streamCsv(
      res,
      'abandon-rates.csv',
      [
        { key: 'campaign_id', header: 'campaign_id', value: (r: AbandonRateRow) => r.campaignId },
        { key: 'campaign_name', header: 'campaign_name', value: (r: AbandonRateRow) => r.campaignName },
        { key: 'at', header: 'at', value: () => at },
        ...windowCols('fcc_30d', (r) => r.fcc30d),
        ...windowCols('ofcom_24h', (r) => r.ofcom24h),
        { key: 'calendar_day', header: 'calendar_day', value: (r: AbandonRateRow) => r.calendarDay.date },
        ...windowCols('day', (r) => r.calendarDay),
        { key: 'abandon_events_30d', header: 'abandon_events_30d', value: (r: AbandonRateRow) => r.abandonEvents30d },
      ],
      (async function* () { yield* rows; })(),
    );
  }

  @Get('reports/outside-hours')
  @Roles(Role.Admin, Role.Compliance)
  @ApiOperation({ summary: 'Calls dialled outside legal or campaign hours in the lead zone; must be none (roles: admin, compliance)' })
  async outsideHours(@Query() q: OutsideHoursQuery, @CurrentUser() user: AuthUser) {
    const { from, to } = this.range(q);
    const stats = { checked: 0 };
    const all: OutsideHoursRow[] = [];
    for await (const row of this.reports.outsideHours(from, to, q.campaignId ? [q.campaignId] : 'all', stats)) all.push(row);
    const start = (q.page - 1) * q.pageSize;
    const items = all.slice(start, start + q.pageSize);
    // The report lists customers' numbers: reading it is recorded like a log search.
    await this.recordRead(user, 'outside_hours', q, items.length, { from, to, campaignId: q.campaignId });
    return { from, to, checked: stats.checked, total: all.length, items, page: q.page, pageSize: q.pageSize };
  }

  @Get('reports/outside-hours/export')
  @Roles(Role.Admin, Role.Compliance)
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'Calls outside hours as CSV, streamed (roles: admin, compliance)' })
  async exportOutsideHours(@Query() q: OutsideHoursQuery, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const { from, to } = this.range(q);
    await this.recordExport(user, 'outside_hours', { from, to, campaignId: q.campaignId });
    await streamCsv(res, 'outside-hours.csv', OUTSIDE_COLUMNS, this.reports.outsideHours(from, to, q.campaignId ? [q.campaignId] : 'all'));
  }

  private range(q: OutsideHoursQuery): { from: Date; to: Date } {
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (from >= to) throw invalid('to', 'must be after from');
    if (to.getTime() - from.getTime() > 366 * 86400_000) throw invalid('to', 'range must not exceed 366 days');
    return { from, to };
  }

  private async recordExport(user: AuthUser, report: string, filters: object): Promise<void> {
    await this.events.record({ type: 'export', reasonCode: report, actorUserId: user.id, actor: 'user', details: { report, filters, role: user.role } });
  }
}
