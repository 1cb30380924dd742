import { CsvReader, detectDelimiter } from './csv-reader';

function readAll(input: Buffer | string, delimiter = ',', chunk = 7, max?: number) {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const r = new CsvReader(delimiter, max);
  const out = [];
  // Small chunks: every state must survive a chunk boundary.
  for (let i = 0; i < buf.length; i += chunk) out.push(...r.write(buf.subarray(i, i + chunk)));
  out.push(...r.end());
  return out;
}

describe('CsvReader', () => {
  it('reads quoted fields with delimiters, escaped quotes and line breaks, CRLF, and skips a BOM and blank lines', () => {
    const recs = readAll('\ufeffphone,name\r\n"+1 (415) 555-0100","Doe, ""JJ"""\r\n\r\n2,"multi\nline"\n3,x');
    expect(recs.map((r) => r.fields)).toEqual([['phone', 'name'], ['+1 (415) 555-0100', 'Doe, "JJ"'], ['2', 'multi\nline'], ['3', 'x']]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 4, 6]);
    expect(recs.every((r) => r.problem === null)).toBe(true);
  });

  it('flags bytes that are not UTF-8 on the field that holds them and goes on with the next record', () => {
    const buf = Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n2,ok\n')]);
    const recs = readAll(buf);
    expect(recs[1].badUtf8).toEqual([1]);
    expect(recs[2]).toMatchObject({ line: 3, fields: ['2', 'ok'], badUtf8: null });
  });

  it('reports a huge field without keeping it, and the next record is read normally', () => {
    const recs = readAll(`a,b\n1,${'z'.repeat(5000)}\n2,ok\n`, ',', 1000, 1024);
    expect(recs[1]).toMatchObject({ line: 2, problemField: 1, fields: ['1', ''] });
    expect(recs[1].problem).toContain('longer than 1024 bytes');
    expect(recs[2]).toMatchObject({ line: 3, fields: ['2', 'ok'], problem: null });
  });

  it('reports a stray character after a closing quote on that record only', () => {
    const recs = readAll('a,b\n"x"y,1\n2,ok\n');
    expect(recs[1].problem).toBe('unexpected character after a closing quote');
    expect(recs[2].fields).toEqual(['2', 'ok']);
  });

  it('reports an unterminated quote at the end of the file', () => {
    const recs = readAll('a,b\n1,"never closed\n2,x\n');
    expect(recs[1].problem).toBe('unterminated quoted field');
  });

  it('detects the delimiter from a sample', () => {
    expect(detectDelimiter(Buffer.from('phone;name;city\n1;"a;b";c\n2;d;e\n'))).toBe(';');
    expect(detectDelimiter(Buffer.from('phone\tname\n1\tx, y\n2\tz\n'))).toBe('\t');
    expect(detectDelimiter(Buffer.from('phone,name\n1,x\n'))).toBe(',');
    expect(detectDelimiter(Buffer.from('phone\n1\n'))).toBeNull();
  });
});
