import { normalisePhone, registryLineToNumber } from './phone';

describe('phone normalisation', () => {
  it('normalises national and international forms to E.164 with the default country', () => {
    expect(normalisePhone('(212) 555-0123', 'US')).toBe('+12125550123');
    expect(normalisePhone('07911 123456', 'GB')).toBe('+447911123456');
    expect(normalisePhone('+44 7911 123456', 'US')).toBe('+447911123456');
    expect(normalisePhone('12345', 'US')).toBeNull();
    expect(normalisePhone('2125550123', 'XX')).toBeNull();
  });

  it('reads registry lines on the fast path and through libphonenumber, and rejects junk', () => {
    expect(registryLineToNumber('2125550123', 'US')).toBe(12125550123);
    expect(registryLineToNumber('212-555-0123,2024-01-01', 'US')).toBe(12125550123);
    expect(registryLineToNumber('+12125550123', 'US')).toBe(12125550123);
    expect(registryLineToNumber('0125550123', 'US')).toBeNull();
    expect(registryLineToNumber('phone_number', 'US')).toBeNull();
    expect(registryLineToNumber('07911 123456', 'GB')).toBe(447911123456);
  });
});
