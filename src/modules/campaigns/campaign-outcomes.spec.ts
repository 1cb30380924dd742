import { checkOutcomeSet, DEFAULT_OUTCOMES } from './campaign-outcomes';

describe('campaign outcome sets', () => {
  it('accepts the defaults: final sale, DNC, retryable no-answer', () => {
    const { errors, outcomes } = checkOutcomeSet(DEFAULT_OUTCOMES);
    expect(errors).toEqual([]);
    expect(outcomes.find((o) => o.code === 'do_not_call')).toMatchObject({ isFinal: true, isDnc: true });
    expect(outcomes.filter((o) => o.isSuccess).map((o) => o.code)).toEqual(['sale', 'appointment']);
  });

  it('names each problem', () => {
    const { errors } = checkOutcomeSet([
      { code: 'sale', label: 'Sale', isFinal: false, isSuccess: true },
      { code: 'sale', label: 'Again' },
      { code: 'gone', label: 'Gone', isFinal: true, retryAfterMinutes: 60 },
    ]);
    expect(errors).toEqual([
      { field: 'outcomes[0].isFinal', reason: 'a success or DNC outcome is always final' },
      { field: 'outcomes[1].code', reason: '"sale" is used twice' },
      { field: 'outcomes[2].retryAfterMinutes', reason: 'only a non-final outcome can be retried' },
      { field: 'outcomes', reason: 'must contain at least one DNC outcome' },
    ]);
  });
});
