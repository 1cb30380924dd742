import { withinCallingHours } from './calling-hours';

const at = (iso: string) => new Date(iso);
const weekdays = { windows: { mon: [['09:00', '20:00']], tue: [['09:00', '20:00']] } } as never;

describe('calling hours in the lead\'s own time zone', () => {
  it('holds the US 08:00-21:00 rule even when the campaign allows all day', () => {
    const allDay = { windows: { mon: [['00:00', '23:59']] } } as never;
    // Monday 2026-03-02 12:30 UTC is 07:30 in New York (EST, UTC-5): too early.
    expect(withinCallingHours(['America/New_York'], allDay, at('2026-03-02T12:30:00Z'))).toBe(false);
    expect(withinCallingHours(['America/New_York'], allDay, at('2026-03-02T13:00:00Z'))).toBe(true);
    // 21:00 local is already too late (end exclusive).
    expect(withinCallingHours(['America/New_York'], allDay, at('2026-03-03T02:00:00Z'))).toBe(false);
  });

  it('applies the campaign window per weekday; a missing day means no calls', () => {
    expect(withinCallingHours(['America/Chicago'], weekdays, at('2026-03-02T14:30:00Z'))).toBe(false); // Mon 08:30 CST
    expect(withinCallingHours(['America/Chicago'], weekdays, at('2026-03-02T15:30:00Z'))).toBe(true); // Mon 09:30
    expect(withinCallingHours(['America/Chicago'], weekdays, at('2026-03-04T15:30:00Z'))).toBe(false); // Wed
  });

  it('requires every candidate zone of an ambiguous lead to allow the call', () => {
    // 13:30 UTC: 08:30 in New York, 07:30 in Chicago.
    expect(withinCallingHours(['America/New_York'], undefined, at('2026-03-02T13:30:00Z'))).toBe(true);
    expect(withinCallingHours(['America/New_York', 'America/Chicago'], undefined, at('2026-03-02T13:30:00Z'))).toBe(false);
  });

  it('refuses a lead without a zone and honours blackout dates', () => {
    expect(withinCallingHours([], undefined, at('2026-03-02T17:00:00Z'))).toBe(false);
    expect(withinCallingHours(['America/New_York'], { blackoutDates: ['2026-03-02'] } as never, at('2026-03-02T17:00:00Z'))).toBe(false);
  });
});
