import { Role } from '../users/user.entity';

/**
 * Who sees whole phone numbers in list and lead responses. Admins and managers work the lists; compliance reads
 * them (least privilege: masked) but can still look a lead up by the full number it already holds.
 * Agents have no access to these APIs at all.
 */
export function seesFullPhone(role: Role): boolean {
  return role === Role.Admin || role === Role.Manager;
}

/** +14155550123 -> +1415***0123: the country and area stay readable, the subscriber digits do not. */
export function maskPhone(e164: string): string {
  if (e164.length <= 8) return `${e164.slice(0, 3)}***${e164.slice(-2)}`;
  return `${e164.slice(0, 5)}***${e164.slice(-4)}`;
}
