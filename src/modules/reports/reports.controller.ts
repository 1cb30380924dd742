import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { Roles } from '../../common/auth/roles.decorator';
import { CLOCK, Clock } from '../../common/clock';
import { invalid } from '../../common/errors/domain-error';
import { streamCsv } from '../../common/csv-export';
import { Role } from '../users/user.entity';
import { AgentKpis, CampaignKpiReport, KpiReportService } from './kpi-report.service';
import { KpiQuery } from './reports.dto';

const MAX_RANGE_DAYS = 93;

@ApiTags('reports')
@Controller('api/reports')
export class ReportsController {
  constructor(
    private readonly kpis: KpiReportService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('campaigns/:id/kpis')
  @Roles(Role.Admin, Role.Manager)
  @ApiOperation({
    summary: 'A campaign\'s KPIs over a period, in total and per agent: contact, abandon and conversion rates, AHT, ACW, occupancy, talk minutes and calls per agent hour, wait between calls, pause time by reason, list penetration',
  })
  campaign(@Param('id', ParseUUIDPipe) id: string, @Query() q: KpiQuery): Promise<CampaignKpiReport> {
    const { from, to } = this.range(q);
    return this.kpis.campaign(id, from, to);
  }

  @Get('campaigns/:id/kpis/agents.csv')
  @Roles(Role.Admin, Role.Manager)
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The per-agent KPIs of a campaign over a period as CSV (one row an agent)' })
  async campaignAgentsCsv(@Param('id', ParseUUIDPipe) id: string, @Query() q: KpiQuery, @Res() res: Response): Promise<void> {
    const { from, to } = this.range(q);
    const report = await this.kpis.campaign(id, from, to);
    const num = (key: keyof AgentKpis) => ({ key, header: key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value: (r: AgentKpis) => r[key] });
    await streamCsv(
      res,
      'campaign-agent-kpis.csv',
      [
        { key: 'agent_id', header: 'agent_id', value: (r: AgentKpis) => r.agentId },
        { key: 'display_name', header: 'display_name', value: (r: AgentKpis) => r.displayName },
        { key: 'from', header: 'from', value: () => from },
        { key: 'to', header: 'to', value: () => to },
        ...(['handled', 'conversions', 'conversionRate', 'averageTalkS', 'averageWrapUpS', 'averageHandleS', 'loggedInS', 'pausedS',
          'occupancy', 'talkMinutesPerAgentHour', 'callsPerAgentHour', 'averageWaitS'] as const).map(num),
        { key: 'paused_by_reason', header: 'paused_by_reason', value: (r: AgentKpis) => r.pausedByReason },
      ],
      (async function* () { yield* report.agents; })(),
    );
  }

  private range(q: KpiQuery): { from: Date; to: Date } {
    const to = q.to ? new Date(q.to) : this.clock.now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 86_400_000);
    if (from >= to) throw invalid('to', 'must be after from');
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
      throw invalid('to', `must be at most ${MAX_RANGE_DAYS} days after from`);
    }
    return { from, to };
  }
}
