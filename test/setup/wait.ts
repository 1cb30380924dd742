import { once } from 'node:events';
import { createServer } from 'node:net';

/** Polls until fn returns something truthy; errors count as "not yet" (stores may be restarting). */
export async function waitFor<T>(fn: () => Promise<T | false | null | undefined>, timeoutMs: number, what: string, everyMs = 150): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A TCP port on loopback that was free a moment ago. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}
