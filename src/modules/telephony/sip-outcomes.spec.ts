import { outcomeForCancelRace, outcomeForFinalResponse } from './sip-outcomes';

describe('SIP final response to outcome', () => {
  it.each([
    [200, 'answered'],
    [486, 'busy'],
    [600, 'busy'],
    [480, 'no_answer'],
    [408, 'no_answer'],
    [404, 'invalid_number'],
    [484, 'invalid_number'],
    [410, 'invalid_number'],
    [403, 'carrier_failure'],
    [503, 'carrier_failure'],
    [500, 'carrier_failure'],
    [502, 'carrier_failure'],
    [401, 'carrier_failure'],
  ])('maps %i to %s', (status, result) => {
    expect(outcomeForFinalResponse(status, null).result).toBe(result);
  });

  it('treats no response at all (transaction timeout) as a carrier failure', () => {
    expect(outcomeForFinalResponse(null, null)).toEqual({ result: 'carrier_failure', backOff: false });
  });

  it('reads 487 by why we cancelled: ring timeout is no answer, our hang-up is cancelled, unasked is carrier failure', () => {
    expect(outcomeForFinalResponse(487, 'ring_timeout').result).toBe('no_answer');
    expect(outcomeForFinalResponse(487, 'hangup').result).toBe('cancelled');
    expect(outcomeForFinalResponse(487, null).result).toBe('carrier_failure');
  });

  it('asks the pacer to back off on 503 only', () => {
    expect(outcomeForFinalResponse(503, null).backOff).toBe(true);
    expect(outcomeForFinalResponse(500, null).backOff).toBe(false);
    expect(outcomeForFinalResponse(486, null).backOff).toBe(false);
  });

  it('never reports a 200 that crossed our CANCEL as answered', () => {
    expect(outcomeForCancelRace('ring_timeout')).toBe('no_answer');
    expect(outcomeForCancelRace('hangup')).toBe('cancelled');
  });
});
