import { DateTime } from 'luxon';
import { resolveTimezone } from './timezone-resolver';

describe('resolveTimezone', () => {
  it('takes an explicit zone first', () => {
    expect(resolveTimezone({ explicit: 'Europe/Berlin', postalCode: '94105', e164: '+14155552671', country: 'US', callingCode: '1' }))
      .toEqual({ timezone: 'Europe/Berlin', candidates: ['Europe/Berlin'], ambiguous: false, source: 'column' });
  });

  it('then the US ZIP code, even when the area code says otherwise (a mobile kept after moving)', () => {
    const r = resolveTimezone({ postalCode: '10001', e164: '+14155552671', country: 'US', callingCode: '1' });
    expect(r).toMatchObject({ timezone: 'America/New_York', ambiguous: false, source: 'postal_code' });
    expect(resolveTimezone({ postalCode: '2134', e164: '+14155552671', country: 'US', callingCode: '1' }).timezone).toBe('America/New_York');
    expect(resolveTimezone({ postalCode: '85001', e164: '+14155552671', country: 'US', callingCode: '1' }).timezone).toBe('America/Phoenix');
  });

  it('marks a ZIP area that straddles a zone line as ambiguous with every zone it touches', () => {
    const r = resolveTimezone({ postalCode: '67735', e164: '+17855550100', country: 'US', callingCode: '1' });
    expect(r).toMatchObject({ timezone: null, ambiguous: true, candidates: ['America/Chicago', 'America/Denver'], source: 'postal_code' });
  });

  it('then the NANP area code', () => {
    expect(resolveTimezone({ e164: '+14155552671', country: 'US', callingCode: '1' })).toMatchObject({ timezone: 'America/Los_Angeles', source: 'phone_prefix' });
    expect(resolveTimezone({ e164: '+12125550100', country: 'US', callingCode: '1' }).timezone).toBe('America/New_York');
  });

  it('treats a country whose zones all keep the same clock as one zone (GB and the Crown dependencies)', () => {
    expect(resolveTimezone({ e164: '+447911123456', country: 'GB', callingCode: '44' })).toMatchObject({ timezone: 'Europe/London', ambiguous: false });
    expect(resolveTimezone({ e164: '+33612345678', country: 'FR', callingCode: '33' }).timezone).toBe('Europe/Paris');
  });

  it('marks a number of a multi-zone country with no finer match as ambiguous, listing all zones', () => {
    // Idaho's 208 spans Mountain and Pacific time; no exchange-level match for 555.
    expect(resolveTimezone({ e164: '+12085550100', country: 'US', callingCode: '1' }))
      .toEqual({ timezone: null, candidates: ['America/Boise', 'America/Los_Angeles'], ambiguous: true, source: 'phone_prefix' });
    const mx = resolveTimezone({ e164: '+5215512345678', country: 'MX', callingCode: '52' });
    expect(mx.ambiguous).toBe(true);
    expect(mx.candidates).toEqual(expect.arrayContaining(['America/Tijuana', 'America/Cancun']));
    expect(mx.candidates.length).toBeGreaterThanOrEqual(4);
  });

  it('gives IANA zones whose local time follows DST', () => {
    const { timezone } = resolveTimezone({ e164: '+12125550100', country: 'US', callingCode: '1' });
    const winter = DateTime.fromISO('2026-01-15T12:00:00Z').setZone(timezone!);
    const summer = DateTime.fromISO('2026-07-15T12:00:00Z').setZone(timezone!);
    expect([winter.hour, summer.hour]).toEqual([7, 8]);
  });
});
