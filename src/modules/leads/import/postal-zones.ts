/**
 * Postal code -> IANA zone(s), for the countries where a postal code settles a number's zone better than its prefix.
 *
 * US: by the first three digits of the ZIP code (the sectional centre), state by state; where a sectional centre
 * straddles a zone line, every zone it touches is listed (the lead is then marked ambiguous). Military (AA/AE/AP)
 * ZIPs have no zone. Canada: by the first letter of the postal code (the province), P (northern Ontario) and
 * X (Northwest Territories/Nunavut) listing every zone they span.
 */
import { usZip5 } from '../../compliance/us-zip-states';

const E = 'America/New_York';
const C = 'America/Chicago';
const M = 'America/Denver';
const P = 'America/Los_Angeles';

/** [first ZIP3, last ZIP3, zones] in ascending order; a gap means "no zone from the ZIP code". */
const US_ZIP3: [number, number, string[]][] = [
  [5, 5, [E]], // Holtsville NY (IRS)
  [6, 7, ['America/Puerto_Rico']],
  [8, 8, ['America/St_Thomas']],
  [9, 9, ['America/Puerto_Rico']],
  [10, 89, [E]], // MA RI NH ME VT CT NJ
  [100, 199, [E]], // NY PA DE
  [200, 268, [E]], // DC MD VA WV
  [270, 299, [E]], // NC SC
  [300, 319, [E]], // GA
  [320, 323, [E]], // FL
  [324, 325, [C]], // FL panhandle: Panama City, Pensacola
  [326, 349, [E]], // FL
  [350, 369, [C]], // AL
  [370, 372, [C]], // TN: Nashville
  [373, 374, [E]], // TN: Chattanooga
  [375, 375, [C]], // TN: Memphis
  [376, 379, [E]], // TN: Johnson City, Knoxville
  [380, 385, [C]], // TN: Memphis, Jackson, Columbia, Cookeville
  [386, 397, [C]], // MS
  [398, 399, [E]], // GA
  [400, 418, [E]], // KY: Louisville, Lexington, east
  [420, 424, [C]], // KY: Paducah, Bowling Green, Owensboro, Henderson
  [425, 427, [E]], // KY: Somerset, London, Elizabethtown
  [430, 459, [E]], // OH
  [460, 462, ['America/Indiana/Indianapolis']],
  [463, 464, [C]], // IN: Gary (Chicago area)
  [465, 475, ['America/Indiana/Indianapolis']],
  [476, 477, [C]], // IN: Evansville
  [478, 479, ['America/Indiana/Indianapolis']],
  [480, 497, ['America/Detroit']],
  [498, 499, ['America/Detroit', 'America/Menominee']], // MI Upper Peninsula: four counties on Central time
  [500, 528, [C]], // IA
  [530, 549, [C]], // WI
  [550, 567, [C]], // MN
  [569, 569, [E]], // DC
  [570, 575, [C]], // SD east
  [576, 576, [C, M]], // SD: Mobridge area straddles
  [577, 577, [M]], // SD: Rapid City
  [580, 585, [C]], // ND
  [586, 586, [M]], // ND: Dickinson
  [587, 588, [C]], // ND
  [590, 599, [M]], // MT
  [600, 629, [C]], // IL
  [630, 658, [C]], // MO
  [660, 676, [C]], // KS
  [677, 678, [C, M]], // KS west: four counties on Mountain time
  [679, 679, [C]], // KS
  [680, 690, [C]], // NE
  [691, 692, [C, M]], // NE: North Platte, Valentine areas straddle
  [693, 693, [M]], // NE panhandle
  [700, 714, [C]], // LA
  [716, 729, [C]], // AR
  [730, 732, [C]], // OK
  [733, 733, [C]], // TX: Austin (IRS)
  [734, 749, [C]], // OK
  [750, 797, [C]], // TX
  [798, 799, [M]], // TX: El Paso
  [800, 816, [M]], // CO
  [820, 831, [M]], // WY
  [832, 834, ['America/Boise']], // ID south-east
  [835, 835, [P]], // ID: Lewiston
  [836, 837, ['America/Boise']], // ID: Boise
  [838, 838, [P]], // ID: Coeur d'Alene
  [840, 847, [M]], // UT
  [850, 865, ['America/Phoenix']], // AZ (no DST; the Navajo Nation's DST is not resolved by ZIP3)
  [870, 884, [M]], // NM
  [885, 885, [M]], // TX: El Paso
  [889, 898, [P]], // NV
  [900, 961, [P]], // CA
  [967, 968, ['Pacific/Honolulu']],
  [969, 969, ['Pacific/Guam', 'Pacific/Saipan']],
  [970, 978, [P]], // OR
  [979, 979, ['America/Boise']], // OR: Ontario (Malheur County, Mountain time)
  [980, 994, [P]], // WA
  [995, 999, ['America/Anchorage']], // AK (the western Aleutians, America/Adak, are not separated)
];

/** Canadian postal codes: first letter = province or territory. */
const CA_FIRST_LETTER: Record<string, string[]> = {
  A: ['America/St_Johns'],
  B: ['America/Halifax'],
  C: ['America/Halifax'],
  E: ['America/Moncton'],
  G: ['America/Toronto'],
  H: ['America/Toronto'],
  J: ['America/Toronto'],
  K: ['America/Toronto'],
  L: ['America/Toronto'],
  M: ['America/Toronto'],
  N: ['America/Toronto'],
  P: ['America/Toronto', 'America/Winnipeg'],
  R: ['America/Winnipeg'],
  S: ['America/Regina'],
  T: ['America/Edmonton'],
  V: ['America/Vancouver'],
  X: ['America/Edmonton', 'America/Winnipeg', 'America/Toronto'],
  Y: ['America/Whitehorse'],
};

function usZones(postal: string): string[] | null {
  // One reading of a ZIP code for zones and states alike (leading zeros restored).
  const zip = usZip5(postal);
  if (!zip) return null;
  const zip3 = Number(zip.slice(0, 3));
  let lo = 0;
  let hi = US_ZIP3.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to, zones] = US_ZIP3[mid];
    if (zip3 < from) hi = mid - 1;
    else if (zip3 > to) lo = mid + 1;
    else return zones;
  }
  return null;
}

function caZones(postal: string): string[] | null {
  const m = /^([ABCEGHJ-NPRSTVXY])\d[A-Z]\s?\d[A-Z]\d$/i.exec(postal);
  return m ? CA_FIRST_LETTER[m[1].toUpperCase()] ?? null : null;
}

/** Zones for a postal code in the given country, or null when the country is not covered or the code is not recognised. */
export function zonesForPostalCode(country: string | null | undefined, postal: string): string[] | null {
  const code = postal.trim();
  if (!code) return null;
  if (country === 'US' || country === 'PR' || country === 'VI' || country === 'GU' || country === 'MP') return usZones(code);
  if (country === 'CA') return caZones(code);
  return null;
}
