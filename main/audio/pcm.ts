/** Sample decoding and encoding. Floats are in [-1, 1); int16 full scale is 32768. */
import type { SampleFormat } from './types.js';

export function bytesPerSample(format: SampleFormat): number {
  switch (format) {
    case 'u8':
      return 1;
    case 's16':
      return 2;
    case 's24':
      return 3;
    case 's32':
    case 'f32':
      return 4;
  }
}

/**
 * Decodes interleaved little-endian PCM into floats, one per sample (channels stay interleaved).
 * `bytes.length` must be a whole number of samples. Scales are powers of two, so s16 → float →
 * s16 is exact (the passthrough guarantee relies on it).
 */
export function decodeToFloat(bytes: Uint8Array, format: SampleFormat, out?: Float64Array): Float64Array {
  const bps = bytesPerSample(format);
  const n = Math.floor(bytes.length / bps);
  const dst = out && out.length >= n ? out.subarray(0, n) : new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (format) {
    case 'u8':
      for (let i = 0; i < n; i++) dst[i] = (bytes[i] - 128) / 128;
      break;
    case 's16':
      for (let i = 0; i < n; i++) dst[i] = view.getInt16(i * 2, true) / 32768;
      break;
    case 's24':
      for (let i = 0, o = 0; i < n; i++, o += 3) {
        const v = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16);
        dst[i] = ((v << 8) >> 8) / 8388608;
      }
      break;
    case 's32':
      for (let i = 0; i < n; i++) dst[i] = view.getInt32(i * 4, true) / 2147483648;
      break;
    case 'f32':
      for (let i = 0; i < n; i++) dst[i] = view.getFloat32(i * 4, true);
      break;
  }
  return dst;
}

/** Averages the channels of interleaved samples; an average (not a sum) can never clip. */
export function downmixToMono(interleaved: Float64Array, channels: number, out?: Float64Array): Float64Array {
  if (channels === 1) return interleaved;
  const frames = Math.floor(interleaved.length / channels);
  const dst = out && out.length >= frames ? out.subarray(0, frames) : new Float64Array(frames);
  if (channels === 2) {
    for (let f = 0, i = 0; f < frames; f++, i += 2) dst[f] = (interleaved[i] + interleaved[i + 1]) * 0.5;
    return dst;
  }
  const inv = 1 / channels;
  for (let f = 0, i = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[i++];
    dst[f] = sum * inv;
  }
  return dst;
}

/** Float to int16: scale by 32768, round to nearest, clip to [-32768, 32767]. NaN becomes 0. */
export function floatToInt16(samples: ArrayLike<number>, out?: Int16Array): Int16Array {
  const n = samples.length;
  const dst = out && out.length >= n ? out.subarray(0, n) : new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.round(samples[i] * 32768);
    dst[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v || 0;
  }
  return dst;
}

/** A little-endian byte view of int16 samples, as the speech services want them (s16le). */
export function int16ToBytes(samples: Int16Array): Buffer {
  if (isLittleEndian) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const b = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i], i * 2);
  return b;
}

/** Reads s16le bytes as int16 samples, copying only when the bytes are misaligned or big-endian host. */
export function bytesToInt16(bytes: Uint8Array): Int16Array {
  const n = bytes.length >> 1;
  if (isLittleEndian && bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, n);
  const out = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
