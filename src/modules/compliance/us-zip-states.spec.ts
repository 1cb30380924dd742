import { usStateFromZip } from './us-zip-states';

describe('usStateFromZip', () => {
  it('maps ZIP codes to the states with their own calling rules and leaves the unknown alone', () => {
    expect(usStateFromZip('33101')).toBe('US-FL'); // Miami
    expect(usStateFromZip('32501-1234')).toBe('US-FL'); // Pensacola
    expect(usStateFromZip('73102')).toBe('US-OK');
    expect(usStateFromZip('21201')).toBe('US-MD');
    expect(usStateFromZip('02108')).toBe('US-MA');
    expect(usStateFromZip('10001')).toBe('US-NY');
    expect(usStateFromZip('94105')).toBe('US-CA');
    expect(usStateFromZip('09001')).toBeNull(); // military
    expect(usStateFromZip('SW1A 1AA')).toBeNull();
    expect(usStateFromZip(null)).toBeNull();
  });
});
