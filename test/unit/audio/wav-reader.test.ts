import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EarshotError } from '../../../shared/errors.js';
import { decodeToFloat } from '../../../main/audio/pcm.js';
import type { SampleFormat } from '../../../main/audio/types.js';
import { WavFileSource } from '../../../main/audio/wav-file-source.js';
import { WavReader } from '../../../main/audio/wav-reader.js';
import { buildWav, encode, type WavSpec } from './wav-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'earshot-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
function write(bytes: Uint8Array, name = `f${seq++}.wav`): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function readAll(path: string, chunkBytes?: number) {
  const src = new WavFileSource(path, chunkBytes ? { chunkBytes } : {});
  const format = await src.open();
  const parts: Buffer[] = [];
  for await (const c of src.chunks()) parts.push(Buffer.from(c));
  await src.close();
  return { format, data: Buffer.concat(parts), totalFrames: src.totalFrames, parts };
}

async function openError(path: string): Promise<EarshotError> {
  try {
    await readAll(path);
  } catch (err) {
    expect(err).toBeInstanceOf(EarshotError);
    return err as EarshotError;
  }
  throw new Error('expected an error');
}

// Exactly representable in every format, including u8.
const SAMPLES = [0, 0.5, -0.5, 0.25, -1, 0.75, -0.25, 0.125, 0.5, -0.75, 0.375, -0.125];
const KINDS: Array<{ kind: SampleFormat; tag: number; bits: number }> = [
  { kind: 'u8', tag: 1, bits: 8 },
  { kind: 's16', tag: 1, bits: 16 },
  { kind: 's24', tag: 1, bits: 24 },
  { kind: 's32', tag: 1, bits: 32 },
  { kind: 'f32', tag: 3, bits: 32 },
];

describe('WAV formats', () => {
  for (const { kind, tag, bits } of KINDS) {
    for (const extensible of [false, true]) {
      for (const channels of [1, 2, 3]) {
        it(`${kind}${extensible ? ' extensible' : ''} ${channels} ch`, async () => {
          const path = write(buildWav({ tag, bits, channels, extensible, sampleRate: 22050, data: encode(SAMPLES, kind) }));
          const { format, data, totalFrames } = await readAll(path);
          expect(format).toEqual({ sampleRate: 22050, channels, sampleFormat: kind });
          expect(totalFrames).toBe(Math.floor(SAMPLES.length / channels));
          const frames = Math.floor(SAMPLES.length / channels);
          expect(Array.from(decodeToFloat(data, kind))).toEqual(SAMPLES.slice(0, frames * channels));
        });
      }
    }
  }

  it('reads any sample rate from 1 to 384 kHz and up to 8 channels', async () => {
    for (const [rate, ch] of [[7350, 1], [11025, 8], [96000, 2], [192000, 6], [1000, 1], [384000, 2]]) {
      const data = encode(Array.from({ length: ch * 4 }, (_, i) => i / 64), 's16');
      const { format, data: got } = await readAll(write(buildWav({ channels: ch, sampleRate: rate, data })));
      expect(format).toEqual({ sampleRate: rate, channels: ch, sampleFormat: 's16' });
      expect(got.equals(data)).toBe(true);
    }
  });

  it('skips unknown chunks, including odd-sized ones with their pad byte, anywhere', async () => {
    const data = encode(SAMPLES, 's16');
    const odd = (id: string, n: number) => ({ id, body: Buffer.alloc(n, 0x55) });
    const path = write(
      buildWav({
        data,
        before: [odd('JUNK', 3)],
        between: [odd('LIST', 7), odd('fact', 4), odd('bext', 1)],
        after: [odd('LIST', 5)],
      }),
    );
    expect((await readAll(path)).data.equals(data)).toBe(true);
  });

  it('treats data size 0 and 0xFFFFFFFF as "until the end of the file"', async () => {
    const data = encode(SAMPLES, 's16');
    for (const dataSize of [0, 0xffffffff]) {
      const { data: got, totalFrames } = await readAll(write(buildWav({ data, dataSize })));
      expect(got.equals(data)).toBe(true);
      expect(totalFrames).toBe(SAMPLES.length);
    }
  });

  it('accepts RF64 with a ds64 chunk and "until EOF" data size', async () => {
    const data = encode(SAMPLES, 's16');
    const path = write(buildWav({ riff: 'RF64', data, dataSize: 0xffffffff, before: [{ id: 'ds64', body: Buffer.alloc(28) }] }));
    expect((await readAll(path)).data.equals(data)).toBe(true);
  });

  it('stops at the last whole frame of truncated data', async () => {
    const data = encode(SAMPLES, 's24'); // 12 samples × 3 bytes, stereo → 6 frames of 6 bytes
    const full = buildWav({ channels: 2, bits: 24, data });
    const cut = full.subarray(0, full.length - 4); // declared size now exceeds the file
    const { data: got, totalFrames } = await readAll(write(cut));
    expect(totalFrames).toBe(5);
    expect(got.equals(data.subarray(0, 30))).toBe(true);
  });

  it('reads a truncated file to its real end and says how much audio is missing', async () => {
    // 90 s declared at 1 kHz mono 16-bit, 20 s present.
    const data = Buffer.alloc(20_000 * 2, 7);
    const path = write(buildWav({ sampleRate: 1000, data, dataSize: 90_000 * 2 }), 'cut short.wav');
    const src = new WavFileSource(path);
    await src.open();
    expect(src.totalFrames).toBe(20_000);
    expect(src.openWarnings().map((w) => [w.code, w.detail])).toEqual([
      ['WAV_CORRUPT', 'cut short.wav is cut short: its header promises 1 min 30.0 s of audio but the file holds 20.0 s; the missing 1 min 10.0 s at the end cannot be captioned'],
    ]);
    let bytes = 0;
    for await (const c of src.chunks()) bytes += c.length;
    expect(bytes).toBe(data.length);
    // A whole file has nothing to say.
    const whole = new WavFileSource(write(buildWav({ data })));
    await whole.open();
    expect(whole.openWarnings()).toEqual([]);
  });

  it('stops at the declared data size even when more chunks follow', async () => {
    const data = encode(SAMPLES, 's16');
    const path = write(buildWav({ data, after: [{ id: 'LIST', body: Buffer.alloc(100, 1) }] }));
    expect((await readAll(path)).data.equals(data)).toBe(true);
  });

  it('close() during iteration ends it quietly, and is idempotent', async () => {
    const data = encode(Array.from({ length: 20000 }, (_, i) => Math.sin(i) * 0.5), 's16');
    const src = new WavFileSource(write(buildWav({ data })), { chunkBytes: 1000 });
    expect(await src.open()).toEqual(await src.open());
    let got = 0;
    let atClose = -1;
    for await (const c of src.chunks()) {
      got += c.length;
      if (got >= 3000 && atClose < 0) {
        atClose = got;
        await src.close();
      }
    }
    await src.close();
    expect(got).toBe(atClose);
    expect(got).toBeLessThan(data.length);
    expect(src.stats()).toEqual({ overflows: 0, bytes: got });
  });

  it('hands out whole frames only, at most chunkBytes each', async () => {
    const data = encode(Array.from({ length: 3000 }, (_, i) => Math.sin(i) * 0.5), 's24');
    const { parts, data: got } = await readAll(write(buildWav({ channels: 3, bits: 24, data })), 100);
    expect(got.equals(data)).toBe(true);
    for (const p of parts) {
      expect(p.length % 9).toBe(0);
      expect(p.length).toBeLessThanOrEqual(100);
      expect(p.length).toBeGreaterThan(0);
    }
  });
});

describe('broken and unsupported WAV files', () => {
  const good = (over: Partial<WavSpec> = {}) => buildWav({ data: encode(SAMPLES, 's16'), ...over });

  const corruptCases: Array<[string, () => Uint8Array, RegExp]> = [
    ['empty', () => new Uint8Array(0), /empty/],
    ['truncated RIFF header', () => good().subarray(0, 10), /too short/],
    ['truncated fmt chunk', () => good().subarray(0, 30), /fmt/],
    ['header only, no data chunk', () => good().subarray(0, 36), /data chunk/],
    ['not RIFF (an MP3 with ID3 tag)', () => Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00 and then frames...', 'latin1'), /RIFF\/WAVE/],
    ['RIFF but not WAVE', () => Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00AVI ', 'latin1'), Buffer.alloc(16)]), /RIFF\/WAVE/],
    ['missing fmt (data first)', () => Buffer.from(good()).fill(0x41, 12, 16) /* "fmt " → "AAAA" */, /before the fmt/],
    ['missing fmt (only a LIST chunk)', () => Buffer.concat([Buffer.from('RIFF\x12\x00\x00\x00WAVELIST\x02\x00\x00\x00ab', 'latin1')]), /no fmt/],
    ['bad block align', () => good({ channels: 2, blockAlign: 3 }), /block align/],
    ['0 channels', () => good({ channels: 0, blockAlign: 0 }), /0 channels/],
  ];
  for (const [name, bytes, detail] of corruptCases) {
    it(`WAV_CORRUPT: ${name}`, async () => {
      const path = write(bytes(), `broken ${name.replace(/\W+/g, '-')}.wav`);
      const err = await openError(path);
      expect(err.code).toBe('WAV_CORRUPT');
      expect(err.message).toContain(path);
      expect(err.detail).toMatch(detail);
    });
  }

  const unsupportedCases: Array<[string, Partial<WavSpec>, RegExp]> = [
    ['MS ADPCM', { tag: 2, bits: 4, blockAlign: 256 }, /Microsoft ADPCM/],
    ['A-law', { tag: 6, bits: 8 }, /A-law/],
    ['mu-law', { tag: 7, bits: 8 }, /mu-law/],
    ['MP3', { tag: 0x55, bits: 0, blockAlign: 1 }, /MP3/],
    ['extensible with an ADPCM sub-format', { tag: 2, extensible: true, bits: 4, blockAlign: 1 }, /ADPCM/],
    ['64-bit float', { tag: 3, bits: 64 }, /64-bit floating/],
    ['12-bit integer', { bits: 12, blockAlign: 2 }, /12-bit/],
    ['9 channels', { channels: 9 }, /9 channels/],
    ['0 Hz', { sampleRate: 0 }, /0 Hz/],
  ];
  for (const [name, over, detail] of unsupportedCases) {
    it(`WAV_UNSUPPORTED: ${name}`, async () => {
      const path = write(good(over), `odd ${name.replace(/\W+/g, '-')}.wav`);
      const err = await openError(path);
      expect(err.code).toBe('WAV_UNSUPPORTED');
      expect(err.detail).toMatch(detail);
      expect(err.message).toMatch(detail);
      expect(err.message).toContain(`ffmpeg -i "${path}" -ac 1 -ar 16000 -c:a pcm_s16le out.wav`);
    });
  }

  it('FILE_NOT_FOUND names the file, also for a directory', async () => {
    const missing = join(dir, 'no such file.wav');
    const e1 = await openError(missing);
    expect(e1.code).toBe('FILE_NOT_FOUND');
    expect(e1.message).toContain(missing);
    const e2 = await openError(dir);
    expect(e2.code).toBe('FILE_NOT_FOUND');
    expect(e2.message).toContain(dir);
  });
});
