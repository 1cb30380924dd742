import { LIVE_HISTORY_MS, parseLiveHistory } from './live-history';

describe('the dashboard trend kept in Redis', () => {
  it('returns the last five minutes oldest first, leaving out older, future and unreadable entries', () => {
    const now = 1_800_000_000_000;
    const p = (ago: number, ringing = 1) => JSON.stringify({ t: now - ago, ringing, dialLevel: 1.5, talking: 2 });
    // Stored newest first (LPUSH), as the orchestrator writes them.
    const raw = [p(0, 3), p(1_000, 2), 'not json', p(LIVE_HISTORY_MS - 1, 1), p(LIVE_HISTORY_MS + 1), JSON.stringify({ t: now + 60_000 })];
    const out = parseLiveHistory(raw, now);
    expect(out.map((x) => now - x.t)).toEqual([LIVE_HISTORY_MS - 1, 1_000, 0]);
    expect(out[2]).toEqual({ t: now, ringing: 3, dialLevel: 1.5, talking: 2 });
  });
});
