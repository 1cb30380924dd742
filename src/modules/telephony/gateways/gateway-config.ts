import { parsePhoneNumberFromString } from 'libphonenumber-js';

export type GatewayTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
export type NumberFormat = 'e164' | 'national' | 'e164_no_plus';

/** How a trunk wants the caller ID presented (stored in sip_gateways.caller_id_rules). */
export interface CallerIdRules {
  /** Put the caller ID in the From user part (default true); false presents 'anonymous' in From. */
  from?: boolean;
  /** Add P-Asserted-Identity carrying the caller ID (trunks that authorise the caller ID by PAI). */
  pAssertedIdentity?: boolean;
  /** Add a Diversion header with this E.164 number (trunks that authorise by the diverting number). */
  diversion?: string | null;
  /** Add `Privacy: id` (caller ID withheld from the callee but kept in PAI for the carrier). */
  privacy?: boolean;
  /** Format of the caller ID in the headers; default: the gateway's number format without the prefix. */
  format?: NumberFormat;
}

/** What the SIP adapter needs of a gateway to place a call (password included: never leaves the server). */
export interface GatewayConfig {
  id: string;
  name: string;
  host: string;
  port: number;
  transport: GatewayTransport;
  username: string | null;
  password: string | null;
  numberFormat: NumberFormat;
  prefix: string;
  callerIdRules: CallerIdRules;
  cpsLimit: number;
  channelLimit: number;
}

/** Finds the gateway for a dial: the given one, or the first active one when the campaign names none. */
export interface GatewayDirectory {
  forDial(gatewayId: string | null): Promise<GatewayConfig | null>;
}

/** Formats an E.164 number the way a trunk wants it. */
export function formatNumber(e164: string, format: NumberFormat): string {
  const digits = e164.replace(/^\+/, '');
  if (format === 'e164') return `+${digits}`;
  if (format === 'e164_no_plus') return digits;
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (!parsed) return digits;
  // National significant number with the national trunk prefix where the country uses one (0 in the UK, none in NANP).
  return parsed.formatNational().replace(/[^\d]/g, '');
}

/** The dialled user part: the gateway's tech prefix, then the number in its format. */
export function dialledUser(e164: string, gw: Pick<GatewayConfig, 'numberFormat' | 'prefix'>): string {
  return `${gw.prefix}${formatNumber(e164, gw.numberFormat)}`;
}

/** The Request-URI for a customer call through this gateway. */
export function requestUri(e164: string, gw: Pick<GatewayConfig, 'host' | 'port' | 'transport' | 'numberFormat' | 'prefix'>): string {
  const secure = gw.transport === 'tls' || gw.transport === 'wss';
  const host = gw.host.includes(':') && !gw.host.startsWith('[') ? `[${gw.host}]` : gw.host;
  const transport = gw.transport === 'udp' ? '' : `;transport=${gw.transport}`;
  return `${secure ? 'sips' : 'sip'}:${encodeURIComponent(dialledUser(e164, gw)).replace(/%2B/g, '+')}@${host}:${gw.port}${transport}`;
}

/** From / P-Asserted-Identity / Diversion / Privacy headers for a call, by the gateway's caller-ID rules. */
export function callerIdHeaders(callerId: string | null, gw: Pick<GatewayConfig, 'host' | 'numberFormat' | 'callerIdRules'>): Record<string, string> {
  const rules = gw.callerIdRules ?? {};
  const fmt = rules.format ?? gw.numberFormat;
  const headers: Record<string, string> = {};
  const user = callerId ? formatNumber(callerId, fmt) : null;
  const showInFrom = rules.from !== false && user !== null;
  headers.From = showInFrom ? `<sip:${user}@${gw.host}>` : '"Anonymous" <sip:anonymous@anonymous.invalid>';
  if (rules.pAssertedIdentity && user) headers['P-Asserted-Identity'] = `<sip:${user}@${gw.host}>`;
  if (rules.diversion) headers.Diversion = `<sip:${formatNumber(rules.diversion, fmt)}@${gw.host}>;reason=unconditional`;
  if (rules.privacy || !showInFrom) headers.Privacy = 'id';
  return headers;
}
