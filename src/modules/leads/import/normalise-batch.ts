import { CountryCode } from 'libphonenumber-js/max';
import { CsvRecord } from './csv-reader';
import { normaliseRecord, ResolvedMapping, stageIssueLine, stageLeadLine } from './lead-row';

/** One batch of records turned into COPY text for the staging table, with its counts. */
export interface NormalisedBatch {
  out: string;
  rowsRead: number;
  rejected: number;
  valid: number;
  customNames: string[];
}

export function normaliseBatch(records: CsvRecord[], mapping: ResolvedMapping, defaultCountry: CountryCode): NormalisedBatch {
  let out = '';
  let rejected = 0;
  let valid = 0;
  const customNames = new Set<string>();
  for (const rec of records) {
    const { lead, issues } = normaliseRecord(rec, mapping, defaultCountry);
    if (lead) {
      valid++;
      out += stageLeadLine(lead);
      for (const name of Object.keys(lead.custom)) customNames.add(name);
    } else {
      rejected++;
    }
    for (const issue of issues) out += stageIssueLine(issue);
  }
  return { out, rowsRead: records.length, rejected, valid, customNames: [...customNames] };
}
