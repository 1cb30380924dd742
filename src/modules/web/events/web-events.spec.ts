import { WebEvents } from './web-events';

describe('WebEvents', () => {
  const at = '2026-01-01T00:00:00.000Z';

  it('gives each agent stream only that agent’s events', () => {
    const ev = new WebEvents();
    const got: string[] = [];
    const sub = ev.forAgent('a1').subscribe((e) => got.push(String(e.data.callId)));
    ev.publishAgent({ agentId: 'a2', type: 'call.connected', at, data: { callId: 'theirs' } });
    ev.publishAgent({ agentId: 'a1', type: 'call.connected', at, data: { callId: 'mine' } });
    sub.unsubscribe();
    ev.publishAgent({ agentId: 'a1', type: 'call.ended', at, data: { callId: 'after' } });
    expect(got).toEqual(['mine']);
  });

  it('knows which campaigns are watched, and forgets them when the last stream closes', () => {
    const ev = new WebEvents();
    const ticks: unknown[] = [];
    const s1 = ev.forCampaign('c1').subscribe((e) => ticks.push(e.data));
    const s2 = ev.forCampaign('c1').subscribe();
    expect(ev.watchedCampaigns()).toEqual(['c1']);
    ev.publishCampaign({ campaignId: 'c2', type: 'campaign.stats', at, data: { n: 2 } });
    ev.publishCampaign({ campaignId: 'c1', type: 'campaign.stats', at, data: { n: 1 } });
    expect(ticks).toEqual([{ n: 1 }]);
    s1.unsubscribe();
    expect(ev.watchedCampaigns()).toEqual(['c1']);
    s2.unsubscribe();
    expect(ev.watchedCampaigns()).toEqual([]);
  });
});
