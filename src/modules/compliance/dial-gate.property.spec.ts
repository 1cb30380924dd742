import fc from 'fast-check';
import { CampaignSchedule, TimeWindow, Weekday } from '../campaigns/campaign-settings';
import { checkDial } from './dial-gate';
import { CampaignView, ComplianceRules, LeadView, LegalHoursRule } from './dial-gate.types';

/**
 * Property: over random leads, zones (DST transition days included), rule sets and schedules, the gate never
 * allows a DNC number or a call outside the legal or campaign window in any of the lead's candidate zones.
 * The oracle reads local time through Intl (ICU), independently of the luxon code under test.
 */

const ZONES = [
  'America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/St_Johns',
  'Europe/London', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Sao_Paulo',
];
// Transition days: US spring forward / fall back 2026, EU 2026, plus an ordinary day.
const DAYS = ['2026-03-08', '2026-11-01', '2026-03-29', '2026-10-25', '2026-04-05', '2026-06-15'];
const WEEKDAY_NAMES: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const windowArb = fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 })).map(([a, b]) => {
  const [s, e] = a < b ? [a, b] : [b - 1, a + 1 > 1440 ? 1440 : a + 1];
  return [hhmm(s), hhmm(Math.max(e, s + 1))] as TimeWindow;
});
const daysArb = fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 });
const ruleArb = (region: string): fc.Arbitrary<LegalHoursRule> =>
  fc.record({
    region: fc.constant(region),
    windows: fc.array(fc.tuple(daysArb, windowArb).map(([days, [start, end]]) => ({ days, start, end })), { minLength: 1, maxLength: 2 }),
    holidays: fc.subarray(['2026-03-08', '11-01', '2026-10-25', '06-15', '12-25']),
  });
const rulesArb: fc.Arbitrary<ComplianceRules> = fc
  .tuple(...['US', 'US-FL', 'GB', 'CA', '*'].map((r) => fc.option(ruleArb(r), { nil: undefined })))
  .chain((rules) =>
    fc.record({
      legalHours: fc.constant(rules.filter((r): r is LegalHoursRule => !!r)),
      frequencyCap: fc.record({ maxDials: fc.integer({ min: 1, max: 5 }), windowHours: fc.constant(24) }),
    }),
  );
const scheduleArb: fc.Arbitrary<CampaignSchedule> = fc.record({
  windows: fc.dictionary(fc.constantFrom(...WEEKDAY_NAMES), fc.array(windowArb, { minLength: 0, maxLength: 2 })),
  blackoutDates: fc.subarray(DAYS),
});
const instantArb = fc
  .tuple(fc.constantFrom(...DAYS), fc.integer({ min: -12 * 3600, max: 36 * 3600 }))
  .map(([day, s]) => new Date(Date.parse(`${day}T00:00:00Z`) + s * 1000));
const leadArb = (allClear: boolean): fc.Arbitrary<LeadView> =>
  fc.record({
    leadId: fc.constant('1'),
    phone: fc.constant('+12125550123'),
    country: fc.constantFrom('US', 'GB', 'CA', 'FR', null),
    region: fc.constantFrom(null, 'US-FL', 'US-TX'),
    regions: fc.option(fc.subarray(['US-FL', 'US-TX', 'GB'], { minLength: 1 }), { nil: undefined }),
    timezones: fc.subarray(ZONES, { minLength: 1, maxLength: 3 }),
    status: allClear ? fc.constant('new') : fc.constantFrom('new', 'retry', 'callback', 'leased', 'done', 'dnc'),
    attempts: allClear ? fc.constant(0) : fc.integer({ min: 0, max: 6 }),
    attemptsToday: allClear ? fc.constant(0) : fc.integer({ min: 0, max: 4 }),
    nextAttemptAt: fc.constant(null),
    dnc: allClear
      ? fc.constant({ internal: false, campaign: false, registry: false })
      : fc.record({ internal: fc.boolean(), campaign: fc.boolean(), registry: fc.boolean() }),
    recentDialsToNumber: allClear ? fc.constant(0) : fc.integer({ min: 0, max: 5 }),
  });

interface Local { date: string; weekday: number; minute: number }
function localParts(at: Date, zone: string): Local {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23',
    }).formatToParts(at).map((p) => [p.type, p.value]),
  );
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday) + 1;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}
const mins = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));

/** Independent statement of the law: is this instant callable for this lead in this zone? */
function oracleInHours(lead: LeadView, rules: ComplianceRules, schedule: CampaignSchedule, at: Date): boolean {
  const regions = lead.regions?.length ? lead.regions : [lead.region];
  return regions.every((region) => {
    const rule = [region, lead.country, '*'].map((r) => rules.legalHours.find((x) => x.region === r)).find((x) => x);
    return !!rule && inHoursUnder(rule, lead, schedule, at);
  });
}

function inHoursUnder(rule: LegalHoursRule, lead: LeadView, schedule: CampaignSchedule, at: Date): boolean {
  return lead.timezones.every((zone) => {
    const l = localParts(at, zone);
    if (rule.holidays?.some((h) => h === l.date || h === l.date.slice(5))) return false;
    if (!rule.windows.some((w) => w.days.includes(l.weekday) && l.minute >= mins(w.start) && l.minute < mins(w.end))) return false;
    if (schedule.blackoutDates?.includes(l.date)) return false;
    const wins = schedule.windows[WEEKDAY_NAMES[l.weekday - 1]] ?? [];
    return wins.some(([s, e]) => l.minute >= mins(s) && l.minute < mins(e));
  });
}

const campaign = (schedule: CampaignSchedule): CampaignView => ({ campaignId: 'c', running: true, schedule, maxAttempts: 5, maxAttemptsPerDay: 3 });

describe('checkDial properties', () => {
  it('never allows a number on any DNC list, nor a call outside hours in any candidate zone', () => {
    fc.assert(
      fc.property(leadArb(false), rulesArb, scheduleArb, instantArb, (lead, rules, schedule, at) => {
        const d = checkDial(lead, campaign(schedule), rules, at);
        if (d.allowed) {
          expect(lead.dnc).toEqual({ internal: false, campaign: false, registry: false });
          expect(oracleInHours(lead, rules, schedule, at)).toBe(true);
          expect(lead.recentDialsToNumber).toBeLessThan(rules.frequencyCap.maxDials);
          expect(lead.attempts).toBeLessThan(5);
        } else if (lead.dnc.internal || lead.dnc.campaign || lead.dnc.registry) {
          if (['new', 'retry', 'callback', 'leased'].includes(lead.status)) expect(d.reason).toMatch(/^dnc_/);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('allows exactly the in-hours instants for a clean lead (the gate is not simply closed)', () => {
    let allowed = 0;
    fc.assert(
      fc.property(leadArb(true), rulesArb, scheduleArb, instantArb, (lead, rules, schedule, at) => {
        const d = checkDial(lead, campaign(schedule), rules, at);
        const expected = oracleInHours(lead, rules, schedule, at);
        if (d.allowed) allowed++;
        expect(d.allowed).toBe(expected);
        if (!d.allowed) expect(['outside_hours', 'holiday']).toContain(d.reason);
      }),
      { numRuns: 3000 },
    );
    expect(allowed).toBeGreaterThan(30);
  });
});
