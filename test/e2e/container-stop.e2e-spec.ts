import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { EnvSchema } from '../../src/config/env.schema';

/**
 * `docker stop` / a deploy sends SIGTERM to the container's main process and SIGKILL after the grace period. No
 * Docker engine here: the image's CMD is run as it is, with the two node commands replaced by stand-ins, and the
 * SIGTERM must reach the app's stand-in; the compose file must give the app an init and a grace period longer than
 * the app's own shutdown deadline.
 */
const ROOT = join(__dirname, '..', '..');

describe('stopping the container', () => {
  const dir = mkdtempSync(join(tmpdir(), 'container-stop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("delivers SIGTERM to the app's process (the image's CMD execs node, no shell left in between)", async () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const cmds = [...dockerfile.matchAll(/^CMD (\[.*\])\s*$/gm)];
    const cmd = JSON.parse(cmds[cmds.length - 1][1]) as string[];
    expect(cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(cmd[2]).toContain('node dist/scripts/migrate.js');
    expect(cmd[2]).toContain('node dist/src/main.js');
    const app = join(dir, 'app.js');
    writeFileSync(app, `process.on('SIGTERM', () => { process.stdout.write('app got SIGTERM\\n'); process.exit(0); });
process.stdout.write('app ready\\n'); setTimeout(() => process.exit(2), 10_000); // never outlives the test`);
    const script = cmd[2].replace('node dist/scripts/migrate.js', 'true').replace('node dist/src/main.js', `node ${app}`);

    const main = spawn(cmd[0], [cmd[1], script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    main.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = once(main, 'exit');
    for (let i = 0; i < 100 && !out.includes('app ready'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('app ready');
    main.kill('SIGTERM'); // what Docker does to the container's main process
    const [code] = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`main process still running: ${out}`)), 3000))]);
    expect(out).toContain('app got SIGTERM');
    expect(code).toBe(0);
  });

  it('gives the app an init and a stop grace period longer than its shutdown deadline', () => {
    const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { init?: boolean; stop_grace_period?: string }> };
    const app = compose.services.app;
    expect(app.init).toBe(true);
    const m = /^(\d+)s$/.exec(app.stop_grace_period ?? '');
    expect(m).not.toBeNull();
    expect(Number(m![1]) * 1000).toBeGreaterThan(new EnvSchema().SHUTDOWN_TIMEOUT_MS + 5_000);
  });
});
