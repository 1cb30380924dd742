import { createSocket, Socket } from 'dgram';
import { readdirSync, statSync } from 'fs';
import { join } from 'path';
import { profileFlags, RtpEngineError, RtpEngineNgClient } from '../../src/modules/telephony/rtpengine/rtpengine-ng.client';
import { bestCorrelation, ensureSpokenAbandonMessage, pcmuPayloads, readWav } from './support/audio';
import { waitFor, which } from './support/processes';
import { RtpEngineUnderTest, startRtpEngine } from './support/rtpengine-daemon';

/**
 * The ng client against a real rtpengine (Debian rtpengine-daemon, userspace mode) started by this spec on loopback.
 * Runs wherever rtpengine is installed (scripts/setup.sh --with-sip installs it).
 */
const available = !!which('rtpengine');
if (!available) {
  const banner = '\n*** SKIPPED: rtpengine not installed (apt-get install rtpengine-daemon or scripts/setup.sh --with-sip) ***\n';
  process.stderr.write(banner);
  console.warn(banner);
}
const describeIf = available ? describe : describe.skip;

async function udpPeer(): Promise<{ sock: Socket; port: number; packets: Buffer[]; close: () => Promise<void> }> {
  const sock = createSocket('udp4');
  const packets: Buffer[] = [];
  sock.on('message', (m) => packets.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { sock, port: sock.address().port, packets, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

const sdpFor = (port: number) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');
const mediaPort = (sdp: string) => Number(/m=audio (\d+)/.exec(sdp)![1]);

/** A minimal RTP packet (PCMU, 20 ms of silence). */
function rtp(seq: number, ssrc = 0x1234): Buffer {
  const b = Buffer.alloc(12 + 160, 0xff);
  b[0] = 0x80; b[1] = 0; b.writeUInt16BE(seq, 2); b.writeUInt32BE(seq * 160, 4); b.writeUInt32BE(ssrc, 8);
  return b;
}

describeIf('rtpengine ng client against a real rtpengine', () => {
  let rtpe: RtpEngineUnderTest;
  let ng: RtpEngineNgClient;
  jest.setTimeout(30_000);

  beforeAll(async () => {
    rtpe = await startRtpEngine();
    ng = new RtpEngineNgClient('127.0.0.1', rtpe.ngPort);
  });
  afterAll(async () => {
    ng?.close();
    await rtpe?.stop();
  });

  it('answers ping', async () => {
    await expect(ng.ping()).resolves.toBeUndefined();
  });

  it('anchors media: offer/answer rewrite both SDPs to its own ports, RTP flows A to B through it, delete ends the session', async () => {
    const a = await udpPeer();
    const b = await udpPeer();
    try {
      const towardB = await ng.offer('anchor-1', 'tag-a', sdpFor(a.port), profileFlags('rtp'));
      const towardA = await ng.answer('anchor-1', 'tag-a', 'tag-b', sdpFor(b.port), profileFlags('rtp'));
      for (const sdp of [towardA, towardB]) {
        expect(sdp).toContain('c=IN IP4 127.0.0.1');
        expect(mediaPort(sdp)).toBeGreaterThanOrEqual(rtpe.portMin);
        expect(mediaPort(sdp)).toBeLessThanOrEqual(rtpe.portMax);
      }
      expect(mediaPort(towardA)).not.toBe(b.port);
      for (let i = 0; i < 5; i++) a.sock.send(rtp(i), mediaPort(towardA), '127.0.0.1');
      for (let i = 0; i < 5; i++) b.sock.send(rtp(i, 0x9999), mediaPort(towardB), '127.0.0.1');
      await waitFor('RTP relayed both ways', async () => b.packets.length >= 4 && a.packets.length >= 4, 3000, 20);
      const q = await ng.query('anchor-1');
      expect(Object.keys(q.tags as object).sort()).toEqual(['tag-a', 'tag-b']);
      await ng.delete('anchor-1');
      await expect(ng.query('anchor-1')).rejects.toBeInstanceOf(RtpEngineError);
      await expect(ng.delete('anchor-1')).resolves.toBeUndefined(); // deleting twice is harmless
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('plays the spoken abandonment message (the default file) to the customer party: that audio reaches the customer, nothing the other side', async () => {
    const file = ensureSpokenAbandonMessage();
    if (!file) {
      process.stderr.write('\n*** SKIPPED (this case): espeak-ng and sox are needed to make the spoken abandonment message (scripts/setup.sh --with-sip) ***\n');
      return;
    }
    const wav = readWav(file);
    expect(wav.rate).toBe(8000);
    expect(wav.durationMs).toBeGreaterThan(5000); // a spoken sentence with a call-back number, not the 2 s placeholder tone
    const dialer = await udpPeer();
    const customer = await udpPeer();
    try {
      await ng.offer('abandon-1', 'dialer', sdpFor(dialer.port), profileFlags('rtp'));
      await ng.answer('abandon-1', 'dialer', 'cust', sdpFor(customer.port), profileFlags('rtp'));
      const duration = await ng.playMedia('abandon-1', 'cust', file);
      expect(Math.abs(duration! - wav.durationMs)).toBeLessThanOrEqual(40);
      await waitFor('2 s of the message to reach the customer', async () => customer.packets.length >= 100, 5000, 20); // 50 packets/s
      expect(customer.packets[0][0] & 0xc0).toBe(0x80); // RTP version 2
      expect(dialer.packets.length).toBe(0);
      // What the customer hears is the file: its first 2 s, decoded from PCMU, match the WAV's samples.
      const heard = pcmuPayloads(customer.packets).slice(0, 16000);
      const rms = Math.sqrt(heard.reduce((a, x) => a + x * x, 0) / heard.length);
      expect(rms).toBeGreaterThan(500); // speech, not silence
      const { r } = bestCorrelation(wav.samples, heard);
      expect(r).toBeGreaterThan(0.9);
      // ...and not just any audio: the placeholder tone does not match it
      const tone = readWav(join(__dirname, '../../src/modules/telephony/rtpengine/sounds/abandon-message.wav'));
      expect(bestCorrelation(tone.samples, heard.slice(0, 8000), 400).r).toBeLessThan(0.5);
      await ng.delete('abandon-1');
    } finally {
      await dialer.close();
      await customer.close();
    }
  });

  it('refuses to play a file that does not exist, with the reason', async () => {
    await ng.offer('abandon-2', 'dialer', sdpFor(40000), profileFlags('rtp'));
    await ng.answer('abandon-2', 'dialer', 'cust', sdpFor(40002), profileFlags('rtp'));
    await expect(ng.playMedia('abandon-2', 'cust', '/nonexistent/message.wav')).rejects.toBeInstanceOf(RtpEngineError);
    await ng.delete('abandon-2');
  });

  it('records a call to a pcap file named after the call id, which grows with the media', async () => {
    const a = await udpPeer();
    const b = await udpPeer();
    try {
      const towardB = await ng.offer('rec-1', 'tag-a', sdpFor(a.port), profileFlags('rtp'));
      const towardA = await ng.answer('rec-1', 'tag-a', 'tag-b', sdpFor(b.port), profileFlags('rtp'));
      await ng.startRecording('rec-1');
      for (let i = 0; i < 20; i++) {
        a.sock.send(rtp(i), mediaPort(towardA), '127.0.0.1');
        b.sock.send(rtp(i, 0x9999), mediaPort(towardB), '127.0.0.1');
      }
      await new Promise((r) => setTimeout(r, 300));
      await ng.delete('rec-1');
      await new Promise((r) => setTimeout(r, 300));
      const pcaps = join(rtpe.recordingDir, 'pcaps');
      const file = readdirSync(pcaps).find((f) => f.startsWith('rec-1-') && f.endsWith('.pcap'));
      expect(file).toBeDefined();
      expect(statSync(join(pcaps, file!)).size).toBeGreaterThan(20 * 172);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('bridges a browser softphone: the WebRTC profile gets DTLS-SRTP with ICE, the carrier side stays plain RTP', async () => {
    const towardBrowser = await ng.offer('webrtc-1', 'carrier', sdpFor(40010), profileFlags('webrtc'));
    expect(towardBrowser).toContain('UDP/TLS/RTP/SAVPF');
    expect(towardBrowser).toMatch(/a=fingerprint:sha-256 /);
    expect(towardBrowser).toMatch(/a=ice-ufrag:/);
    expect(towardBrowser).toMatch(/a=candidate:/);
    expect(towardBrowser).toContain('a=rtcp-mux');
    await ng.delete('webrtc-1');
  });
});
