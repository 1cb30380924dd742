import { CsvRecord } from './csv-reader';
import { normaliseRecord, resolveMapping, stageLeadLine } from './lead-row';

const header = ['Phone', 'First', 'ZIP', 'TZ', 'Alt', 'Notes'];
const { mapping } = resolveMapping(header, { phone: 'phone', firstName: 'First', postalCode: 'ZIP', timezone: 'TZ', altPhones: ['Alt'], custom: { notes: 'Notes' } });
const rec = (fields: string[], extra: Partial<CsvRecord> = {}): CsvRecord => ({ line: 7, fields, badUtf8: null, problem: null, problemField: null, ...extra });

describe('normaliseRecord', () => {
  it('matches mapping columns case-insensitively and names unknown ones', () => {
    expect(mapping.phone).toBe(0);
    const { errors } = resolveMapping(header, { phone: 'Phone', lastName: 'Surname', custom: { x: 'Nope' } });
    expect(errors.map((e) => e.field)).toEqual(['mapping.lastName', 'mapping.custom.x']);
    expect(errors[0].reason).toContain('"Phone", "First"');
  });

  it('turns a good row into a lead with E.164, zone from ZIP and custom fields', () => {
    const { lead, issues } = normaliseRecord(rec(['(212) 555-0188', ' Ann ', '94105', '', '', 'likes "tea"\tand\\more']), mapping, 'US');
    expect(issues).toEqual([]);
    expect(lead).toMatchObject({ line: 7, phone: '+12125550188', firstName: 'Ann', timezone: 'America/Los_Angeles', custom: { notes: 'likes "tea"\tand\\more' } });
    // COPY text format: tab and backslash escaped, so the staging row keeps its 16 columns.
    expect(stageLeadLine(lead!).split('\t')).toHaveLength(16);
  });

  it.each<[string, CsvRecord, string | null, string]>([
    ['wrong column count', rec(['2125550188', 'x']), null, 'wrong column count: expected 6, found 2'],
    ['bad UTF-8 in a mapped column', rec(['2125550188', 'x\ufffd', '', '', '', ''], { badUtf8: [1] }), 'First', 'not valid UTF-8'],
    ['reader problem', rec(['2125550188', '', '', '', '', ''], { problem: 'field longer than 65536 bytes', problemField: 5 }), 'Notes', 'field longer than'],
    ['value too long', rec(['2125550188', 'y'.repeat(201), '', '', '', '']), 'First', 'value is 201 characters long (at most 200)'],
    ['empty phone', rec(['', 'x', '', '', '', '']), 'Phone', 'phone is empty'],
    ['letters in phone', rec(['212555O188', 'x', '', '', '', '']), 'Phone', 'phone contains letters'],
    ['unknown zone', rec(['2125550188', 'x', '', 'Europe/Atlantis', '', '']), 'TZ', '"Europe/Atlantis" is not an IANA time zone'],
  ])('rejects a row for %s, naming the column', (_name, r, column, reason) => {
    const { lead, issues } = normaliseRecord(r, mapping, 'US');
    expect(lead).toBeNull();
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 7, column, action: 'rejected' });
    expect(issues[0].reason).toContain(reason);
  });

  it('ignores bad bytes in a column the mapping does not read', () => {
    const { mapping: m } = resolveMapping(header, { phone: 'Phone' });
    expect(normaliseRecord(rec(['2125550188', '\ufffd', '', '', '', ''], { badUtf8: [1] }), m, 'US').lead).not.toBeNull();
  });

  it('keeps the lead but reports an unusable alternate phone', () => {
    const { lead, issues } = normaliseRecord(rec(['2125550188', 'x', '', '', '12', '']), mapping, 'US');
    expect(lead!.altPhones).toEqual([]);
    expect(issues).toEqual([{ line: 7, column: 'Alt', reason: 'alternate phone ignored: phone is too short for US', action: 'ignored_value' }]);
  });
});
