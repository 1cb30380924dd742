/**
 * US ZIP code -> state, by the first three digits (USPS sectional centre ranges), so that stricter state calling
 * rules (e.g. Florida) apply to leads whose state is not given. Territories and military ZIPs map to nothing.
 */
const RANGES: [number, number, string][] = [
  [5, 5, 'NY'], [10, 27, 'MA'], [28, 29, 'RI'], [30, 38, 'NH'], [39, 49, 'ME'], [50, 54, 'VT'], [55, 55, 'MA'], [56, 59, 'VT'],
  [60, 69, 'CT'], [70, 89, 'NJ'], [100, 149, 'NY'], [150, 196, 'PA'], [197, 199, 'DE'], [200, 200, 'DC'], [201, 201, 'VA'],
  [202, 205, 'DC'], [206, 219, 'MD'], [220, 246, 'VA'], [247, 268, 'WV'], [270, 289, 'NC'], [290, 299, 'SC'], [300, 319, 'GA'],
  [320, 349, 'FL'], [350, 369, 'AL'], [370, 385, 'TN'], [386, 397, 'MS'], [398, 399, 'GA'], [400, 427, 'KY'], [430, 459, 'OH'],
  [460, 479, 'IN'], [480, 499, 'MI'], [500, 528, 'IA'], [530, 549, 'WI'], [550, 567, 'MN'], [569, 569, 'DC'], [570, 577, 'SD'],
  [580, 588, 'ND'], [590, 599, 'MT'], [600, 629, 'IL'], [630, 658, 'MO'], [660, 679, 'KS'], [680, 693, 'NE'], [700, 714, 'LA'],
  [716, 729, 'AR'], [730, 749, 'OK'], [750, 799, 'TX'], [800, 816, 'CO'], [820, 831, 'WY'], [832, 838, 'ID'], [840, 847, 'UT'],
  [850, 865, 'AZ'], [870, 884, 'NM'], [885, 885, 'TX'], [889, 898, 'NV'], [900, 961, 'CA'], [967, 968, 'HI'], [970, 979, 'OR'],
  [980, 994, 'WA'], [995, 999, 'AK'],
];

/**
 * The five-digit ZIP code of a US postal code ('02134', '02134-1234', '021341234'), or null. Spreadsheets drop
 * leading zeros ('2134' is 02134, '21341234' is 02134-1234), so three and four digits are padded back.
 */
export function usZip5(postalCode: string | null | undefined): string | null {
  const m = /^(\d{3,5})(?:[-\s]?\d{4})?$/.exec((postalCode ?? '').trim());
  return m ? m[1].padStart(5, '0') : null;
}

/** 'US-FL' for a Florida ZIP code, null when unknown. */
export function usStateFromZip(postalCode: string | null | undefined): string | null {
  const zip = usZip5(postalCode);
  if (!zip) return null;
  const zip3 = Number(zip.slice(0, 3));
  for (const [lo, hi, state] of RANGES) if (zip3 >= lo && zip3 <= hi) return `US-${state}`;
  return null;
}
