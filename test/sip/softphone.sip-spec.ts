import { INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import { createSocket, Socket } from 'dgram';
import { existsSync } from 'fs';
import { AddressInfo } from 'net';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { AuthGuard } from '../../src/common/auth/auth.guard';
import { loadConfig } from '../../src/config/env.schema';
import { ConfigModule } from '../../src/config/config.module';
import { AgentPhoneDirectory, DrachtioTelephony } from '../../src/modules/telephony/drachtio/drachtio-telephony';
import { SrfLike } from '../../src/modules/telephony/drachtio/sip-types';
import { GatewayConfig } from '../../src/modules/telephony/gateways/gateway-config';
import { RtpEngineNgClient } from '../../src/modules/telephony/rtpengine/rtpengine-ng.client';
import { SoftphoneModule } from '../../src/modules/telephony/softphone/softphone.module';
import { DialEvents } from '../../src/modules/telephony/telephony.port';
import { DRACHTIO_SKIP_LINE, DrachtioTarget, drachtioConfigured, LOCAL_SIP_IP, reachDrachtio } from './support/drachtio-server';
import { waitFor, which } from './support/processes';
import { RtpEngineUnderTest, startRtpEngine } from './support/rtpengine-daemon';
import { SippRun, sipp, sippAvailable } from './support/sipp';
import { startTurnServer, TurnServerUnderTest, turnServerAvailable } from './support/turnserver';
import { DataSource } from 'typeorm';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Srf = require('drachtio-srf') as new () => SrfLike;

/**
 * The browser softphone end to end: headless Chromium opens GET /softphone (logged in as the agent), registers over
 * SIP/WebSocket to a real drachtio-server with the agent's SIP account, auto-answers the dialer's agent leg (WebRTC:
 * ICE + DTLS-SRTP to a real rtpengine), and a customer answered by a sipp carrier is joined to it; RTP must flow both
 * ways: the browser's own WebRTC statistics (shown on the page) count packets received, and the customer's socket
 * receives the agent's audio. Three times: over plain WebSocket with a direct path to rtpengine, and over secure
 * WebSocket (WSS, drachtio-server's TLS) with the media forced through a real TURN server (coturn) whose credential the
 * page got from GET /api/softphone/ice-servers, reached once over UDP (turn:) and once over TLS (turns:).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = [
  !drachtioConfigured() && 'drachtio-server', !sippAvailable() && 'sipp', !which('rtpengine') && 'rtpengine', !existsSync(CHROMIUM) && CHROMIUM,
  !turnServerAvailable() && 'turnserver (coturn)', !which('openssl') && 'openssl',
].filter(Boolean);
if (missing.length) {
  const line = missing.includes('drachtio-server') ? DRACHTIO_SKIP_LINE : `SKIPPED: the softphone test needs ${missing.join(', ')}`;
  const banner = `\n${'*'.repeat(100)}\n*** ${line}\n${'*'.repeat(100)}\n`;
  process.stderr.write(banner);
  console.warn(banner);
}
// Skipped (with the banner above) only when drachtio-server, sipp, rtpengine, coturn, openssl or Chromium is missing here.
const describeIf = missing.length ? describe.skip : describe;

/** A PCMU RTP packet of 20 ms (a 400 Hz tone, so it is not silence). */
function rtp(seq: number): Buffer {
  const b = Buffer.alloc(12 + 160);
  b[0] = 0x80; b[1] = 0; b.writeUInt16BE(seq & 0xffff, 2); b.writeUInt32BE(seq * 160, 4); b.writeUInt32BE(0xc0ffee, 8);
  for (let i = 0; i < 160; i++) b[12 + i] = Math.sin((2 * Math.PI * 400 * (seq * 160 + i)) / 8000) > 0 ? 0x9f : 0x1f;
  return b;
}

describeIf('browser softphone (SIP.js in Chromium) over WebSocket to drachtio, media through rtpengine', () => {
  jest.setTimeout(120_000);
  let server: DrachtioTarget;
  let rtpe: RtpEngineUnderTest;
  let turn: TurnServerUnderTest;
  let tel: DrachtioTelephony;
  let browser: Browser;
  let customer: Socket;
  const customerPackets: Buffer[] = [];
  const runs: SippRun[] = [];
  const apps: INestApplication[] = [];
  const contexts: BrowserContext[] = [];
  const phones = new Map([['agent-web', { sipUsername: 'agent9', sipUri: null as string | null }]]);
  const directory: AgentPhoneDirectory = {
    phoneOf: async (id) => phones.get(id) ?? null,
    credentialsOf: async (u) => (u === 'agent9' ? { agentId: 'agent-web', password: 'browser-pass' } : null),
  };
  let callNo = 0;

  beforeAll(async () => {
    server = await reachDrachtio();
    if (!server.wsPort) throw new Error('drachtio-server WebSocket port unknown (set DRACHTIO_WS_PORT)');
    rtpe = await startRtpEngine();
    turn = await startTurnServer();
    customer = createSocket('udp4');
    customer.on('message', (m) => customerPackets.push(m));
    await new Promise<void>((r) => customer.bind(0, LOCAL_SIP_IP, () => r()));
    const gateway: GatewayConfig = {
      id: 'gw', name: 'sipp-carrier', host: LOCAL_SIP_IP, port: 0, transport: 'udp', username: null, password: null,
      numberFormat: 'e164', prefix: '', callerIdRules: {}, cpsLimit: 50, channelLimit: 10,
    };
    const carrier = await sipp('answer-rtp-to', {
      ip: LOCAL_SIP_IP, calls: 4, timeoutSec: 110, args: ['-key', 'rtp_ip', LOCAL_SIP_IP, '-key', 'rtp_port', String(customer.address().port)],
    });
    runs.push(carrier);
    gateway.port = carrier.port;
    tel = new DrachtioTelephony(new Srf(), new RtpEngineNgClient('127.0.0.1', rtpe.ngPort), { forDial: async () => gateway }, directory, {
      drachtio: { host: server.host, port: server.port, secret: server.secret }, realm: 'dialer.test', abandonMessageFile: '/dev/null',
    });
    await tel.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // a fake microphone (a beep), allowed without a prompt
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        // rtpengine listens on loopback here: let WebRTC use it, with real addresses rather than mDNS names
        '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
        // drachtio-server's WSS certificate is a throwaway self-signed one made for this run
        '--ignore-certificate-errors',
      ],
    });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    for (const a of apps) await a.close();
    tel?.stop();
    await Promise.all(runs.map((r) => r.stop()));
    customer?.close();
    await turn?.stop();
    await rtpe?.stop();
    await server?.stop();
  });

  /** The softphone page and its ICE endpoint, behind the real AuthGuard, with the given TURN settings. */
  async function softphoneApp(env: Record<string, string>): Promise<{ port: number; token: string }> {
    const secret = 'softphone-test-jwt-secret-'.padEnd(40, 'x');
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(loadConfig({ JWT_SECRET: secret, ...env })), JwtModule.register({ secret }), SoftphoneModule],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        // The guard reads the account on every request; this app has no database, so the test's agent is served here.
        { provide: DataSource, useValue: { query: async () => [{ role: 'agent', display_name: 'Agent Web', active: true }] } },
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    const token = await app.get(JwtService).signAsync({ sub: 'agent-web', role: 'agent', name: 'Agent Web' });
    return { port: (app.getHttpServer().address() as AddressInfo).port, token };
  }

  /** Logs the agent in (session cookie), opens the softphone and connects it to drachtio-server at `ws`. */
  async function openSoftphone(env: Record<string, string>, ws: string): Promise<Page> {
    const { port, token } = await softphoneApp(env);
    const context = await browser.newContext();
    contexts.push(context);
    await context.addCookies([{ name: 'dialer_token', value: token, domain: '127.0.0.1', path: '/', httpOnly: true }]);
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/softphone?ws=${encodeURIComponent(ws)}&user=agent9&domain=dialer.test`);
    await page.getByLabel('SIP password').fill('browser-pass');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.locator('#status[data-state="registered"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('#status').textContent()).toBe('registered as agent9');
    return page;
  }

  /** A customer answers and is joined to the agent; both talk; the dialer hangs up; the agent's line stays up. */
  async function customerCall(page: Page, screenshot?: string): Promise<void> {
    const n = ++callNo;
    const seen: string[] = [];
    const events: DialEvents = {
      onRinging: () => undefined, onAnswered: () => void seen.push('answered'), onFailed: (...a) => void seen.push(`failed ${a[1]}`), onEnded: () => void seen.push('ended'),
    };
    const { callId } = await tel.dial({ callId: `softphone-${process.pid}-${n}`, campaignId: 'c', to: '+12025550143', callerId: '+12025550100', gatewayId: 'gw', ringTimeoutMs: 10_000 }, events);
    await waitFor('the customer to answer', async () => seen.includes('answered'), 10_000, 10);
    await tel.bridge(callId, 'agent-web');
    expect(tel.stats().bridge.lastMs).toBeLessThan(300);

    // The customer talks: RTP to rtpengine's port for the customer (from its session), as a phone would send it.
    const ng = new RtpEngineNgClient('127.0.0.1', rtpe.ngPort);
    const q = await ng.query(callId).finally(() => ng.close());
    const tags = q.tags as Record<string, { medias: Array<{ streams: Array<{ 'local port': number }> }> }>;
    const customerTag = Object.keys(tags).find((t) => t !== 'dialer')!;
    const towardRtpengine = tags[customerTag].medias[0].streams[0]['local port'];
    const receivedBefore = Number(await page.locator('#audio').getAttribute('data-received'));
    customerPackets.length = 0;
    let seq = 0;
    const talk = setInterval(() => customer.send(rtp(seq++), towardRtpengine, '127.0.0.1'), 20);
    try {
      // what the agent's browser counts (shown on the page), and what reaches the customer from the browser
      await page.waitForFunction((before) => Number(document.querySelector<HTMLElement>('#audio')?.dataset.received ?? 0) >= before + 25, receivedBefore, { timeout: 15_000 });
      await waitFor('the agent\'s audio to reach the customer', async () => customerPackets.length >= 25, 10_000, 50);
    } finally {
      clearInterval(talk);
    }
    expect(customerPackets[0][0] & 0xc0).toBe(0x80); // RTP
    expect(customerPackets[0][1] & 0x7f).toBe(0); // PCMU, as the carrier answered
    if (screenshot) await page.screenshot({ path: screenshot }).catch(() => undefined);

    await tel.hangup(callId);
    await waitFor('the call to end', async () => seen.includes('ended'), 10_000, 10);
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.locator('#line').getAttribute('data-state')).toBe('up');
  }

  async function goReady(page: Page): Promise<void> {
    // Ready: the dialer calls the browser once (WebRTC profile); the page answers by itself.
    await tel.ensureAgentLeg('agent-web', { onAgentLegDown: () => undefined });
    await page.locator('#line[data-state="up"]').waitFor({ timeout: 15_000 });
  }

  async function logOut(page: Page): Promise<void> {
    await tel.releaseAgentLeg('agent-web');
    await page.locator('#line[data-state="none"]').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await page.locator('#status[data-state="offline"]').waitFor({ timeout: 10_000 });
    await tel.registrar.unregister('agent9');
  }

  it('over WS with no TURN server: registers, takes the agent leg, and carries one customer after another both ways, directly to rtpengine', async () => {
    const page = await openSoftphone({}, `ws://${server.sipHost}:${server.wsPort}`);
    expect(await tel.registrar.lookup('agent9')).toMatchObject({ transport: 'ws' });
    await goReady(page);
    // the idle line carries nothing
    await new Promise((r) => setTimeout(r, 1000));
    expect(await page.locator('#audio').getAttribute('data-received')).toBe('0');

    await customerCall(page, 'test/artifacts/softphone-in-call.png');
    // the same line carries the next customer
    await customerCall(page);
    expect(tel.stats().bridge.count).toBe(2);
    // a direct path: no TURN server was offered
    expect(await page.locator('#audio').getAttribute('data-path')).toBe('host');
    await logOut(page);
  });

  /**
   * Over WSS with the media forced through the TURN server at `url` (policy relay, credential minted by the dialer):
   * a customer call both ways, the browser's selected path a TURN relay reached over `via`, and a new allocation granted.
   */
  async function relayedCall(url: string, via: 'udp' | 'tls', screenshot?: string): Promise<void> {
    if (!server.wssPort) throw new Error('drachtio-server WSS port unknown (set DRACHTIO_WSS_PORT)');
    const allocationsBefore = turn.allocations();
    const page = await openSoftphone({ TURN_URLS: url, TURN_SECRET: turn.secret, SOFTPHONE_ICE_POLICY: 'relay' }, `wss://${server.sipHost}:${server.wssPort}`);
    expect(await tel.registrar.lookup('agent9')).toMatchObject({ transport: 'wss' });
    await goReady(page);
    await customerCall(page, screenshot);
    expect(await page.locator('#audio').getAttribute('data-path')).toBe('relay');
    expect(await page.locator('#audio').getAttribute('data-relay')).toBe(via);
    expect(await page.locator('#audio').textContent()).toContain(`through the TURN relay over ${via.toUpperCase()}`);
    expect(turn.allocations()).toBeGreaterThan(allocationsBefore);
    await logOut(page);
  }

  it('over WSS with the media relayed through TURN (policy relay, credential minted by the dialer): customer and agent hear each other', async () => {
    await relayedCall(turn.url, 'udp', 'test/artifacts/softphone-in-call-wss-turn.png');
  });

  it('with only a turns: server (TURN over TLS, as behind a firewall that passes only TLS): the media is relayed, the browser reaching the TURN server over TLS', async () => {
    await relayedCall(turn.tlsUrl, 'tls');
  });
});
