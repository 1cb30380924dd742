import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { load } from 'js-yaml';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * docker-compose.yml cannot be run in CI (no Docker engine; scripts/compose-smoke.sh and the sip-tests profile run it
 * where there is one): this checks it parses and agrees with what the SIP suite and the app need, and has the Compose
 * tool itself (`docker compose`, or Debian's `docker-compose`, which needs no engine for `config`) validate it with
 * every profile.
 */
const ROOT = join(__dirname, '..', '..');
type Service = {
  image?: string; build?: string | { context: string; dockerfile?: string }; command?: string[]; entrypoint?: string[]; profiles?: string[];
  environment?: Record<string, string>; volumes?: string[]; depends_on?: Record<string, { condition: string }>;
};
const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
// YAML merge keys (`<<: *carrier`), as Compose applies them: this js-yaml leaves them as a '<<' key.
const services = Object.fromEntries(Object.entries(compose.services).map(([name, raw]) => {
  const { '<<': base, ...own } = raw as Service & { '<<'?: Service };
  return [name, { ...(base ?? {}), ...own } as Service];
}));

/** The Compose command line on this machine: `docker compose` (v2 plugin) or `docker-compose` (v1); null when neither. */
function composeTool(): string[] | null {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return null;
}
const tool = composeTool();
if (!tool) {
  const banner = `\n${'*'.repeat(100)}\n*** SKIPPED: docker-compose.yml not validated by the Compose tool (neither \`docker compose\` nor \`docker-compose\` is installed; scripts/setup.sh --with-sip installs Debian's docker-compose)\n${'*'.repeat(100)}\n`;
  process.stderr.write(banner);
}

/**
 * `config --quiet` of a compose file as Compose resolves it (variables, merge keys, schema), with the given profiles and
 * only the variables the README's command sets (JWT_SECRET): anything else the file requires would stop `up` too.
 */
function composeConfig(dir: string, profiles: string[] = []): { status: number | null; output: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TURN_|SIP_DOMAIN|DRACHTIO_|ABANDON_|TELEPHONY)/.test(k)));
  const r = spawnSync(tool![0], [...tool!.slice(1), '--project-directory', dir, '-f', join(dir, 'docker-compose.yml'), ...profiles.flatMap((p) => ['--profile', p]), 'config', '--quiet'], {
    encoding: 'utf8', env: { ...env, JWT_SECRET: 'compose-config-check' },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('docker-compose.yml (parsed and validated; run by scripts/compose-smoke.sh where Docker is)', () => {
  (tool ? it : it.skip)('is valid for the Compose tool with every profile and only JWT_SECRET set, which rejects a file with an unknown service key', () => {
    for (const profiles of [[], ['test'], ['sip-tests'], ['turn'], ['test', 'sip-tests', 'turn']]) {
      const ok = composeConfig(ROOT, profiles);
      expect({ profiles, status: ok.status, output: ok.output }).toMatchObject({ profiles, status: 0 });
    }
    // The same file with one misspelt key must fail: the check validates, it does not just parse.
    const dir = mkdtempSync(join(tmpdir(), 'compose-check-'));
    try {
      writeFileSync(join(dir, 'docker-compose.yml'), readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8').replace('\n    healthcheck:', '\n    healthchek:'));
      const bad = composeConfig(dir, ['test', 'sip-tests', 'turn']);
      expect(bad.status).not.toBe(0);
      expect(bad.output).toMatch(/healthchek/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a test profile with one sipp carrier per outcome, each on an existing scenario', () => {
    const carriers = Object.entries(services).filter(([, s]) => s.profiles?.includes('test') && s.command?.[0] === 'sipp');
    const scenarios = carriers.map(([, s]) => s.command![s.command!.indexOf('-sf') + 1]);
    expect(scenarios.sort()).toEqual(['/scenarios/answer.xml', '/scenarios/busy.xml', '/scenarios/notfound.xml', '/scenarios/ring-forever.xml', '/scenarios/unavailable.xml']);
    for (const sc of scenarios) expect(existsSync(join(ROOT, 'test/sip/scenarios', sc.replace('/scenarios/', '')))).toBe(true);
    for (const [, s] of carriers) expect(s.volumes).toContain('./test/sip/scenarios:/scenarios:ro');
  });

  it('builds from files that exist and mounts files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) {
        const b = typeof s.build === 'string' ? { context: s.build } : s.build;
        expect([name, existsSync(join(ROOT, b.context, b.dockerfile ?? 'Dockerfile'))]).toEqual([name, true]);
      }
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0];
        if (src.startsWith('.')) expect([name, src, existsSync(join(ROOT, src))]).toEqual([name, src, true]);
        else expect([name, src, src in compose.volumes]).toEqual([name, src, true]);
      }
      for (const dep of Object.keys(s.depends_on ?? {})) expect([name, dep, dep in services]).toEqual([name, dep, true]);
    }
  });

  it('gives the SIP suite what it reads to reach drachtio (admin, SIP, WebSocket) and its own address for sipp peers, in a profile of its own (not beside the app)', () => {
    expect(services['sip-tests'].profiles).toEqual(['sip-tests']);
    const env = services['sip-tests'].environment!;
    expect(env.DRACHTIO_SIP_HOST).toBe(((services.drachtio as { networks?: Record<string, { ipv4_address?: string }> }).networks?.siptest?.ipv4_address));
    for (const k of ['DRACHTIO_HOST', 'DRACHTIO_PORT', 'DRACHTIO_SECRET', 'DRACHTIO_SIP_PORT', 'DRACHTIO_WS_PORT', 'DRACHTIO_WSS_PORT', 'SIP_TEST_LOCAL_IP', 'TEST_ADMIN_DATABASE_URL', 'TEST_REDIS_URL']) {
      expect([k, env[k] !== undefined]).toEqual([k, true]);
    }
    const drachtio = services.drachtio.command!.join(' ');
    expect(drachtio).toContain(`sip:*:${env.DRACHTIO_SIP_PORT};transport=udp`);
    expect(drachtio).toContain(`sip:*:${env.DRACHTIO_WS_PORT};transport=ws`);
    expect(drachtio).toContain(`sips:*:${env.DRACHTIO_WSS_PORT};transport=wss`);
    expect(services['sip-tests'].command).toEqual(['npx', 'jest', '--config', 'jest.config.js', '--selectProjects', 'sip', '--runInBand']);
    const dockerfile = readFileSync(join(ROOT, 'test/sip/Dockerfile.sip-tests'), 'utf8');
    for (const pkg of ['sip-tester', 'rtpengine-daemon', 'espeak-ng', 'sox', 'chromium', 'coturn', 'openssl']) expect(dockerfile).toContain(pkg);
  });

  it('serves WSS with the certificate from the tls volume, made (or kept) before drachtio starts, and passes TURN settings to the app', () => {
    const drachtio = services.drachtio.command!;
    expect(drachtio[drachtio.indexOf('--key-file') + 1]).toBe('/tls/tls.key');
    expect(drachtio[drachtio.indexOf('--cert-file') + 1]).toBe('/tls/tls.crt');
    expect(services.drachtio.volumes).toContain('tls:/tls:ro');
    expect(services.drachtio.depends_on!['tls-cert'].condition).toBe('service_completed_successfully');
    const mk = services['tls-cert'].command!.join(' ');
    expect(mk).toContain('-keyout /tls/tls.key -out /tls/tls.crt');
    expect(mk).toMatch(/^sh -c set -e; if ! \[ -s \/tls\/tls.key \] \|\| ! \[ -s \/tls\/tls.crt \]; then /);
    expect(mk).toMatch(/chgrp 65534 \/tls\/tls.key && chmod 640 \/tls\/tls.key"?$/);
    const app = services.app.environment!;
    for (const k of ['TURN_URLS', 'TURN_SECRET', 'SOFTPHONE_ICE_POLICY']) expect([k, app[k]]).toEqual([k, expect.stringContaining(`\${${k}`)]);
    const turn = services.turn.entrypoint!.join(' ');
    expect(services.turn.command).toBeUndefined();
    expect(services.turn.profiles).toEqual(['turn']);
    expect(turn).toContain('--use-auth-secret');
    // the secret comes from the service's environment, checked when the service starts (not a required variable of the file)
    expect(turn).toContain('--static-auth-secret=$$TURN_SECRET');
    expect(turn).toMatch(/^sh -c \[ \$\$\{#TURN_SECRET\} -ge 16 \] \|\| \{ echo .*exit 1; \};/);
    expect(services.turn.environment!.TURN_SECRET).toBe('${TURN_SECRET:-}');
    // TURN over TLS (turns:) with the certificate of the tls volume
    expect(turn).toContain('--tls-listening-port=5349');
    expect(turn).toContain('--cert=/tls/tls.crt --pkey=/tls/tls.key');
    expect(services.turn.volumes).toContain('tls:/tls:ro');
    expect(services.turn.depends_on!['tls-cert'].condition).toBe('service_completed_successfully');
  });

  it('plays the spoken abandonment message by default, made into the volume rtpengine reads before rtpengine starts', () => {
    expect(services.app.environment!.ABANDON_MESSAGE_FILE).toBe('${ABANDON_MESSAGE_FILE:-/sounds/abandon-message-spoken.wav}');
    expect(services['abandon-message'].command!.join(' ')).toContain('/make-abandon-message.sh /sounds/abandon-message-spoken.wav');
    expect(services.rtpengine.volumes).toContain('sounds:/sounds:ro');
    expect(services.rtpengine.depends_on!['abandon-message'].condition).toBe('service_completed_successfully');
  });
});
