import { ModuleRef } from '@nestjs/core';
import { LiveEvent, LiveEventBus } from '../../dialer/live-events';
import { LiveStatsService } from '../../dialer/live-stats.service';
import { LiveBridge } from './live-bridge';
import { WebEvents } from './web-events';

describe('LiveBridge: the dashboard follows agent state changes, at most once a second, none lost', () => {
  let listener: (e: LiveEvent) => void;
  let queries: string[];
  let bridge: LiveBridge;
  let web: WebEvents;
  const at = '2026-01-01T00:00:00.000Z';
  const agentState = (campaignId: string, state: string) =>
    listener({ name: 'agent.state', payload: { agentId: 'a1', campaignId, state, reason: null, at } } as LiveEvent);

  beforeEach(() => {
    jest.useFakeTimers();
    queries = [];
    web = new WebEvents();
    const bus = { subscribe: (l: (e: LiveEvent) => void) => ((listener = l), () => undefined) } as unknown as LiveEventBus;
    const stats = { live: async (id: string) => (queries.push(id), { campaignId: id }) } as unknown as LiveStatsService;
    bridge = new LiveBridge(bus, web, { get: () => stats } as unknown as ModuleRef);
    bridge.onModuleInit();
  });
  afterEach(() => {
    bridge.onModuleDestroy();
    jest.useRealTimers();
  });

  it('pushes fresh figures when an agent of a watched campaign changes state, and only for watched campaigns', async () => {
    const got: unknown[] = [];
    web.forCampaign('c1').subscribe((e) => got.push(e.data));
    agentState('c2', 'on_call');
    agentState('c1', 'on_call');
    await jest.advanceTimersByTimeAsync(0);
    expect(queries).toEqual(['c1']);
    expect(got).toEqual([{ campaignId: 'c1', tick: null }]);
  });

  it('sends a change that came within the second once the second is over', async () => {
    web.forCampaign('c1').subscribe();
    agentState('c1', 'on_call');
    await jest.advanceTimersByTimeAsync(0);
    agentState('c1', 'wrap_up');
    agentState('c1', 'ready');
    await jest.advanceTimersByTimeAsync(500);
    expect(queries).toEqual(['c1']);
    await jest.advanceTimersByTimeAsync(600);
    expect(queries).toEqual(['c1', 'c1']);
    await jest.advanceTimersByTimeAsync(5000);
    // Then only the idle refresh (every 5 s), no further catch-up pushes.
    expect(queries.length).toBeLessThanOrEqual(3);
  });

  it('keeps a pacer tick that came within the second: the trailing push carries the newest one', async () => {
    const got: { tick: { dialLevel: number } | null }[] = [];
    web.forCampaign('c1').subscribe((e) => got.push(e.data as never));
    agentState('c1', 'on_call');
    await jest.advanceTimersByTimeAsync(0);
    const tick = (dialLevel: number) =>
      listener({ name: 'campaign.tick', payload: { campaignId: 'c1', at, readyAgents: 1, talkingAgents: 0, wrapUpAgents: 0, ringing: 2, launched: 1, dialLevel, reason: 't', answerRate: 0.3 } } as LiveEvent);
    tick(1.5);
    tick(2);
    await jest.advanceTimersByTimeAsync(1100);
    expect(got.map((g) => g.tick?.dialLevel ?? null)).toEqual([null, 2]);
  });
});
