import { normalisePhone } from './phone-normalizer';

describe('normalisePhone', () => {
  it.each([
    ['(415) 555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['+44 7911 123456', 'US', '+447911123456'],
    ['07911 123456', 'GB', '+447911123456'],
    ['011 33 6 12 34 56 78', 'US', '+33612345678'],
  ])('%s in %s -> %s', (raw, country, e164) => {
    const r = normalisePhone(raw, country as never);
    expect(r).toMatchObject({ ok: true, e164 });
  });

  it('keeps the number type where the metadata knows it', () => {
    expect(normalisePhone('+44 7911 123456', 'US')).toMatchObject({ ok: true, type: 'mobile', callingCode: '44' });
    expect(normalisePhone('+49 30 1234567', 'US')).toMatchObject({ ok: true, type: 'fixed_line', country: 'DE' });
  });

  it.each([
    ['', 'phone is empty'],
    ['   ', 'phone is empty'],
    ['call me', 'phone contains letters'],
    ['1-800-FLOWERS', 'phone contains letters'],
    ['415#555', 'phone contains characters other than digits'],
    ['12', 'phone is too short'],
    ['++--', 'phone is not a phone number'],
    ['415 555', 'too short'],
    ['(099) 555-2671', 'not a valid number'],
    ['+44 909 879 0000', 'premium-rate number: not dialable'],
  ])('refuses %j with a reason', (raw, reason) => {
    const r = normalisePhone(raw, 'US');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});
