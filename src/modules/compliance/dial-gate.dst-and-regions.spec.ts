import { CampaignSchedule } from '../campaigns/campaign-settings';
import { DEFAULT_RULES } from './default-rules';
import { checkDial } from './dial-gate';
import { CampaignView, LeadView } from './dial-gate.types';

const allDay: CampaignSchedule = {
  windows: { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] },
};
const campaign = (schedule = allDay): CampaignView => ({ campaignId: 'c1', running: true, schedule, maxAttempts: 5, maxAttemptsPerDay: 3 });
const lead = (over: Partial<LeadView> = {}): LeadView => ({
  leadId: '1', phone: '+12125550123', country: 'US', region: null, timezones: ['America/New_York'], status: 'new', attempts: 0,
  attemptsToday: 0, nextAttemptAt: null, dnc: { internal: false, campaign: false, registry: false }, recentDialsToNumber: 0, ...over,
});
const at = (iso: string) => new Date(iso);
const gate = (l: LeadView, when: string, c = campaign()) => checkDial(l, c, DEFAULT_RULES, at(when));

describe('dial gate on DST transition days and regional rules', () => {
  it('New York fall-back day 2026-11-01: 12:30Z is 07:30 EST (not 08:30 EDT), so blocked; 13:00Z is 08:00 EST, allowed', () => {
    expect(gate(lead(), '2026-11-01T12:30:00Z')).toEqual(expect.objectContaining({ allowed: false, reason: 'outside_hours' }));
    expect(gate(lead(), '2026-11-01T13:00:00Z')).toEqual({ allowed: true });
    // 20:59 EST is 01:59Z next day; 21:00 EST blocked.
    expect(gate(lead(), '2026-11-02T01:59:00Z')).toEqual({ allowed: true });
    expect(gate(lead(), '2026-11-02T02:00:00Z').allowed).toBe(false);
  });

  it('New York spring-forward day 2026-03-08: 08:00 EDT is 12:00Z; 11:59Z (07:59 EDT) is blocked', () => {
    expect(gate(lead(), '2026-03-08T11:59:00Z').allowed).toBe(false);
    expect(gate(lead(), '2026-03-08T12:00:00Z')).toEqual({ allowed: true });
    expect(gate(lead(), '2026-03-09T00:59:00Z')).toEqual({ allowed: true });
    expect(gate(lead(), '2026-03-09T01:00:00Z').allowed).toBe(false);
  });

  it('London on the BST start day 2026-03-29: 08:00 BST is 07:00Z', () => {
    const uk = lead({ phone: '+447700900123', country: 'GB', timezones: ['Europe/London'] });
    expect(gate(uk, '2026-03-29T06:59:00Z').allowed).toBe(false);
    expect(gate(uk, '2026-03-29T07:00:00Z')).toEqual({ allowed: true });
    expect(gate(uk, '2026-03-29T19:59:00Z')).toEqual({ allowed: true });
    expect(gate(uk, '2026-03-29T20:00:00Z').allowed).toBe(false);
  });

  it('applies Florida 08:00-20:00 over the federal 21:00 limit, and the federal limit elsewhere in the US', () => {
    const evening = '2026-06-16T00:30:00Z'; // 20:30 EDT on 2026-06-15
    expect(gate(lead({ region: 'US-FL' }), evening)).toEqual(expect.objectContaining({ allowed: false, reason: 'outside_hours' }));
    expect(gate(lead({ region: 'US-GA' }), evening)).toEqual({ allowed: true });
    // State from the lead's data says Georgia, its ZIP code says Florida: the stricter rule of the two holds.
    expect(gate(lead({ regions: ['US-GA', 'US-FL'] }), evening)).toMatchObject({ allowed: false, reason: 'outside_hours' });
    expect(gate(lead({ regions: ['US-GA'] }), evening)).toEqual({ allowed: true });
  });

  it('a lead with ambiguous zones is callable only when the time is legal in all of them', () => {
    const both = lead({ timezones: ['America/New_York', 'America/Los_Angeles'] });
    expect(gate(both, '2026-06-15T12:30:00Z').allowed).toBe(false); // 08:30 NY, 05:30 LA
    expect(gate(both, '2026-06-15T16:00:00Z')).toEqual({ allowed: true }); // 12:00 NY, 09:00 LA
    expect(gate(both, '2026-06-16T01:30:00Z').allowed).toBe(false); // 21:30 NY, 18:30 LA
  });

  it('blocks on a regional holiday and on campaign blackout dates, and honours the campaign window', () => {
    const ma = lead({ region: 'US-MA' });
    expect(gate(ma, '2026-12-25T15:00:00Z')).toEqual(expect.objectContaining({ allowed: false, reason: 'holiday' }));
    const c = campaign({ windows: { mon: [['10:00', '12:00']] }, blackoutDates: ['2026-06-22'] });
    expect(gate(lead(), '2026-06-15T14:30:00Z', c)).toEqual({ allowed: true }); // Mon 10:30 EDT
    expect(gate(lead(), '2026-06-15T16:00:00Z', c).allowed).toBe(false); // 12:00, end exclusive
    expect(gate(lead(), '2026-06-16T14:30:00Z', c).allowed).toBe(false); // Tuesday: no window
    expect(gate(lead(), '2026-06-22T14:30:00Z', c).allowed).toBe(false); // blackout Monday
  });

  it('reports the most serious reason first and covers the non-hours reasons', () => {
    const night = '2026-06-15T06:00:00Z';
    expect(gate(lead({ dnc: { internal: true, campaign: true, registry: true } }), night)).toMatchObject({ reason: 'dnc_internal' });
    expect(gate(lead({ dnc: { internal: false, campaign: true, registry: true } }), night)).toMatchObject({ reason: 'dnc_campaign' });
    expect(gate(lead({ dnc: { internal: false, campaign: false, registry: true } }), night)).toMatchObject({ reason: 'dnc_registry' });
    const noon = '2026-06-15T16:00:00Z';
    expect(gate(lead({ timezones: [] }), noon)).toMatchObject({ reason: 'no_timezone' });
    expect(gate(lead({ status: 'done' }), noon)).toMatchObject({ reason: 'lead_not_dialable' });
    expect(gate(lead({ attempts: 5 }), noon)).toMatchObject({ reason: 'attempts_exhausted' });
    expect(gate(lead({ attemptsToday: 3 }), noon)).toMatchObject({ reason: 'daily_attempts_exhausted' });
    expect(gate(lead({ nextAttemptAt: at('2026-06-15T17:00:00Z') }), noon)).toMatchObject({ reason: 'retry_not_due' });
    expect(gate(lead({ recentDialsToNumber: 3 }), noon)).toMatchObject({ reason: 'frequency_cap' });
    expect(gate(lead({ recentDialsToNumber: 2 }), noon)).toEqual({ allowed: true });
    expect(checkDial(lead(), { ...campaign(), running: false }, DEFAULT_RULES, at(noon))).toMatchObject({ reason: 'campaign_not_running' });
    expect(gate(lead({ country: 'FR', timezones: ['Europe/Paris'] }), '2026-06-15T06:30:00Z')).toMatchObject({ reason: 'outside_hours' }); // '*' fallback 09-20
  });
});
