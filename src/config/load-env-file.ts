import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Reads ./.env (written by scripts/setup.sh) without overriding variables already set. */
export function loadEnvFile(): void {
  const file = resolve(process.cwd(), '.env');
  if (process.env.NODE_ENV !== 'test' && existsSync(file)) process.loadEnvFile(file);
}
