import { AbandonLedger, PacingStats } from './pacing-stats';

describe('pacing estimates', () => {
  it('follows a change of answer rate within a few hundred attempts', () => {
    const s = new PacingStats({ answerRateSpan: 300 });
    for (let i = 0; i < 2000; i++) s.recordResult(i % 10 < 3 ? 'human' : 'other', 9_000);
    expect(s.humanAnswerRate).toBeCloseTo(0.3, 1);
    for (let i = 0; i < 600; i++) s.recordResult(i % 10 < 1 ? 'human' : 'other', 9_000);
    expect(s.humanAnswerRate).toBeLessThan(0.15);
    expect(s.observedAnswers).toBe(600 + 60);
  });

  it('counts attempts in launch order: a burst whose no-answers come back at the ring timeout reads its true rate', () => {
    const s = new PacingStats();
    // 400 calls launched within a second; 20 answered (5%) after ~8 s, 380 time out at 45 s.
    const tickets = Array.from({ length: 400 }, (_, i) => s.launched(i));
    tickets.forEach((t, i) => {
      if (i % 20 === 0) s.resolve(t, 'human', 8_000 + i, 8_000);
    });
    // The answers are known, but no attempt launched before them is: nothing is counted yet (fed as they came, the
    // rate would read 100%, then fall to 5% only when the no-answers arrive).
    expect(s.observedAttempts).toBe(1);
    expect(s.pendingAttempts).toBe(399);
    tickets.forEach((t, i) => {
      if (i % 20 !== 0) s.resolve(t, 'other', 45_000 + i);
    });
    expect(s.observedAttempts).toBe(400);
    expect(s.pendingAttempts).toBe(0);
    expect(s.humanAnswerRate).toBeCloseTo(0.05, 2);
    expect(s.observedAnswers).toBe(20);
    expect(s.answerDelay.count).toBe(20);
  });

  it('leaves out attempts cancelled before they were placed, and stops waiting for a result that never came', () => {
    const s = new PacingStats({ staleAfterMs: 60_000 });
    const lost = s.launched(0);
    const cancelled = s.launched(1);
    const answered = s.launched(2);
    s.resolve(cancelled, 'void', 3);
    s.resolve(answered, 'human', 5_000, 4_998);
    expect(s.observedAttempts).toBe(0); // still waiting for the first
    const later = s.launched(70_000);
    s.resolve(later, 'other', 70_500);
    // The lost attempt is skipped (not counted as anything), the cancelled one too.
    expect(s.observedAttempts).toBe(2);
    expect(s.humanAnswerRate).toBeCloseTo(0.5, 5);
    expect(s.pendingAttempts).toBe(0);
    s.resolve(lost, 'human', 71_000); // too late: ignored
    expect(s.observedAttempts).toBe(2);
  });

  it('counts abandons and answers in rolling windows', () => {
    const l = new AbandonLedger();
    l.answered(1_000);
    l.abandoned(2_000);
    l.answered(3_600_500);
    expect(l.window(3_600_900, 3_600_000)).toEqual({ answered: 2, abandoned: 1 });
    expect(l.window(3_602_500, 3_600_000)).toEqual({ answered: 1, abandoned: 0 });
    expect(l.totals).toEqual({ answered: 2, abandoned: 1 });
  });
});
