import { CampaignStatus as S } from './campaign.entity';
import { canTransition, TRANSITIONS } from './campaign-lifecycle';

describe('campaign lifecycle', () => {
  it.each([
    [S.Draft, S.Scheduled], [S.Draft, S.Running], [S.Scheduled, S.Draft], [S.Scheduled, S.Running],
    [S.Running, S.Paused], [S.Paused, S.Running], [S.Running, S.Completed], [S.Paused, S.Completed],
  ])('allows %s -> %s', (from, to) => expect(canTransition(from, to)).toBe(true));

  it.each([
    [S.Draft, S.Paused], [S.Draft, S.Completed], [S.Running, S.Draft], [S.Running, S.Scheduled], [S.Paused, S.Draft],
    [S.Running, S.Running],
  ])('refuses %s -> %s', (from, to) => expect(canTransition(from, to)).toBe(false));

  it('never leaves completed', () => {
    for (const to of Object.values(S)) expect(canTransition(S.Completed, to)).toBe(false);
    expect(TRANSITIONS[S.Completed]).toEqual([]);
  });
});
