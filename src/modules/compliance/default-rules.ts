import { ComplianceRules, LegalHoursRule } from './dial-gate.types';

const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];

/**
 * The legal calling windows seeded into calling_hours_rules (the table is the source of truth; admins extend it).
 * Most specific region wins. Times are the called party's local time, end exclusive.
 */
export const DEFAULT_LEGAL_HOURS: LegalHoursRule[] = [
  { region: 'US', windows: [{ days: ALL_DAYS, start: '08:00', end: '21:00' }], citation: '47 CFR 64.1200(c)(1)' },
  { region: 'US-FL', windows: [{ days: ALL_DAYS, start: '08:00', end: '20:00' }], citation: 'Fla. Stat. 501.616(6)(a)' },
  { region: 'US-OK', windows: [{ days: ALL_DAYS, start: '08:00', end: '20:00' }], citation: 'Okla. Stat. tit. 15 775C.4' },
  { region: 'US-MD', windows: [{ days: ALL_DAYS, start: '08:00', end: '20:00' }], citation: 'Md. Com. Law 14-4503' },
  {
    region: 'US-MA',
    windows: [{ days: ALL_DAYS, start: '08:00', end: '20:00' }],
    // Massachusetts bars unsolicited sales calls on legal holidays (940 CMR 18.04); fixed-date ones listed here.
    holidays: ['01-01', '07-04', '11-11', '12-25'],
    citation: '940 CMR 18.04',
  },
  { region: 'GB', windows: [{ days: ALL_DAYS, start: '08:00', end: '21:00' }], citation: 'Ofcom persistent misuse policy / DMA code' },
  {
    region: 'CA',
    windows: [
      { days: [1, 2, 3, 4, 5], start: '09:00', end: '21:30' },
      { days: [6, 7], start: '10:00', end: '18:00' },
    ],
    citation: 'CRTC Unsolicited Telecommunications Rules, Part III s.6',
  },
  { region: '*', windows: [{ days: ALL_DAYS, start: '09:00', end: '20:00' }], citation: 'conservative fallback for countries without a rule' },
];

/** Per-number cap across all campaigns (a number is not called more than 3 times in 24 h). */
export const DEFAULT_FREQUENCY_CAP = { maxDials: 3, windowHours: 24 };

export const DEFAULT_RULES: ComplianceRules = { legalHours: DEFAULT_LEGAL_HOURS, frequencyCap: DEFAULT_FREQUENCY_CAP };
