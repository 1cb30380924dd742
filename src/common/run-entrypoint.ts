import { ConfigError } from '../config/env.schema';

/** Runs an entry point; a configuration error exits 78 (EX_CONFIG) with its message, anything else exits 1. */
export function runEntrypoint(main: () => Promise<void>): void {
  main().catch((err) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`fatal: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
