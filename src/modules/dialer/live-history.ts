/**
 * The manager dashboard's 5-minute trend (calls ringing, dial level, agents on call), one point per pacer tick,
 * kept in Redis by the campaign's orchestrator (newest first, capped): a dashboard opened mid-shift draws the last
 * five minutes at once instead of starting empty. Served with GET /api/campaigns/:id/live.
 */
export interface LiveHistoryPoint {
  /** Epoch ms of the tick. */
  t: number;
  ringing: number;
  dialLevel: number;
  talking: number;
}

export const LIVE_HISTORY_MS = 5 * 60_000;
/** One tick a second, and a margin for faster ticks. */
export const LIVE_HISTORY_POINTS = 400;
export const liveHistoryKey = (campaignId: string) => `live-history:${campaignId}`;

/** The stored points of the last LIVE_HISTORY_MS before `now`, oldest first; unreadable entries are skipped. */
export function parseLiveHistory(raw: string[], now: number): LiveHistoryPoint[] {
  const out: LiveHistoryPoint[] = [];
  for (const r of raw) {
    try {
      const p = JSON.parse(r) as LiveHistoryPoint;
      if (typeof p.t === 'number' && p.t > now - LIVE_HISTORY_MS && p.t <= now + 5_000) out.push(p);
    } catch {
      // a foreign or truncated entry: not part of the trend
    }
  }
  return out.sort((a, b) => a.t - b.t);
}
