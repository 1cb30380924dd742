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
  private readonly watchers = new Map<string, number>();

  publishAgent(e: AgentStreamEvent): void {
    this.agent$.next(e);
  }

  publishCampaign(e: CampaignStreamEvent): void {
    this.campaign$.next(e);
  }

  forAgent(agentId: string): Observable<AgentStreamEvent> {
    return this.agent$.pipe(filter((e) => e.agentId === agentId));
  }

  /** Counts its subscribers, so producers compute a campaign's figures only while someone watches it. */
  forCampaign(campaignId: string): Observable<CampaignStreamEvent> {
    return new Observable<CampaignStreamEvent>((subscriber) => {
      this.watchers.set(campaignId, (this.watchers.get(campaignId) ?? 0) + 1);
      const inner = this.campaign$.pipe(filter((e) => e.campaignId === campaignId)).subscribe(subscriber);
      return () => {
        inner.unsubscribe();
        const n = (this.watchers.get(campaignId) ?? 1) - 1;
        if (n <= 0) this.watchers.delete(campaignId);
        else this.watchers.set(campaignId, n);
      };
    });
  }

  /** Campaigns with at least one open dashboard stream in this process. */
  watchedCampaigns(): string[] {
    return [...this.watchers.keys()];
  }

  onModuleDestroy(): void {
    this.agent$.complete();
    this.campaign$.complete();
  }
}
