import { safeUrl, scrubText } from './pii';

describe('PII scrubbing for logs', () => {
  it('replaces phone numbers in free text whatever their format', () => {
    expect(scrubText('dialing +14155550123 now')).toBe('dialing [number] now');
    expect(scrubText('lead (415) 555-0123 busy')).toBe('lead [number] busy');
    expect(scrubText('call 020 7946 0958')).toBe('call [number]');
  });
  it('replaces e-mail addresses', () => {
    expect(scrubText('user jane.doe@example.com logged in')).toBe('user [email] logged in');
  });
  it('keeps ordinary ids and counts', () => {
    expect(scrubText('campaign 3 launched 12 calls')).toBe('campaign 3 launched 12 calls');
  });
  it('drops query strings, which may carry a searched number', () => {
    expect(safeUrl('/api/leads?phone=%2B14155550123')).toBe('/api/leads');
  });
});
