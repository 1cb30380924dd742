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
