import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { filter, Observable, Subject } from 'rxjs';

/** What the agent desktop is told about its own agent: state changes and the life of its current call. */
export interface AgentStreamEvent {
  agentId: string;
  type: 'agent.state' | 'call.offered' | 'call.connected' | 'call.ended' | 'callbacks.changed';
  at: string;
  data: Record<string, unknown>;
}

/** What the live dashboard of one campaign is told: a stats tick, or a campaign status change. */
export interface CampaignStreamEvent {
  campaignId: string;
  type: 'campaign.stats' | 'campaign.status';
  at: string;
  data: Record<string, unknown>;
}

/**
 * The typed source the SSE endpoints read from. Producers (the dialer's live-events bus, adapted in
 * web-events.bridge.ts) push here; each SSE connection filters its own agent or campaign.
 */
@Injectable()
export class WebEvents implements OnModuleDestroy {
  private readonly agent$ = new Subject<AgentStreamEvent>();
  private readonly campaign$ = new Subject<CampaignStreamEvent>();

  publishAgent(e: AgentStreamEvent): void {
    this.agent$.next(e);
  }

  publishCampaign(e: CampaignStreamEvent): void {
    this.campaign$.next(e);
  }

  forAgent(agentId: string): Observable<AgentStreamEvent> {
    return this.agent$.pipe(filter((e) => e.agentId === agentId));
  }

  forCampaign(campaignId: string): Observable<CampaignStreamEvent> {
    return this.campaign$.pipe(filter((e) => e.campaignId === campaignId));
  }

  onModuleDestroy(): void {
    this.agent$.complete();
    this.campaign$.complete();
  }
}
