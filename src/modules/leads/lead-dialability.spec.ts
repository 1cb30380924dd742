import { DialabilityInput, explainDialability } from './lead-dialability';

const base = (): DialabilityInput => ({
  lead: { status: 'new', deletedAt: null, attempts: 0, attemptsToday: 0, attemptsDay: null, nextAttemptAt: null, timezone: 'America/New_York', tzCandidates: ['America/New_York'] },
  listDeleted: false,
  campaign: {
    id: 'c1', name: 'Spring', status: 'running', maxAttempts: 5, maxAttemptsPerDay: 3, listActive: true,
    schedule: { windows: { mon: [['09:00', '20:00']], tue: [['09:00', '20:00']], wed: [['09:00', '20:00']], thu: [['09:00', '20:00']], fri: [['09:00', '20:00']] } },
  },
  dnc: [],
  // Wednesday 2026-03-11 15:00 UTC = 11:00 in New York (EDT), 08:00 in Los Angeles (PDT).
  now: new Date('2026-03-11T15:00:00Z'),
});

describe('explainDialability', () => {
  it('finds nothing wrong with a fresh lead inside the window', () => {
    expect(explainDialability(base())).toEqual({ dialable: true, reasons: [] });
  });

  it('lists every reason at once: status, DNC, attempts, retry time', () => {
    const input = base();
    Object.assign(input.lead, { status: 'retry', attempts: 5, nextAttemptAt: new Date('2026-03-11T18:00:00Z') });
    input.dnc = [{ scope: 'internal', campaignId: null }, { scope: 'campaign', campaignId: 'other' }];
    const codes = explainDialability(input).reasons.map((r) => r.code);
    expect(codes).toEqual(['dnc_internal', 'attempts_exhausted', 'retry_not_due']);
  });

  it('requires every candidate zone of an ambiguous lead to be inside the window', () => {
    const input = base();
    input.lead.timezone = null;
    input.lead.tzCandidates = ['America/New_York', 'America/Los_Angeles'];
    const r = explainDialability(input);
    expect(r.dialable).toBe(false);
    expect(r.reasons[0].code).toBe('outside_hours');
    expect(r.reasons[0].detail).toContain('08:00 in America/Los_Angeles');
  });

  it('evaluates the window in local time across DST (same UTC hour, different verdict)', () => {
    const input = base();
    input.campaign.schedule = { windows: { wed: [['10:00', '20:00']] } };
    input.now = new Date('2026-03-04T14:30:00Z'); // 09:30 EST, before DST
    expect(explainDialability(input).reasons.map((r) => r.code)).toEqual(['outside_hours']);
    input.now = new Date('2026-03-11T14:30:00Z'); // 10:30 EDT, after DST began on 8 March
    expect(explainDialability(input).dialable).toBe(true);
  });

  it('names a lead with no zone, a deleted lead and a paused campaign', () => {
    const input = base();
    Object.assign(input.lead, { timezone: null, tzCandidates: null, deletedAt: new Date(), status: 'dnc' });
    input.campaign.status = 'paused';
    expect(explainDialability(input).reasons.map((r) => r.code)).toEqual(['lead_not_dialable', 'lead_not_dialable', 'campaign_not_running', 'no_timezone']);
  });
});
