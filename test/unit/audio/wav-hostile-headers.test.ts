/**
 * Hostile and damaged WAV headers: every value that could make the work unbounded (rates of
 * a few Hz, absurd sizes, floods of chunks) is refused at open with a message that names
 * the file and the problem, before any audio is read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EarshotError } from '../../../shared/errors.js';
import { createConverter } from '../../../main/audio/converter.js';
import { WavReader } from '../../../main/audio/wav-reader.js';
import { buildWav, chunk, encode, fmtBody, type WavSpec } from './wav-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'earshot-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLES = encode(Array.from({ length: 64 }, (_, i) => Math.sin(i) / 2), 's16');
const good = (over: Partial<WavSpec> = {}) => buildWav({ data: SAMPLES, ...over });

/** A fmt body from the builder with fields overwritten at their byte offsets. */
function fmtWith(patch: (b: Buffer) => void, spec: Omit<WavSpec, 'data'> = {}): Buffer {
  const b = fmtBody(spec);
  patch(b);
  return b;
}

/** RIFF/WAVE around the given raw chunks (already framed). */
function riff(...chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** A chunk header claiming `size` bytes, followed by `body` (which may be shorter). */
function lying(id: string, size: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(size, 4);
  return Buffer.concat([head, body]);
}

const data = chunk('data', SAMPLES);

const cases: Array<{ name: string; bytes: () => Buffer; code: 'WAV_CORRUPT' | 'WAV_UNSUPPORTED'; detail: RegExp }> = [
  { name: 'a sample rate of 3 Hz', bytes: () => good({ sampleRate: 3 }), code: 'WAV_UNSUPPORTED', detail: /sample rate is 3 Hz \(1000-384000 Hz are read\)/ },
  { name: 'a sample rate of 999 Hz', bytes: () => good({ sampleRate: 999 }), code: 'WAV_UNSUPPORTED', detail: /999 Hz/ },
  { name: 'a sample rate above 384 kHz', bytes: () => good({ sampleRate: 384_001 }), code: 'WAV_UNSUPPORTED', detail: /384001 Hz/ },
  { name: 'a sample rate of 4294967295 Hz', bytes: () => riff(chunk('fmt ', fmtWith((b) => b.writeUInt32LE(0xffffffff, 4))), data), code: 'WAV_UNSUPPORTED', detail: /4294967295 Hz/ },
  {
    name: 'a damaged rate whose byte rate tells the real one',
    bytes: () => riff(chunk('fmt ', fmtWith((b) => { b.writeUInt32LE(5, 4); b.writeUInt32LE(32000, 8); })), data),
    code: 'WAV_UNSUPPORTED',
    detail: /5 Hz .*byte rate suggests 16000 Hz/,
  },
  { name: '65535 channels', bytes: () => good({ channels: 65535, blockAlign: 2 }), code: 'WAV_UNSUPPORTED', detail: /65535 channels/ },
  { name: '0 bits per sample', bytes: () => good({ bits: 0, blockAlign: 0 }), code: 'WAV_UNSUPPORTED', detail: /0-bit/ },
  { name: '65535 bits per sample', bytes: () => good({ bits: 65535, blockAlign: 2 }), code: 'WAV_UNSUPPORTED', detail: /65535-bit/ },
  { name: 'block align 0', bytes: () => good({ blockAlign: 0 }), code: 'WAV_CORRUPT', detail: /block align 0 \(expected 2/ },
  { name: 'block align 65535', bytes: () => good({ blockAlign: 65535 }), code: 'WAV_CORRUPT', detail: /block align 65535/ },
  { name: 'block align not channels × bytes', bytes: () => good({ channels: 2, blockAlign: 2 }), code: 'WAV_CORRUPT', detail: /expected 4 for 2 × 16-bit/ },
  { name: 'a fmt chunk of 4 GB', bytes: () => riff(lying('fmt ', 0xfffffff0, fmtBody({})), data), code: 'WAV_CORRUPT', detail: /implausible fmt chunk size 4294967280/ },
  { name: 'a fmt chunk of 8 bytes', bytes: () => riff(chunk('fmt ', fmtBody({}).subarray(0, 8)), data), code: 'WAV_CORRUPT', detail: /fmt chunk is 8 bytes/ },
  {
    name: 'an extensible fmt whose extension claims 65535 bytes',
    bytes: () => riff(chunk('fmt ', fmtWith((b) => b.writeUInt16LE(0xffff, 16), { extensible: true })), data),
    code: 'WAV_CORRUPT',
    detail: /extension claims 65535 bytes/,
  },
  {
    name: 'an extensible fmt with more valid bits than bits',
    bytes: () => riff(chunk('fmt ', fmtWith((b) => b.writeUInt16LE(24, 18), { extensible: true })), data),
    code: 'WAV_CORRUPT',
    detail: /24 valid bits in 16-bit/,
  },
  { name: 'a LIST chunk claiming 4 GB', bytes: () => riff(lying('LIST', 0xfffffff0, Buffer.alloc(10)), chunk('fmt ', fmtBody({})), data), code: 'WAV_CORRUPT', detail: /"LIST" chunk claims 4294967280 bytes/ },
  { name: 'a chunk with a binary id claiming 4 GB after fmt', bytes: () => riff(chunk('fmt ', fmtBody({})), lying('\x00\x01ab', 0xffffffff)), code: 'WAV_CORRUPT', detail: /"\\x00\\x01ab" chunk claims .*no data chunk/ },
  { name: 'a data chunk of size 0 with nothing after it', bytes: () => riff(chunk('fmt ', fmtBody({})), lying('data', 0)), code: 'WAV_CORRUPT', detail: /holds no audio/ },
  { name: 'a data chunk smaller than one frame', bytes: () => riff(chunk('fmt ', fmtBody({ channels: 2 })), chunk('data', Buffer.alloc(3))), code: 'WAV_CORRUPT', detail: /3 bytes, less than one 4-byte frame/ },
  { name: 'fmt after data', bytes: () => riff(data, chunk('fmt ', fmtBody({}))), code: 'WAV_CORRUPT', detail: /before the fmt chunk/ },
  { name: 'two fmt chunks', bytes: () => riff(chunk('fmt ', fmtBody({})), chunk('fmt ', fmtBody({ sampleRate: 3 })), data), code: 'WAV_CORRUPT', detail: /two fmt chunks/ },
  { name: 'a flood of empty chunks', bytes: () => riff(...Array.from({ length: 5000 }, () => chunk('JUNK', Buffer.alloc(0))), chunk('fmt ', fmtBody({})), data), code: 'WAV_CORRUPT', detail: /more than 1000 chunks/ },
];

describe('hostile WAV headers are refused at open', () => {
  for (const c of cases) {
    it(`${c.code}: ${c.name}`, async () => {
      const path = join(dir, `${c.name.replace(/\W+/g, '-')}.wav`);
      writeFileSync(path, c.bytes());
      const err = await WavReader.open(path).then(
        (r) => {
          r.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(EarshotError);
      const e = err as EarshotError;
      expect(e.code).toBe(c.code);
      expect(e.detail).toMatch(c.detail);
      expect(e.message).toContain(path);
    });
  }
});

describe('rate pairs whose resampling filter would be unbounded', () => {
  it('are refused with WAV_UNSUPPORTED and a conversion command, not designed', () => {
    for (const sampleRate of [383_999, 200_003]) {
      let err: unknown;
      try {
        createConverter({ sampleRate, channels: 1, sampleFormat: 's16' }, 16000);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EarshotError);
      expect((err as EarshotError).code).toBe('WAV_UNSUPPORTED');
      expect((err as EarshotError).detail).toMatch(new RegExp(`resampling ${sampleRate} Hz to 16000 Hz would need \\d+ filter taps.*-ar 16000`));
    }
  });

  it('odd but bounded rates still convert', () => {
    for (const sampleRate of [1000, 1001, 47_999, 384_000]) {
      const c = createConverter({ sampleRate, channels: 1, sampleFormat: 's16' }, 16000);
      const out = c.push(encode(Array.from({ length: sampleRate / 10 }, (_, i) => Math.sin(i / 7) / 4), 's16'));
      expect(out.length + c.flush().length).toBeGreaterThan(1500);
    }
  });
});
