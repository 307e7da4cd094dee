/** Builds WAV files byte by byte, including the odd and broken ones real tools produce. */

export interface WavSpec {
  tag?: number; // 1 PCM, 3 float, others compressed
  extensible?: boolean; // wrap tag in WAVE_FORMAT_EXTENSIBLE
  channels?: number;
  sampleRate?: number;
  bits?: number;
  blockAlign?: number; // override (to build broken files)
  data: Uint8Array;
  /** Declared data size override (0 or 0xFFFFFFFF for "until EOF"). */
  dataSize?: number;
  /** Chunks before fmt / between fmt and data / after data. */
  before?: Chunk[];
  between?: Chunk[];
  after?: Chunk[];
  riff?: string; // "RIFF" by default
}

export interface Chunk {
  id: string;
  body: Uint8Array;
}

export function chunk(id: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  const pad = body.length & 1 ? Buffer.from([0]) : Buffer.alloc(0);
  return Buffer.concat([head, body, pad]);
}

export function fmtBody(s: Omit<WavSpec, 'data'>): Buffer {
  const channels = s.channels ?? 1;
  const rate = s.sampleRate ?? 16000;
  const bits = s.bits ?? 16;
  const tag = s.tag ?? 1;
  const blockAlign = s.blockAlign ?? (channels * bits) / 8;
  const b = Buffer.alloc(s.extensible ? 40 : 16);
  b.writeUInt16LE(s.extensible ? 0xfffe : tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * blockAlign, 8);
  b.writeUInt16LE(blockAlign, 12);
  b.writeUInt16LE(bits, 14);
  if (s.extensible) {
    b.writeUInt16LE(22, 16); // cbSize
    b.writeUInt16LE(bits, 18); // valid bits
    b.writeUInt32LE(channels === 2 ? 3 : 4, 20); // channel mask
    // KSDATAFORMAT_SUBTYPE_xxx = {0000TTTT-0000-0010-8000-00aa00389b71}
    b.writeUInt16LE(tag, 24);
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(b, 26);
  }
  return b;
}

export function buildWav(s: WavSpec): Buffer {
  const dataHead = Buffer.alloc(8);
  dataHead.write('data', 0, 'latin1');
  dataHead.writeUInt32LE(s.dataSize ?? s.data.length, 4);
  const pad = s.data.length & 1 && s.after?.length ? Buffer.from([0]) : Buffer.alloc(0);
  const body = Buffer.concat([
    Buffer.from('WAVE', 'latin1'),
    ...(s.before ?? []).map((c) => chunk(c.id, c.body)),
    chunk('fmt ', fmtBody(s)),
    ...(s.between ?? []).map((c) => chunk(c.id, c.body)),
    dataHead,
    s.data,
    pad,
    ...(s.after ?? []).map((c) => chunk(c.id, c.body)),
  ]);
  const head = Buffer.alloc(8);
  head.write(s.riff ?? 'RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** Encodes float samples in [-1, 1) as little-endian PCM of the given kind. */
export function encode(samples: number[], kind: 'u8' | 's16' | 's24' | 's32' | 'f32'): Buffer {
  const bps = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4 }[kind];
  const b = Buffer.alloc(samples.length * bps);
  samples.forEach((x, i) => {
    const o = i * bps;
    if (kind === 'u8') b.writeUInt8(Math.round(x * 128) + 128, o);
    else if (kind === 's16') b.writeInt16LE(Math.round(x * 32768), o);
    else if (kind === 's24') b.writeIntLE(Math.round(x * 8388608), o, 3);
    else if (kind === 's32') b.writeInt32LE(Math.round(x * 2147483648), o);
    else b.writeFloatLE(x, o);
  });
  return b;
}
