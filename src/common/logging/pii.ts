/**
 * Logs carry no phone numbers, names or secrets. Fields known to hold them are redacted by path;
 * free text is scrubbed of anything that looks like a phone number or an e-mail address.
 */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
  '*.phone', '*.phones', '*.altPhones', '*.firstName', '*.lastName', '*.name', '*.email', '*.password', '*.token',
  '*.callerId', '*.displayName', '*.sipPassword', '*.secret', '*.notes',
];

const PHONE = /\+?\(?\d[\d\s().-]{5,}\d/g;
const EMAIL = /[^\s@"']+@[^\s@"']+\.[^\s@"']+/g;

export function scrubText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[number]');
}

/** Drops the query string: searches by phone or name travel there. */
export function safeUrl(url: string | undefined): string {
  if (!url) return '';
  const path = url.split('?')[0];
  return scrubText(path);
}
