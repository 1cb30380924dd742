import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CsvRecord } from './csv-reader';
import { ColumnMapping } from './lead-import.entity';
import { NormalisedBatch } from './normalise-batch';

interface Pending {
  resolve: (b: NormalisedBatch) => void;
  reject: (e: Error) => void;
}

/**
 * Worker threads that normalise record batches in parallel: phone parsing with the full metadata is the CPU cost
 * of an import (~30 us a row), so a big file uses every core while the main thread reads the file and feeds COPY.
 * Batches are handed out round-robin by load; results may come back out of order (each row carries its line).
 */
export class NormalisePool {
  private readonly pending = new Map<number, Pending>();
  private readonly load: number[];
  private nextId = 0;

  private constructor(private readonly workers: Worker[]) {
    this.load = workers.map(() => 0);
    workers.forEach((w, i) => {
      w.on('message', (msg: { id: number; batch?: NormalisedBatch; error?: string }) => {
        this.load[i]--;
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (!p) return;
        if (msg.batch) p.resolve(msg.batch);
        else p.reject(new Error(`normalisation thread failed: ${msg.error}`));
      });
      w.on('error', (err) => this.failAll(err));
      w.unref();
    });
  }

  static start(size: number, init: { header: string[]; mapping: ColumnMapping; defaultCountry: string }): NormalisePool {
    return new NormalisePool(Array.from({ length: size }, () => spawn(init)));
  }

  run(records: CsvRecord[]): Promise<NormalisedBatch> {
    const id = this.nextId++;
    let i = 0;
    for (let k = 1; k < this.workers.length; k++) if (this.load[k] < this.load[i]) i = k;
    this.load[i]++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[i].postMessage({ id, records });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.failAll(new Error('normalisation pool closed'));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** A thread holds the phone metadata and one batch at a time: a small young generation keeps its RSS down. */
const LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 };

function spawn(workerData: unknown): Worker {
  const compiled = join(__dirname, 'normalise-worker.js');
  if (existsSync(compiled)) return new Worker(compiled, { workerData, resourceLimits: LIMITS });
  // Running from the TypeScript sources (ts-node, jest): compile the worker on the fly too.
  const source = join(__dirname, 'normalise-worker.ts');
  return new Worker(`require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(source)});`, { eval: true, workerData, resourceLimits: LIMITS });
}
