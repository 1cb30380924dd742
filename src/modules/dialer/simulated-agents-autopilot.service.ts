import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AgentStateService } from '../agents/agent-state.service';
import { CallsService } from '../calls/calls.service';
import { Rng } from '../telephony/simulated/random';
import { SimulatedAgents } from '../telephony/simulated/simulated-agents';
import { RealTimers } from '../telephony/simulated/timers';
import { LiveEventBus } from './live-events';

/**
 * Demo only: with TELEPHONY=simulated and SIMULATED_AGENTS set to a comma-separated list of agent e-mails, those
 * agents go Ready on a running campaign by themselves, take calls, wrap up (~20 s x SIMULATED_TIME_SCALE) and pick
 * an outcome, so a manager can watch a campaign run without people at the desks. Off unless configured.
 */
@Injectable()
export class SimulatedAgentsAutopilot implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SimulatedAgentsAutopilot.name);
  private readonly timers = new RealTimers();
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private agentIds: string[] = [];
  private sim?: SimulatedAgents;
  /** Calls whose wrap-up the autopilot is already working on. */
  private readonly wrapping = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DataSource,
    private readonly agents: AgentStateService,
    private readonly calls: CallsService,
    private readonly events: LiveEventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const emails = (process.env.SIMULATED_AGENTS ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
    if (this.config.TELEPHONY !== 'simulated' || !emails.length) return;
    const rows: { id: string }[] = await this.db.query(`SELECT id FROM users WHERE role = 'agent' AND active AND lower(email) = ANY($1)`, [emails]);
    this.agentIds = rows.map((r) => r.id);
    const scale = Number(process.env.SIMULATED_TIME_SCALE ?? '1') || 1;
    const sim = (this.sim = new SimulatedAgents(this.timers, new Rng(Date.now()), { meanMs: 20_000 * scale, sdMs: 8_000 * scale }, ['*'], {
      disposition: async (agentId, callId) => {
        try {
          const [call] = await this.db.query(`SELECT campaign_id FROM calls WHERE id = $1`, [callId]);
          const outcomes: { code: string }[] = await this.db.query(
            `SELECT code FROM campaign_outcomes WHERE campaign_id = $1 AND NOT is_dnc ORDER BY sort_order`, [call.campaign_id],
          );
          if (!outcomes.length) return;
          const outcome = outcomes[Math.floor(Math.random() * outcomes.length)].code;
          await this.calls.disposition(agentId, callId, { outcome });
        } finally {
          // Also after a failure (store unreachable): the next log-in round sees the wrap-up and tries again.
          this.wrapping.delete(callId);
        }
      },
    }));
    this.unsubscribe = this.events.subscribe((e) => {
      if (e.name !== 'call.ended') return;
      const p = e.payload as { agentId: string; callId: string };
      if (this.agentIds.includes(p.agentId) && !this.wrapping.has(p.callId)) {
        this.wrapping.add(p.callId);
        sim.callEnded(p.agentId, p.callId);
      }
    });
    this.timer = setInterval(() => void this.logIn().catch((err) => this.logger.warn(`autopilot: ${(err as Error).message}`)), 5_000);
    this.logger.log({ agents: this.agentIds.length }, 'simulated agents on autopilot');
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    this.timers.clearAll();
  }

  /** Logged-out autopilot agents join the first running campaign. */
  private async logIn(): Promise<void> {
    // Wrap-ups left over from before a restart or an outage (their call.ended event is gone, or the disposition
    // failed; the agent's live state may be gone with Redis): the calls table knows them.
    const leftovers: { id: string; agent_id: string }[] = await this.db.query(
      `SELECT id, agent_id FROM calls WHERE state = 'wrap_up' AND agent_id = ANY($1)`, [this.agentIds],
    );
    for (const c of leftovers) {
      if (this.wrapping.has(c.id)) continue;
      this.wrapping.add(c.id);
      this.sim?.callEnded(c.agent_id, c.id);
    }
    const [campaign] = await this.db.query(`SELECT id FROM campaigns WHERE status = 'running' AND deleted_at IS NULL AND dial_mode <> 'preview' ORDER BY created_at LIMIT 1`);
    if (!campaign) return;
    for (const id of this.agentIds) {
      const s = await this.agents.get(id);
      if (s.state === 'logged_out') await this.agents.setByAgent(id, 'ready', campaign.id, null);
      // A wrap-up left over from before a restart (its call.ended event is gone) is finished now.
      if (s.state === 'wrap_up' && s.callId && !this.wrapping.has(s.callId)) {
        this.wrapping.add(s.callId);
        this.sim?.callEnded(id, s.callId);
      }
    }
  }
}
