import { parentPort, workerData } from 'node:worker_threads';
import { CountryCode } from 'libphonenumber-js/max';
import { CsvRecord } from './csv-reader';
import { ColumnMapping } from './lead-import.entity';
import { resolveMapping } from './lead-row';
import { normaliseBatch } from './normalise-batch';

/** A normalisation thread of NormalisePool: batches of records in, COPY text and counts out. */
const init = workerData as { header: string[]; mapping: ColumnMapping; defaultCountry: CountryCode };
const { mapping } = resolveMapping(init.header, init.mapping);

parentPort!.on('message', (msg: { id: number; records: CsvRecord[] }) => {
  try {
    parentPort!.postMessage({ id: msg.id, batch: normaliseBatch(msg.records, mapping, init.defaultCountry) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
