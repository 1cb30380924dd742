import { csvSafe } from './csv-export';

describe('csvSafe', () => {
  it('defuses text a spreadsheet would run as a formula, and keeps phone numbers and plain text as they are', () => {
    expect(csvSafe('=HYPERLINK("http://x")')).toBe(`'=HYPERLINK("http://x")`);
    expect(csvSafe('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(csvSafe('+cmd|x')).toBe(`'+cmd|x`);
    expect(csvSafe('-2+3')).toBe(`'-2+3`);
    expect(csvSafe('+12125550123')).toBe('+12125550123');
    expect(csvSafe('-12.5')).toBe('-12.5');
    expect(csvSafe('customer asked by e-mail')).toBe('customer asked by e-mail');
  });
});
