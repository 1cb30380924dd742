import { leadRegions } from './dial-gate.service';
import { usStateFromZip, usZip5 } from './us-zip-states';

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

  it('reads a ZIP code that a spreadsheet stripped of its leading zero, with or without +4, as the lead import does', () => {
    // Boston 02134 saved through Excel: the Massachusetts rule (940 CMR 18.04, 08-20) must still apply.
    for (const zip of ['2134', '02134', '2134-1234', '02134-1234', '021341234', '21341234', ' 2134 ']) {
      expect([zip, usStateFromZip(zip)]).toEqual([zip, 'US-MA']);
    }
    expect(usStateFromZip('6103')).toBe('US-CT'); // Hartford 06103
    expect(usStateFromZip('501')).toBe('US-NY'); // Holtsville 00501
    expect(usZip5('7102-0001')).toBe('07102');
    for (const junk of ['12', '123456', '2134-12', 'MA 02134', '']) expect([junk, usStateFromZip(junk)]).toEqual([junk, null]);
  });

  it('gives a Massachusetts lead whose ZIP lost its zero the Massachusetts calling rule at the gate', () => {
    expect(leadRegions('US', null, '2134')).toEqual(['US-MA']);
    expect(leadRegions('US', 'NY', '2134-1234')).toEqual(['US-NY', 'US-MA']);
  });
});
