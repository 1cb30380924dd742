import { DEFAULT_RULES } from './default-rules';
import { checkDial } from './dial-gate';
import { leadRegions } from './dial-gate.service';
import { LeadView } from './dial-gate.types';
import { regionCodeFromName } from './region-names';

describe('state and province names in lead data', () => {
  it('reads names as files write them: case, accents, dots, extra words and spaces', () => {
    expect(regionCodeFromName('US', 'Florida')).toBe('FL');
    expect(regionCodeFromName('US', ' new  york ')).toBe('NY');
    expect(regionCodeFromName('US', 'State of Washington')).toBe('WA');
    expect(regionCodeFromName('US', 'Washington, D.C.')).toBe('DC');
    expect(regionCodeFromName('CA', 'Québec')).toBe('QC');
    expect(regionCodeFromName('US', 'Atlantis')).toBeNull();
    expect(regionCodeFromName('GB', 'Kent')).toBeNull();
  });

  it("gives a lead whose state is written 'Florida' the Florida rule, as 'FL' does (before: the name was dropped)", () => {
    expect(leadRegions('US', 'Florida', null)).toEqual(['US-FL']);
    expect(leadRegions('US', 'FLORIDA', null)).toEqual(['US-FL']);
    expect(leadRegions('US', 'FL', null)).toEqual(['US-FL']);
    const allDay = { windows: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])) };
    const lead: LeadView = {
      leadId: '1', phone: '+13055550123', country: 'US', region: null, regions: leadRegions('US', 'Florida', null), timezones: ['America/New_York'],
      status: 'new', attempts: 0, attemptsToday: 0, nextAttemptAt: null, dnc: { internal: false, campaign: false, registry: false }, recentDialsToNumber: 0,
    };
    // Wednesday 2026-12-02 20:30 in Miami (01:30Z): inside the federal 08-21, outside Florida's 08-20.
    const decision = checkDial(lead, { campaignId: 'c1', running: true, schedule: allDay as never, maxAttempts: 5, maxAttemptsPerDay: 3 }, DEFAULT_RULES, new Date('2026-12-03T01:30:00Z'));
    expect(decision).toMatchObject({ allowed: false, reason: 'outside_hours' });
  });
});
