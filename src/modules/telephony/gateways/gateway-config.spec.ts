import { callerIdHeaders, dialledUser, formatNumber, requestUri } from './gateway-config';

const gw = { host: 'trunk.example.net', port: 5060, transport: 'udp' as const, numberFormat: 'e164' as const, prefix: '', callerIdRules: {} };

describe('number formatting per gateway', () => {
  it('formats E.164, E.164 without plus and national (with the national prefix where the country has one)', () => {
    expect(formatNumber('+442079460123', 'e164')).toBe('+442079460123');
    expect(formatNumber('+442079460123', 'e164_no_plus')).toBe('442079460123');
    expect(formatNumber('+442079460123', 'national')).toBe('02079460123');
    expect(formatNumber('+12025550143', 'national')).toBe('2025550143');
    expect(formatNumber('+33142685300', 'national')).toBe('0142685300');
  });

  it('puts the tech prefix before the formatted number', () => {
    expect(dialledUser('+442079460123', { numberFormat: 'national', prefix: '1234#' })).toBe('1234#02079460123');
    expect(dialledUser('+12025550143', { numberFormat: 'e164_no_plus', prefix: '9' })).toBe('912025550143');
  });

  it('builds the Request-URI with transport and a secure scheme for TLS', () => {
    expect(requestUri('+12025550143', gw)).toBe('sip:+12025550143@trunk.example.net:5060');
    expect(requestUri('+12025550143', { ...gw, transport: 'tcp', port: 5080 })).toBe('sip:+12025550143@trunk.example.net:5080;transport=tcp');
    expect(requestUri('+12025550143', { ...gw, transport: 'tls', port: 5061 })).toBe('sips:+12025550143@trunk.example.net:5061;transport=tls');
    expect(requestUri('+12025550143', { ...gw, host: '::1' })).toBe('sip:+12025550143@[::1]:5060');
  });
});

describe('caller-ID header rules', () => {
  it('presents the caller ID in From by default and nothing else', () => {
    expect(callerIdHeaders('+12025550100', gw)).toEqual({ From: '<sip:+12025550100@trunk.example.net>' });
  });

  it('adds P-Asserted-Identity, Diversion and Privacy as the trunk asks, in its format', () => {
    const headers = callerIdHeaders('+12025550100', {
      ...gw,
      numberFormat: 'e164_no_plus',
      callerIdRules: { pAssertedIdentity: true, diversion: '+12025550199', privacy: true },
    });
    expect(headers).toEqual({
      From: '<sip:12025550100@trunk.example.net>',
      'P-Asserted-Identity': '<sip:12025550100@trunk.example.net>',
      Diversion: '<sip:12025550199@trunk.example.net>;reason=unconditional',
      Privacy: 'id',
    });
  });

  it('withholds the caller ID from From when told, keeping it in PAI for the carrier', () => {
    const headers = callerIdHeaders('+12025550100', { ...gw, callerIdRules: { from: false, pAssertedIdentity: true } });
    expect(headers.From).toContain('anonymous');
    expect(headers['P-Asserted-Identity']).toBe('<sip:+12025550100@trunk.example.net>');
    expect(headers.Privacy).toBe('id');
  });
});
