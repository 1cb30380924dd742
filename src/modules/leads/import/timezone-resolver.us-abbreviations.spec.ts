import { DateTime } from 'luxon';
import { DEFAULT_RULES } from '../../compliance/default-rules';
import { checkDial } from '../../compliance/dial-gate';
import { CampaignView, LeadView } from '../../compliance/dial-gate.types';
import { CsvRecord } from './csv-reader';
import { normaliseRecord, resolveMapping } from './lead-row';
import { canonicalZone, resolveTimezone } from './timezone-resolver';

const JULY = '2026-07-15T12:00:00Z';
const JANUARY = '2026-01-15T12:00:00Z';
/** UTC offsets in minutes of a zone on a July and a January day. */
const offsets = (zone: string) => [DateTime.fromISO(JULY).setZone(zone).offset, DateTime.fromISO(JANUARY).setZone(zone).offset];

// A lead file with a time-zone column, imported as the lead import does it.
const { mapping } = resolveMapping(['Phone', 'ZIP', 'TZ'], { phone: 'Phone', postalCode: 'ZIP', timezone: 'TZ' });
const importRow = (phone: string, zip: string, tz: string) => {
  const rec: CsvRecord = { line: 2, fields: [phone, zip, tz], badUtf8: null, problem: null, problemField: null };
  const { lead, issues } = normaliseRecord(rec, mapping, 'US');
  expect(issues).toEqual([]);
  return lead!;
};
const allDay = { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] };
const campaign: CampaignView = { campaignId: 'c1', running: true, schedule: { windows: allDay } as CampaignView['schedule'], maxAttempts: 5, maxAttemptsPerDay: 3 };
/** The dial gate's answer for an imported lead (federal rule 08:00-21:00 local, 47 CFR 64.1200(c)(1)). */
const mayCall = (l: { phone: string; timezone: string | null; tzCandidates: string[] }, at: string) => {
  const view: LeadView = {
    leadId: '1', phone: l.phone, country: 'US', region: null, timezones: [...new Set([l.timezone, ...l.tzCandidates].filter((z): z is string => !!z))],
    status: 'new', attempts: 0, attemptsToday: 0, nextAttemptAt: null, dnc: { internal: false, campaign: false, registry: false }, recentDialsToNumber: 0,
  };
  return checkDial(view, campaign, DEFAULT_RULES, new Date(at)).allowed;
};

describe('US time-zone abbreviations in a lead file or a lead edit', () => {
  it.each<[string, string[], number[]]>([
    ['America/New_York', ['EST', 'EDT', 'ET', 'Eastern', 'est', ' Eastern Standard Time ', 'E.S.T.'], [-240, -300]],
    ['America/Chicago', ['CST', 'CDT', 'CT', 'Central', 'central time'], [-300, -360]],
    ['America/Los_Angeles', ['PST', 'PDT', 'PT', 'Pacific', 'Pacific Daylight Time'], [-420, -480]],
    ['America/Anchorage', ['AKST', 'AKDT', 'Alaska'], [-480, -540]],
    ['Pacific/Honolulu', ['HST', 'Hawaii'], [-600, -600]],
  ])('reads the abbreviations of %s as that zone, summer time included', (zone, names, expected) => {
    for (const name of names) {
      expect([name, canonicalZone(name)]).toEqual([name, zone]);
      expect([name, offsets(canonicalZone(name)!)]).toEqual([name, expected]);
    }
  });

  it('stops calling an "EST" lead at 21:00 Eastern Daylight Time in July, and still at 21:00 EST in January', () => {
    const lead = importRow('(212) 555-0188', '', 'EST');
    expect(lead).toMatchObject({ timezone: 'America/New_York', tzAmbiguous: false });
    expect(mayCall(lead, '2026-07-16T00:59:00Z')).toBe(true); // 20:59 EDT
    expect(mayCall(lead, '2026-07-16T01:30:00Z')).toBe(false); // 21:30 EDT (was 20:30 on America/Panama's clock)
    expect(mayCall(lead, '2026-07-15T12:30:00Z')).toBe(true); // 08:30 EDT
    expect(mayCall(lead, '2026-01-16T01:30:00Z')).toBe(true); // 20:30 EST
    expect(mayCall(lead, '2026-01-16T02:00:00Z')).toBe(false); // 21:00 EST
  });

  it('reads "MST" as Denver or Phoenix: the ZIP code or the number decides, else the lead is called only when legal in both', () => {
    const unsettled = importRow('(212) 555-0188', '', 'MST');
    expect(unsettled).toMatchObject({ timezone: null, tzCandidates: ['America/Denver', 'America/Phoenix'], tzAmbiguous: true });
    // July: 08:30 MDT in Denver is 07:30 in Phoenix (no DST); 20:30 Phoenix is 21:30 Denver.
    expect(mayCall(unsettled, '2026-07-15T14:30:00Z')).toBe(false);
    expect(mayCall(unsettled, '2026-07-16T03:30:00Z')).toBe(false);
    expect(mayCall(unsettled, '2026-07-15T18:00:00Z')).toBe(true);
    // January: both keep 07:00 behind UTC, so the whole federal window is open.
    expect(mayCall(unsettled, '2026-01-15T15:30:00Z')).toBe(true); // 08:30 in both
    expect(mayCall(unsettled, '2026-01-16T03:30:00Z')).toBe(true); // 20:30 in both

    expect(importRow('(212) 555-0188', '85001', 'MST')).toMatchObject({ timezone: 'America/Phoenix', tzAmbiguous: false }); // Phoenix ZIP
    expect(importRow('(212) 555-0188', '80202', 'Mountain')).toMatchObject({ timezone: 'America/Denver', tzAmbiguous: false }); // Denver ZIP
    expect(importRow('(602) 555-0188', '', 'MST')).toMatchObject({ timezone: 'America/Phoenix', tzAmbiguous: false }); // Arizona area code
    expect(importRow('(303) 555-0188', '', 'MDT')).toMatchObject({ timezone: 'America/Denver', tzAmbiguous: false }); // Colorado area code
    const denver = importRow('(212) 555-0188', '80202', 'MST');
    expect(mayCall(denver, '2026-07-15T14:30:00Z')).toBe(true); // 08:30 MDT
    expect(mayCall(denver, '2026-07-16T03:30:00Z')).toBe(false); // 21:30 MDT
  });

  it('widens "MST" to both Mountain zones wherever it is resolved without a ZIP code or a Mountain number', () => {
    const zone = canonicalZone('MST')!;
    expect(resolveTimezone({ explicit: zone, e164: '+12125550188', country: 'US', callingCode: '1' }).candidates).toEqual(['America/Denver', 'America/Phoenix']);
  });

  it('reads "AST" as Halifax or Puerto Rico (AST all year, no summer time): the number or ZIP decides, else legal in both', () => {
    for (const name of ['AST', 'ADT', 'Atlantic', 'Atlantic Standard Time']) {
      expect([name, importRow('(212) 555-0188', '', name)]).toEqual([name, expect.objectContaining({ timezone: null, tzCandidates: ['America/Halifax', 'America/Puerto_Rico'], tzAmbiguous: true })]);
    }
    const puertoRico = importRow('(787) 555-0188', '', 'AST');
    expect(puertoRico).toMatchObject({ timezone: 'America/Puerto_Rico', tzAmbiguous: false });
    expect(importRow('(212) 555-0188', '00901', 'AST')).toMatchObject({ timezone: 'America/Puerto_Rico', tzAmbiguous: false }); // San Juan ZIP
    expect(importRow('(902) 555-0188', '', 'ADT')).toMatchObject({ timezone: 'America/Halifax', tzAmbiguous: false }); // Nova Scotia
    // July, 11:30Z: 08:30 in Halifax (ADT) but 07:30 in San Juan. Read as Halifax, the Puerto Rico lead was called.
    expect(mayCall(puertoRico, '2026-07-15T11:30:00Z')).toBe(false);
    expect(mayCall(puertoRico, '2026-07-15T12:30:00Z')).toBe(true); // 08:30 AST
    const unsettled = importRow('(212) 555-0188', '', 'AST');
    expect(mayCall(unsettled, '2026-07-15T11:30:00Z')).toBe(false);
    expect(mayCall(unsettled, '2026-07-16T00:30:00Z')).toBe(false); // 21:30 in Halifax, 20:30 in San Juan
    expect(mayCall(unsettled, '2026-07-15T16:00:00Z')).toBe(true);
  });

  it('keeps full IANA names as they are, including the fixed-offset ones a file may really mean', () => {
    expect(canonicalZone('America/Phoenix')).toBe('America/Phoenix');
    expect(canonicalZone('America/Panama')).toBe('America/Panama');
    expect(canonicalZone('MST7MDT')).toBe('America/Denver');
    expect(canonicalZone('Asia/Calcutta')).toBe('Asia/Kolkata');
    expect(canonicalZone('Europe/Atlantis')).toBeNull();
  });
});
