import { isE164, isIanaZone, isIsoDate, windowListProblem } from './campaign-validators';

describe('campaign setting validators', () => {
  it('accepts ordered, non-overlapping windows', () => {
    expect(windowListProblem([['09:00', '12:00'], ['13:00', '20:30']])).toBeNull();
    expect(windowListProblem([])).toBeNull();
  });
  it('names the bad window and why', () => {
    expect(windowListProblem([['09:00', '12:00'], ['18:00', '08:00']])).toBe('[1] end 08:00 must be after start 18:00');
    expect(windowListProblem([['9:00', '12:00']])).toBe('[0] times must be HH:MM between 00:00 and 24:00');
    expect(windowListProblem([['09:00', '12:00'], ['11:00', '13:00']])).toBe('windows must not overlap');
    expect(windowListProblem('09:00-12:00')).toMatch(/must be an array/);
    expect(windowListProblem([['09:00']])).toBe('[0] must be a pair ["HH:MM", "HH:MM"]');
  });
  it('checks E.164 numbers with libphonenumber', () => {
    expect(isE164('+14155550123')).toBe(true);
    expect(isE164('+8613800138000')).toBe(true);
    expect(isE164('4155550123')).toBe(false);
    expect(isE164('+1415555')).toBe(false);
    expect(isE164('+1 415 555 0123')).toBe(false);
  });
  it('checks IANA zones and calendar dates', () => {
    expect(isIanaZone('Asia/Shanghai')).toBe(true);
    expect(isIanaZone('Mars/Olympus')).toBe(false);
    expect(isIsoDate('2026-12-25')).toBe(true);
    expect(isIsoDate('2026-02-30')).toBe(false);
  });
});
