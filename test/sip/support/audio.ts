import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { SPOKEN_ABANDON_MESSAGE } from '../../../src/modules/telephony/drachtio/drachtio-telephony.module';
import { which } from './processes';

/** 16-bit mono PCM samples and rate of a WAV file (walks the RIFF chunks to `fmt ` and `data`). */
export function readWav(path: string): { rate: number; samples: Int16Array; durationMs: number } {
  const b = readFileSync(path);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path} is not a WAV file`);
  let rate = 0;
  let bits = 0;
  let channels = 0;
  for (let off = 12; off + 8 <= b.length; ) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = b.readUInt16LE(off + 10);
      rate = b.readUInt32LE(off + 12);
      bits = b.readUInt16LE(off + 22);
    } else if (id === 'data') {
      if (bits !== 16 || channels !== 1) throw new Error(`${path}: expected 16-bit mono, got ${bits}-bit ${channels} channels`);
      const data = b.subarray(off + 8, off + 8 + size);
      const samples = new Int16Array(data.length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2);
      return { rate, samples, durationMs: Math.round((samples.length / rate) * 1000) };
    }
    off += 8 + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** G.711 mu-law byte to a 16-bit linear sample. */
export function ulawToLinear(u: number): number {
  const x = ~u & 0xff;
  const t = (((x & 0x0f) << 3) + 0x84) << ((x & 0x70) >> 4);
  return x & 0x80 ? 0x84 - t : t - 0x84;
}

/** The audio of PCMU RTP packets (12-byte header, no CSRC/extension), in arrival order. */
export function pcmuPayloads(packets: Buffer[]): Int16Array {
  const out: number[] = [];
  for (const p of packets) {
    if (p[1] & 0x7f) continue; // not PCMU (payload type 0), e.g. telephone-event
    const cc = p[0] & 0x0f;
    for (let i = 12 + cc * 4; i < p.length; i++) out.push(ulawToLinear(p[i]));
  }
  return Int16Array.from(out);
}

/**
 * Best normalised cross-correlation of `heard` against the start of `original`, over lags 0..maxLag samples:
 * close to 1 when `heard` is `original` (through a mu-law codec), near 0 for unrelated audio.
 */
export function bestCorrelation(original: Int16Array, heard: Int16Array, maxLag = 1600): { r: number; lag: number } {
  let best = { r: -1, lag: 0 };
  const n = Math.min(heard.length, original.length - maxLag);
  for (let lag = 0; lag <= maxLag; lag++) {
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      const x = original[i + lag];
      const y = heard[i];
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
    }
    const r = sxx && syy ? sxy / Math.sqrt(sxx * syy) : 0;
    if (r > best.r) best = { r, lag };
  }
  return best;
}

/**
 * The spoken abandonment message the adapter plays by default: made here with scripts/make-abandon-message.sh when
 * setup has not made it yet. Null (the caller skips, loudly) when espeak-ng or sox is missing.
 */
export function ensureSpokenAbandonMessage(): string | null {
  if (existsSync(SPOKEN_ABANDON_MESSAGE)) return SPOKEN_ABANDON_MESSAGE;
  if (!which('espeak-ng') || !which('sox')) return null;
  const script = join(__dirname, '..', '..', '..', 'scripts', 'make-abandon-message.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make-abandon-message.sh failed: ${r.stderr}`);
  return SPOKEN_ABANDON_MESSAGE;
}
